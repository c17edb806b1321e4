package function_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// scriptedJob acts on pushes only and returns err from every Do.
type scriptedJob struct {
	err   error
	calls int
}

func (j *scriptedJob) Name() string { return "scripted" }

func (j *scriptedJob) Mine(ev events.Event) bool { return ev.Kind == events.KindImagePushed }

func (j *scriptedJob) Do(_ context.Context, evs []events.Event, rep *report.Report) error {
	j.calls++
	rep.Counts.Scanned += len(evs)
	rep.Changes = append(rep.Changes, report.Change{Kind: "retention", Op: report.OpCreate, Namespace: "team", Repository: "api", Status: report.StatusApplied})
	return j.err
}

func pushEvent(id string) events.Event {
	return events.Event{ID: id, Source: "test", Kind: events.KindImagePushed, Payload: events.ImagePushed{Namespace: "team", Repository: "api"}}
}

func TestRunnerStampsTheReportAndLogsOneSummary(t *testing.T) {
	var logs bytes.Buffer
	clock := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	now := func() time.Time { clock = clock.Add(time.Second); return clock }
	r := function.NewRunner(&scriptedJob{}, function.RunnerOptions{Logger: slog.New(slog.NewJSONHandler(&logs, nil)), Now: now})

	rep, err := r.Handle(t.Context(), []events.Event{
		{ID: "n1", Source: "test", Kind: events.KindNamespaceCreated, Payload: events.NamespaceCreated{Namespace: "team"}},
		pushEvent("p1"), pushEvent("p1"),
	})
	require.NoError(t, err)
	assert.Equal(t, "scripted", rep.Job)
	assert.Equal(t, time.Date(2026, 3, 1, 12, 0, 1, 0, time.UTC), rep.Started)
	assert.Equal(t, report.Duration(time.Second), rep.Duration)
	assert.Equal(t, []string{"p1"}, rep.EventIDs, "the events acted on")
	assert.Equal(t, 2, rep.Skipped, "not the job's, and a duplicate")
	assert.Equal(t, 1, rep.Counts.Changed, "tallied")
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte(`"msg":"job done"`)))
	assert.Equal(t, 1, bytes.Count(logs.Bytes(), []byte(`"msg":"change applied"`)))
}

func TestRunnerRedeliversAllButTerminalErrors(t *testing.T) {
	t.Run("error: forgotten, so the redelivery is handled", func(t *testing.T) {
		job := &scriptedJob{err: errors.New("swr unreachable")}
		r := function.NewRunner(job, function.RunnerOptions{Logger: slog.New(slog.DiscardHandler)})
		rep, err := r.Handle(t.Context(), []events.Event{pushEvent("p1")})
		require.Error(t, err)
		assert.False(t, events.IsTerminal(err))
		require.NotNil(t, rep, "the report comes with the error")

		job.err = nil
		rep, err = r.Handle(t.Context(), []events.Event{pushEvent("p1")})
		require.NoError(t, err)
		assert.Zero(t, rep.Skipped)
		assert.Equal(t, 2, job.calls)
	})
	t.Run("terminal error: stays handled", func(t *testing.T) {
		job := &scriptedJob{err: events.Terminal(errors.New("malformed cursor"))}
		r := function.NewRunner(job, function.RunnerOptions{Logger: slog.New(slog.DiscardHandler)})
		_, err := r.Handle(t.Context(), []events.Event{pushEvent("p1")})
		require.True(t, events.IsTerminal(err))
		assert.EqualError(t, err, "malformed cursor")

		rep, err := r.Handle(t.Context(), []events.Event{pushEvent("p1")})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Skipped)
		assert.Equal(t, 1, job.calls)
	})
	t.Run("the host answers a terminal error without asking for redelivery", func(t *testing.T) {
		job := &scriptedJob{err: events.Terminal(errors.New("malformed cursor"))}
		dec, err := events.NewDecoder(events.Config{})
		require.NoError(t, err)
		f := function.New(job, dec, function.Options{Logger: slog.New(slog.DiscardHandler)})
		out, err := f.Lambda(t.Context(), []byte(`{"specversion":"1.0","id":"x1","source":"/t","type":"io.swrautopilot.image.pushed",
			"data":{"namespace":"team","repository":"api"}}`))
		require.NoError(t, err, "no redelivery")
		assert.Equal(t, 1, job.calls)
		assert.Equal(t, []string{"x1"}, out.(*report.Report).EventIDs, "the report is the answer")
	})
}

func TestTerminalOfNilIsNil(t *testing.T) {
	assert.NoError(t, events.Terminal(nil))
	assert.False(t, events.IsTerminal(errors.Join(errors.New("a"))))
	assert.True(t, events.IsTerminal(errors.Join(errors.New("a"), events.Terminal(errors.New("b")))),
		"a joined error holding a terminal one is terminal: jobs join only like with like")
}
