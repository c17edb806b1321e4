package sweep_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// A request for another target is refused, without a redelivery.
func TestSweepRefusesARequestForAnotherTarget(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 1, 1))))
	for _, own := range []string{"", "primary"} {
		job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{Target: own})
		rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{Target: "dr"})})
		require.NoError(t, err)
		require.Len(t, rep.Errors, 1)
		assert.Contains(t, rep.Errors[0].Error, `sweep of target "dr": this sweep covers`)
		assert.Zero(t, rep.Counts.Scanned)

		rep, err = job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{Target: own, DryRun: true})})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Counts.Scanned, "its own target, or every target, is swept")
	}
}
