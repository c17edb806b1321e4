package grantsync

import (
	"maps"
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
)

// scope is what one run reconciles: everything, or some namespaces (each
// whole, or only some of its repositories).
type scope struct {
	all        bool
	namespaces map[string]*namespaceScope
}

// namespaceScope is the part of one namespace a run reconciles.
type namespaceScope struct {
	whole bool            // the namespace's own grants and every repository the directory names in it
	repos map[string]bool // otherwise only these repositories
}

func newScope(all bool, targets []Target) scope {
	s := scope{all: all}
	if all {
		return s
	}
	s.namespaces = map[string]*namespaceScope{}
	for _, t := range targets {
		ns := s.namespaces[t.Namespace]
		if ns == nil {
			ns = &namespaceScope{repos: map[string]bool{}}
			s.namespaces[t.Namespace] = ns
		}
		if t.Repository == "" {
			ns.whole = true
		} else {
			ns.repos[t.Repository] = true
		}
	}
	return s
}

// work is one namespace of a run: whether to reconcile its own grants, and
// which of its repositories.
type work struct {
	namespace string
	own       bool     // reconcile the namespace's grants
	repos     []string // repositories to reconcile, sorted
	listed    bool     // also reconcile every repository SWR lists in the namespace
}

// resolve lists the work of a run in namespace order. The namespaces come
// from the directory (those it grants on and the managed ones); a target
// outside them is left alone, as the directory neither adds nor removes
// anything there.
//
// A full run reconciles every namespace with the repositories the
// directory names in it and, in a managed namespace, every repository SWR
// lists there: the grants of a managed namespace's repositories are all
// the directory's to decide, named or not. A repository target is
// reconciled when the directory names it, or when its namespace is
// managed. A namespace target reconciles the namespace's grants, the
// repositories the directory names there and, in a managed namespace, the
// repository targets, without listing the others (the next full run
// does).
func (s scope) resolve(d *directory.Directory, want grantplan.Grants) []work {
	named := map[string][]string{} // namespace → repositories the directory names
	for key := range want.Repositories {
		if ns, repo, ok := directory.SplitRepositoryKey(key); ok {
			named[ns] = append(named[ns], repo)
		}
	}
	var out []work
	for _, ns := range d.Namespaces() {
		repos := named[ns]
		slices.Sort(repos)
		if s.all {
			out = append(out, work{namespace: ns, own: true, repos: repos, listed: d.Managed(ns)})
			continue
		}
		t := s.namespaces[ns]
		switch {
		case t == nil:
			continue
		case t.whole:
			set := map[string]bool{}
			for _, r := range repos {
				set[r] = true
			}
			for r := range t.repos {
				if d.Managed(ns) {
					set[r] = true
				}
			}
			out = append(out, work{namespace: ns, own: true, repos: slices.Sorted(maps.Keys(set))})
		default:
			var picked []string
			for _, r := range slices.Sorted(maps.Keys(t.repos)) {
				if d.Managed(ns) || slices.Contains(repos, r) {
					picked = append(picked, r)
				}
			}
			if len(picked) > 0 {
				out = append(out, work{namespace: ns, repos: picked})
			}
		}
	}
	return out
}

// describe names the scope in log lines.
func (s scope) describe() string {
	if s.all {
		return "all"
	}
	var parts []string
	for _, ns := range slices.Sorted(maps.Keys(s.namespaces)) {
		t := s.namespaces[ns]
		if t.whole {
			parts = append(parts, ns)
		}
		for _, r := range slices.Sorted(maps.Keys(t.repos)) {
			parts = append(parts, ns+"/"+r)
		}
	}
	return strings.Join(parts, ",")
}
