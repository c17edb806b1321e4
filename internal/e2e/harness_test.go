//go:build linux

package e2e_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// The function packages, built as bootstraps once per test binary.
const (
	onpushPkg    = "github.com/swr-autopilot/swr-autopilot/functions/onpush"
	sweepPkg     = "github.com/swr-autopilot/swr-autopilot/functions/retentionsweep"
	grantsyncPkg = "github.com/swr-autopilot/swr-autopilot/functions/grantsync"
)

const (
	// eventsDir holds the sample payloads users invoke with
	// `sam local invoke -e`.
	eventsDir = "../../events"
	// webhookAuth is the Authorization value the HTTP samples carry.
	webhookAuth = "Bearer sample-webhook-token"
)

// newRegistry starts an emulated SWR holding seed.
func newRegistry(t *testing.T, seed swrtest.Seed) *swrtest.Server {
	t.Helper()
	srv := swrtest.NewServer(swrtest.WithSeed(&seed))
	t.Cleanup(srv.Close)
	return srv
}

// functionEnv is the whole environment of a function that governs srv with
// the given policy and directory files: credentials, endpoint and webhook
// authentication, JSON logs, EMF metrics, no rate limit. extra entries
// ("KEY=value") override these.
func functionEnv(srv *swrtest.Server, policyFile, directoryFile string, extra ...string) []string {
	env := []string{
		"HUAWEICLOUD_SDK_AK=" + srv.AK,
		"HUAWEICLOUD_SDK_SK=" + srv.SK,
		"HUAWEICLOUD_SDK_PROJECT_ID=" + srv.ProjectID,
		"HUAWEICLOUD_SDK_REGION=" + srv.Region,
		"SWR_ENDPOINT=" + srv.URL,
		"SWR_RATE_LIMIT=0",
		"SWR_RETRY_BASE_DELAY=10ms",
		"AUTOPILOT_POLICY=" + policyFile,
		"AUTOPILOT_DIRECTORY=" + directoryFile,
		"AUTOPILOT_WEBHOOK_AUTH_HEADER=" + webhookAuth,
		"AUTOPILOT_METRICS=true",
		function.EnvLambdaLogFormat + "=JSON",
	}
	return append(env, extra...)
}

// writeFile writes content to a file called name in a directory of the
// test's own and returns its path.
func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, []byte(content), 0o644))
	return p
}

// sample returns the payload of events/<name>.
func sample(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(eventsDir, name))
	require.NoError(t, err)
	return data
}

// urlRequest decodes a Function URL sample so that a test can alter it.
func urlRequest(t *testing.T, name string) awsevents.LambdaFunctionURLRequest {
	t.Helper()
	var req awsevents.LambdaFunctionURLRequest
	require.NoError(t, json.Unmarshal(sample(t, name), &req))
	require.NotEmpty(t, req.RequestContext.HTTP.Method, "%s is a Function URL request", name)
	return req
}

// invoke sends payload to the function and decodes its successful answer
// into out; a function error fails the test.
func invoke(t *testing.T, emu *lambdatest.Emulator, payload []byte, out any) {
	t.Helper()
	status, body, err := emu.Invoke(t.Context(), payload)
	require.NoError(t, err, "invocation answered %d: %s", status, body)
	require.NoError(t, json.Unmarshal(body, out), "answer %s", body)
}

// invokeURL sends a Function URL request and returns the HTTP response
// the function answers with (HTTP failures are responses, never function
// errors).
func invokeURL(t *testing.T, emu *lambdatest.Emulator, payload []byte) awsevents.LambdaFunctionURLResponse {
	t.Helper()
	var resp awsevents.LambdaFunctionURLResponse
	invoke(t, emu, payload, &resp)
	require.NotZero(t, resp.StatusCode, "a Function URL request gets a Function URL response")
	assert.Equal(t, "application/json", resp.Headers["Content-Type"])
	return resp
}

// summaryOf decodes the report summary an HTTP caller receives.
func summaryOf(t *testing.T, resp awsevents.LambdaFunctionURLResponse) report.Summary {
	t.Helper()
	require.Equal(t, http.StatusOK, resp.StatusCode, "body %s", resp.Body)
	var s report.Summary
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &s), "body %s", resp.Body)
	return s
}

// reportSink collects the changes a function publishes to AUTOPILOT_SINK.
type reportSink struct {
	URL string

	mu      sync.Mutex
	changes []report.Change
}

func newReportSink(t *testing.T) *reportSink {
	t.Helper()
	s := &reportSink{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.mu.Lock()
		defer s.mu.Unlock()
		if r.Header.Get("Ce-Type") == report.EventTypeChange {
			var c report.Change
			if err := json.Unmarshal(body, &c); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			s.changes = append(s.changes, c)
		}
		w.WriteHeader(http.StatusAccepted)
	}))
	t.Cleanup(srv.Close)
	s.URL = srv.URL
	return s
}

// retentionChange returns the one retention change published for ns/repo.
func (s *reportSink) retentionChange(t *testing.T, ns, repo string) report.Change {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	return retentionChange(t, s.changes, ns, repo)
}

// retentionChange returns the one retention change of changes for ns/repo.
func retentionChange(t *testing.T, changes []report.Change, ns, repo string) report.Change {
	t.Helper()
	var found []report.Change
	for _, c := range changes {
		if c.Kind == "retention" && c.Namespace == ns && c.Repository == repo {
			found = append(found, c)
		}
	}
	require.Len(t, found, 1, "retention changes of %s/%s among %d changes", ns, repo, len(changes))
	return found[0]
}

// assertRetention checks that ns/repo now holds exactly the rule want and
// that executing it deleted exactly wantDeleted.
func assertRetention(t *testing.T, before, after swrtest.Snapshot, ns, repo string, want swr.Rule, wantDeleted ...string) {
	t.Helper()
	now, ok := after.Repository(ns, repo)
	require.True(t, ok, "%s/%s still exists", ns, repo)
	require.NotNil(t, now.Retention, "%s/%s has a retention rule", ns, repo)
	require.Len(t, now.Retention.Rules, 1)
	got := now.Retention.Rules[0]
	assert.Equal(t, want.Template, got.Template, "%s/%s template", ns, repo)
	assert.Equal(t, want.Params, got.Params, "%s/%s params", ns, repo)
	assert.ElementsMatch(t, want.TagSelectors, got.TagSelectors, "%s/%s tag selectors", ns, repo)
	assert.ElementsMatch(t, wantDeleted, deletedTags(t, before, after, ns, repo), "tags SWR deleted from %s/%s", ns, repo)
}

// assertSimulated checks that change, the applied retention write of
// ns/repo, simulated exactly what SWR then did: the tags it listed for
// deletion are the ones deleted, the ones it listed to keep remain.
func assertSimulated(t *testing.T, before, after swrtest.Snapshot, ns, repo string, change report.Change) {
	t.Helper()
	assert.Equal(t, report.StatusApplied, change.Status, "%s/%s change: %s", ns, repo, change.Reason)
	require.NotNil(t, change.Impact, "%s/%s change carries its simulation", ns, repo)
	now, _ := after.Repository(ns, repo)
	assert.ElementsMatch(t, deletedTags(t, before, after, ns, repo), change.Impact.Delete, "%s/%s: simulated deletions are the executed ones", ns, repo)
	assert.ElementsMatch(t, now.TagNames(), change.Impact.Keep, "%s/%s: simulated survivors are the remaining tags", ns, repo)
}

// deletedTags lists the tags of ns/repo in before that are gone in after.
func deletedTags(t *testing.T, before, after swrtest.Snapshot, ns, repo string) []string {
	t.Helper()
	was, ok := before.Repository(ns, repo)
	require.True(t, ok, "%s/%s was there before", ns, repo)
	now, ok := after.Repository(ns, repo)
	require.True(t, ok, "%s/%s is still there", ns, repo)
	deleted := []string{}
	for _, tag := range was.TagNames() {
		if !slices.Contains(now.TagNames(), tag) {
			deleted = append(deleted, tag)
		}
	}
	return deleted
}

// grantsOf returns the grants of namespace ns, or of repository ns/repo,
// as user name → auth level.
func grantsOf(t *testing.T, snap swrtest.Snapshot, ns, repo string) map[string]int {
	t.Helper()
	var grants []swr.UserAuth
	if repo == "" {
		n, ok := snap.Namespace(ns)
		require.True(t, ok, "namespace %s", ns)
		grants = n.Grants
	} else {
		r, ok := snap.Repository(ns, repo)
		require.True(t, ok, "repository %s/%s", ns, repo)
		grants = r.Grants
	}
	out := map[string]int{}
	for _, g := range grants {
		out[g.UserName] = g.Auth
	}
	return out
}

// logLines returns the JSON log lines of log for which keep is true.
func logLines(log string, keep func(map[string]any) bool) []map[string]any {
	var out []map[string]any
	for _, raw := range strings.Split(log, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil && keep(m) {
			out = append(out, m)
		}
	}
	return out
}

// metricLines returns the CloudWatch EMF lines a job wrote.
func metricLines(log, job string) []map[string]any {
	return logLines(log, func(m map[string]any) bool { return m["_aws"] != nil && m["Job"] == job })
}

// tags builds seed tags named in order, the first the oldest: each is one
// day younger than the one before, the last one day old.
func tags(names ...string) []swrtest.SeedTag {
	out := make([]swrtest.SeedTag, len(names))
	for i, name := range names {
		out[i] = swrtest.SeedTag{Name: name, Age: strconv.Itoa(len(names)-i) + "d"}
	}
	return out
}
