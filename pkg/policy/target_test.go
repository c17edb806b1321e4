package policy_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
)

const scopedPolicy = `mode: enforce
retention:
  - match: "dr:prod/**"
    keep_days: 365
  - match: "prod/**"
    keep_days: 90
  - match: "dr:**"
    keep_last: 50
  - match: "**"
    keep_last: 20
default_grants:
  - match: "primary:acme/**"
    users: [{user_id: u1, user_name: bot, level: read}]
audits:
  sync:
    require:
      - match: "primary:prod/**"
        region: cn-east-3
    verify:
      grace_hours: 6
      remediate: sync
      max_sync_tags: 10
  visibility:
    allow_public: ["dr:public/**", "public/**"]
`

func TestPolicyRulesScopedByTarget(t *testing.T) {
	p, err := policy.Parse([]byte(scopedPolicy), "policy.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"dr", "primary"}, p.Targets())

	dr := p.ForTarget("dr")
	r, ok := dr.RetentionFor("prod", "web")
	require.True(t, ok)
	assert.Equal(t, 365, r.KeepDays)
	r, _ = dr.RetentionFor("dev", "web")
	assert.Equal(t, 50, r.KeepLast)
	assert.Empty(t, dr.GrantsFor("acme", "x"))
	assert.Empty(t, dr.Audits.Sync.RequirementsFor("prod", "web"))
	assert.True(t, dr.Audits.Visibility.PublicAllowed("public", "x"))

	primary := p.ForTarget("primary")
	r, _ = primary.RetentionFor("prod", "web")
	assert.Equal(t, 90, r.KeepDays)
	r, _ = primary.RetentionFor("dev", "web")
	assert.Equal(t, 20, r.KeepLast)
	assert.Len(t, primary.GrantsFor("acme", "x"), 1)
	assert.Len(t, primary.Audits.Sync.RequirementsFor("prod", "web"), 1)

	// Without targets, scoped rules never apply.
	none := p.ForTarget("")
	r, _ = none.RetentionFor("prod", "web")
	assert.Equal(t, 90, r.KeepDays)
	assert.Empty(t, none.Audits.Sync.RequirementsFor("prod", "web"))
	assert.Len(t, p.Retention, 4, "ForTarget leaves the policy alone")

	v := p.Audits.Sync.Verify
	require.NotNil(t, v)
	assert.Equal(t, &policy.ReplicaVerify{Grace: 6 * time.Hour, JobLookback: policy.DefaultReplicaJobLookbackHours * time.Hour,
		Remedy: policy.RemedySync, MaxSyncTags: 10}, v)
}

func TestScopedGlobs(t *testing.T) {
	g, err := policy.ParseGlob("dr:prod/**")
	require.NoError(t, err)
	assert.Equal(t, "dr", g.Target())
	assert.Equal(t, "dr:prod/**", g.String())
	assert.True(t, g.Match("prod", "web"))
	assert.True(t, g.InTarget("dr"))
	assert.False(t, g.InTarget("primary"))
	assert.False(t, policy.MustParseGlob("dr:**").MatchesAll(), "a scoped catch-all shadows nothing elsewhere")

	for _, bad := range []string{"DR:prod/**", ":prod/**", "dr:", "dr:Prod", "a:b:c"} {
		_, err := policy.ParseGlob(bad)
		assert.Error(t, err, bad)
	}
}

func TestPolicyScopedCatchAllShadowsOnlyItsTarget(t *testing.T) {
	_, err := policy.Parse([]byte("retention:\n  - match: \"dr:**\"\n    keep_last: 5\n  - match: \"prod/**\"\n    keep_last: 9\n"), "p.yaml")
	require.NoError(t, err)

	_, err = policy.Parse([]byte("audits:\n  sync:\n    require: [{match: \"**\", region: cn-east-3}]\n    verify: {grace_hours: -1, remediate: fix, colour: red}\n"), "p.yaml")
	require.Error(t, err)
	for _, want := range []string{"p.yaml:4:27: grace_hours", "remediate", "colour"} {
		assert.Contains(t, err.Error(), want)
	}
}
