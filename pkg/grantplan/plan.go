package grantplan

import (
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Change kinds produced by this package (report.Change.Kind).
const (
	KindNamespaceAccess  = "namespace_access"
	KindRepositoryAccess = "repository_access"
)

// Plan is the minimal set of writes that brings the grants of one namespace
// or one repository in line with the directory. Each write is idempotent:
// re-planning against the state a Plan produced yields an empty Plan.
type Plan struct {
	Kind       string // KindNamespaceAccess or KindRepositoryAccess
	Namespace  string
	Repository string // empty for namespace access

	// Create holds the grants to add (POST …/access).
	Create []swr.UserAuth
	// Update holds the level changes, up and down (PATCH …/access).
	Update []swr.UserAuth
	// Delete holds the user ids whose grant is removed (DELETE …/access).
	Delete []string
	// Downgrades lists the user ids in Update whose level goes down. Like
	// Delete, they reduce access and count as removals for GuardRemovals.
	Downgrades []string

	// Observed is the number of grants SWR reported, the caller's and the
	// namespace creator's excepted (SWR may or may not list them; they are
	// never removed). Summed over a run it is the denominator of the guard's
	// removal fraction.
	Observed int

	// Changes describes every write above, in the order Create, Update,
	// Delete, each with Status planned.
	Changes []report.Change
	// Findings notes what the plan chose not to do (protected users).
	Findings []report.Finding
}

// Grant is how a report.Change shows one user's access (its Before and
// After).
type Grant struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
	Level    string `json:"level"`
	Auth     int    `json:"auth"`
}

// String describes the grant as "user (level)".
func (g Grant) String() string { return g.UserName + " (" + g.Level + ")" }

func grantOf(a swr.UserAuth) Grant {
	return Grant{UserID: a.UserID, UserName: a.UserName, Level: directory.Level(a.Auth).String(), Auth: a.Auth}
}

// Empty reports whether the plan writes nothing.
func (p Plan) Empty() bool {
	return len(p.Create)+len(p.Update)+len(p.Delete) == 0
}

// Removals is the number of grants the plan removes or lowers.
func (p Plan) Removals() int {
	return len(p.Delete) + len(p.Downgrades)
}

// WithoutRemovals returns a copy of p whose deletions and downgrades are
// withheld: they leave Delete and Update, and their Changes are marked
// refused with reason. Additions and upgrades are kept.
func (p Plan) WithoutRemovals(reason string) Plan {
	if p.Removals() == 0 {
		return p
	}
	lowered := make(map[string]bool, len(p.Downgrades))
	for _, id := range p.Downgrades {
		lowered[id] = true
	}
	out := p
	out.Update = nil
	for _, u := range p.Update {
		if !lowered[u.UserID] {
			out.Update = append(out.Update, u)
		}
	}
	out.Delete, out.Downgrades = nil, nil
	out.Changes = make([]report.Change, len(p.Changes))
	for i, c := range p.Changes {
		if c.Op == report.OpDelete || (c.Op == report.OpUpdate && lowered[c.Subject]) {
			c.Status, c.Reason = report.StatusRefused, reason
		}
		out.Changes[i] = c
	}
	return out
}
