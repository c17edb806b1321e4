package grantsync_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// listQueries returns the query of every repository listing the emulator
// received, in order.
func (h *harness) listQueries() []url.Values {
	h.t.Helper()
	var out []url.Values
	for _, r := range h.srv.Requests() {
		if r.Method == http.MethodGet && r.Path == reposList {
			q, err := url.ParseQuery(r.Query)
			require.NoError(h.t, err)
			out = append(out, q)
		}
	}
	return out
}

// requested reports whether the emulator received any request for path.
func (h *harness) requested(path string) bool {
	return slices.ContainsFunc(h.srv.Requests(), func(r swrtest.RequestRecord) bool { return r.Path == path })
}

func TestFullRunListsTheRepositoriesOfManagedNamespacesOnly(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	handle(t, h.newJob(testDirectory(t), false), tick("t"))

	queries := h.listQueries()
	require.Len(t, queries, 1, "one page per 1000 repositories of each managed namespace")
	assert.Equal(t, "payments", queries[0].Get("namespace"))
	assert.Equal(t, "0", queries[0].Get("offset"))
	assert.Equal(t, fmt.Sprint(swr.MaxPageSize), queries[0].Get("limit"))
	assert.True(t, h.requested(appAccess), "the unnamed repository of the managed namespace is read")
	assert.False(t, h.requested(scratchAccess), "an unnamed repository of an unmanaged namespace is not read")
	assert.Equal(t, map[string]int{"mallory": 3}, h.grantsOf("shared", "scratch"))
	h.assertWrites(fullRunWrites)
	h.assertProtectedUntouched()
}

func TestFullRunPagesThroughALargeManagedNamespace(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// 1000 more repositories without grants: payments now holds 1002, and
	// the stray grant on the last one is on the second page.
	var repos []swrtest.SeedRepository
	for i := range swr.MaxPageSize {
		repos = append(repos, swrtest.SeedRepository{Name: fmt.Sprintf("svc-%04d", i)})
	}
	repos = append(repos, swrtest.SeedRepository{Name: "zz-last", Grants: []swrtest.SeedGrant{grant("u-zoe", "zoe", 3)}})
	require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "payments", Repositories: repos}}}))

	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	var offsets []string
	for _, q := range h.listQueries() {
		assert.Equal(t, "payments", q.Get("namespace"))
		offsets = append(offsets, q.Get("offset"))
	}
	assert.Equal(t, []string{"0", "1000"}, offsets)
	const lastAccess = "/v2/manage/namespaces/payments/repos/zz-last/access"
	h.assertWrites(slices.Concat(paymentsWrites, appWrites, ledgerWrites,
		[]write{{"DELETE", lastAccess, `["u-zoe"]`}}, sharedWrites, imagesWrites))
	assert.Equal(t, 1+(swr.MaxPageSize+3)+2, rep.Counts.Scanned, "payments, its 1003 repositories, shared and base/images")
	assert.Empty(t, rep.Errors)
}

func TestRepositoryListingSkipsOtherNamespaces(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// SWR's namespace filter may match loosely: the listing answers with a
	// repository of another namespace, which must not be taken for one of
	// payments.
	h.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || r.URL.Path != reposList {
			return false
		}
		items := []swr.Repository{
			{Name: "app", Namespace: "payments", TotalRange: 3},
			{Name: "ledger-api", Namespace: "payments", TotalRange: 3},
			{Name: "ghost", Namespace: "payments-archive", TotalRange: 3},
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Range", "0-3/3")
		assert.NoError(t, json.NewEncoder(w).Encode(items))
		return true
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	assert.False(t, h.requested("/v2/manage/namespaces/payments/repos/ghost/access"))
	assert.False(t, h.requested("/v2/manage/namespaces/payments-archive/repos/ghost/access"))
	h.assertWrites(fullRunWrites)
	assert.Empty(t, rep.Errors)
}

func TestRepositoryListingFailureIsReportedAndTheRunGoesOn(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method != http.MethodGet || r.URL.Path != reposList {
			return false
		}
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusForbidden)
		_, _ = w.Write([]byte(`{"errorCode":"SVCSTG.SWR.4037017","errorMessage":"no permission on any organization","detail":""}`))
		return true
	})
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	require.Len(t, rep.Errors, 1)
	e := rep.Errors[0]
	assert.Equal(t, "payments", e.Namespace)
	assert.Equal(t, "list repositories", e.Op)
	assert.Contains(t, e.Error, "SVCSTG.SWR.4037017")
	assert.False(t, h.requested(appAccess), "an unlisted repository is left for the next run")
	h.assertWrites(slices.Concat(paymentsWrites, ledgerWrites, sharedWrites, imagesWrites))
	assert.Equal(t, 7, h.grantsOf("payments", "app")["mallory"])
	h.assertProtectedUntouched()
}
