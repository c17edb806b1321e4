//go:build linux

package lambdatest_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
)

const echoPkg = "github.com/swr-autopilot/swr-autopilot/internal/lambdatest/testdata/echofn"

// echo mirrors the response of testdata/echofn.
type echo struct {
	Payload         json.RawMessage `json:"payload"`
	Function        string          `json:"function"`
	RequestID       string          `json:"requestId"`
	EventID         string          `json:"eventId"`
	RemainingMs     int64           `json:"remainingMs"`
	WorkRemainingMs int64           `json:"workRemainingMs"`
	StoppedWithMs   int64           `json:"stoppedWithMs"`
	Env             string          `json:"env"`
}

func startEcho(t *testing.T, env ...string) *lambdatest.Emulator {
	t.Helper()
	return lambdatest.Start(t, lambdatest.BuildBootstrap(t, echoPkg), env)
}

func TestBuildBootstrapBuildsOnceAStaticLinuxBinary(t *testing.T) {
	first := lambdatest.BuildBootstrap(t, echoPkg)
	info, err := os.Stat(first)
	require.NoError(t, err)
	assert.Equal(t, "bootstrap", info.Name())
	assert.NotZero(t, info.Mode()&0o111, "executable")

	elf, err := os.ReadFile(first)
	require.NoError(t, err)
	assert.True(t, bytes.HasPrefix(elf, []byte("\x7fELF")), "an ELF binary")
	assert.False(t, bytes.Contains(elf, []byte("/lib64/ld-linux")) || bytes.Contains(elf, []byte("/lib/ld-linux")),
		"statically linked (CGO_ENABLED=0): no dynamic loader")

	second := lambdatest.BuildBootstrap(t, echoPkg)
	assert.Equal(t, first, second)
	again, err := os.Stat(second)
	require.NoError(t, err)
	assert.Equal(t, info.ModTime(), again.ModTime(), "the second call reuses the first build")
}

func TestBuildBootstrapReportsBuildFailures(t *testing.T) {
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		lambdatest.BuildBootstrap(ft, "github.com/swr-autopilot/swr-autopilot/internal/lambdatest/testdata/nosuchfn")
	}()
	<-done
	require.True(t, ft.fataled)
	assert.Contains(t, ft.msg, "build bootstrap")
	assert.Contains(t, ft.msg, "nosuchfn")
}

func TestEmulatorRunsTheLambdaLoop(t *testing.T) {
	emu := startEcho(t, "AWS_LAMBDA_FUNCTION_NAME=echo-fn", "ECHOFN_ENV=from-test", "AUTOPILOT_LOG_LEVEL=debug")
	ctx := t.Context()

	status, body, err := emu.Invoke(ctx, []byte(`{"specversion":"1.0","id":"evt-1","type":"io.swrautopilot.sweep.requested"}`))
	require.NoError(t, err)
	assert.Equal(t, http.StatusOK, status)

	var got echo
	require.NoError(t, json.Unmarshal(body, &got))
	assert.JSONEq(t, `{"specversion":"1.0","id":"evt-1","type":"io.swrautopilot.sweep.requested"}`, string(got.Payload))
	assert.Equal(t, "echo-fn", got.Function)
	assert.Equal(t, "from-test", got.Env)
	assert.Equal(t, "evt-1", got.EventID)
	assert.Regexp(t, `^[0-9a-f-]{36}$`, got.RequestID, "the emulator's request id reaches the handler")

	// The invocation deadline is the function timeout; the work deadline
	// keeps the default 500 ms margin.
	timeout := int64(lambdatest.DefaultTimeoutSeconds * 1000)
	assert.LessOrEqual(t, got.RemainingMs, timeout)
	assert.Greater(t, got.RemainingMs, timeout-10_000)
	assert.InDelta(t, got.RemainingMs-500, got.WorkRemainingMs, 50)

	// Lines logged with the invocation context carry both ids.
	// The emulator's own START line names the request id before the
	// function's output arrives: wait for the function's line itself.
	require.Eventually(t, func() bool { return strings.Contains(emu.Log(), `"message":"echo invoked"`) }, 5*time.Second, 10*time.Millisecond)
	line := logLine(t, emu.Log(), "echo invoked")
	assert.Equal(t, got.RequestID, line["requestId"])
	assert.Equal(t, "evt-1", line["eventId"])
	assert.Equal(t, "INFO", line["level"])
}

func TestEmulatorReportsFunctionErrors(t *testing.T) {
	emu := startEcho(t)

	status, body, err := emu.Invoke(t.Context(), []byte(`{"fail":"policy rejected"}`))
	assert.Equal(t, http.StatusOK, status, "the emulator answers handler errors with 200")
	var fe *lambdatest.FunctionError
	require.ErrorAs(t, err, &fe, "body %s", body)
	assert.Equal(t, "policy rejected", fe.Message)
	assert.NotEmpty(t, fe.Type)

	_, _, err = emu.Invoke(t.Context(), []byte(`not json`))
	require.ErrorAs(t, err, &fe)

	// The function keeps serving after an error.
	var got echo
	require.NoError(t, emu.InvokeJSON(t.Context(), map[string]string{"id": "after"}, &got))
	assert.Equal(t, "after", got.EventID)
}

func TestEmulatorReportsTimeoutsAndRecovers(t *testing.T) {
	emu := startEcho(t, "AWS_LAMBDA_FUNCTION_TIMEOUT=1")

	_, body, err := emu.Invoke(t.Context(), []byte(`{"sleepMs":3000}`))
	require.ErrorIs(t, err, lambdatest.ErrTimeout, "body %s", body)
	assert.Contains(t, err.Error(), "Task timed out after 1.00 seconds")

	// A handler that watches its work deadline returns in time instead,
	// with the margin left for reporting.
	var got echo
	require.NoError(t, emu.InvokeJSON(t.Context(), map[string]any{"untilWorkDeadline": true}, &got))
	assert.Greater(t, got.StoppedWithMs, int64(0))
	assert.LessOrEqual(t, got.StoppedWithMs, int64(500))
}

func TestEmulatorReportsPanicsAndRestartsTheRuntime(t *testing.T) {
	emu := startEcho(t)

	status, body, err := emu.Invoke(t.Context(), []byte(`{"panic":true}`))
	assert.Equal(t, http.StatusBadGateway, status)
	var se *lambdatest.StatusError
	require.ErrorAs(t, err, &se)
	assert.Equal(t, http.StatusBadGateway, se.StatusCode)
	assert.Contains(t, string(body), "echofn asked to panic")

	var got echo
	require.NoError(t, emu.InvokeJSON(t.Context(), map[string]string{"id": "after-panic"}, &got))
	assert.Equal(t, "after-panic", got.EventID)
}

func TestEmulatorSerializesConcurrentInvokes(t *testing.T) {
	emu := startEcho(t)
	const n = 8
	errs := make(chan error, n)
	for i := range n {
		go func() {
			var got echo
			err := emu.InvokeJSON(t.Context(), map[string]string{"id": "c-" + strconv.Itoa(i)}, &got)
			if err == nil && got.EventID != "c-"+strconv.Itoa(i) {
				err = fmt.Errorf("invocation %d answered for %q", i, got.EventID)
			}
			errs <- err
		}()
	}
	for range n {
		assert.NoError(t, <-errs)
	}
}

// TestBootstrapServesHTTPWithoutTheRuntimeAPI runs the same bootstrap as a
// plain HTTP receiver and stops it with SIGTERM, as a container platform
// would.
func TestBootstrapServesHTTPWithoutTheRuntimeAPI(t *testing.T) {
	rcv := lambdatest.StartReceiver(t, lambdatest.BuildBootstrap(t, echoPkg), nil)

	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, rcv.URL+"/", strings.NewReader(`{"id":"http-evt"}`))
	require.NoError(t, err)
	req.Header.Set("Ce-Id", "http-evt")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	require.Equal(t, http.StatusOK, resp.StatusCode)
	var got echo
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, "http-evt", got.EventID)
	assert.Equal(t, resp.Header.Get("X-Request-Id"), got.RequestID)
	assert.Positive(t, got.RemainingMs, "requests get a deadline in HTTP mode too")

	require.NoError(t, rcv.Stop(30*time.Second), "a SIGTERM is a clean shutdown")
	assert.Contains(t, rcv.Log(), "echofn stopped")
	assert.NoError(t, rcv.Stop(time.Second), "stopping a stopped receiver reports its exit again")
}

// TestStartReceiverReportsABinaryThatExits checks that a receiver which
// cannot start fails the test with its output instead of hanging.
func TestStartReceiverReportsABinaryThatExits(t *testing.T) {
	exits, err := exec.LookPath("false")
	if err != nil {
		t.Skip("no false command on PATH")
	}
	ft := &fatalRecorder{TB: t}
	done := make(chan struct{})
	go func() {
		defer close(done)
		lambdatest.StartReceiver(ft, exits, nil)
	}()
	<-done
	require.True(t, ft.fataled)
	assert.Contains(t, ft.msg, "exited before it was healthy")
}

// logLine returns the first JSON log line whose message is msg.
func logLine(t *testing.T, log, msg string) map[string]any {
	t.Helper()
	for _, raw := range strings.Split(log, "\n") {
		var m map[string]any
		if json.Unmarshal([]byte(raw), &m) == nil && m["message"] == msg {
			return m
		}
	}
	t.Fatalf("no log line with message %q in:\n%s", msg, log)
	return nil
}

// fatalRecorder captures a Fatalf instead of failing the test, so that a
// helper's failure report can be asserted.
type fatalRecorder struct {
	testing.TB
	fataled bool
	msg     string
}

func (f *fatalRecorder) Fatalf(format string, args ...any) {
	f.fataled = true
	f.msg = fmt.Sprintf(format, args...)
	runtime.Goexit()
}

func (f *fatalRecorder) Helper() {}
