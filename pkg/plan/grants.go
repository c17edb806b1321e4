package plan

import (
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// GrantPlan adds the default grants to one repository.
type GrantPlan struct {
	Namespace  string
	Repository string
	// Create is the body of POST …/repos/{repo}/access: users without a grant.
	Create []swr.UserAuth
	// Update is the body of PATCH …/repos/{repo}/access: users whose grant
	// is below the desired level.
	Update []swr.UserAuth
	// Changes has one change per user, ordered by user id.
	Changes []report.Change
}

// Empty reports whether the plan writes nothing.
func (p GrantPlan) Empty() bool { return len(p.Create) == 0 && len(p.Update) == 0 }

// Grants plans the default grants of repository ns/repo: desired users
// missing from current are created, users holding a lower level are
// upgraded. It never removes or lowers a grant, and it skips the caller
// (current.SelfAuth), to whom SWR does not let one grant. Users are
// compared by id; when desired names a user twice the higher level counts.
func Grants(ns, repo string, desired []swr.UserAuth, current swr.RepositoryAccess) GrantPlan {
	p := GrantPlan{Namespace: ns, Repository: repo}
	have := map[string]swr.UserAuth{}
	for _, u := range current.OthersAuths {
		if cur, ok := have[u.UserID]; !ok || u.Auth > cur.Auth {
			have[u.UserID] = u
		}
	}
	want := map[string]swr.UserAuth{}
	for _, u := range desired {
		if u.UserID == "" || u.UserID == current.SelfAuth.UserID {
			continue
		}
		if cur, ok := want[u.UserID]; !ok || u.Auth > cur.Auth {
			want[u.UserID] = u
		}
	}
	ids := make([]string, 0, len(want))
	for id := range want {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		u := want[id]
		c := report.Change{Kind: KindRepositoryAccess, Namespace: ns, Repository: repo, Subject: id, After: u, Status: report.StatusPlanned}
		cur, ok := have[id]
		switch {
		case !ok:
			c.Op = report.OpCreate
			p.Create = append(p.Create, u)
		case cur.Auth < u.Auth:
			c.Op, c.Before = report.OpUpdate, cur
			p.Update = append(p.Update, u)
		default:
			continue
		}
		p.Changes = append(p.Changes, c)
	}
	return p
}
