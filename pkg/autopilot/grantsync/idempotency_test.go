package grantsync_test

import (
	"context"
	"net/http"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// logLines returns the emulator's request log as "METHOD path status".
func logLines(h *harness, path string) []string {
	var out []string
	for _, r := range h.srv.Requests() {
		if r.Path == path {
			out = append(out, r.Method+" "+http.StatusText(r.Status))
		}
	}
	return out
}

// beforeFirst runs fn, once, just before the first request with method
// and path reaches the emulator: someone else's edit racing the run. fn
// may itself send requests through the harness.
func beforeFirst(h *harness, method, path string, fn func()) {
	var done atomic.Bool
	h.onRequest(func(r *http.Request) {
		if r.Method == method && r.URL.Path == path && done.CompareAndSwap(false, true) {
			fn()
		}
	})
}

func TestConflictOnPostRereadsAndRaises(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// Someone grants carol read on payments just before the run adds her
	// with write: SWR answers the POST 409.
	beforeFirst(h, http.MethodPost, paymentsAccess, func() {
		require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "payments",
			Grants: []swrtest.SeedGrant{grant("u-carol", "carol", 1)}}}}))
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	assert.Equal(t, []string{
		"GET OK",        // observe
		"POST Conflict", // carol exists now
		"GET OK",        // re-read
		"PATCH Created", // carol read → write
		"PATCH Created", // alice and erin, as planned
		"GET OK",        // every update is read back
		"DELETE No Content",
	}, logLines(h, paymentsAccess))
	assert.Equal(t, 3, h.grantsOf("payments", "")["carol"])
	assert.Empty(t, rep.Errors)
	assert.Equal(t, report.StatusApplied, changeFor(t, rep, "payments", "", "u-carol").Status)
	h.assertProtectedUntouched()

	h.reset()
	handle(t, h.newJob(testDirectory(t), false), tick("t2"))
	assert.Zero(t, h.srv.Writes())
}

func TestConflictOnPostNeverLowersAConcurrentHigherGrant(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	beforeFirst(h, http.MethodPost, sharedAccess, func() {
		require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "shared",
			Grants: []swrtest.SeedGrant{grant("u-erin", "erin", 7)}}}}))
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	assert.Equal(t, []string{"GET OK", "POST Conflict", "GET OK", "POST OK"}, logLines(h, sharedAccess),
		"bob, still missing, is added alone; erin is not touched")
	assert.Equal(t, map[string]int{"alice": 1, "bob": 1, "carol": 7, "erin": 7, "zed": 3}, h.grantsOf("shared", ""))
	f := findingOf(t, rep, grantsync.CodeConcurrentGrant)
	assert.Equal(t, "u-erin", f.Subject)
	assert.Empty(t, rep.Errors)
}

func TestDeleteOfAGrantAlreadyGoneIsFine(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	other := h.newClient(true)
	beforeFirst(h, http.MethodDelete, paymentsAccess, func() {
		require.NoError(t, other.NamespaceAccess.Delete(context.Background(), "payments", []string{"u-mallory"}))
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	want := []string{
		"GET OK", "POST OK", "PATCH Created", "GET OK",
		"DELETE No Content",                         // the other client's
		"DELETE " + absentAnswer(http.MethodDelete), // the run's
	}
	if !absentSilent() {
		want = append(want, "GET OK") // read again: mallory is gone, nothing left to do
	}
	assert.Equal(t, want, logLines(h, paymentsAccess))
	assert.Empty(t, rep.Errors)
	assert.Equal(t, report.StatusApplied, changeFor(t, rep, "payments", "", "u-mallory").Status)
	h.assertProtectedUntouched()
}

func TestPatchOfAGrantAlreadyGoneGrantsItAgain(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	other := h.newClient(true)
	beforeFirst(h, http.MethodPatch, paymentsAccess, func() {
		require.NoError(t, other.NamespaceAccess.Delete(context.Background(), "payments", []string{"u-erin"}))
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	want := []string{
		"GET OK", "POST OK",
		"DELETE No Content",                       // the other client removes erin
		"PATCH " + absentAnswer(http.MethodPatch), // alice and erin: erin is gone
		"GET OK",  // read again
		"POST OK", // erin, at the directory's level
	}
	if !absentSilent() {
		want = append(want, "PATCH Created") // alice, whom the refused PATCH did not raise
	}
	want = append(want, "DELETE No Content")
	assert.Equal(t, want, logLines(h, paymentsAccess))
	assert.Empty(t, rep.Errors)
	assert.Equal(t, map[string]int{h.srv.UserName: 7, "owner": 7, "breakglass": 7, "alice": 7, "bob": 3, "carol": 3, "erin": 3},
		h.grantsOf("payments", ""))
}

func TestFailedWriteIsReportedWithSWRsErrorCode(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodPatch || r.URL.Path != paymentsAccess {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`[{"errorCode":"SVCSTG.SWR.4039002","errorMessage":"no permission for operation","detail":""}]`))
		return true
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	require.Len(t, rep.Errors, 1)
	e := rep.Errors[0]
	assert.Equal(t, "payments", e.Namespace)
	assert.Equal(t, "update namespace access", e.Op)
	assert.Contains(t, e.Error, "SVCSTG.SWR.4039002")
	for _, user := range []string{"u-alice", "u-erin"} {
		c := changeFor(t, rep, "payments", "", user)
		assert.Equal(t, report.StatusFailed, c.Status)
		assert.Contains(t, c.Reason, "SVCSTG.SWR.4039002")
	}
	assert.Equal(t, report.StatusApplied, changeFor(t, rep, "payments", "", "u-mallory").Status, "the other writes go on")
	assert.Equal(t, len(fullRunWrites)-1, h.srv.Writes())
	assert.NotContains(t, e.Error, h.srv.SK)
}
