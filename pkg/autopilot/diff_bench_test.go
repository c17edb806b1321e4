package autopilot_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// BenchmarkDiffFrom previews a policy change (keep_last 30 → keep_last 10
// with deployed-image protection) over 200 repositories of 50 tags, each
// with a trigger that deployed 5 of them, on the emulator over loopback.
// It reports the SWR calls per repository and the time per repository.
func BenchmarkDiffFrom(b *testing.B) {
	const repos, tagsPer = 200, 50
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team"}}}
	for r := range repos {
		repo := swrtest.SeedRepository{Name: fmt.Sprintf("app-%03d", r)}
		var runs []swrtest.SeedTriggerHistory
		for i := range tagsPer {
			name := fmt.Sprintf("b%02d", i)
			repo.Tags = append(repo.Tags, swrtest.SeedTag{Name: name, Pushed: testNow.Add(-time.Duration(tagsPer-i) * time.Hour), Size: 30 << 20})
			if i%10 == 0 {
				runs = append(runs, swrtest.SeedTriggerHistory{Tag: name, Result: "success", At: testNow.Add(-time.Duration(tagsPer-i) * time.Hour)})
			}
		}
		repo.Triggers = []swrtest.SeedTrigger{{Name: "deploy", AppType: "deployments", Application: "app", ClusterName: "c",
			ClusterNs: "default", Condition: ".*", TriggerType: "all", Enable: "true", History: runs}}
		seed.Namespaces[0].Repositories = append(seed.Namespaces[0].Repositories, repo)
	}
	f := newFixture(b, seed, nil)
	old, err := policy.Parse([]byte("retention:\n  - match: \"**\"\n    keep_last: 30\n"), "old.yaml")
	require.NoError(b, err)
	e := f.engine(b, "guard: {max_delete_fraction: 1}\nretention:\n  - match: \"**\"\n    keep_last: 10\n    protect_deployed: {last: 2}\n")
	var calls int64
	for b.Loop() {
		d := e.DiffFrom(b.Context(), old, nil)
		require.Empty(b, d.Errors)
		require.Len(b, d.Repositories, repos)
		calls = d.APICalls
	}
	b.ReportMetric(float64(calls)/repos, "calls/repo")
	b.ReportMetric(b.Elapsed().Seconds()*1e3/float64(b.N)/repos, "ms/repo")
}
