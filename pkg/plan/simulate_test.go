package plan

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

var now = time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)

func tag(name string, pushed time.Time) swr.Tag {
	return swr.Tag{Tag: name, Updated: pushed.Format(swr.TimeFormat)}
}

func daysAgo(d float64) time.Time { return now.Add(-time.Duration(d * float64(24*time.Hour))) }

func TestSimulateDateRuleBoundary(t *testing.T) {
	cutoff := now.Add(-30 * 24 * time.Hour)
	tags := []swr.Tag{
		tag("at-cutoff", cutoff),
		tag("just-before", cutoff.Add(-time.Nanosecond)),
		tag("just-after", cutoff.Add(time.Nanosecond)),
		tag("new", now),
		tag("future", now.Add(time.Hour)),
		tag("ancient", daysAgo(400)),
	}
	got := Simulate(dateRule("30"), tags, now)
	assert.Equal(t, report.Impact{
		TotalTags: 6,
		Keep:      []string{"at-cutoff", "future", "just-after", "new"},
		Delete:    []string{"ancient", "just-before"},
	}, got)
}

func TestSimulateDateRuleReadsParamsNumerically(t *testing.T) {
	tags := []swr.Tag{tag("a", daysAgo(5)), tag("b", daysAgo(8))}
	assert.Equal(t, []string{"b"}, Simulate(dateRule("007"), tags, now).Delete)
}

func TestSimulateTagRuleKeepsNewest(t *testing.T) {
	tags := []swr.Tag{
		tag("v1", daysAgo(5)),
		tag("v2", daysAgo(4)),
		tag("v3", daysAgo(3)),
		tag("v4", daysAgo(2)),
		tag("v5", daysAgo(1)),
	}
	got := Simulate(tagRule("2"), tags, now)
	assert.Equal(t, []string{"v4", "v5"}, got.Keep)
	assert.Equal(t, []string{"v1", "v2", "v3"}, got.Delete)
}

func TestSimulateTagRuleTiesKeepGreaterName(t *testing.T) {
	same := daysAgo(1)
	tags := []swr.Tag{tag("a", same), tag("c", same), tag("b", same), tag("old", daysAgo(9))}
	got := Simulate(tagRule("2"), tags, now)
	assert.Equal(t, []string{"b", "c"}, got.Keep)
	assert.Equal(t, []string{"a", "old"}, got.Delete)
}

func TestSimulateExceptionsAreKeptAndDoNotCount(t *testing.T) {
	tags := []swr.Tag{
		tag("latest", daysAgo(100)),
		tag("v1", daysAgo(90)),
		tag("v2", daysAgo(80)),
		tag("build-1", daysAgo(3)),
		tag("build-2", daysAgo(2)),
		tag("build-3", daysAgo(1)),
		tag("xv3y", daysAgo(70)),
	}
	sels := []swr.TagSelector{
		{Kind: swr.SelectorLabel, Pattern: "latest"},
		{Kind: swr.SelectorRegexp, Pattern: `v\d`}, // unanchored: also matches xv3y
	}
	got := Simulate(tagRule("2", sels...), tags, now)
	assert.Equal(t, []string{"build-2", "build-3", "latest", "v1", "v2", "xv3y"}, got.Keep)
	assert.Equal(t, []string{"build-1"}, got.Delete)

	got = Simulate(dateRule("1", sels...), tags, now)
	assert.Equal(t, []string{"build-3", "latest", "v1", "v2", "xv3y"}, got.Keep)
	assert.Equal(t, []string{"build-1", "build-2"}, got.Delete)
}

func TestSimulateSelectorOddities(t *testing.T) {
	tags := []swr.Tag{tag("a(", daysAgo(10)), tag("latest", daysAgo(10))}
	sels := []swr.TagSelector{
		{Kind: swr.SelectorRegexp, Pattern: "a("},    // does not compile: matches nothing
		{Kind: "digest", Pattern: "latest"},          // unknown kind: matches nothing
		{Kind: swr.SelectorLabel, Pattern: "Latest"}, // labels are exact
	}
	got := Simulate(dateRule("1", sels...), tags, now)
	assert.Equal(t, []string{"a(", "latest"}, got.Delete)
}

func TestSimulateEdgeCases(t *testing.T) {
	tags := []swr.Tag{tag("a", daysAgo(10)), tag("b", daysAgo(20))}

	empty := Simulate(tagRule("3"), nil, now)
	assert.Equal(t, report.Impact{TotalTags: 0, Keep: []string{}, Delete: []string{}}, empty)

	assert.Empty(t, Simulate(tagRule("5"), tags, now).Delete, "num above the tag count keeps all")
	assert.Equal(t, []string{"a", "b"}, Simulate(swr.Rule{Template: "size_rule"}, tags, now).Keep, "unknown template deletes nothing")

	malformed := []swr.Tag{{Tag: "bad", Updated: "yesterday"}, tag("good", daysAgo(1))}
	assert.Equal(t, []string{"bad"}, Simulate(dateRule("30"), malformed, now).Delete, "an unreadable push time is the zero time")
	assert.Equal(t, []string{"bad"}, Simulate(tagRule("1"), malformed, now).Delete)
}

func TestSimulateReadsFractionalAndZonedTimes(t *testing.T) {
	tags := []swr.Tag{
		{Tag: "zoned", Updated: "2025-06-01T13:00:00+08:00"}, // 05:00Z
		{Tag: "frac", Updated: "2025-06-01T04:59:59.123456789Z"},
	}
	got := Simulate(tagRule("1"), tags, now)
	assert.Equal(t, []string{"zoned"}, got.Keep)
}
