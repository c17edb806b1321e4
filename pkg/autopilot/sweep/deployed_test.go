package sweep_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const deployedPolicy = `mode: enforce
guard: {max_delete_fraction: 1}
protect_deployed: {last: 1}
retention:
  - match: "**"
    keep_last: 2
`

// Each sweep moves the deployed-image protection to what the trigger
// last deployed, by updating the rule: across three sweeps and two
// deployments, one create, two updates and not one replacement.
func TestSweepMovesDeployedProtectionByUpdate(t *testing.T) {
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "prod", Repositories: []swrtest.SeedRepository{{
		Name: "api",
		Triggers: []swrtest.SeedTrigger{{Name: "deploy", AppType: "deployments", Application: "api", ClusterName: "prod-cce",
			ClusterNs: "default", Condition: "^rel-", TriggerType: "regular", Enable: "true"}},
	}}}}}
	reg := newRegistry(t, nil, swrtest.WithSeed(&seed))
	job := newJob(t, newClient(t, reg), deployedPolicy, sweep.Config{})
	at := reg.Now().Add(-100 * 24 * time.Hour)
	push := func(tags ...string) {
		for _, tag := range tags {
			at = at.Add(time.Hour)
			require.NoError(t, reg.PushTag("prod", "api", tag, at))
		}
	}
	sweepOnce := func() *report.Report {
		rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
		require.NoError(t, err)
		require.Empty(t, rep.Errors)
		return rep
	}
	for i := 1; i <= 3; i++ {
		rel := fmt.Sprintf("rel-%d", i)
		push(rel, fmt.Sprintf("dev-%da", i), fmt.Sprintf("dev-%db", i), fmt.Sprintf("dev-%dc", i))
		rep := sweepOnce()
		require.Len(t, rep.Changes, 1)
		require.NotNil(t, rep.Changes[0].Impact)
		assert.Equal(t, rel, rep.Changes[0].Impact.Deployed[0].Tag, "sweep %d keeps %s because deployed", i, rel)
		got, _ := reg.State().Repository("prod", "api")
		assert.Equal(t, []string{fmt.Sprintf("dev-%db", i), fmt.Sprintf("dev-%dc", i), rel}, got.TagNames())
		assert.Equal(t, []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: rel}}, got.Retention.Rules[0].TagSelectors)
	}
	counts := reg.Counts()
	assert.Equal(t, 1, counts["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"])
	assert.Equal(t, 2, counts["PATCH /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}"])
	assert.Zero(t, counts["DELETE /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}"], "never replaced")

	// Nothing deployed since: the next sweep writes nothing.
	writes := reg.Writes()
	rep := sweepOnce()
	assert.Empty(t, rep.Changes)
	assert.Equal(t, writes, reg.Writes())
}
