package plan

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/assert"

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
