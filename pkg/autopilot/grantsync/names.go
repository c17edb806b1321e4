package grantsync

import (
	"context"
	"fmt"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Finding codes of the IAM name lookups.
const (
	// CodeUnknownName: a directory member given by name matches no IAM
	// user, or its lookup failed. Its grants (matched by user name) are
	// never removed or lowered by the run.
	CodeUnknownName = "grants.unknown_name"
	// CodeAmbiguousName: a directory member given by name matches more
	// than one IAM user; it is treated like an unknown name.
	CodeAmbiguousName = "grants.ambiguous_name"
	// CodeUnknownGroup: a team's IAM group does not exist, or its members
	// could not be read. The run then removes and lowers nothing.
	CodeUnknownGroup = "grants.unknown_group"
)

// resolver looks IAM names up, each at most once per run.
type resolver struct {
	c      *swr.Client
	users  map[string][]swr.IAMUser
	errs   map[string]error
	groups map[string]groupMembers
}

type groupMembers struct {
	users []swr.IAMUser
	found bool
	err   error
}

// resolveNames returns the directory with every member given by name
// completed with its IAM user id and every team's IAM group expanded into
// members, so that the planner sees ids only. A name that matches no user
// or several is reported and put on the keep list by name, so that no
// grant of it is removed or lowered; a group that cannot be read is
// reported and makes the run refuse every removal (groupsFailed). A
// directory that names no member by name and no group costs no call.
func (r *run) resolveNames(ctx context.Context, d *directory.Directory) (out *directory.Directory, groupsFailed bool) {
	if !needsIAM(d) {
		return d, false
	}
	res := &resolver{c: r.j.client, users: map[string][]swr.IAMUser{}, errs: map[string]error{}, groups: map[string]groupMembers{}}
	copied := *d
	copied.Teams = make([]directory.Team, len(d.Teams))
	copied.Keep = slices.Clone(d.Keep)
	reported := map[string]bool{}
	for i, t := range d.Teams {
		var members []directory.Member
		for _, m := range t.Members {
			if m.ID != "" {
				members = append(members, m)
				continue
			}
			users, err := res.user(ctx, m.Name)
			if len(users) == 1 && err == nil {
				members = append(members, directory.Member{ID: users[0].ID, Name: users[0].Name})
				continue
			}
			if !reported[m.Name] {
				reported[m.Name] = true
				r.rep.Findings = append(r.rep.Findings, unresolvedName(t.Name, m.Name, len(users), err))
				copied.Keep = append(copied.Keep, directory.Member{Name: m.Name})
			}
		}
		if t.Group != "" {
			g := res.group(ctx, t.Group)
			if !g.found || g.err != nil {
				groupsFailed = true
				r.rep.Findings = append(r.rep.Findings, unresolvedGroup(t.Name, t.Group, g.err))
			}
			for _, u := range g.users {
				if !slices.ContainsFunc(members, func(m directory.Member) bool { return m.ID == u.ID }) {
					members = append(members, directory.Member{ID: u.ID, Name: u.Name})
				}
			}
		}
		t.Members = members
		copied.Teams[i] = t
	}
	return &copied, groupsFailed
}

func needsIAM(d *directory.Directory) bool {
	for _, t := range d.Teams {
		if t.Group != "" || slices.ContainsFunc(t.Members, func(m directory.Member) bool { return m.ID == "" }) {
			return true
		}
	}
	return false
}

// user returns the IAM users named name, looked up once.
func (res *resolver) user(ctx context.Context, name string) ([]swr.IAMUser, error) {
	if users, ok := res.users[name]; ok {
		return users, res.errs[name]
	}
	users, err := res.c.IAM.UsersByName(ctx, name)
	// IAM matches names exactly; keep only exact matches in case it did not.
	users = slices.DeleteFunc(users, func(u swr.IAMUser) bool { return u.Name != name || u.ID == "" })
	res.users[name], res.errs[name] = users, err
	return users, err
}

// group returns the members of the IAM group named name, read once.
func (res *resolver) group(ctx context.Context, name string) groupMembers {
	if g, ok := res.groups[name]; ok {
		return g
	}
	var g groupMembers
	groups, err := res.c.IAM.GroupsByName(ctx, name)
	groups = slices.DeleteFunc(groups, func(g swr.IAMGroup) bool { return g.Name != name })
	switch {
	case err != nil:
		g.err = err
	case len(groups) == 1:
		g.found = true
		g.users, g.err = res.c.IAM.GroupUsers(ctx, groups[0].ID)
	case len(groups) > 1:
		g.err = fmt.Errorf("%d IAM groups are named %q", len(groups), name)
	}
	res.groups[name] = g
	return g
}

func unresolvedName(team, name string, matches int, err error) report.Finding {
	f := report.Finding{Code: CodeUnknownName, Severity: report.SeverityWarning, Subject: name,
		Remediation: "give the member's IAM user id in the directory, or correct its name"}
	switch {
	case err != nil:
		f.Message = fmt.Sprintf("team %s: IAM user %q could not be looked up (%v); it gets no grant in this run and none of its grants is removed or lowered", team, name, err)
	case matches > 1:
		f.Code = CodeAmbiguousName
		f.Message = fmt.Sprintf("team %s: %d IAM users are named %q; it gets no grant in this run and none of its grants is removed or lowered", team, matches, name)
	default:
		f.Message = fmt.Sprintf("team %s: no IAM user is named %q; it gets no grant in this run and none of its grants is removed or lowered", team, name)
	}
	return f
}

func unresolvedGroup(team, group string, err error) report.Finding {
	why := "no IAM user group has that name"
	if err != nil {
		why = err.Error()
	}
	return report.Finding{Code: CodeUnknownGroup, Severity: report.SeverityCritical, Subject: group,
		Message:     fmt.Sprintf("team %s: the members of IAM group %q could not be read (%s); the run removes and lowers nothing", team, group, why),
		Remediation: "correct the group name, or grant the autopilot's IAM user read access to IAM"}
}
