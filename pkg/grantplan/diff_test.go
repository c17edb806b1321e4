package grantplan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// teamDirectory is the directory most diff tests plan against. payments is
// managed, shared and tools are not.
const teamDirectory = `teams:
  - name: payments
    members: [{id: u-alice, name: alice}, {id: u-bob, name: bob}]
    namespaces: {payments: manage, shared: read}
    repositories: {payments/ledger: write, shared/base: write}
  - name: platform
    members: [{id: u-carol, name: carol}]
    namespaces: {shared: write}
  - name: auditors
    members: [{id: u-erin, name: erin}]
    namespaces: {payments: read}
    repositories: {payments/ledger: read}
keep: [{id: u-glass, name: breakglass}]
managed_namespaces: [payments]
`

var (
	caller  = ua("u-self", "autopilot", swr.AuthManage)
	founder = ua("u-founder", "founder", swr.AuthManage)
	glass   = ua("u-glass", "breakglass", swr.AuthManage)
)

func TestNamespace(t *testing.T) {
	for name, tc := range map[string]struct {
		dir        string // teamDirectory when empty
		ns         string
		others     []swr.UserAuth
		create     []swr.UserAuth
		update     []swr.UserAuth
		delete     []string
		downgrades []string
		findings   []string // subjects of protected-user findings
		untouched  []string
	}{
		"managed: create, upgrade, downgrade and delete": {
			ns:         "payments",
			others:     []swr.UserAuth{ua("u-alice", "alice", 3), ua("u-erin", "erin", 7), ua("u-dave", "dave", 7), caller, founder, glass},
			create:     []swr.UserAuth{ua("u-bob", "bob", 7)},
			update:     []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-erin", "erin", 1)},
			delete:     []string{"u-dave"},
			downgrades: []string{"u-erin"},
			untouched:  []string{"u-self", "u-founder", "u-glass"},
		},
		"unmanaged: only adds and raises": {
			ns:        "shared",
			others:    []swr.UserAuth{ua("u-alice", "alice", 3), ua("u-bob", "bob", 1), ua("u-dave", "dave", 7), caller, founder},
			create:    []swr.UserAuth{ua("u-carol", "carol", 3)},
			untouched: []string{"u-alice", "u-bob", "u-dave", "u-self", "u-founder"},
		},
		"in line with the directory": {
			ns:     "payments",
			others: []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-bob", "bob", 7), ua("u-erin", "erin", 1), founder, glass},
		},
		"others_auths repeats the caller under its id": {
			ns:        "payments",
			others:    []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-bob", "bob", 7), ua("u-erin", "erin", 1), ua("u-self", "autopilot", 1)},
			untouched: []string{"u-self"},
		},
		"others_auths repeats the caller under its name only": {
			ns:        "payments",
			others:    []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-bob", "bob", 7), ua("u-erin", "erin", 1), ua("u-self-2", "autopilot", 1)},
			untouched: []string{"u-self", "u-self-2"},
		},
		"the directory names the caller, the creator and a keep user": {
			dir: `teams:
  - name: admins
    members: [{id: u-self, name: autopilot}, {id: u-founder, name: founder}, {id: u-glass, name: breakglass}]
    namespaces: {payments: read}
keep: [{id: u-glass, name: breakglass}]
managed_namespaces: [payments]
`,
			ns:        "payments",
			others:    []swr.UserAuth{founder, glass, ua("u-dave", "dave", 1)},
			delete:    []string{"u-dave"},
			findings:  []string{"u-founder", "u-glass", "u-self"},
			untouched: []string{"u-self", "u-founder", "u-glass"},
		},
		"keep users may be added and raised": {
			dir: `teams:
  - name: ops
    members: [{id: u-glass, name: breakglass}, {id: u-ops, name: ops}]
    namespaces: {payments: manage}
managed_namespaces: [payments]
`,
			ns:     "payments",
			others: []swr.UserAuth{ua("u-ops", "ops", 1)},
			create: []swr.UserAuth{ua("u-glass", "breakglass", 7)},
			update: []swr.UserAuth{ua("u-ops", "ops", 7)},
		},
		"a directory without grants prunes all but protected users": {
			dir:       "keep: [{id: u-glass, name: breakglass}]\nmanaged_namespaces: [payments]\n",
			ns:        "payments",
			others:    []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-bob", "bob", 1), caller, founder, glass},
			delete:    []string{"u-alice", "u-bob"},
			untouched: []string{"u-self", "u-founder", "u-glass"},
		},
		"duplicate and id-less entries are read once": {
			ns:     "payments",
			others: []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-alice", "alice", 1), ua("", "ghost", 1), ua("u-bob", "bob", 7), ua("u-erin", "erin", 1)},
		},
	} {
		t.Run(name, func(t *testing.T) {
			text := tc.dir
			if text == "" {
				text = teamDirectory
			}
			d := parseDirectory(t, text)
			current := swr.NamespaceAccess{Name: tc.ns, CreatorName: "founder", SelfAuth: caller, OthersAuths: tc.others}

			p := Namespace(tc.ns, Desired(d).Namespaces[tc.ns], current, d)

			requireWellFormed(t, p)
			assert.Equal(t, KindNamespaceAccess, p.Kind)
			assert.Equal(t, tc.ns, p.Namespace)
			assert.Equal(t, tc.create, p.Create, "create")
			assert.Equal(t, tc.update, p.Update, "update")
			assert.Equal(t, tc.delete, p.Delete, "delete")
			assert.Equal(t, tc.downgrades, p.Downgrades, "downgrades")
			var subjects []string
			for _, f := range p.Findings {
				assert.Equal(t, CodeProtectedUser, f.Code)
				subjects = append(subjects, f.Subject)
			}
			assert.ElementsMatch(t, tc.findings, subjects, "protected-user findings")
			written := touched(p)
			for _, id := range tc.untouched {
				assert.False(t, written[id], "%s must be untouched", id)
			}
			assert.Equal(t, len(tc.create)+len(tc.update)+len(tc.delete) == 0, p.Empty())
		})
	}
}

func TestNamespaceChanges(t *testing.T) {
	d := parseDirectory(t, teamDirectory)
	current := swr.NamespaceAccess{
		Name: "payments", CreatorName: "founder", SelfAuth: caller,
		OthersAuths: []swr.UserAuth{ua("u-alice", "alice", 3), ua("u-erin", "erin", 7), ua("u-dave", "dave", 1)},
	}
	p := Namespace("payments", Desired(d).Namespaces["payments"], current, d)

	change := func(op report.Op, subject string, before, after any) report.Change {
		return report.Change{Kind: "namespace_access", Op: op, Namespace: "payments", Subject: subject, Before: before, After: after, Status: report.StatusPlanned}
	}
	assert.Equal(t, []report.Change{
		change(report.OpCreate, "u-bob", nil, Grant{UserID: "u-bob", UserName: "bob", Level: "manage", Auth: 7}),
		change(report.OpUpdate, "u-alice", Grant{UserID: "u-alice", UserName: "alice", Level: "write", Auth: 3}, Grant{UserID: "u-alice", UserName: "alice", Level: "manage", Auth: 7}),
		change(report.OpUpdate, "u-erin", Grant{UserID: "u-erin", UserName: "erin", Level: "manage", Auth: 7}, Grant{UserID: "u-erin", UserName: "erin", Level: "read", Auth: 1}),
		change(report.OpDelete, "u-dave", Grant{UserID: "u-dave", UserName: "dave", Level: "read", Auth: 1}, nil),
	}, p.Changes)
	assert.Equal(t, 3, p.Observed)
	assert.Equal(t, 2, p.Removals(), "a delete and a downgrade")
}

func TestNamespaceProtectedFindingMessage(t *testing.T) {
	d := parseDirectory(t, `teams:
  - name: ops
    members: [{id: u-glass, name: breakglass}]
    namespaces: {payments: read}
keep: [{id: u-glass, name: breakglass}]
managed_namespaces: [payments]
`)
	p := Namespace("payments", Desired(d).Namespaces["payments"], swr.NamespaceAccess{SelfAuth: caller, OthersAuths: []swr.UserAuth{glass}}, d)
	require.Len(t, p.Findings, 1)
	assert.Equal(t, report.Finding{
		Code: CodeProtectedUser, Severity: report.SeverityInfo, Namespace: "payments", Subject: "u-glass",
		Message: "the directory asks for read on payments for breakglass (manage now); keep users are never lowered",
	}, p.Findings[0])
	assert.True(t, p.Empty())
}

func TestRepository(t *testing.T) {
	d := parseDirectory(t, teamDirectory)
	desired := Desired(d)
	for name, tc := range map[string]struct {
		ns, repo  string
		creator   string
		others    []swr.UserAuth
		create    []swr.UserAuth
		update    []swr.UserAuth
		delete    []string
		untouched []string
	}{
		"managed namespace": {
			ns: "payments", repo: "ledger",
			others:    []swr.UserAuth{ua("u-alice", "alice", 1), ua("u-erin", "erin", 3), ua("u-dave", "dave", 7), caller, ua("u-self", "autopilot", 7), glass},
			create:    []swr.UserAuth{ua("u-bob", "bob", 3)},
			update:    []swr.UserAuth{ua("u-alice", "alice", 3), ua("u-erin", "erin", 1)},
			delete:    []string{"u-dave"},
			untouched: []string{"u-self", "u-glass"},
		},
		"unmanaged namespace": {
			ns: "shared", repo: "base",
			others:    []swr.UserAuth{ua("u-alice", "alice", 7), ua("u-dave", "dave", 7)},
			create:    []swr.UserAuth{ua("u-bob", "bob", 3)},
			untouched: []string{"u-alice", "u-dave"},
		},
		"managed repository the directory does not name": {
			ns: "payments", repo: "other",
			others:    []swr.UserAuth{ua("u-alice", "alice", 7), caller, glass},
			delete:    []string{"u-alice"},
			untouched: []string{"u-self", "u-glass"},
		},
		"the namespace creator listed in a repository's grants": {
			ns: "payments", repo: "other", creator: "founder",
			others:    []swr.UserAuth{ua("u-alice", "alice", 7), founder},
			delete:    []string{"u-alice"},
			untouched: []string{"u-founder"},
		},
	} {
		t.Run(name, func(t *testing.T) {
			current := swr.RepositoryAccess{Name: tc.repo, SelfAuth: caller, OthersAuths: tc.others}
			p := Repository(tc.ns, tc.repo, desired.Repositories[directory.RepositoryKey(tc.ns, tc.repo)], current, tc.creator, d)

			requireWellFormed(t, p)
			assert.Equal(t, KindRepositoryAccess, p.Kind)
			assert.Equal(t, tc.repo, p.Repository)
			assert.Equal(t, tc.create, p.Create, "create")
			assert.Equal(t, tc.update, p.Update, "update")
			assert.Equal(t, tc.delete, p.Delete, "delete")
			for _, c := range p.Changes {
				assert.Equal(t, "repository_access", c.Kind)
				assert.Equal(t, tc.repo, c.Repository)
			}
			written := touched(p)
			for _, id := range tc.untouched {
				assert.False(t, written[id], "%s must be untouched", id)
			}
		})
	}
}

func TestWithoutRemovals(t *testing.T) {
	d := parseDirectory(t, teamDirectory)
	current := swr.NamespaceAccess{
		Name: "payments", CreatorName: "founder", SelfAuth: caller,
		OthersAuths: []swr.UserAuth{ua("u-alice", "alice", 3), ua("u-erin", "erin", 7), ua("u-dave", "dave", 1)},
	}
	p := Namespace("payments", Desired(d).Namespaces["payments"], current, d)
	require.Equal(t, 2, p.Removals())

	kept := p.WithoutRemovals("guard refused")
	assert.Equal(t, []swr.UserAuth{ua("u-bob", "bob", 7)}, kept.Create, "additions still apply")
	assert.Equal(t, []swr.UserAuth{ua("u-alice", "alice", 7)}, kept.Update, "upgrades still apply")
	assert.Empty(t, kept.Delete)
	assert.Empty(t, kept.Downgrades)
	assert.Zero(t, kept.Removals())
	require.Len(t, kept.Changes, 4, "refused changes stay in the report")
	status := map[string]report.Status{}
	for _, c := range kept.Changes {
		status[c.Subject] = c.Status
		if c.Status == report.StatusRefused {
			assert.Equal(t, "guard refused", c.Reason)
		}
	}
	assert.Equal(t, map[string]report.Status{
		"u-bob": report.StatusPlanned, "u-alice": report.StatusPlanned,
		"u-erin": report.StatusRefused, "u-dave": report.StatusRefused,
	}, status)
	assert.Equal(t, 2, p.Removals(), "the original plan is unchanged")
	assert.Equal(t, report.StatusPlanned, p.Changes[3].Status)

	none := Plan{Create: []swr.UserAuth{ua("u1", "a", 1)}}
	assert.Equal(t, none, none.WithoutRemovals("guard refused"))
}
