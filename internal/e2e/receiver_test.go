//go:build linux

package e2e_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// TestOnPushReceiverActsOnCurlRequests runs the onpush bootstrap as a plain
// HTTP receiver (no AWS_LAMBDA_RUNTIME_API), sends it a structured
// CloudEvent and a Harbor Default webhook with curl, as a user trying it on
// a laptop would, and stops it with SIGTERM, as a container platform would.
func TestOnPushReceiverActsOnCurlRequests(t *testing.T) {
	srv := newRegistry(t, onpushSeed())
	policy := writeFile(t, "policy.yaml", onpushPolicy)
	rcv := lambdatest.StartReceiver(t, lambdatest.BuildBootstrap(t, onpushPkg), functionEnv(srv, policy, ""))

	// The request bodies are those the Function URL samples carry.
	structured := urlRequest(t, "functionurl-structured.json")
	require.True(t, structured.IsBase64Encoded)
	cloudEvent, err := base64.StdEncoding.DecodeString(structured.Body)
	require.NoError(t, err)
	harbor := urlRequest(t, "harbor-push-default.json").Body

	t.Run("structured CloudEvent", func(t *testing.T) {
		before := srv.State()
		status, body := curl(t, rcv.URL, "application/cloudevents+json", webhookAuth, string(cloudEvent))
		require.Equal(t, http.StatusOK, status, "body %s", body)
		var sum report.Summary
		require.NoError(t, json.Unmarshal([]byte(body), &sum), "body %s", body)
		assert.Equal(t, []string{structuredEventID}, sum.EventIDs)
		assert.Equal(t, 2, sum.Counts.Changed, "a retention rule and a default grant")

		after := srv.State()
		assertRetention(t, before, after, "acme", "team/api", acmeRule, "0.1.0", "0.1.1")
		assert.Equal(t, map[string]int{"auditor": 1}, grantsOf(t, after, "acme", "team/api"))
	})

	t.Run("Harbor Default webhook", func(t *testing.T) {
		before := srv.State()
		status, body := curl(t, rcv.URL, "application/json", webhookAuth, harbor)
		require.Equal(t, http.StatusOK, status, "body %s", body)
		var sum report.Summary
		require.NoError(t, json.Unmarshal([]byte(body), &sum), "body %s", body)
		assert.Len(t, sum.EventIDs, 2)
		assert.Equal(t, 1, sum.Counts.Changed)

		assertRetention(t, before, srv.State(), "library", "checkout", libraryRule, "build-101", "build-102")
	})

	t.Run("wrong authorization", func(t *testing.T) {
		srv.ResetLog()
		status, body := curl(t, rcv.URL, "application/json", "Bearer not-the-token", harbor)
		assert.Equal(t, http.StatusUnauthorized, status, "body %s", body)
		assert.Empty(t, srv.Requests(), "nothing reaches SWR")
	})

	require.NoError(t, rcv.Stop(30*time.Second), "SIGTERM is a clean shutdown")
	assert.Contains(t, rcv.Log(), "shutting down HTTP receiver")
}

// curl posts body to url with the curl command and returns the status code
// and response body. It skips the test when curl is not installed.
func curl(t *testing.T, url, contentType, authorization, body string) (int, string) {
	t.Helper()
	bin, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl is not on PATH: install curl to run the receiver acceptance test")
	}
	const statusMark = "\nstatus="
	cmd := exec.CommandContext(t.Context(), bin,
		"--silent", "--show-error", "--max-time", "30",
		"-X", "POST",
		"-H", "Content-Type: "+contentType,
		"-H", "Authorization: "+authorization,
		"--data-binary", "@-",
		"--write-out", statusMark+"%{http_code}",
		url+"/")
	cmd.Stdin = strings.NewReader(body)
	out, err := cmd.Output()
	var stderr string
	if ee, ok := err.(*exec.ExitError); ok {
		stderr = string(ee.Stderr)
	}
	require.NoError(t, err, "curl: %s", stderr)
	i := strings.LastIndex(string(out), statusMark)
	require.GreaterOrEqual(t, i, 0, "curl output %q", out)
	resp, code := string(out[:i]), string(out[i+len(statusMark):])
	status, err := strconv.Atoi(strings.TrimSpace(code))
	require.NoError(t, err, "curl status %q", code)
	return status, resp
}
