package onpush_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestLastingFailureIsNotRedelivered has SWR answer every call with a body
// that is not JSON: the event fails the same way however often it comes,
// so Handle reports the failure and does not ask for redelivery.
func TestLastingFailureIsNotRedelivered(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("<html>maintenance</html>"))
	}))
	t.Cleanup(ts.Close)
	client, err := swr.NewClient(ts.URL, swr.AKSK{AK: "ak", SK: "sk", ProjectID: "project"}, swr.WithHTTPClient(ts.Client()))
	require.NoError(t, err)
	p, err := policy.Parse([]byte(jobPolicy), "policy.yaml")
	require.NoError(t, err)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	job := function.NewRunner(onpush.New(autopilot.NewEngine(client, p, autopilot.Options{Logger: logger}), onpush.Config{}),
		function.RunnerOptions{Client: client, Logger: logger})

	rep, err := job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})

	require.NoError(t, err, "redelivery cannot cure an answer that does not decode")
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Error, "decode response")
	assert.Equal(t, 1, rep.Counts.Errors)
}

// TestNameOnlyHarborAllowsIsReported decodes a Harbor push CloudEvent
// whose project name starts with a digit, which Harbor allows and SWR does not:
// the job reports the SWR rule the name breaks, sends nothing to SWR and
// does not ask for redelivery.
func TestNameOnlyHarborAllowsIsReported(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api"}))
	job := e.job(t, jobPolicy, onpush.Config{})
	dec, err := events.NewDecoder(events.Config{})
	require.NoError(t, err)
	b, err := dec.DecodeLambda(t.Context(), []byte(`{"specversion":"1.0","id":"h1","source":"/projects/3/webhook/policies/7",
		"type":"harbor.artifact.pushed","time":"2026-03-01T12:00:00Z","datacontenttype":"application/json",
		"data":{"resources":[{"tag":"v1"}],"repository":{"name":"api","namespace":"0day","repo_full_name":"0day/api"}}}`))
	require.NoError(t, err, "the events package accepts the name")
	require.Len(t, b.Events, 1)
	e.srv.ResetLog()

	rep, err := job.Handle(t.Context(), b.Events)

	require.NoError(t, err, "redelivery cannot make the name valid")
	require.Len(t, rep.Errors, 1)
	assert.Equal(t, report.RepoError{Namespace: "0day", Repository: "api", Op: "check names",
		Error: `namespace "0day" is not an SWR namespace name: it must start with a lowercase letter`}, rep.Errors[0])
	assert.Empty(t, e.srv.Requests(), "nothing was sent to SWR")

	rep, err = job.Handle(t.Context(), []events.Event{pushed("p2", "team", strings.Repeat("a", swr.MaxRepositoryNameLen+1))})
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Error, "is not an SWR repository name: it is 129 characters long, at most 128 are allowed")
}
