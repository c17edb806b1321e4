package directory

import "sort"

// Guard defaults, used when the file leaves a guard key out.
const (
	DefaultMaxRemovals        = 10
	DefaultMaxRemovalFraction = 0.3
)

// Directory is a parsed team directory file.
type Directory struct {
	// File is the name the file was parsed under (used in messages).
	File string
	// Teams in file order.
	Teams []Team
	// ManagedNamespaces are the namespaces, and the repositories inside
	// them, where grants the directory does not name are removed. Outside
	// them the directory only ever adds or raises access.
	ManagedNamespaces []string
	// Keep lists users whose access is never removed or lowered anywhere.
	Keep []Member
	// Guard caps the removals of one run.
	Guard Guard
	// CreateMissingNamespaces opts in to creating namespaces the directory
	// names but SWR lacks.
	CreateMissingNamespaces bool
}

// Team is a group of users that share grants.
type Team struct {
	Name    string
	Members []Member
	// Group names an IAM user group whose members join the team's
	// Members; they are read from IAM on every run.
	Group string
	// Namespaces maps a namespace name to the level the team gets there.
	Namespaces map[string]Level
	// Repositories maps a "namespace/repository" key (see RepositoryKey)
	// to the level the team gets on that one repository.
	Repositories map[string]Level
}

// Member is an IAM user: SWR grants need both the id and the exact name.
// ID is empty when the file gives only the name; it is then looked up in
// IAM by name on every run.
type Member struct {
	ID   string
	Name string
}

// Guard caps how much access one run may remove. A run whose removals
// exceed either cap removes nothing.
type Guard struct {
	// MaxRemovals is the most grants one run may remove or lower.
	MaxRemovals int
	// MaxRemovalFraction is the largest share (0–1) of the grants observed
	// in a full run that the run may remove or lower. A run reconciling
	// only what an event names removes nothing (see
	// grantplan.GuardScopedRemovals).
	MaxRemovalFraction float64
}

// Empty reports whether the directory grants nobody anything: no team has
// both a member (or a group) and a namespace or repository. An empty directory, like an
// empty or truncated file, must never be used to remove access.
func (d *Directory) Empty() bool {
	if d == nil {
		return true
	}
	for _, t := range d.Teams {
		if (len(t.Members) > 0 || t.Group != "") && len(t.Namespaces)+len(t.Repositories) > 0 {
			return false
		}
	}
	return true
}

// Managed reports whether grants the directory does not name are removed
// from namespace ns (and from the repositories inside it).
func (d *Directory) Managed(ns string) bool {
	if d == nil {
		return false
	}
	for _, m := range d.ManagedNamespaces {
		if m == ns {
			return true
		}
	}
	return false
}

// Kept reports whether the user with this id or this name is on the keep
// list. Either match is enough: SWR reports both, and a renamed user keeps
// its id.
func (d *Directory) Kept(id, name string) bool {
	if d == nil {
		return false
	}
	for _, k := range d.Keep {
		if (id != "" && k.ID == id) || (name != "" && k.Name == name) {
			return true
		}
	}
	return false
}

// Namespaces returns, sorted and without duplicates, every namespace the
// directory names: in a team's namespaces, as the namespace of a team's
// repository, or in managed_namespaces.
func (d *Directory) Namespaces() []string {
	if d == nil {
		return nil
	}
	seen := map[string]bool{}
	for _, t := range d.Teams {
		for ns := range t.Namespaces {
			seen[ns] = true
		}
		for key := range t.Repositories {
			if ns, _, ok := SplitRepositoryKey(key); ok {
				seen[ns] = true
			}
		}
	}
	for _, ns := range d.ManagedNamespaces {
		seen[ns] = true
	}
	names := make([]string, 0, len(seen))
	for ns := range seen {
		names = append(names, ns)
	}
	sort.Strings(names)
	return names
}
