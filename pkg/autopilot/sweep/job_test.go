package sweep_test

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestHandleSkipsOtherKindsAndDuplicates(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 2, 1))))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{})
	tick := sweepEvent(events.SweepRequested{})
	push := events.Event{ID: "push-1", Source: "harbor", Kind: events.KindImagePushed,
		Payload: events.ImagePushed{Namespace: "ns000", Repository: "repo-0000", Tag: "v1"}}

	rep, err := job.Handle(context.Background(), []events.Event{push, tick, tick})
	require.NoError(t, err)
	assert.Equal(t, "sweep", job.Name())
	assert.Equal(t, 2, rep.Skipped, "the push and the repeated tick")
	assert.Equal(t, []string{tick.ID}, rep.EventIDs)
	assert.Equal(t, 2, rep.Counts.Scanned, "swept once")
}

// TestDedupeSizeIsHonoured: the sweep remembers as many ticks as the
// runner is told to (AUTOPILOT_DEDUPE_SIZE), not a size of its own.
func TestDedupeSizeIsHonoured(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 2, 1))))
	c := newClient(t, reg)
	quiet := slog.New(slog.DiscardHandler)
	job := sweep.New(autopilot.NewEngine(c, mustPolicy(t, keepLastPolicy), autopilot.Options{Logger: quiet}), c, sweep.Config{})
	r := function.NewRunner(job, function.RunnerOptions{DedupeSize: 1, Client: c, Logger: quiet})
	a, b := sweepEvent(events.SweepRequested{}), sweepEvent(events.SweepRequested{})
	for _, ev := range []events.Event{a, b} {
		_, err := r.Handle(context.Background(), []events.Event{ev})
		require.NoError(t, err)
	}
	rep, err := r.Handle(context.Background(), []events.Event{a})
	require.NoError(t, err)
	assert.Zero(t, rep.Skipped, "one key remembered: b pushed a out")
	assert.Equal(t, 2, rep.Counts.Scanned)
	rep, err = r.Handle(context.Background(), []events.Event{a})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Skipped)
}

func TestDryRunWritesNothingAndReportsEverything(t *testing.T) {
	for name, tc := range map[string]struct {
		cfg sweep.Config
		req events.SweepRequested
	}{
		"config": {cfg: sweep.Config{DryRun: true}},
		"event":  {req: events.SweepRequested{DryRun: true}},
	} {
		t.Run(name, func(t *testing.T) {
			reg := newRegistry(t, (&legacyRule{}).middleware, swrtest.WithSeed(ptr(driftSeed())))
			job := newJob(t, newClient(t, reg), driftPolicy, tc.cfg)
			rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(tc.req)})
			require.NoError(t, err)
			assert.True(t, rep.DryRun)
			assert.Zero(t, reg.Writes())
			for _, r := range reg.Requests() {
				assert.Equal(t, http.MethodGet, r.Method, r.Path)
			}
			assert.Equal(t, 8, rep.Counts.Changed, "the changes a real sweep makes, planned")
			assert.Equal(t, 1, rep.Counts.Refused)
			for _, c := range rep.Changes {
				assert.Contains(t, []report.Status{report.StatusPlanned, report.StatusRefused}, c.Status)
			}
		})
	}
}

func TestMalformedCursorIsReportedNotRedelivered(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 2, 1))))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{})
	rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{Cursor: "v2:ns000"})})
	require.True(t, events.IsTerminal(err), "redelivery cannot fix a bad cursor: %v", err)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "sweep request", rep.Errors[0].Op)
	assert.Contains(t, rep.Errors[0].Error, `malformed sweep cursor "v2:ns000": want v2:<namespace>:<offset>:<repository>`)
	assert.Equal(t, 1, rep.Counts.Errors)
	assert.Empty(t, reg.Requests(), "nothing was swept")

	_, err = job.Run(context.Background(), events.SweepRequested{Cursor: "v2:ns000:-1:"})
	assert.True(t, errors.Is(err, sweep.ErrMalformedCursor))
}

func TestCursorResumesExactlyWhereTheSweepStopped(t *testing.T) {
	for _, cursor := range []string{
		sweep.Cursor{Namespace: "ns001", Offset: 3, Last: "repo-0002"}.String(),
	} {
		t.Run(cursor, func(t *testing.T) {
			reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(3, 5, 4))))
			job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{Concurrency: 2})

			rep, err := job.Run(context.Background(), events.SweepRequested{Cursor: cursor})
			require.NoError(t, err)
			assert.Equal(t, 2+5, rep.Counts.Scanned, "ns001 from the fourth repository on, then ns002")
			assert.Equal(t, map[string]int{"ns001/repo-0003": 1, "ns001/repo-0004": 1, "ns002/repo-0000": 1,
				"ns002/repo-0001": 1, "ns002/repo-0002": 1, "ns002/repo-0003": 1, "ns002/repo-0004": 1}, retentionReads(reg))
		})
	}
}

func TestCursorOfAGoneOrUncoveredNamespace(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(3, 5, 4))))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{Concurrency: 2})

	// A cursor in a namespace that has gone since resumes at the next one.
	rep, err := job.Run(context.Background(), events.SweepRequested{Cursor: sweep.Cursor{Namespace: "ns001a", Offset: 4, Last: "repo-0003"}.String()})
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Counts.Scanned, "all of ns002")

	// A cursor outside the namespaces asked for is an error.
	rep, err = job.Run(context.Background(), events.SweepRequested{Namespaces: []string{"ns000"}, Cursor: "v2:ns002:1:repo-0000"})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `names namespace "ns002", which the sweep does not cover`)
	assert.Zero(t, rep.Counts.Scanned)
}

func TestSweepOfNamedNamespaces(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(3, 4, 1))))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{})
	rep, err := job.Run(context.Background(), events.SweepRequested{Namespaces: []string{"ns002", "ns000", "ns002"}})
	require.NoError(t, err)
	assert.Equal(t, 8, rep.Counts.Scanned)
	assert.Zero(t, reg.Counts()["GET /v2/manage/namespaces"], "named namespaces are not listed")

	_, err = job.Run(context.Background(), events.SweepRequested{Namespaces: []string{"Bad Name"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sweep namespace")
}

// TestSweepReportsNamespacesOnlyHarborAllows: decoding accepts the wider
// names of SWR Enterprise / Harbor; a sweep of one reports the SWR rule it
// breaks, once, and asks for no redelivery.
func TestSweepReportsNamespacesOnlyHarborAllows(t *testing.T) {
	ce, err := events.NewCloudEvent(events.SweepRequested{Namespaces: []string{"ns000", "0day"}})
	require.NoError(t, err)
	body, err := json.Marshal(ce)
	require.NoError(t, err)
	dec, err := events.NewDecoder(events.Config{})
	require.NoError(t, err)
	b, err := dec.DecodeLambda(context.Background(), body)
	require.NoError(t, err, "the events package accepts the name")
	require.Len(t, b.Events, 1)

	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 2, 1))))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{})
	rep, err := job.Handle(context.Background(), b.Events)
	require.True(t, events.IsTerminal(err), "redelivery cannot make the name valid: %v", err)
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, "sweep request", rep.Errors[0].Op)
	assert.Equal(t, `sweep namespace "0day": not an SWR namespace name: it must start with a lowercase letter`, rep.Errors[0].Error)
	assert.Empty(t, reg.Requests(), "nothing was sent to SWR")
}

func TestProgressCountsUpToTheTotal(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(2, 6, 1))))
	var mu sync.Mutex
	var calls [][2]int
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{Progress: func(done, total int) {
		mu.Lock()
		calls = append(calls, [2]int{done, total})
		mu.Unlock()
	}})
	_, err := job.Run(context.Background(), events.SweepRequested{})
	require.NoError(t, err)
	require.Len(t, calls, 12)
	for i, c := range calls {
		assert.Equal(t, [2]int{i + 1, 12}, c)
	}
}

func TestSweepFailsWhenSWRIsUnreachable(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 1, 1))),
		swrtest.WithFaults(swrtest.Faults{Rate503: 1}))
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{})
	rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "list namespaces")
	assert.NotContains(t, err.Error(), reg.SK)
	require.NotNil(t, rep)
	assert.Zero(t, rep.Counts.Scanned)
}
