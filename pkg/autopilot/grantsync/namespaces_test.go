package grantsync_test

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const toolsAccess = "/v2/manage/namespaces/tools/access"

// withTools adds a team granting on the namespace tools, which the seed
// lacks, and sets create_missing_namespaces.
func withTools(t *testing.T, create bool) string {
	t.Helper()
	content := replaceLine(t, testDirectory(t), "keep:\n", `  - name: tooling
    members:
      - {id: u-frank, name: frank}
    namespaces:
      tools: write
    repositories:
      tools/cli: read
keep:
`)
	if create {
		content = replaceLine(t, content, "managed_namespaces:\n", "create_missing_namespaces: true\nmanaged_namespaces:\n")
	}
	return content
}

func TestMissingNamespaceIsCreatedWhenTheDirectoryOptsIn(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(withTools(t, true), false), tick("t"))

	h.assertWrites(append([]write{{"POST", "/v2/manage/namespaces", `{"namespace":"tools"}`}}, append(fullRunWrites,
		write{"POST", toolsAccess, `[{"user_id":"u-frank","user_name":"frank","auth":3}]`})...))
	ns, ok := h.srv.State().Namespace("tools")
	require.True(t, ok)
	assert.Equal(t, h.srv.UserName, ns.CreatorName)
	assert.Equal(t, map[string]int{"frank": 3}, h.grantsOf("tools", ""))
	h.assertProtectedUntouched()

	created := rep.Changes[0]
	assert.Equal(t, report.Change{Kind: grantsync.KindNamespace, Op: report.OpCreate, Namespace: "tools", Subject: "tools",
		After: map[string]string{"namespace": "tools"}, Status: report.StatusApplied}, created)
	f := findingOf(t, rep, grantsync.CodeRepositoryMissing)
	assert.Equal(t, "cli", f.Repository)
	assert.Empty(t, rep.Errors)

	h.reset()
	rep = handle(t, h.newJob(withTools(t, true), false), tick("t2"))
	assert.Zero(t, h.srv.Writes(), "the second run has nothing to create or grant")
	assert.Empty(t, rep.Changes)
}

func TestMissingNamespaceWithoutOptInIsAFinding(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(withTools(t, false), false), tick("t"))

	h.assertWrites(fullRunWrites)
	f := findingOf(t, rep, grantsync.CodeNamespaceMissing)
	assert.Equal(t, "tools", f.Namespace)
	assert.Contains(t, f.Remediation, "create_missing_namespaces: true")
	assert.NotContains(t, findingCodes(rep), grantsync.CodeRepositoryMissing, "the namespace finding covers its repositories")
}

func TestMissingNamespaceInDryRunIsPlanned(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(withTools(t, true), true), tick("t"))

	assert.Zero(t, h.srv.Writes())
	_, exists := h.srv.State().Namespace("tools")
	assert.False(t, exists)
	assert.Equal(t, report.Change{Kind: grantsync.KindNamespace, Op: report.OpCreate, Namespace: "tools", Subject: "tools",
		After: map[string]string{"namespace": "tools"}, Status: report.StatusPlanned}, rep.Changes[0])
	frank := changeFor(t, rep, "tools", "", "u-frank")
	assert.Equal(t, report.StatusPlanned, frank.Status)
}

func TestNamespaceQuotaExceededIsAFindingAndTheRunGoesOn(t *testing.T) {
	for _, tc := range []struct {
		name      string
		noProject bool
		quota     string
	}{
		{"quota read with the project id", false, "quota 2, 2 used"},
		{"no project id", true, "default quota 5"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{emulator: []swrtest.Option{swrtest.WithNamespaceQuota(2)}, noProject: tc.noProject})
			rep := handle(t, h.newJob(withTools(t, true), false), tick("t"))

			f := findingOf(t, rep, grantsync.CodeNamespaceQuota)
			assert.Equal(t, "tools", f.Namespace)
			assert.Equal(t, report.SeverityCritical, f.Severity)
			assert.Contains(t, f.Message, `namespace "tools" was not created: the account's namespace quota is used up (`+tc.quota+"; SVCSTG.SWR.4000097)")
			assert.Empty(t, rep.Errors, "a used-up quota is a finding, not an error")

			assert.Equal(t, report.StatusFailed, rep.Changes[0].Status)
			_, exists := h.srv.State().Namespace("tools")
			assert.False(t, exists)

			var quotaReads int
			for _, r := range h.srv.Requests() {
				if r.Endpoint == "GET /v2/manage/projects/{project_id}/quotas" {
					quotaReads++
				}
			}
			if tc.noProject {
				assert.Zero(t, quotaReads)
			} else {
				assert.Equal(t, 1, quotaReads)
			}

			// The refused creation, then the rest of the run as usual.
			h.assertRecorded(append([]write{{"POST", "/v2/manage/namespaces", `{"namespace":"tools"}`}}, fullRunWrites...))
			assert.Equal(t, http.StatusBadRequest, statusOf(h.srv.Requests(), "POST", "/v2/manage/namespaces"))
			assert.Equal(t, len(fullRunWrites), h.srv.Writes())
			h.assertProtectedUntouched()
		})
	}
}

// TestNamespaceOwnedByAnotherAccount runs under every answer SWR may
// give to a read of a namespace another account owns (swr-api.md §12):
// the create's 409 followed by a 404, or a 403.
func TestNamespaceOwnedByAnotherAccount(t *testing.T) {
	for _, read := range []int{http.StatusNotFound, http.StatusForbidden} {
		t.Run(http.StatusText(read), func(t *testing.T) {
			h := newHarness(t, harnessOptions{emulator: []swrtest.Option{
				swrtest.WithForeignNamespaces("tools"), swrtest.WithForeignNamespaceAnswer(read)}})
			j := newTestJob(h.client, grantsync.Config{Directory: writeDirectory(t, withTools(t, true)), Logger: slog.New(slog.DiscardHandler)})
			rep := handle(t, j, tick("t"))

			f := findingOf(t, rep, grantsync.CodeNamespaceTaken)
			assert.Equal(t, "tools", f.Namespace)
			assert.Contains(t, f.Message, "another account owns the name")
			assert.Empty(t, rep.Errors)
			assert.Equal(t, http.StatusConflict, statusOf(h.srv.Requests(), "POST", "/v2/manage/namespaces"))
			assert.Equal(t, len(fullRunWrites), h.srv.Writes(), "nothing granted on the name")
		})
	}
}

// TestNamespaceCreateWhoseAnswerIsLostIsApplied: SWR created the
// namespace but the answer never came; the read that follows finds it,
// and its grants are given in the same run.
func TestNamespaceCreateWhoseAnswerIsLostIsApplied(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	h.srv.Set(swrtest.WithHook(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.Method == http.MethodPost && r.URL.Path == "/v2/manage/namespaces" {
				next.ServeHTTP(httptest.NewRecorder(), r)
				panic(http.ErrAbortHandler) // the connection drops before the answer
			}
			next.ServeHTTP(w, r)
		})
	}))
	rep := handle(t, h.newJob(withTools(t, true), false), tick("t"))

	assert.Empty(t, rep.Errors)
	assert.Equal(t, report.StatusApplied, rep.Changes[0].Status)
	assert.Equal(t, map[string]int{"frank": 3}, h.grantsOf("tools", ""))
}

// statusOf returns the status of the first logged request with method and path.
func statusOf(log []swrtest.RequestRecord, method, path string) int {
	for _, r := range log {
		if r.Method == method && r.Path == path {
			return r.Status
		}
	}
	return 0
}

// TestNamespaceCreatedMeanwhileIsTakenAsIs: another instance created the
// namespace between the read and the create, which SWR refuses with 409;
// the read that follows finds it this account's, and its grants are given.
func TestNamespaceCreatedMeanwhileIsTakenAsIs(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var once sync.Once
	h.answerWith(func(w http.ResponseWriter, r *http.Request) bool {
		if r.Method == http.MethodPost && r.URL.Path == "/v2/manage/namespaces" {
			once.Do(func() {
				require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "tools"}}}))
			})
		}
		return false
	})
	rep := handle(t, h.newJob(withTools(t, true), false), tick("t"))

	assert.Empty(t, rep.Errors)
	assert.Equal(t, http.StatusConflict, statusOf(h.srv.Requests(), "POST", "/v2/manage/namespaces"))
	assert.NotContains(t, findingCodes(rep), grantsync.CodeNamespaceTaken)
	assert.Equal(t, map[string]int{"frank": 3}, h.grantsOf("tools", ""))
}
