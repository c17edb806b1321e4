package onpush_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
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
	job := onpush.New(autopilot.NewEngine(client, p, autopilot.Options{Logger: logger}), client, onpush.Config{Logger: logger})

	rep, err := job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})

	require.NoError(t, err, "redelivery cannot cure an answer that does not decode")
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Error, "decode response")
	assert.Equal(t, 1, rep.Counts.Errors)
}
