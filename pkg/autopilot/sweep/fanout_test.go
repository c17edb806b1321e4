package sweep_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestFanOutEnqueuesOneShardPerNamespaceAndSweepsEach(t *testing.T) {
	const namespaces, perNamespace = 12, 7
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(namespaces, perNamespace, 4))))
	queue := sqstest.NewServer()
	t.Cleanup(queue.Close)
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{
		FanOut:   true,
		Continue: queue.NewSender(),
	})

	tick, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{DryRun: true})})
	require.NoError(t, err)
	assert.Zero(t, tick.Counts.Scanned, "the tick sweeps nothing itself")
	assert.Equal(t, map[string]int{"GET /v2/manage/namespaces": 1}, reg.Counts(), "the tick only lists namespaces")
	assert.Equal(t, 2, queue.Requests(), "12 shards in batches of 10")

	batch := sqsDelivery(t, queue.Messages())
	require.Len(t, batch.Records, namespaces)
	seen := map[string]bool{}
	scanned := 0
	for i, rec := range batch.Records {
		evs := batch.Events[i : i+1] // each record holds one event
		require.Equal(t, rec.MessageID, evs[0].MessageID)
		req := evs[0].Payload.(events.SweepRequested)
		require.Len(t, req.Namespaces, 1)
		assert.True(t, req.DryRun, "shards inherit the tick's dry run")
		assert.Empty(t, req.Cursor)
		assert.False(t, seen[req.Namespaces[0]], "one shard per namespace")
		seen[req.Namespaces[0]] = true

		rep, err := job.Handle(context.Background(), evs)
		require.NoError(t, err)
		assert.Equal(t, perNamespace, rep.Counts.Scanned, "shard %s", req.Namespaces[0])
		assert.Equal(t, perNamespace, rep.Counts.Changed, "shard %s plans a rule per repository", req.Namespaces[0])
		assert.True(t, rep.DryRun)
		for _, c := range rep.Changes {
			assert.Equal(t, req.Namespaces[0], c.Namespace)
		}
		scanned += rep.Counts.Scanned
	}
	assert.Equal(t, namespaces*perNamespace, scanned)
	assert.Zero(t, reg.Writes(), "dry run")
	assert.Len(t, queue.Messages(), namespaces, "finished shards hand nothing on")

	// SQS delivers at least once: a redelivered shard does no work.
	again := sqsDelivery(t, queue.Messages()[:1])
	reg.ResetLog()
	rep, err := job.Handle(context.Background(), again.Events)
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Skipped)
	assert.Zero(t, rep.Counts.Scanned)
	assert.Empty(t, reg.Requests())
}

func TestFanOutFailureAsksForRedelivery(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(2, 1, 1))))
	queue := sqstest.NewServer()
	t.Cleanup(queue.Close)
	queue.SetUnavailable(true)
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{
		FanOut:   true,
		Continue: queue.NewSender(),
	})
	tick := sweepEvent(events.SweepRequested{})
	_, err := job.Handle(context.Background(), []events.Event{tick})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fan out 2 namespaces")

	queue.SetUnavailable(false)
	_, err = job.Handle(context.Background(), []events.Event{tick})
	require.NoError(t, err, "the redelivered tick is not taken for a duplicate")
	assert.Len(t, queue.Messages(), 2)
}
