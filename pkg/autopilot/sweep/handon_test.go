package sweep_test

import (
	"context"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestRetriedInvocationHandsOnOneSweepChain runs one tick twice, as when
// an invocation is retried after it enqueued its continuation: both runs
// stop at their deadline (the retry further on, its repositories being
// fixed already) and enqueue a continuation. Both continuations carry the
// same id, so the instance they reach sweeps on once and skips the copy.
func TestRetriedInvocationHandsOnOneSweepChain(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 60, 1))), swrtest.WithLatency(20*time.Millisecond))
	client := newClient(t, reg)
	queue := sqstest.NewServer()
	t.Cleanup(queue.Close)
	cfg := sweep.Config{Concurrency: 1, DeadlineMargin: 500 * time.Millisecond,
		Continue: queue.NewSender()}
	tick := sweepEvent(events.SweepRequested{})

	var cursors []string
	for attempt := range 2 {
		job := newJob(t, client, keepLastPolicy, cfg) // a new instance each time
		ctx, cancel := context.WithTimeout(context.Background(), 1500*time.Millisecond)
		rep, err := job.Handle(ctx, []events.Event{tick})
		cancel()
		require.NoError(t, err, "attempt %d", attempt)
		require.NotEmpty(t, rep.Cursor, "attempt %d stops at its deadline", attempt)
		cursors = append(cursors, rep.Cursor)
	}
	t.Logf("cursors %v", cursors)

	msgs := queue.Messages()
	require.Len(t, msgs, 2, "each attempt enqueued its continuation")
	batch := sqsDelivery(t, msgs)
	require.Len(t, batch.Events, 2)
	assert.Equal(t, batch.Events[0].ID, batch.Events[1].ID, "the retry's continuation has the first one's id")

	consumer := newJob(t, client, keepLastPolicy, sweep.Config{})
	rep, err := consumer.Handle(context.Background(), batch.Events[:1])
	require.NoError(t, err)
	assert.Positive(t, rep.Counts.Scanned)
	assert.Empty(t, rep.Cursor, "the chain finishes")

	reg.ResetLog()
	rep, err = consumer.Handle(context.Background(), batch.Events[1:])
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Skipped, "the copy is skipped")
	assert.Zero(t, rep.Counts.Scanned)
	assert.Empty(t, reg.Requests(), "no second sweep chain")
	for _, ns := range reg.State().Namespaces {
		for _, repo := range ns.Repositories {
			assert.NotNil(t, repo.Retention, "%s/%s swept", ns.Name, repo.Name)
		}
	}
}

// deadlineQueue is a queue that records the deadline of each Enqueue.
type deadlineQueue struct {
	mu        sync.Mutex
	deadlines []time.Time
	unbounded int
}

func (q *deadlineQueue) Enqueue(ctx context.Context, _ []cloudevents.Event) error {
	q.mu.Lock()
	defer q.mu.Unlock()
	d, ok := ctx.Deadline()
	if !ok {
		q.unbounded++
		return nil
	}
	q.deadlines = append(q.deadlines, d)
	return nil
}

func TestHandingOnEndsByTheInvocationDeadline(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(2, 1, 1))))
	queue := &deadlineQueue{}
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{FanOut: true, Continue: queue, DeadlineMargin: time.Hour})

	// The margin outlasts the invocation: handing on stops at its deadline.
	deadline := time.Now().Add(time.Minute)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	_, err := job.Handle(ctx, []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)

	// Without a deadline, the margin bounds it.
	before := time.Now()
	_, err = job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)

	require.Zero(t, queue.unbounded, "handing on is always bounded")
	require.Len(t, queue.deadlines, 2)
	assert.False(t, queue.deadlines[0].After(deadline), "handing on ends by the invocation deadline, not %v later",
		queue.deadlines[0].Sub(deadline))
	assert.False(t, queue.deadlines[1].Before(before.Add(time.Hour)), "without a deadline the margin applies")
}

// TestUnfinishedSweepWithoutAQueueReportsItsCursor stops a sweep that has
// no queue to hand on to: its report carries the cursor, and a request
// with that cursor sweeps exactly the rest.
func TestUnfinishedSweepWithoutAQueueReportsItsCursor(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(2, 3, 1))))
	client := newClient(t, reg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One worker; the invocation ends once the second repository is done.
	job := newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true, Concurrency: 1, Progress: func(done, _ int) {
		if done == 2 {
			cancel()
		}
	}})

	rep, err := job.Handle(ctx, []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err, "the work done is reported, not redelivered")
	assert.Equal(t, 2, rep.Counts.Scanned)
	assert.Equal(t, sweep.Cursor{Namespace: "ns000", Offset: 2, Last: "repo-0001"}.String(), rep.Cursor)

	reg.ResetLog()
	rep, err = job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{Cursor: rep.Cursor})})
	require.NoError(t, err)
	assert.Empty(t, rep.Cursor)
	assert.Equal(t, map[string]int{"ns000/repo-0002": 1, "ns001/repo-0000": 1, "ns001/repo-0001": 1, "ns001/repo-0002": 1},
		retentionReads(reg))
}
