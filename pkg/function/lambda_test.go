package function_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

type echoResponse struct {
	Payload   json.RawMessage `json:"payload"`
	RequestID string          `json:"requestId"`
}

func TestLambdaHandlerRoundTripsJSON(t *testing.T) {
	var logs bytes.Buffer
	app := function.App{
		Name:   "echo",
		Logger: function.NewLogger(&logs, slog.LevelDebug),
		Lambda: func(ctx context.Context, payload json.RawMessage) (any, error) {
			return echoResponse{Payload: payload, RequestID: function.RequestID(ctx)}, nil
		},
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-1"})

	out, err := function.LambdaHandler(app).Invoke(ctx, []byte(`{"specversion":"1.0","id":"e-1"}`))
	require.NoError(t, err)

	var got echoResponse
	require.NoError(t, json.Unmarshal(out, &got))
	assert.JSONEq(t, `{"specversion":"1.0","id":"e-1"}`, string(got.Payload))
	assert.Equal(t, "req-1", got.RequestID)
	assert.Empty(t, logs.String(), "a successful invocation logs nothing at the runtime level")
}

func TestLambdaHandlerReportsAndLogsErrors(t *testing.T) {
	var logs bytes.Buffer
	app := function.App{
		Name:   "failing",
		Logger: function.NewLogger(&logs, slog.LevelInfo),
		Lambda: func(ctx context.Context, payload json.RawMessage) (any, error) {
			return nil, errors.New("decode event: missing id")
		},
	}
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-2"})
	ctx = function.WithEventID(ctx, "evt-2")

	_, err := function.LambdaHandler(app).Invoke(ctx, []byte(`{}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "decode event: missing id")

	lines := decodeLines(t, logs.Bytes())
	require.Len(t, lines, 1)
	assert.Equal(t, "invocation failed", lines[0]["message"])
	assert.Equal(t, "ERROR", lines[0]["level"])
	assert.Equal(t, "req-2", lines[0]["requestId"])
	assert.Equal(t, "evt-2", lines[0]["eventId"])
	assert.Equal(t, "failing", lines[0]["function"])
	assert.Equal(t, "decode event: missing id", lines[0]["error"])
}

func TestLambdaHandlerWithoutFunctionFails(t *testing.T) {
	app := function.App{Name: "empty", Logger: function.NewLogger(&bytes.Buffer{}, slog.LevelInfo)}
	_, err := function.LambdaHandler(app).Invoke(context.Background(), []byte(`{}`))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no Lambda handler")
}

func TestLambdaHandlerRejectsInvalidJSON(t *testing.T) {
	called := false
	app := function.App{
		Logger: function.NewLogger(&bytes.Buffer{}, slog.LevelInfo),
		Lambda: func(ctx context.Context, payload json.RawMessage) (any, error) {
			called = true
			return nil, nil
		},
	}
	_, err := function.LambdaHandler(app).Invoke(context.Background(), []byte(`{"unterminated":`))
	require.Error(t, err)
	assert.False(t, called, "the handler must not see a payload that is not JSON")
}

func TestRunRefusesAModeWithoutItsHandler(t *testing.T) {
	quiet := function.NewLogger(&bytes.Buffer{}, slog.LevelInfo)
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}

	err := function.Run(context.Background(), function.App{
		Name: "fn", Logger: quiet, Getenv: env(map[string]string{"AWS_LAMBDA_RUNTIME_API": "127.0.0.1:9001"}),
	})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "App.Lambda is nil")

	err = function.Run(context.Background(), function.App{Name: "fn", Logger: quiet, Getenv: env(nil)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "App.HTTP is nil")
}

func TestDetectMode(t *testing.T) {
	assert.Equal(t, function.ModeLambda, function.DetectMode(func(k string) string {
		if k == "AWS_LAMBDA_RUNTIME_API" {
			return "127.0.0.1:9001"
		}
		return ""
	}))
	assert.Equal(t, function.ModeHTTP, function.DetectMode(func(string) string { return "" }))
	assert.Equal(t, "lambda", function.ModeLambda.String())
	assert.Equal(t, "http", function.ModeHTTP.String())
}

// decodeLines parses JSON lines, failing the test on any line that is not a
// JSON object.
func decodeLines(t *testing.T, data []byte) []map[string]any {
	t.Helper()
	var lines []map[string]any
	for _, raw := range bytes.Split(bytes.TrimSpace(data), []byte("\n")) {
		if len(raw) == 0 {
			continue
		}
		var m map[string]any
		require.NoError(t, json.Unmarshal(raw, &m), "log line %q", raw)
		lines = append(lines, m)
	}
	return lines
}

// The error a failed invocation returns (its errorMessage) quotes no
// credential of a URL.
func TestLambdaHandlerRedactsURLsInErrors(t *testing.T) {
	var logs bytes.Buffer
	app := function.App{Name: "failing", Logger: function.NewLogger(&logs, slog.LevelInfo),
		Lambda: func(context.Context, json.RawMessage) (any, error) {
			return nil, errors.New(`hand on: Post "https://q.example/1/sweep?X-Amz-Signature=QTOKEN1": timeout`)
		}}
	_, err := function.LambdaHandler(app).Invoke(context.Background(), []byte(`{}`))
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "QTOKEN1")
	assert.Contains(t, err.Error(), "https://q.example/1/sweep?redacted")
	assert.NotContains(t, logs.String(), "QTOKEN1")
}
