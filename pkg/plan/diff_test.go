package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func mustPolicy(t *testing.T, src string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(src), "p.yaml")
	require.NoError(t, err)
	return p
}

func TestDiffRetention(t *testing.T) {
	tags := []swr.Tag{tag("v1", daysAgo(5)), tag("v2", daysAgo(4)), tag("v3", daysAgo(3)), tag("v4", daysAgo(2)), tag("v5", daysAgo(1))}
	current := []swr.Retention{{ID: 7, Algorithm: "or", Rules: []swr.Rule{tagRule("4")}}}
	in := DiffInput{Namespace: "ns", Repository: "web", Current: current, Tags: tags, Now: now,
		Old: mustPolicy(t, "retention:\n  - match: \"**\"\n    keep_last: 4\n"),
		New: mustPolicy(t, "retention:\n  - match: \"**\"\n    keep_last: 2\n    protect: [v2]\n")}
	d, findings := DiffRetention(in)
	assert.Empty(t, findings, "2 of 5 deleted: within the default guard")
	assert.Equal(t, "keep_last 4", d.Old.Rule)
	assert.Equal(t, "keep_last 2, protect v2", d.New.Rule)
	assert.Equal(t, report.Op(""), d.Old.Write, "the registry already has OLD's rule")
	assert.Equal(t, report.OpUpdate, d.New.Write)
	assert.Equal(t, []string{"v3"}, d.NewlyDeleted)
	assert.Equal(t, []string{}, d.NewlyKept)
	assert.True(t, d.Changed())

	// NEW unmanaged: the current rule stays in force.
	in.New = mustPolicy(t, "retention:\n  - match: \"**\"\n    unmanaged: true\n")
	d, _ = DiffRetention(in)
	assert.Equal(t, "keep_last 4", d.New.Rule)
	assert.False(t, d.Changed())

	// A NEW that deletes too much trips the guard.
	in.New = mustPolicy(t, "guard: {max_delete_tags: 1}\nretention:\n  - match: \"**\"\n    keep_last: 1\n")
	d, findings = DiffRetention(in)
	assert.True(t, d.Tripped)
	assert.Equal(t, []string{CodeGuardMaxFraction, CodeGuardMaxTags}, codes(findings))
	assert.Equal(t, []string{"v2", "v3", "v4"}, d.NewlyDeleted)

	// No rule at all, and none wanted: nothing deleted.
	in.Current, in.Old = nil, mustPolicy(t, "retention: []\n")
	d, _ = DiffRetention(in)
	assert.Equal(t, "none", d.Old.Rule)
	assert.Equal(t, []string{"v1", "v2", "v3", "v4", "v5"}, d.Old.Impact.Keep)
	assert.Equal(t, report.OpCreate, d.New.Write)
}

// A tie at the keep_last boundary is uncertain: which of the tied tags
// SWR keeps, no source says.
func TestDiffRetentionNewlyUncertain(t *testing.T) {
	tie := daysAgo(3)
	tags := []swr.Tag{tag("v1", daysAgo(5)), tag("v2", tie), tag("v3", tie), tag("v4", daysAgo(1))}
	in := DiffInput{Namespace: "ns", Repository: "web", Tags: tags, Now: now,
		Old: mustPolicy(t, "retention:\n  - match: \"**\"\n    keep_last: 3\n"),
		New: mustPolicy(t, "guard: {max_delete_fraction: 1}\nretention:\n  - match: \"**\"\n    keep_last: 2\n")}
	d, findings := DiffRetention(in)
	assert.Empty(t, findings)
	assert.Equal(t, []string{"v2", "v3"}, d.NewlyUncertain, "one of the tied tags goes, which one depends on the reading")
	assert.Equal(t, []string{}, d.NewlyDeleted, "v1 was deleted already")
	assert.Equal(t, []string{}, d.NewlyKept)
	require.Len(t, d.New.Impact.Uncertain, 2)
	assert.Contains(t, d.New.Impact.Uncertain[0].Reason, "ties=")

	// The reverse: the tie is settled, both kept.
	in.Old, in.New = in.New, in.Old
	d, _ = DiffRetention(in)
	assert.Equal(t, []string{"v2", "v3"}, d.NewlyKept)
	assert.Equal(t, []string{}, d.NewlyUncertain)

	// A tag time that does not parse: NEW's write would be refused.
	in.Tags = append(in.Tags, swr.Tag{Tag: "broken", Updated: "yesterday"})
	in.Old, in.New = in.New, in.Old
	d, findings = DiffRetention(in)
	assert.True(t, d.Tripped)
	assert.Equal(t, []string{CodeTagTimeInvalid}, codes(findings))
}

func TestDescribeRule(t *testing.T) {
	assert.Equal(t, "none", DescribeRule(nil))
	r := dateRule("30", swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: "^v"}, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "latest"})
	assert.Equal(t, "keep_days 30, protect latest /^v/", DescribeRule(&r))
	r = tagRule("5", swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "a"}, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "b"},
		swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "c"}, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "d"})
	assert.Equal(t, "keep_last 5, protect 4 tags", DescribeRule(&r))
}
