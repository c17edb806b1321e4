package function_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

func invocationContext(requestID, eventID string) context.Context {
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: requestID})
	return function.WithEventID(ctx, eventID)
}

func TestLoggerStampsIDsOnEveryContextLine(t *testing.T) {
	var buf bytes.Buffer
	logger := function.NewLogger(&buf, slog.LevelDebug)
	ctx := invocationContext("req-9", "evt-9")

	logger.DebugContext(ctx, "decoded", "shape", "cloudevent")
	logger.With("job", "sweep").InfoContext(ctx, "planned", "changes", 3)
	logger.WithGroup("repo").WarnContext(ctx, "drift", "name", "team-a/api")
	logger.With("a", 1).WithGroup("g").With("b", 2).ErrorContext(ctx, "failed")
	logger.Info("no context")

	lines := decodeLines(t, buf.Bytes())
	require.Len(t, lines, 5)
	for _, line := range lines[:4] {
		assert.Equal(t, "req-9", line["requestId"], "line %v", line)
		assert.Equal(t, "evt-9", line["eventId"], "line %v", line)
		assert.Contains(t, line, "timestamp")
		assert.Contains(t, line, "message")
		assert.Contains(t, line, "level")
		assert.NotContains(t, line, "msg")
		assert.NotContains(t, line, "time")
	}
	assert.NotContains(t, lines[4], "requestId")
	assert.NotContains(t, lines[4], "eventId")

	assert.Equal(t, "DEBUG", lines[0]["level"])
	assert.Equal(t, "cloudevent", lines[0]["shape"])
	assert.Equal(t, "sweep", lines[1]["job"])
	assert.Equal(t, map[string]any{"name": "team-a/api"}, lines[2]["repo"], "ids stay out of the group")
	assert.Equal(t, float64(1), lines[3]["a"])
	assert.Equal(t, map[string]any{"b": float64(2)}, lines[3]["g"])
}

func TestLoggerUsesRequestIDOutsideLambda(t *testing.T) {
	var buf bytes.Buffer
	logger := function.NewLogger(&buf, slog.LevelInfo)
	logger.InfoContext(function.WithRequestID(context.Background(), "http-1"), "served")

	lines := decodeLines(t, buf.Bytes())
	require.Len(t, lines, 1)
	assert.Equal(t, "http-1", lines[0]["requestId"])
	assert.NotContains(t, lines[0], "eventId")
}

func TestRequestIDPrefersTheLambdaContext(t *testing.T) {
	ctx := function.WithRequestID(invocationContext("lambda-req", ""), "own-req")
	assert.Equal(t, "lambda-req", function.RequestID(ctx))
	assert.Equal(t, "own-req", function.RequestID(function.WithRequestID(context.Background(), "own-req")))
	assert.Empty(t, function.RequestID(context.Background()))
	assert.Empty(t, function.EventID(context.Background()))
}

func TestLoggerRedactsSecrets(t *testing.T) {
	var buf bytes.Buffer
	logger := function.NewLogger(&buf, slog.LevelInfo)
	header := http.Header{}
	header.Set("Authorization", "Bearer hook-secret-1")
	header.Set("Content-Type", "application/json")
	logger.Info("config",
		"HUAWEICLOUD_SDK_AK", "AKVALUE123",
		"HUAWEICLOUD_SDK_SK", "SKVALUE456",
		"sk", "SKVALUE789",
		"password", "p4ss",
		"securityToken", "tok-1",
		"webhookSecret", "whs-1",
		"x-api-key", "key-1",
		"headers", header,
		"env", map[string]string{"AUTOPILOT_WEBHOOK_HMAC_SECRET": "hmac-1", "SWR_ENDPOINT": "https://swr.example"},
		slog.Group("creds", "token", "tok-2", "region", "ap-southeast-1"),
		"task", "sweep",
	)

	out := buf.String()
	for _, secret := range []string{"AKVALUE123", "SKVALUE456", "SKVALUE789", "p4ss", "tok-1", "whs-1", "key-1", "hook-secret-1", "hmac-1", "tok-2"} {
		assert.NotContains(t, out, secret)
	}
	lines := decodeLines(t, buf.Bytes())
	require.Len(t, lines, 1)
	line := lines[0]
	assert.Equal(t, redact.Masked, line["sk"])
	assert.Equal(t, redact.Masked, line["HUAWEICLOUD_SDK_SK"])
	assert.Equal(t, "sweep", line["task"], "words that merely contain sk/ak are kept")
	assert.Equal(t, "https://swr.example", line["env"].(map[string]any)["SWR_ENDPOINT"])
	assert.Equal(t, []any{"application/json"}, line["headers"].(map[string]any)["Content-Type"])
	assert.Equal(t, "ap-southeast-1", line["creds"].(map[string]any)["region"])
}

func TestIsSensitiveKey(t *testing.T) {
	for _, key := range []string{
		"sk", "SK", "ak", "HUAWEICLOUD_SDK_SK", "HUAWEICLOUD_SDK_SECURITY_TOKEN", "password", "dbPassword",
		"Authorization", "Proxy-Authorization", "token", "accessToken", "AUTOPILOT_WEBHOOK_HMAC_SECRET",
		"client_secret", "Cookie", "X-Api-Key", "apiKey", "credentials", "X-Signature", "hmac", "AUTOPILOT_WEBHOOK_AUTH_HEADER", "authHeader",
	} {
		assert.True(t, redact.IsSensitiveKey(key), key)
	}
	for _, key := range []string{"task", "skip", "namespace", "repository", "requestId", "eventId", "region", "ask", "authority", "keys"} {
		assert.False(t, redact.IsSensitiveKey(key), key)
	}
}

func TestLoggerFromEnv(t *testing.T) {
	env := func(vars map[string]string) func(string) string {
		return func(k string) string { return vars[k] }
	}

	t.Run("JSON at INFO by default", func(t *testing.T) {
		var buf bytes.Buffer
		logger := function.LoggerFromEnv(&buf, env(nil))
		logger.Debug("hidden")
		logger.Info("shown")
		lines := decodeLines(t, buf.Bytes())
		require.Len(t, lines, 1)
		assert.Equal(t, "shown", lines[0]["message"])
	})

	t.Run("AUTOPILOT_LOG_LEVEL", func(t *testing.T) {
		var buf bytes.Buffer
		function.LoggerFromEnv(&buf, env(map[string]string{"AUTOPILOT_LOG_LEVEL": "debug"})).Debug("shown")
		assert.Len(t, decodeLines(t, buf.Bytes()), 1)
	})

	t.Run("AWS_LAMBDA_LOG_LEVEL wins", func(t *testing.T) {
		var buf bytes.Buffer
		logger := function.LoggerFromEnv(&buf, env(map[string]string{"AWS_LAMBDA_LOG_LEVEL": "WARN", "AUTOPILOT_LOG_LEVEL": "DEBUG"}))
		logger.Info("hidden")
		logger.Warn("shown")
		lines := decodeLines(t, buf.Bytes())
		require.Len(t, lines, 1)
		assert.Equal(t, "shown", lines[0]["message"])
	})

	t.Run("Text format", func(t *testing.T) {
		var buf bytes.Buffer
		function.LoggerFromEnv(&buf, env(map[string]string{"AWS_LAMBDA_LOG_FORMAT": "Text"})).
			InfoContext(invocationContext("req-t", "evt-t"), "hello", "password", "p4ss")
		out := buf.String()
		assert.False(t, strings.HasPrefix(out, "{"), out)
		assert.Contains(t, out, "message=hello")
		assert.Contains(t, out, "requestId=req-t")
		assert.Contains(t, out, "eventId=evt-t")
		assert.NotContains(t, out, "p4ss")
	})

	t.Run("unknown level warns and falls back to INFO", func(t *testing.T) {
		var buf bytes.Buffer
		logger := function.LoggerFromEnv(&buf, env(map[string]string{"AUTOPILOT_LOG_LEVEL": "loud"}))
		logger.Debug("hidden")
		lines := decodeLines(t, buf.Bytes())
		require.Len(t, lines, 1)
		assert.Equal(t, "WARN", lines[0]["level"])
		assert.Equal(t, "AUTOPILOT_LOG_LEVEL", lines[0]["variable"])
		assert.Contains(t, lines[0]["error"], `unknown log level "loud"`)
	})
}

func TestParseLevel(t *testing.T) {
	cases := map[string]slog.Level{
		"": slog.LevelInfo, "info": slog.LevelInfo, "DEBUG": slog.LevelDebug, "Warn": slog.LevelWarn,
		"WARNING": slog.LevelWarn, "error": slog.LevelError, "TRACE": slog.LevelDebug - 4, "FATAL": slog.LevelError + 4,
	}
	for in, want := range cases {
		got, err := function.ParseLevel(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	_, err := function.ParseLevel("verbose")
	assert.ErrorContains(t, err, `unknown log level "verbose"`)
}

// A URL quoted in a logged error or string loses its user information and
// query, whatever the attribute is called, in a group or not.
func TestLoggerRedactsURLsInValues(t *testing.T) {
	var buf bytes.Buffer
	log := function.NewLogger(&buf, slog.LevelInfo)
	_, err := http.Get("http://sink:PASSWORD7@127.0.0.1:1/e?sig=TOKEN7")
	require.Error(t, err)
	log.Warn("report not published", "error", err, "target", "https://h/p?X-Amz-Signature=TOKEN8",
		slog.Group("g", "detail", "fetch https://u:PASSWORD9@dir.example/d.yaml: 403"))
	out := buf.String()
	for _, secret := range []string{"PASSWORD7", "TOKEN7", "TOKEN8", "PASSWORD9"} {
		assert.NotContains(t, out, secret)
	}
	assert.Contains(t, out, "127.0.0.1:1/e?redacted")
	assert.Contains(t, out, "dir.example/d.yaml")
}
