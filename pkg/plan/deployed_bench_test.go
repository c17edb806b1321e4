package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// BenchmarkFreedBytes measures FreedBytes on 10,000 tags, half deleted,
// where every fifth tag shares its image with the next one.
func BenchmarkFreedBytes(b *testing.B) {
	tags := benchTags(10_000)
	var deleted, kept []string
	for i := range tags {
		tags[i].Digest = fmt.Sprintf("sha256:%064d", i-i%5/4)
		tags[i].Size = int64(20<<20 + i)
		if i%2 == 0 {
			deleted = append(deleted, tags[i].Tag)
		} else {
			kept = append(kept, tags[i].Tag)
		}
	}
	b.ReportAllocs()
	var freed int64
	for b.Loop() {
		freed = FreedBytes(tags, deleted, kept)
	}
	b.ReportMetric(float64(len(tags))*float64(b.N)/b.Elapsed().Seconds(), "tags/s")
	b.ReportMetric(float64(freed)/(1<<30), "GiB-freed")
}

// BenchmarkDeployed measures Deployed over 20 triggers of 500 runs each
// (a repository's full trigger_history), with last and days both set.
func BenchmarkDeployed(b *testing.B) {
	var triggers []swr.Trigger
	for t := range 20 {
		var runs []swr.TriggerHistory
		for i := range 500 {
			result := "success"
			if i%7 == 0 {
				result = "failed"
			}
			runs = append(runs, deployRun(fmt.Sprintf("build-%d", i), result, now.Add(-time.Duration(i)*time.Hour)))
		}
		triggers = append(triggers, deployTrigger(fmt.Sprintf("deploy-%d", t), runs...))
	}
	b.ReportAllocs()
	n := 0
	for b.Loop() {
		n = len(Deployed(policy.DeployedProtection{Last: 3, Days: 7}, triggers, now))
	}
	b.ReportMetric(float64(20*500)*float64(b.N)/b.Elapsed().Seconds(), "runs/s")
	b.ReportMetric(float64(n), "protected")
}
