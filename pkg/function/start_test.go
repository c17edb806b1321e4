package function

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// countingJob counts the events it is handed.
type countingJob struct {
	mu      sync.Mutex
	handled map[string]int
}

func (j *countingJob) Name() string              { return "counting" }
func (j *countingJob) Mine(ev events.Event) bool { return true }
func (j *countingJob) Do(_ context.Context, evs []events.Event, _ *report.Report) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, ev := range evs {
		j.handled[ev.ID]++
	}
	return nil
}

// handledAfterRedelivery starts function C as Start does, from the
// environment with AUTOPILOT_DEDUPE_SIZE=size, sends it events a, b and a
// again, and reports how often a was handled.
func handledAfterRedelivery[C config.Spec](t *testing.T, size string) int {
	t.Helper()
	for k, v := range map[string]string{
		"HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "SKTEST", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
		"HUAWEICLOUD_SDK_PROJECT_ID": "project", "AUTOPILOT_POLICY": "policy.yaml", "AUTOPILOT_DIRECTORY": "directory.yaml",
		"AUTOPILOT_WEBHOOK_AUTH_DISABLED": "true", "AUTOPILOT_METRICS": "false", "AUTOPILOT_DEDUPE_SIZE": size,
	} {
		t.Setenv(k, v)
	}
	job := &countingJob{handled: map[string]int{}}
	fn, step, err := setUp(t.Context(), slog.New(slog.DiscardHandler), events.KindSweepRequested,
		func(context.Context, Setup[C]) (Job, error) { return job, nil })
	require.NoError(t, err, step)
	for _, id := range []string{"a", "b", "a"} {
		ev := fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"/test","type":"io.swrautopilot.sweep.requested","data":{}}`, id)
		_, err := fn.Lambda(t.Context(), []byte(ev))
		require.NoError(t, err)
	}
	return job.handled["a"]
}

// TestEveryFunctionHonoursDedupeSize: the runner each function's Start
// builds remembers as many event keys as AUTOPILOT_DEDUPE_SIZE says.
func TestEveryFunctionHonoursDedupeSize(t *testing.T) {
	for name, handled := range map[string]func(*testing.T, string) int{
		"onpush":         handledAfterRedelivery[config.OnPush],
		"retentionsweep": handledAfterRedelivery[config.Sweep],
		"grantsync":      handledAfterRedelivery[config.GrantSync],
	} {
		t.Run(name, func(t *testing.T) {
			assert.Equal(t, 1, handled(t, "2"), "two keys remembered: the redelivery of a is skipped")
			assert.Equal(t, 2, handled(t, "1"), "one key remembered: b pushed a out, so a is handled again")
		})
	}
}
