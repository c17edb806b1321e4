package grantsync_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// The job has the shape every function wires.
var _ function.Job = (*grantsync.Job)(nil)

func TestFullRunMakesExactlyTheExpectedWrites(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	j := h.newJob(testDirectory(t), false)
	assert.Equal(t, "grantsync", j.Name())

	rep := handle(t, j, tick("tick-1"))

	h.assertWrites(fullRunWrites)
	h.assertProtectedUntouched()
	assert.Equal(t, map[string]int{
		h.srv.UserName: 7, "owner": 7, "breakglass": 7,
		"alice": 7, "bob": 3, "carol": 3, "erin": 3,
	}, h.grantsOf("payments", ""))
	assert.Equal(t, map[string]int{"alice": 3, "bob": 3, "dave": 1}, h.grantsOf("payments", "ledger-api"))
	assert.Equal(t, map[string]int{"breakglass": 3}, h.grantsOf("payments", "app"),
		"a repository of a managed namespace the directory does not name keeps only its keep user")
	assert.Equal(t, map[string]int{"alice": 1, "bob": 1, "carol": 7, "erin": 3, "zed": 3}, h.grantsOf("shared", ""),
		"outside managed namespaces nothing is removed or lowered (carol keeps manage, zed stays)")
	assert.Equal(t, map[string]int{"dave": 3}, h.grantsOf("shared", "base/images"))
	assert.Equal(t, map[string]int{"mallory": 3}, h.grantsOf("shared", "scratch"))

	assert.Equal(t, "grantsync", rep.Job)
	assert.False(t, rep.DryRun)
	assert.Equal(t, testNow(), rep.Started)
	assert.Equal(t, []string{"tick-1"}, rep.EventIDs)
	assert.Empty(t, rep.Errors)
	assert.Empty(t, rep.Findings)
	assert.Equal(t, report.Counts{Scanned: 5, Changed: 10}, rep.Counts)
	assert.Equal(t, map[report.Status]int{report.StatusApplied: 10}, statuses(rep))
	assert.Equal(t, int64(len(h.srv.Requests())), rep.APICalls, "API calls are the client's requests of this run")

	erin := changeFor(t, rep, "payments", "", "u-erin")
	assert.Equal(t, report.OpUpdate, erin.Op)
	assert.Equal(t, grantplan.Grant{UserID: "u-erin", UserName: "erin", Level: "manage", Auth: 7}, erin.Before)
	assert.Equal(t, grantplan.Grant{UserID: "u-erin", UserName: "erin", Level: "write", Auth: 3}, erin.After)
	mallory := changeFor(t, rep, "payments", "", "u-mallory")
	assert.Equal(t, report.OpDelete, mallory.Op)
	assert.Nil(t, mallory.After)

	// A second run finds nothing to do.
	h.reset()
	rep = handle(t, j, tick("tick-2"))
	assert.Zero(t, h.srv.Writes())
	assert.Empty(t, h.loggedWrites())
	assert.Empty(t, rep.Changes)
	assert.Equal(t, report.Counts{Scanned: 5, Conformant: 5}, rep.Counts)
	assert.Equal(t, int64(6), rep.APICalls, "a conformant run reads each grant list once, and one page of the managed namespace's repositories")
	h.assertProtectedUntouched()
}

func TestDryRunWritesNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		config bool
		event  events.Event
	}{
		{"config", true, tick("t")},
		{"event", false, events.Event{ID: "t", Source: "test", Kind: events.KindGrantSyncRequested, Payload: events.GrantSyncRequested{DryRun: true}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			j := h.newJob(testDirectory(t), tc.config)
			rep := handle(t, j, tc.event)

			assert.Zero(t, h.srv.Writes())
			assert.Empty(t, h.recordedWrites())
			h.assertNothingLowered()
			h.assertProtectedUntouched()
			assert.True(t, rep.DryRun)
			assert.Equal(t, map[report.Status]int{report.StatusPlanned: 10}, statuses(rep), "the full plan is still reported")
			assert.Equal(t, 10, rep.Counts.Changed)
		})
	}
}

func TestDirectoryFromHTTPS(t *testing.T) {
	content := testDirectory(t)
	var fetched atomic.Int32
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/team/directory.yaml" {
			http.NotFound(w, r)
			return
		}
		fetched.Add(1)
		w.Header().Set("ETag", `"v1"`)
		_, _ = w.Write([]byte(content))
	}))
	t.Cleanup(ts.Close)

	h := newHarness(t, harnessOptions{})
	j := newTestJob(h.client, grantsync.Config{
		Directory:        ts.URL + "/team/directory.yaml",
		DirectoryOptions: source.Options{HTTPClient: ts.Client()},
		Logger:           slog.New(slog.DiscardHandler),
	})
	rep := handle(t, j, tick("t"))
	assert.Equal(t, int32(1), fetched.Load())
	assert.Empty(t, rep.Errors)
	h.assertWrites(fullRunWrites)

	rep = handle(t, j, tick("t2"))
	assert.Equal(t, int32(2), fetched.Load(), "the directory is read again on every run")
	assert.Empty(t, rep.Changes)
}

func TestDirectoryUnavailableAsksForRedelivery(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	ts := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(ts.Close)
	j := newTestJob(h.client, grantsync.Config{
		Directory:        ts.URL + "/directory.yaml",
		DirectoryOptions: source.Options{HTTPClient: ts.Client()},
		Logger:           slog.New(slog.DiscardHandler),
	})

	for range 2 {
		rep, err := j.Handle(context.Background(), []events.Event{tick("t")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), "load team directory")
		require.Len(t, rep.Errors, 1)
		assert.Equal(t, "load directory", rep.Errors[0].Op)
		assert.Zero(t, rep.Skipped, "a failed event is forgotten, so its redelivery is handled")
		assert.Empty(t, h.srv.Requests(), "nothing is asked of SWR without a directory")
	}

	_, err := newTestJob(h.client, grantsync.Config{}).Reconcile(context.Background(), false)
	assert.ErrorContains(t, err, "no team directory source configured")
}

func TestSWRUnreachableAsksForRedelivery(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.srv.Close()
	j := h.newJob(testDirectory(t), false)
	rep, err := j.Handle(context.Background(), []events.Event{tick("t")})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no grants could be read from SWR")
	assert.NotEmpty(t, rep.Errors)
	assert.Empty(t, rep.Changes)
}

func TestPerNamespaceErrorsAreReportedAndTheRunGoesOn(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.onRequest(func(r *http.Request) {
		if r.Method == http.MethodGet && r.URL.Path == paymentsAccess {
			// Break this one request: the emulator refuses a bad signature.
			r.Header.Set("Authorization", "SDK-HMAC-SHA256 Access=nobody, SignedHeaders=x-sdk-date, Signature=00")
		}
	})
	rep, err := h.newJob(testDirectory(t), false).Handle(context.Background(), []events.Event{tick("t")})
	require.NoError(t, err, "a run that could do something reports its errors instead of failing")
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, report.RepoError{Namespace: "payments", Op: "get namespace access", Error: rep.Errors[0].Error}, rep.Errors[0])
	assert.Contains(t, rep.Errors[0].Error, "APIGW.0301")
	assert.Equal(t, 1, rep.Counts.Errors)
	assert.Equal(t, []string{
		"POST " + sharedAccess,
		"POST " + imagesAccess,
	}, h.loggedWrites(), "the payments namespace and its repositories are skipped; shared is reconciled")
}

func TestDuplicateAndForeignEventsAreSkipped(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	j := h.newJob(testDirectory(t), false)
	pushed := events.Event{ID: "p", Source: "test", Kind: events.KindImagePushed, Payload: events.ImagePushed{Namespace: "payments", Repository: "x"}}

	rep := handle(t, j, pushed)
	assert.Equal(t, 1, rep.Skipped)
	assert.Empty(t, rep.EventIDs)
	assert.Empty(t, h.srv.Requests(), "an event of another job does nothing")

	rep = handle(t, j, tick("t"), pushed)
	assert.Equal(t, 1, rep.Skipped)
	assert.Equal(t, []string{"t"}, rep.EventIDs)
	h.reset()

	rep = handle(t, j, tick("t"))
	assert.Equal(t, 1, rep.Skipped)
	assert.Empty(t, rep.EventIDs)
	assert.Empty(t, h.srv.Requests(), "a redelivered event does no work")
}

func TestConcurrentRunsWriteOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	j := h.newJob(testDirectory(t), false)
	var wg sync.WaitGroup
	reps := make([]*report.Report, 4)
	for i := range reps {
		wg.Go(func() {
			rep, err := j.Handle(context.Background(), []events.Event{tick(string(rune('a' + i)))})
			assert.NoError(t, err)
			reps[i] = rep
		})
	}
	wg.Wait()
	assert.Equal(t, len(fullRunWrites), h.srv.Writes())
	applied := 0
	for _, rep := range reps {
		applied += statuses(rep)[report.StatusApplied]
		assert.Empty(t, rep.Errors)
	}
	assert.Equal(t, 10, applied, "exactly one of the runs made the changes")
}

func TestHandleHonoursCancellation(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	j := h.newJob(testDirectory(t), false)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	rep, err := j.Handle(ctx, []events.Event{tick("t")})
	require.Error(t, err)
	assert.Zero(t, h.srv.Writes())
	assert.NotEmpty(t, rep.Errors)
}

func TestHandleStopsWritingAtTheDeadline(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	j := h.newJob(testDirectory(t), false)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	h.onRequest(func(r *http.Request) {
		if r.Method != http.MethodGet {
			cancel() // the deadline arrives during the first write
		}
	})
	rep, err := j.Handle(ctx, []events.Event{tick("t")})
	require.NoError(t, err, "the grants were read; the report tells what was not done")
	assert.LessOrEqual(t, h.srv.Writes(), 1)
	assert.Zero(t, statuses(rep)[report.StatusPlanned], "no change of a real run is left as merely planned")
	assert.NotEmpty(t, rep.Errors)
	h.assertProtectedUntouched()
}

// changeFor returns the report's change of user on ns (or ns/repo).
func changeFor(t *testing.T, rep *report.Report, ns, repo, user string) report.Change {
	t.Helper()
	for _, c := range rep.Changes {
		if c.Namespace == ns && c.Repository == repo && c.Subject == user {
			return c
		}
	}
	require.Failf(t, "change missing", "no change of %s on %s/%s", user, ns, repo)
	return report.Change{}
}
