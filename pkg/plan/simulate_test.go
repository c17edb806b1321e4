package plan

import (
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

// tag is a tag pushed once, at pushed.
func tag(name string, pushed time.Time) swr.Tag {
	return repushed(name, pushed, pushed)
}

// repushed is a tag first pushed at created and pushed again at updated.
func repushed(name string, created, updated time.Time) swr.Tag {
	return swr.Tag{Tag: name, Created: created.Format(swr.TimeFormat), Updated: updated.Format(swr.TimeFormat)}
}

func daysAgo(d float64) time.Time { return now.Add(-time.Duration(d * float64(24*time.Hour))) }

// simulate is Simulate for tags that all have valid times.
func simulate(t testing.TB, rule swr.Rule, tags []swr.Tag) report.Impact {
	t.Helper()
	got, err := Simulate(rule, tags, now)
	require.NoError(t, err)
	return got
}

func uncertainNames(i report.Impact) []string {
	out := []string{}
	for _, u := range i.Uncertain {
		out = append(out, u.Tag)
	}
	return out
}

func reasonOf(i report.Impact, name string) string {
	for _, u := range i.Uncertain {
		if u.Tag == name {
			return u.Reason
		}
	}
	return ""
}

func TestSimulateDateRuleBoundaryIsUncertain(t *testing.T) {
	cutoff := now.Add(-30 * 24 * time.Hour) // 2025-05-02T12:00Z
	tags := []swr.Tag{
		tag("at-cutoff", cutoff),
		tag("day-before-cutoff-day", time.Date(2025, 4, 30, 23, 0, 0, 0, time.UTC)), // before midnight in UTC and UTC+8
		tag("cutoff-day-morning", time.Date(2025, 5, 2, 1, 0, 0, 0, time.UTC)),
		tag("just-after", cutoff.Add(time.Nanosecond)),
		tag("new", now),
		tag("future", now.Add(time.Hour)),
		tag("ancient", daysAgo(400)),
	}
	got := simulate(t, dateRule("30"), tags)
	assert.Equal(t, []string{"ancient", "day-before-cutoff-day"}, got.Delete)
	assert.Equal(t, []string{"future", "new"}, got.Keep)
	assert.Equal(t, []string{"at-cutoff", "cutoff-day-morning", "just-after"}, uncertainNames(got))
	assert.Equal(t, "deleted if cutoff=inclusive, kept if cutoff=strict", reasonOf(got, "at-cutoff"))
	assert.Contains(t, reasonOf(got, "cutoff-day-morning"), "days=")
	assert.Equal(t, 7, got.TotalTags)
	assert.Equal(t, 5, got.AtRisk())
}

func TestSimulateDateRuleReadsParamsNumerically(t *testing.T) {
	tags := []swr.Tag{tag("a", daysAgo(5)), tag("b", daysAgo(9))}
	assert.Equal(t, []string{"b"}, simulate(t, dateRule("007"), tags).Delete)
}

func TestSimulateTagRuleKeepsNewest(t *testing.T) {
	tags := []swr.Tag{
		tag("v1", daysAgo(5)),
		tag("v2", daysAgo(4)),
		tag("v3", daysAgo(3)),
		tag("v4", daysAgo(2)),
		tag("v5", daysAgo(1)),
	}
	got := simulate(t, tagRule("2"), tags)
	assert.Equal(t, []string{"v4", "v5"}, got.Keep)
	assert.Equal(t, []string{"v1", "v2", "v3"}, got.Delete)
	assert.Empty(t, got.Uncertain)
}

func TestSimulateTagRuleTiesAreUncertain(t *testing.T) {
	same := daysAgo(1)
	tags := []swr.Tag{tag("a", same), tag("c", same), tag("b", same), tag("old", daysAgo(9))}
	got := simulate(t, tagRule("2"), tags)
	assert.Equal(t, []string{"b"}, got.Keep, "b is among the two newest whichever way ties go")
	assert.Equal(t, []string{"old"}, got.Delete)
	assert.Equal(t, []report.UncertainTag{
		{Tag: "a", Reason: "deleted if ties=desc, kept if ties=asc"},
		{Tag: "c", Reason: "deleted if ties=asc, kept if ties=desc"},
	}, got.Uncertain)
}

func TestSimulateTagRuleCreatedOrUpdated(t *testing.T) {
	tags := []swr.Tag{
		repushed("base", daysAgo(30), daysAgo(1)), // old image pushed again yesterday
		tag("v1", daysAgo(5)),
		tag("v2", daysAgo(3)),
	}
	got := simulate(t, tagRule("2"), tags)
	assert.Equal(t, []string{"v2"}, got.Keep)
	assert.Empty(t, got.Delete)
	assert.Equal(t, []report.UncertainTag{
		{Tag: "base", Reason: "deleted if order=created, kept if order=updated"},
		{Tag: "v1", Reason: "deleted if order=updated, kept if order=created"},
	}, got.Uncertain)
}

func TestSimulateExceptionsAreKeptAndDoNotCount(t *testing.T) {
	tags := []swr.Tag{
		tag("latest", daysAgo(100)),
		tag("v1", daysAgo(90)),
		tag("v2", daysAgo(80)),
		tag("build-1", daysAgo(3)),
		tag("build-2", daysAgo(2)),
		tag("build-3", daysAgo(1)),
	}
	sels := []swr.TagSelector{
		{Kind: swr.SelectorLabel, Pattern: "latest"},
		{Kind: swr.SelectorRegexp, Pattern: `^(?:v\d)$`},
	}
	got := simulate(t, tagRule("2", sels...), tags)
	assert.Equal(t, []string{"build-2", "build-3", "latest", "v1", "v2"}, got.Keep)
	assert.Equal(t, []string{"build-1"}, got.Delete)
	assert.Empty(t, got.Uncertain)

	got = simulate(t, dateRule("10", sels...), tags)
	assert.Equal(t, []string{"build-1", "build-2", "build-3", "latest", "v1", "v2"}, got.Keep)
}

func TestSimulateUnanchoredRegexpIsUncertain(t *testing.T) {
	tags := []swr.Tag{tag("v1-rc1", daysAgo(50)), tag("rc", daysAgo(50)), tag("new", daysAgo(1))}
	got := simulate(t, dateRule("10", swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: "rc"}), tags)
	assert.Equal(t, []string{"new", "rc"}, got.Keep)
	assert.Equal(t, []report.UncertainTag{{Tag: "v1-rc1", Reason: "deleted if anchoring=whole, kept if anchoring=substring"}}, got.Uncertain)

	got = simulate(t, dateRule("10", swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: "^(?:.*rc.*)$"}), tags)
	assert.Equal(t, []string{"new", "rc", "v1-rc1"}, got.Keep, "a pattern bound at both ends means one thing")
}

func TestSimulateSelectorOddities(t *testing.T) {
	tags := []swr.Tag{tag("a(", daysAgo(10)), tag("latest", daysAgo(10))}
	sels := []swr.TagSelector{
		{Kind: swr.SelectorRegexp, Pattern: "a("},    // does not compile: matches nothing
		{Kind: "digest", Pattern: "latest"},          // unknown kind: matches nothing
		{Kind: swr.SelectorLabel, Pattern: "Latest"}, // labels are exact
	}
	got := simulate(t, dateRule("1", sels...), tags)
	assert.Equal(t, []string{"a(", "latest"}, got.Delete)
}

func TestSimulateEdgeCases(t *testing.T) {
	tags := []swr.Tag{tag("a", daysAgo(10)), tag("b", daysAgo(20))}

	empty := simulate(t, tagRule("3"), nil)
	assert.Equal(t, report.Impact{TotalTags: 0, Keep: []string{}, Delete: []string{}}, empty)

	assert.Empty(t, simulate(t, tagRule("5"), tags).Delete, "num above the tag count keeps all")
	assert.Equal(t, []string{"a", "b"}, simulate(t, swr.Rule{Template: "size_rule"}, tags).Keep, "unknown template deletes nothing")
}

func TestSimulateRefusesUnparseableTimes(t *testing.T) {
	for _, bad := range []swr.Tag{
		{Tag: "bad", Updated: "yesterday", Created: now.Format(swr.TimeFormat)},
		{Tag: "bad", Updated: now.Format(swr.TimeFormat), Created: ""},
		{Tag: "bad"},
	} {
		tags := []swr.Tag{bad, tag("good", daysAgo(1))}
		for _, rule := range []swr.Rule{dateRule("30"), tagRule("1")} {
			_, err := Simulate(rule, tags, now)
			var te *TagTimeError
			require.True(t, errors.As(err, &te), "%v", err)
			assert.Equal(t, "bad", te.Tag)
			assert.Contains(t, err.Error(), `tag "bad"`)
		}
	}
}

func TestSimulateReadsFractionalAndZonedTimes(t *testing.T) {
	tags := []swr.Tag{
		{Tag: "zoned", Updated: "2025-06-01T13:00:00+08:00", Created: "2025-06-01T13:00:00+08:00"}, // 05:00Z
		{Tag: "frac", Updated: "2025-06-01T04:59:59.123456789Z", Created: "2025-06-01T04:59:59.123456789Z"},
	}
	got := simulate(t, tagRule("1"), tags)
	assert.Equal(t, []string{"zoned"}, got.Keep)
}
