package autopilot_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestRetryableOnlyForFailuresThatPass(t *testing.T) {
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api"}), nil)
	slow := f.srv.NewClient(swr.WithClock(clock), swr.WithRateLimit(0.001, 1))
	_, err := slow.Retentions.List(t.Context(), "team", "api")
	require.NoError(t, err)
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, limiterErr := slow.Retentions.List(ctx, "team", "api") // the next token comes in 1,000 s
	require.Error(t, limiterErr)
	decodeErr := json.Unmarshal([]byte("<html>"), new(any))
	require.Error(t, decodeErr)

	swrErr := func(status int, code string) error {
		return fmt.Errorf("list retentions team/api: %w", &swr.Error{StatusCode: status, Code: code, Method: "GET", Path: "/v2/x"})
	}
	for name, err := range map[string]error{
		"connection reset":   fmt.Errorf("swr: GET /x: %w", &net.OpError{Op: "read", Net: "tcp", Err: syscall.ECONNRESET}),
		"connection refused": fmt.Errorf("swr: GET /x: %w", syscall.ECONNREFUSED),
		"cut short":          fmt.Errorf("swr: GET /x: %w", io.ErrUnexpectedEOF),
		"closed":             fmt.Errorf("swr: GET /x: %w", io.EOF),
		"timeout":            fmt.Errorf("swr: GET /x: %w", &net.DNSError{Err: "timeout", IsTimeout: true}),
		"deadline":           fmt.Errorf("swr: GET /x: %w", context.DeadlineExceeded),
		"canceled":           fmt.Errorf("swr: GET /x: %w", context.Canceled),
		"limiter deadline":   limiterErr,
		"500":                swrErr(http.StatusInternalServerError, swrtest.CodeInternal),
		"503":                swrErr(http.StatusServiceUnavailable, "APIGW.0202"),
		"429":                swrErr(http.StatusTooManyRequests, "APIGW.0308"),
		"403 too many":       swrErr(http.StatusForbidden, swr.CodeTooManyRequests),
		"409 system busy":    swrErr(http.StatusConflict, swr.CodeSystemBusy),
	} {
		res := autopilot.Failed("team", "api", "op", err)
		assert.True(t, res.Retryable(), "%s: %v", name, err)
	}

	_, invalidName := f.client.Retentions.List(t.Context(), "team", "")
	require.Error(t, invalidName)
	for name, err := range map[string]error{
		"invalid name":        invalidName,
		"decode":              fmt.Errorf("swr: GET /x: decode response: %w", decodeErr),
		"404":                 swrErr(http.StatusNotFound, swrtest.CodeRepositoryNotFound),
		"400":                 swrErr(http.StatusBadRequest, "SVCSTG.SWR.4000001"),
		"409 conflict":        swrErr(http.StatusConflict, "SVCSTG.SWR.4090006"),
		"403 denied":          swrErr(http.StatusForbidden, "SVCSTG.SWR.4030001"),
		"an error of its own": errors.New("unknown retention step"),
	} {
		res := autopilot.Failed("team", "api", "op", err)
		assert.False(t, res.Retryable(), "%s: %v", name, err)
	}
	assert.False(t, (&autopilot.RepoResult{}).Retryable(), "no error, nothing to retry")
	mixed := autopilot.Failed("team", "api", "op", swrErr(http.StatusServiceUnavailable, ""))
	mixed.Merge(autopilot.Failed("team", "api", "op", swrErr(http.StatusNotFound, "")))
	assert.False(t, mixed.Retryable(), "one lasting failure makes the result lasting")
}

// TestUndecodableAnswerIsNotRetryable serves SWR answers that are not
// JSON: the engine reports the failure as one that trying again will not
// cure.
func TestUndecodableAnswerIsNotRetryable(t *testing.T) {
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte("<html>maintenance</html>"))
	}))
	t.Cleanup(ts.Close)
	client, err := swr.NewClient(ts.URL, swr.AKSK{AK: "ak", SK: "sk", ProjectID: "project"}, swr.WithHTTPClient(ts.Client()))
	require.NoError(t, err)
	f := &fixture{client: client}

	res := f.engine(t, keepLast3).Retention(t.Context(), "team", "api", false, nil)

	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error, "decode response")
	assert.False(t, res.Retryable())
}
