package sweep_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestMaxImpactTagsCutsTheNamesNotTheCounts(t *testing.T) {
	for _, limit := range []int{0, 5} {
		t.Run(fmt.Sprintf("max=%d", limit), func(t *testing.T) {
			reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(2, 5, 40))))
			job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{MaxImpactTags: limit})

			rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
			require.NoError(t, err)
			require.Empty(t, rep.Errors)
			require.Len(t, rep.Changes, 10)
			for _, c := range rep.Changes {
				require.NotNil(t, c.Impact)
				assert.Equal(t, report.StatusApplied, c.Status)
				assert.Equal(t, 40, c.Impact.TotalTags)
				assert.Equal(t, 37, c.Impact.Deletes())
				assert.Equal(t, 3, c.Impact.Keeps())
				if limit == 0 {
					assert.Len(t, c.Impact.Delete, 37, "every name")
					assert.Len(t, c.Impact.Keep, 3)
				} else {
					assert.Len(t, c.Impact.Delete, limit, "cut to %d names", limit)
					assert.Len(t, c.Impact.Keep, 3)
					assert.Equal(t, 37, c.Impact.DeleteCount)
				}
			}
			for _, ns := range reg.State().Namespaces {
				for _, repo := range ns.Repositories {
					assert.Len(t, repo.Tags, 3, "%s/%s: the write is the same whatever the report shows", ns.Name, repo.Name)
				}
			}
		})
	}
}

// BenchmarkSweepReportSize sweeps 2,000 repositories of 40 tags and no
// rule (dry run: keep_last 3 plans 37 deletes in each) and reports the
// size of the report as WriteJSON writes it (indented) and as compact
// JSON, with every tag name and with MaxImpactTags 20.
func BenchmarkSweepReportSize(b *testing.B) {
	reg := newRegistry(b, nil, swrtest.WithSeed(ptr(simpleSeed(4, 500, 40))))
	client := newClient(b, reg)
	for _, limit := range []int{0, 20} {
		b.Run(fmt.Sprintf("MaxImpactTags=%d", limit), func(b *testing.B) {
			job := newJob(b, client, keepLastPolicy, sweep.Config{DryRun: true, MaxImpactTags: limit})
			for b.Loop() {
				reg.ResetLog()
				rep, err := job.Run(context.Background(), events.SweepRequested{})
				require.NoError(b, err)
				require.Equal(b, 2000, rep.Counts.Changed)
				var buf bytes.Buffer
				require.NoError(b, rep.WriteJSON(&buf))
				compact, err := json.Marshal(rep)
				require.NoError(b, err)
				b.ReportMetric(float64(buf.Len())/1e6, "report-MB")
				b.ReportMetric(float64(len(compact))/1e6, "compact-MB")
				b.ReportMetric(float64(len(compact))/2000, "compact-bytes/change")
			}
		})
	}
}
