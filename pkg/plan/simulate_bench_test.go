package plan

import (
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func benchTags(n int) []swr.Tag {
	tags := make([]swr.Tag, n)
	for i := range tags {
		tags[i] = tag(fmt.Sprintf("build-%05d", i), now.Add(-time.Duration(i)*37*time.Minute))
	}
	tags[0].Tag, tags[1].Tag = "latest", "v1.2.3"
	return tags
}

// BenchmarkSimulate measures Simulate on a 10,000-tag repository with a
// label and a regexp exception, for both templates.
func BenchmarkSimulate(b *testing.B) {
	tags := benchTags(10_000)
	sels := []swr.TagSelector{latest, {Kind: swr.SelectorRegexp, Pattern: `^v\d+\.\d+\.\d+$`}}
	for _, rule := range []swr.Rule{dateRule("30", sels...), tagRule("100", sels...)} {
		b.Run(rule.Template, func(b *testing.B) {
			b.ReportAllocs()
			deleted := 0
			for b.Loop() {
				impact, _ := Simulate(rule, tags, now)
				deleted = len(impact.Delete)
			}
			b.ReportMetric(float64(len(tags))*float64(b.N)/b.Elapsed().Seconds(), "tags/s")
			b.ReportMetric(float64(deleted), "deleted")
		})
	}
}

// BenchmarkRetentionPlan measures planning against a repository holding
// one rule that differs in selector order only.
func BenchmarkRetentionPlan(b *testing.B) {
	var sels []swr.TagSelector
	for i := range 20 {
		sels = append(sels, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "keep-" + strconv.Itoa(i)})
	}
	want := request(tagRule("30", sels...))
	reversed := make([]swr.TagSelector, len(sels))
	for i, s := range sels {
		reversed[len(sels)-1-i] = s
	}
	current := []swr.Retention{existing(1, tagRule("030", reversed...))}
	b.ReportAllocs()
	for b.Loop() {
		if Retention("ns", "repo", want, current).Action != RetentionNoop {
			b.Fatal("want no-op")
		}
	}
}
