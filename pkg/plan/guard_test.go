package plan

import (
	"fmt"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func impactOf(total int, deleted ...string) report.Impact {
	keep := []string{}
	for i := range total - len(deleted) {
		keep = append(keep, fmt.Sprintf("keep-%d", i))
	}
	return report.Impact{TotalTags: total, Keep: keep, Delete: deleted}
}

func names(n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("old-%02d", i)
	}
	return out
}

func codes(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestGuard(t *testing.T) {
	protect := []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}, {Kind: swr.SelectorRegexp, Pattern: `^v\d+$`}}
	g := policy.Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 5}
	cases := []struct {
		name   string
		impact report.Impact
		guard  policy.Guard
		codes  []string
	}{
		{"nothing deleted", impactOf(10), g, nil},
		{"empty repository", impactOf(0), g, nil},
		{"exactly the fraction", impactOf(10, names(5)...), g, nil},
		{"above the fraction", impactOf(10, names(6)...), g, []string{CodeGuardMaxFraction, CodeGuardMaxTags}},
		{"ninety percent", impactOf(100, names(90)...), policy.Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 1000}, []string{CodeGuardMaxFraction}},
		{"above the count only", impactOf(100, names(6)...), g, []string{CodeGuardMaxTags}},
		{"zero tags allowed", impactOf(100, names(1)...), policy.Guard{MaxDeleteFraction: 1}, []string{CodeGuardMaxTags}},
		{"fraction one allows all", impactOf(3, names(3)...), policy.Guard{MaxDeleteFraction: 1, MaxDeleteTags: 3}, nil},
		{"protected label", impactOf(10, "latest"), g, []string{CodeGuardProtectedTag}},
		{"protected regexp", impactOf(10, "v12", "v1x"), g, []string{CodeGuardProtectedTag}},
		{"everything wrong", impactOf(8, "latest", "v1", "v2", "a", "b", "c"), g,
			[]string{CodeGuardMaxFraction, CodeGuardMaxTags, CodeGuardProtectedTag, CodeGuardProtectedTag, CodeGuardProtectedTag}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ok, findings := Guard("ns", "repo", c.impact, c.guard, protect)
			assert.Equal(t, len(c.codes) == 0, ok)
			assert.Equal(t, c.codes, codes(findings))
			for _, f := range findings {
				assert.Equal(t, "ns", f.Namespace)
				assert.Equal(t, "repo", f.Repository)
				assert.NotEmpty(t, f.Message)
				assert.NotEmpty(t, f.Remediation)
			}
		})
	}
}

func TestGuardFindingDetails(t *testing.T) {
	_, findings := Guard("prod", "api", impactOf(10, "latest", "a", "b", "c", "d", "e", "f", "g", "h"),
		policy.Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 5}, []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}})
	assert.Equal(t, []report.Finding{
		{Code: CodeGuardMaxFraction, Severity: report.SeverityCritical, Namespace: "prod", Repository: "api",
			Message:     "retention write refused: it would delete 9 of 10 tags (90.0%), above max_delete_fraction 0.5",
			Remediation: "review the deletions, then raise the rule's guard.max_delete_fraction or delete the tags by hand"},
		{Code: CodeGuardMaxTags, Severity: report.SeverityCritical, Namespace: "prod", Repository: "api",
			Message:     "retention write refused: it would delete 9 tags, above max_delete_tags 5",
			Remediation: "review the deletions, then raise the rule's guard.max_delete_tags or delete the tags by hand"},
		{Code: CodeGuardProtectedTag, Severity: report.SeverityCritical, Namespace: "prod", Repository: "api", Subject: "latest",
			Message:     `retention write refused: it would delete protected tag "latest"`,
			Remediation: "make sure the rule sent to SWR carries the policy's protect entries as tag selectors"},
	}, findings)
}

// TestGuardWithSimulation runs the whole pure path on a repository where
// the rule would delete 90% of the tags.
func TestGuardWithSimulation(t *testing.T) {
	var tags []swr.Tag
	for i := range 20 {
		tags = append(tags, tag(fmt.Sprintf("b%02d", i), daysAgo(float64(i))))
	}
	rule := policy.RetentionRule{KeepLast: 2, Protect: []swr.TagSelector{}, Guard: policy.Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 100}}
	p := Retention("ns", "repo", DesiredRetention(rule), nil)
	r, writes := p.Rule()
	assert.True(t, writes)
	impact := simulate(t, r, tags)
	assert.Len(t, impact.Delete, 18)
	ok, findings := Guard("ns", "repo", impact, rule.Guard, rule.Protect)
	assert.False(t, ok)
	assert.Equal(t, []string{CodeGuardMaxFraction}, codes(findings))
}

// withUncertain moves the named tags of i from Keep into Uncertain.
func withUncertain(i report.Impact, tags ...string) report.Impact {
	for _, tg := range tags {
		i.Uncertain = append(i.Uncertain, report.UncertainTag{Tag: tg, Reason: "deleted if ties=asc, kept if ties=desc"})
	}
	i.Keep = i.Keep[len(tags):]
	return i
}

func TestGuardCountsUncertainTagsAsDeleted(t *testing.T) {
	g := policy.Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 5}
	protect := []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}

	ok, _ := Guard("ns", "r", withUncertain(impactOf(10, names(3)...), "u1", "u2"), g, protect)
	assert.True(t, ok, "3 deleted + 2 uncertain = 5: within both limits")

	ok, findings := Guard("ns", "r", withUncertain(impactOf(10, names(3)...), "u1", "u2", "u3"), g, protect)
	assert.False(t, ok)
	assert.Equal(t, []string{CodeGuardMaxFraction, CodeGuardMaxTags}, codes(findings))
	assert.Contains(t, findings[1].Message, "it would delete 6 (3 of them uncertain) tags")

	ok, findings = Guard("ns", "r", withUncertain(impactOf(10), "latest"), g, protect)
	assert.False(t, ok, "a protected tag that is not kept under every reading refuses the write")
	assert.Equal(t, []string{CodeGuardProtectedTag}, codes(findings))
	assert.Equal(t, report.SeverityCritical, findings[0].Severity)
	assert.Contains(t, findings[0].Message, `may delete protected tag "latest" (deleted if ties=asc, kept if ties=desc)`)
}

func TestGuardProtectsUnderEitherAnchoring(t *testing.T) {
	g := policy.Guard{MaxDeleteFraction: 1, MaxDeleteTags: 100}
	// "rc" protects v1-rc1 if SWR matches substrings: the guard treats it
	// as protected.
	ok, findings := Guard("ns", "r", impactOf(3, "v1-rc1"), g, []swr.TagSelector{{Kind: swr.SelectorRegexp, Pattern: "rc"}})
	assert.False(t, ok)
	assert.Equal(t, []string{CodeGuardProtectedTag}, codes(findings))
}

func TestGuardRefusesANaNLimit(t *testing.T) {
	for _, g := range []policy.Guard{{MaxDeleteFraction: math.NaN(), MaxDeleteTags: 100}, {MaxDeleteFraction: math.Inf(-1), MaxDeleteTags: 100}} {
		ok, findings := Guard("ns", "r", impactOf(22, names(21)...), g, nil)
		assert.False(t, ok, "%v", g)
		assert.Equal(t, []string{CodeGuardMaxFraction}, codes(findings))
	}
}

func TestExpectedPushesFollowsTheRecentPushRate(t *testing.T) {
	ago := func(d time.Duration) swr.Tag { return tag(fmt.Sprintf("t%d", d), now.Add(-d)) }
	assert.Zero(t, ExpectedPushes([]swr.Tag{ago(2 * time.Hour), ago(48 * time.Hour)}, now), "a quiet repository")
	assert.Equal(t, 1, ExpectedPushes([]swr.Tag{ago(50 * time.Minute)}, now), "one push in the last hour")
	assert.Equal(t, 3, ExpectedPushes([]swr.Tag{ago(time.Minute), ago(2 * time.Minute), ago(3 * time.Minute), ago(30 * time.Minute)}, now),
		"three pushes within the write window")
	var busy []swr.Tag
	for i := range 36 { // one push every 100 s for an hour: 3 per 5 minutes
		busy = append(busy, ago(time.Duration(i)*100*time.Second+6*time.Minute))
	}
	assert.Equal(t, 3, ExpectedPushes(busy, now))
	assert.Equal(t, 1, ExpectedPushes([]swr.Tag{{Tag: "bad", Updated: "?"}}, now), "an unreadable time counts as recent")
}

func TestPushHeadroom(t *testing.T) {
	g := policy.Guard{MaxDeleteFraction: 0.5, MaxDeleteTags: 10}
	assert.Equal(t, 5, PushHeadroom(impactOf(30, names(5)...), g, 100), "max_delete_tags bounds it")
	assert.Equal(t, 0, PushHeadroom(impactOf(30, names(10)...), g, 100), "at the limit")
	assert.Equal(t, -1, PushHeadroom(impactOf(30, names(11)...), g, 100), "beyond it")
	assert.Equal(t, 4, PushHeadroom(impactOf(10, names(3)...), g, 100), "the fraction bounds it: (3+k)/(10+k) <= 0.5 for k <= 4")
	assert.Equal(t, 2, PushHeadroom(impactOf(30, names(5)...), g, 2), "capped")
	assert.Equal(t, -1, PushHeadroom(impactOf(10, names(1)...), policy.Guard{MaxDeleteFraction: math.NaN(), MaxDeleteTags: 10}, 5), "NaN fits nothing")
}

func TestGuardPushRaceDefersOnlyTagRulesShortOfHeadroom(t *testing.T) {
	g := policy.Guard{MaxDeleteFraction: 1, MaxDeleteTags: 10}
	recent := []swr.Tag{tag("a", now.Add(-time.Minute)), tag("b", now.Add(-2*time.Minute))} // 2 expected
	ok, findings := GuardPushRace("ns", "r", tagRule("20"), recent, impactOf(30, names(8)...), g, now)
	assert.True(t, ok, "headroom 2 for 2 pushes")
	assert.Empty(t, findings)

	ok, findings = GuardPushRace("ns", "r", tagRule("20"), recent, impactOf(30, names(9)...), g, now)
	assert.False(t, ok)
	require.Len(t, findings, 1)
	assert.Equal(t, CodeGuardPushRace, findings[0].Code)
	assert.Equal(t, report.SeverityCritical, findings[0].Severity)
	assert.Equal(t, "retention write deferred to a later run: the repository's recent pushes suggest 2 push(es) within the 5m0s write window, each deleting one more old tag, but the guard leaves room for 1", findings[0].Message)

	ok, _ = GuardPushRace("ns", "r", dateRule("30"), recent, impactOf(30, names(10)...), g, now)
	assert.True(t, ok, "a push deletes nothing more under date_rule")
}
