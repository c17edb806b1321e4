package sweep_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
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
	cfg := sweep.Config{Concurrency: 1, DeadlineMargin: 2 * time.Second,
		Continue: queue.NewSender()}
	tick := sweepEvent(events.SweepRequested{})

	var cursors []string
	for attempt := range 2 {
		job := newJob(t, client, keepLastPolicy, cfg) // a new instance each time
		ctx, cancel := context.WithTimeout(context.Background(), 4*time.Second)
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
	cursor := sweep.Cursor{Namespace: "ns000", Offset: 2, Last: "repo-0001"}.String()
	assert.Equal(t, cursor, rep.Cursor)
	// Never silent: a warning says what was left and how to resume it.
	require.Len(t, rep.Findings, 1)
	f := rep.Findings[0]
	assert.Equal(t, sweep.CodeIncomplete, f.Code)
	assert.Equal(t, report.SeverityWarning, f.Severity)
	assert.Equal(t, cursor, f.Subject)
	assert.Contains(t, f.Message, cursor)
	assert.Contains(t, f.Remediation, "`swr-autopilot sweep -cursor "+cursor+"`")
	assert.Contains(t, f.Remediation, `{"cursor":"`+cursor+`"}`)
	assert.Equal(t, 1, rep.Counts.Findings[sweep.CodeIncomplete])

	reg.ResetLog()
	rep, err = job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{Cursor: rep.Cursor})})
	require.NoError(t, err)
	assert.Empty(t, rep.Cursor)
	assert.Equal(t, map[string]int{"ns000/repo-0002": 1, "ns001/repo-0000": 1, "ns001/repo-0001": 1, "ns001/repo-0002": 1},
		retentionReads(reg))
}

// releasingQueue records what it is handed and, on the first Enqueue,
// releases the repositories held in flight.
type releasingQueue struct {
	release  chan struct{}
	once     sync.Once
	mu       sync.Mutex
	evs      []cloudevents.Event
	timeLeft time.Duration
	ctxErr   error
	failWith error
}

func (q *releasingQueue) Enqueue(ctx context.Context, evs []cloudevents.Event) error {
	q.mu.Lock()
	q.evs = append(q.evs, evs...)
	if d, ok := ctx.Deadline(); ok {
		q.timeLeft = time.Until(d)
	}
	q.ctxErr = ctx.Err()
	q.mu.Unlock()
	q.once.Do(func() { close(q.release) })
	return q.failWith
}

// holdRepositories holds every request about a repository's retention
// until release is closed (or a minute has passed).
func holdRepositories(release <-chan struct{}) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if strings.Contains(r.URL.Path, "/retentions") {
				select {
				case <-release:
				case <-time.After(time.Minute):
				}
			}
			next.ServeHTTP(w, r)
		})
	}
}

// The continuation is handed on the moment the sweep stops starting
// repositories, with the whole margin to go, however long the repositories
// in flight take: here they cannot finish before it is sent. When handing
// on fails all the same, the invocation fails, so that the platform
// delivers it again, and the unstarted requests go back to it.
func TestHandOnHasItsOwnBudgetWhileWorkersDrain(t *testing.T) {
	for _, fail := range []bool{false, true} {
		t.Run(map[bool]string{false: "handed on", true: "queue fails"}[fail], func(t *testing.T) {
			queue := &releasingQueue{release: make(chan struct{})}
			if fail {
				queue.failWith = errors.New("queue unavailable")
			}
			reg := newRegistry(t, holdRepositories(queue.release), swrtest.WithSeed(ptr(simpleSeed(1, 5, 1))))
			const margin = 3 * time.Second
			job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{Concurrency: 1, DeadlineMargin: margin, Continue: queue})
			first, second := sweepEvent(events.SweepRequested{}), sweepEvent(events.SweepRequested{Namespaces: []string{"ns000"}})
			second.ID = "evt-second"

			// Work ends a second in: the first repository is in flight,
			// held until the hand-on happens.
			ctx, cancel := context.WithTimeout(context.Background(), margin+time.Second)
			defer cancel()
			rep, err := job.Handle(ctx, []events.Event{first, second})
			require.NotEmpty(t, rep.Cursor)
			queue.mu.Lock()
			defer queue.mu.Unlock()
			require.Len(t, queue.evs, 2, "the continuation and the unstarted request, in one hand-on")
			assert.NoError(t, queue.ctxErr, "the hand-on had time left")
			assert.Greater(t, queue.timeLeft, margin/2, "the hand-on got the margin, not what draining left")
			assert.Equal(t, 1, rep.Counts.Scanned, "the repository in flight finished after the hand-on")
			if !fail {
				require.NoError(t, err)
				return
			}
			require.Error(t, err, "a failed hand-on fails the invocation, which is delivered again")
			assert.Contains(t, err.Error(), "queue unavailable")
			again, err := job.Handle(context.Background(), []events.Event{second})
			require.NoError(t, err)
			assert.Zero(t, again.Skipped, "the unstarted request was not consumed")
		})
	}
}
