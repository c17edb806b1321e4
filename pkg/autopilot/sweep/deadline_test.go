package sweep_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const keepLastPolicy = `mode: enforce
guard:
  max_delete_fraction: 1
retention:
  - match: "**"
    keep_last: 3
`

// TestDeadlineSweepContinuesAcrossInvocations sweeps a registry too large
// for one 8 s invocation: each invocation stops at its deadline margin and
// hands the rest on through the queue; the invocations fed from the queue
// together cover every repository once and repeat no write. The margins
// are generous, so that a busy machine passes: the hand-on has the whole
// margin of its own, and the repositories in flight the rest.
func TestDeadlineSweepContinuesAcrossInvocations(t *testing.T) {
	// 600 repositories of about four calls each, eight at a time, at 20 ms
	// a call: about 6 s of work at full speed, and longer on a busy machine.
	const namespaces, perNamespace = 4, 150
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(namespaces, perNamespace, 4))), swrtest.WithLatency(20*time.Millisecond))
	queue := sqstest.NewServer()
	t.Cleanup(queue.Close)
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{
		Concurrency:    8,
		DeadlineMargin: 3 * time.Second,
		Continue:       queue.NewSender(),
	})

	evs := []events.Event{sweepEvent(events.SweepRequested{})}
	scanned, invocations := 0, 0
	for invocations < 100 {
		invocations++
		ctx, cancel := context.WithTimeout(context.Background(), 8*time.Second)
		rep, err := job.Handle(ctx, evs)
		cancel()
		require.NoError(t, err, "invocation %d", invocations)
		require.Empty(t, rep.Errors, "invocation %d", invocations)
		scanned += rep.Counts.Scanned
		if rep.Cursor == "" {
			break
		}
		_, err = sweep.ParseCursor(rep.Cursor)
		require.NoError(t, err)
		msgs := queue.Messages()
		require.Len(t, msgs, invocations, "one continuation per unfinished invocation")
		batch := sqsDelivery(t, msgs[len(msgs)-1:])
		require.Len(t, batch.Events, 1)
		req := batch.Events[0].Payload.(events.SweepRequested)
		assert.Equal(t, rep.Cursor, req.Cursor, "the continuation carries the cursor")
		evs = batch.Events
	}
	t.Logf("%d invocations", invocations)
	require.Greater(t, invocations, 1, "one invocation cannot finish")
	assert.Len(t, queue.Messages(), invocations-1, "the last invocation hands nothing on")
	assert.Equal(t, namespaces*perNamespace, scanned)

	reads, creates := map[string]int{}, map[string]int{}
	for _, r := range reg.Requests() {
		switch {
		case r.Method == http.MethodGet && repoOfPath(r.Path, "retentions") != "":
			reads[repoOfPath(r.Path, "retentions")]++
		case r.Method == http.MethodPost && repoOfPath(r.Path, "retentions") != "":
			creates[repoOfPath(r.Path, "retentions")]++
		}
	}
	assert.Len(t, reads, namespaces*perNamespace, "every repository swept")
	assert.Len(t, creates, namespaces*perNamespace, "every repository fixed")
	for repo, n := range reads {
		assert.Equal(t, 1, n, "%s swept once", repo)
		assert.Equal(t, 1, creates[repo], "%s written once", repo)
	}
	for _, ns := range reg.State().Namespaces {
		for _, repo := range ns.Repositories {
			require.NotNil(t, repo.Retention, "%s/%s", ns.Name, repo.Name)
			assert.Len(t, repo.Tags, 3, "%s/%s", ns.Name, repo.Name)
		}
	}
}

func TestSweepTooCloseToTheDeadlineAsksForRedelivery(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 3, 1))))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{DeadlineMargin: time.Hour})
	ev := sweepEvent(events.SweepRequested{})
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()

	rep, err := job.Handle(ctx, []events.Event{ev})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "nothing started")
	assert.Zero(t, rep.Counts.Scanned)
	assert.Zero(t, reg.Writes())

	// The event was not consumed: delivered again with time enough, it runs.
	rep, err = job.Handle(context.Background(), []events.Event{ev})
	require.NoError(t, err)
	assert.Equal(t, 3, rep.Counts.Scanned)
}
