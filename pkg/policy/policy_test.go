package policy

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func mustParse(t *testing.T, src string) *Policy {
	t.Helper()
	p, err := Parse([]byte(src), "policy.yaml")
	require.NoError(t, err)
	return p
}

func TestRetentionForFirstMatchWins(t *testing.T) {
	p := mustParse(t, `
retention:
  - match: "prod/legacy-*"
    unmanaged: true
  - match: "prod/**"
    keep_days: 90
  - match: "**"
    keep_last: 10
`)
	cases := []struct {
		ns, repo string
		line     int
	}{
		{"prod", "legacy-api", 3},
		{"prod", "api", 5},
		{"prod", "legacy/api", 5},
		{"dev", "api", 7},
	}
	for _, c := range cases {
		r, ok := p.RetentionFor(c.ns, c.repo)
		require.True(t, ok, "%s/%s", c.ns, c.repo)
		assert.Equal(t, c.line, r.Line, "%s/%s", c.ns, c.repo)
	}
}

func TestRetentionForNoMatch(t *testing.T) {
	p := mustParse(t, "retention:\n  - match: \"prod/**\"\n    keep_last: 3\n")
	_, ok := p.RetentionFor("dev", "api")
	assert.False(t, ok)
}

func TestGrantsForMergesMatchingRulesKeepingHighestLevel(t *testing.T) {
	p := mustParse(t, `
default_grants:
  - match: "prod/**"
    users:
      - {user_id: u2, user_name: bob, level: read}
      - {user_id: u1, user_name: alice, level: manage}
  - match: "**"
    users:
      - {user_id: u2, user_name: bob, level: write}
      - {user_id: u1, user_name: alice, level: read}
      - {user_id: u3, user_name: carol, level: read}
  - match: "dev/**"
    users:
      - {user_id: u4, user_name: dave, level: manage}
`)
	assert.Equal(t, []swr.UserAuth{
		{UserID: "u1", UserName: "alice", Auth: swr.AuthManage},
		{UserID: "u2", UserName: "bob", Auth: swr.AuthWrite},
		{UserID: "u3", UserName: "carol", Auth: swr.AuthRead},
	}, p.GrantsFor("prod", "api"))
	assert.Len(t, p.GrantsFor("dev", "api"), 4)
	assert.Nil(t, (&Policy{}).GrantsFor("prod", "api"))
}

func TestAuditScopes(t *testing.T) {
	p := mustParse(t, `
audits:
  triggers: {protected: ["prod/**"]}
  visibility: {allow_public: ["public/*"]}
  sync:
    require:
      - {match: "prod/**", region: cn-east-3}
      - {match: "**", region: cn-north-4, namespace: "backup"}
      - {match: "prod/pay/**", region: ap-southeast-1, namespace: "{namespace}-dr"}
`)
	assert.True(t, p.Audits.Triggers.InProtectedScope("prod", "api"))
	assert.False(t, p.Audits.Triggers.InProtectedScope("dev", "api"))
	assert.True(t, p.Audits.Visibility.PublicAllowed("public", "site"))
	assert.False(t, p.Audits.Visibility.PublicAllowed("public", "site/x"))

	reqs := p.Audits.Sync.RequirementsFor("prod", "pay/api")
	require.Len(t, reqs, 3)
	assert.Equal(t, "prod", reqs[0].RemoteNamespace("prod"))
	assert.Equal(t, "backup", reqs[1].RemoteNamespace("prod"))
	assert.Equal(t, "prod-dr", reqs[2].RemoteNamespace("prod"))
	assert.Len(t, p.Audits.Sync.RequirementsFor("dev", "x"), 1)
}
