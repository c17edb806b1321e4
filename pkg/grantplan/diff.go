package grantplan

import (
	"fmt"
	"maps"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// CodeProtectedUser is the finding raised when the directory asks to change
// the caller, the namespace creator or a keep user in a way this package
// never does.
const CodeProtectedUser = "grants.protected_user"

// Namespace plans the grants of namespace ns. desired is the directory's
// wish for it (Grants.Namespaces[ns], nil for none) and current what
// GET /v2/manage/namespaces/{ns}/access returned.
func Namespace(ns string, desired map[string]swr.UserAuth, current swr.NamespaceAccess, d *directory.Directory) Plan {
	s := subject{kind: KindNamespaceAccess, ns: ns, self: current.SelfAuth, creator: current.CreatorName}
	return s.plan(desired, current.OthersAuths, d)
}

// Repository plans the grants of repository repo in namespace ns. desired
// is Grants.Repositories[directory.RepositoryKey(ns, repo)] and current what
// GET …/repos/{repo}/access returned. creator is the namespace's
// creator_name when known (SWR names no creator in a repository's grants,
// yet may list the creator there); empty when unknown. Grants are removed
// only when ns is a managed namespace (d nil: none is).
func Repository(ns, repo string, desired map[string]swr.UserAuth, current swr.RepositoryAccess, creator string, d *directory.Directory) Plan {
	s := subject{kind: KindRepositoryAccess, ns: ns, repo: repo, self: current.SelfAuth, creator: creator}
	return s.plan(desired, current.OthersAuths, d)
}

// subject is the namespace or repository being planned, with the users
// that must never change on it.
type subject struct {
	kind, ns, repo string
	self           swr.UserAuth
	creator        string // namespace creator's user name; empty when unknown
}

func (s subject) plan(desired map[string]swr.UserAuth, others []swr.UserAuth, d *directory.Directory) Plan {
	p := Plan{Kind: s.kind, Namespace: s.ns, Repository: s.repo}
	current := map[string]swr.UserAuth{}
	for _, a := range others {
		if s.isSelf(a) || a.UserID == "" {
			continue
		}
		if _, dup := current[a.UserID]; !dup {
			current[a.UserID] = a
		}
	}
	for _, a := range current {
		if !s.isCreator(a) {
			p.Observed++
		}
	}
	managed := d.Managed(s.ns)

	var deletes, downgrades []swr.UserAuth
	var updates []update
	for _, id := range slices.Sorted(maps.Keys(desired)) {
		want := desired[id]
		have, exists := current[id]
		switch {
		case s.isSelf(want):
			if have := s.self.Auth; have != want.Auth {
				p.protected(s, want, have, "the caller's own grant is never changed")
			}
		case s.isCreator(want):
			if exists && have.Auth != want.Auth {
				p.protected(s, want, have.Auth, "the namespace creator's grant is never changed")
			}
		case !exists:
			p.Create = append(p.Create, want)
		case want.Auth > have.Auth:
			updates = append(updates, update{have, want})
		case want.Auth < have.Auth && managed && d.Kept(have.UserID, have.UserName):
			p.protected(s, want, have.Auth, "keep users are never lowered")
		case want.Auth < have.Auth && managed:
			updates = append(updates, update{have, want})
			downgrades = append(downgrades, want)
		}
	}
	if managed {
		for _, id := range slices.Sorted(maps.Keys(current)) {
			have := current[id]
			if _, wanted := desired[id]; wanted || s.isCreator(have) || d.Kept(have.UserID, have.UserName) {
				continue
			}
			deletes = append(deletes, have)
		}
	}

	for _, a := range p.Create {
		p.Changes = append(p.Changes, s.change(report.OpCreate, a.UserID, nil, a))
	}
	for _, u := range updates {
		p.Update = append(p.Update, u.want)
		p.Changes = append(p.Changes, s.change(report.OpUpdate, u.want.UserID, &u.have, u.want))
	}
	for _, a := range downgrades {
		p.Downgrades = append(p.Downgrades, a.UserID)
	}
	for _, a := range deletes {
		p.Delete = append(p.Delete, a.UserID)
		p.Changes = append(p.Changes, s.change(report.OpDelete, a.UserID, &a, swr.UserAuth{}))
	}
	return p
}

type update struct{ have, want swr.UserAuth }

// isSelf matches the caller by user id, or by user name as the Terraform
// provider does (others_auths may list the caller again).
func (s subject) isSelf(a swr.UserAuth) bool {
	return (s.self.UserID != "" && a.UserID == s.self.UserID) ||
		(s.self.UserName != "" && a.UserName == s.self.UserName)
}

// isCreator matches the namespace creator, whom SWR names but does not
// identify by id.
func (s subject) isCreator(a swr.UserAuth) bool {
	return s.creator != "" && a.UserName == s.creator
}

func (s subject) change(op report.Op, userID string, before *swr.UserAuth, after swr.UserAuth) report.Change {
	c := report.Change{Kind: s.kind, Op: op, Namespace: s.ns, Repository: s.repo, Subject: userID, Status: report.StatusPlanned}
	if before != nil {
		c.Before = grantOf(*before)
	}
	if op != report.OpDelete {
		c.After = grantOf(after)
	}
	return c
}

func (p *Plan) protected(s subject, want swr.UserAuth, have int, why string) {
	where := s.ns
	if s.repo != "" {
		where = directory.RepositoryKey(s.ns, s.repo)
	}
	p.Findings = append(p.Findings, report.Finding{
		Code:       CodeProtectedUser,
		Severity:   report.SeverityInfo,
		Namespace:  s.ns,
		Repository: s.repo,
		Subject:    want.UserID,
		Message: fmt.Sprintf("the directory asks for %s on %s for %s (%s now); %s",
			directory.Level(want.Auth), where, want.UserName, directory.Level(have), why),
	})
}
