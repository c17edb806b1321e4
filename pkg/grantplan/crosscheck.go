package grantplan

import (
	"fmt"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
)

// Issue is one finding of CrossCheck, at a place in the policy file.
type Issue struct {
	File         string
	Line, Column int
	Msg          string
	// Note marks an issue that is not an error: the files agree, and the
	// note says how they combine.
	Note bool
}

// String formats the issue as "file:line:col: message", notes as
// "file:line:col: note: message".
func (i Issue) String() string {
	prefix := ""
	if i.Note {
		prefix = "note: "
	}
	return fmt.Sprintf("%s:%d:%d: %s%s", i.File, i.Line, i.Column, prefix, i.Msg)
}

// CrossCheck checks the policy's default grants (from file policyFile)
// against the team directory: together they are the one desired state of
// grant sync (see the grantsync package). Errors:
//   - a default grant's user id that the directory gives another user name,
//     or a user name it gives another id (SWR needs both exact, and grant
//     sync would write one then the other).
//
// Notes:
//   - a default grant rule that matches repositories of a managed
//     namespace: grant sync counts it as desired there, keeps it and gives
//     it to every repository of the namespace.
//
// Every issue points at the default_grants entry or user in the policy
// file, in file order.
func CrossCheck(p *policy.Policy, policyFile string, d *directory.Directory) []Issue {
	if p == nil || d == nil {
		return nil
	}
	byID, byName := map[string]string{}, map[string]string{}
	remember := func(m directory.Member) {
		if m.ID != "" && m.Name != "" {
			if _, ok := byID[m.ID]; !ok {
				byID[m.ID] = m.Name
			}
			if _, ok := byName[m.Name]; !ok {
				byName[m.Name] = m.ID
			}
		}
	}
	for _, t := range d.Teams {
		for _, m := range t.Members {
			remember(m)
		}
	}
	for _, m := range d.Keep {
		remember(m)
	}
	dirFile := d.File
	var out []Issue
	for _, rule := range p.DefaultGrants {
		var managed []string
		for _, ns := range d.ManagedNamespaces {
			if rule.Match.MatchesNamespace(ns) {
				managed = append(managed, ns)
			}
		}
		if len(managed) > 0 {
			what := "managed namespace " + managed[0]
			if len(managed) > 1 {
				what = "managed namespaces " + strings.Join(managed, ", ")
			}
			out = append(out, Issue{File: policyFile, Line: rule.MatchAt.Line, Column: rule.MatchAt.Column, Note: true,
				Msg: fmt.Sprintf("default grants of %q apply in %s of %s: grant sync counts them as desired there, keeps them and gives them to every repository",
					rule.Match, what, dirFile)})
		}
		for i, u := range rule.Users {
			at := rule.MatchAt
			if i < len(rule.UserAt) {
				at = rule.UserAt[i]
			}
			if name, ok := byID[u.UserID]; ok && name != u.UserName {
				out = append(out, Issue{File: policyFile, Line: at.Line, Column: at.Column,
					Msg: fmt.Sprintf("user_id %q is named %q here but %q in %s", u.UserID, u.UserName, name, dirFile)})
			}
			if id, ok := byName[u.UserName]; ok && id != u.UserID {
				out = append(out, Issue{File: policyFile, Line: at.Line, Column: at.Column,
					Msg: fmt.Sprintf("user_name %q has user_id %q here but %q in %s", u.UserName, u.UserID, id, dirFile)})
			}
		}
	}
	return out
}
