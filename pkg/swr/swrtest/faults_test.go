package swrtest_test

import (
	"context"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// statuses sends n signed GETs one after the other and returns the codes.
func statuses(t *testing.T, srv *swrtest.Server, n int) []int {
	t.Helper()
	c := newClient(t, srv)
	out := make([]int, n)
	for i := range out {
		out[i] = c.get(nsPath).Status
	}
	return out
}

func TestFaultsAreDeterministic(t *testing.T) {
	f := swrtest.Faults{Rate500: 0.3, Rate503: 0.2, Seed: 42}
	first := statuses(t, newServer(t, swrtest.WithFaults(f)), 60)
	second := statuses(t, newServer(t, swrtest.WithFaults(f)), 60)
	assert.Equal(t, first, second, "the same seed gives the same faults")
	assert.Contains(t, first, http.StatusOK)
	assert.Contains(t, first, http.StatusInternalServerError)
	assert.Contains(t, first, http.StatusServiceUnavailable)

	f.Seed = 43
	assert.NotEqual(t, first, statuses(t, newServer(t, swrtest.WithFaults(f)), 60), "another seed gives other faults")

	srv := newServer(t, swrtest.WithFaults(swrtest.Faults{Rate500: 1}))
	c := newClient(t, srv)
	requireSWRError(t, c.get(nsPath), http.StatusInternalServerError, swrtest.CodeInternal)
	srv.Set(swrtest.WithFaults(swrtest.Faults{Rate503: 1}))
	requireGatewayError(t, c.get(nsPath), http.StatusServiceUnavailable, swrtest.GatewayUnavailable)
	srv.Set(swrtest.WithFaults(swrtest.Faults{}))
	requireStatus(t, c.get(nsPath), http.StatusOK)
	assert.Equal(t, 0, srv.Writes())
}

// signedRequest builds a signed request without sending it.
func (c *rawClient) signedRequest(method, path string, body any) *http.Request {
	c.t.Helper()
	req, data := c.request(method, path, nil, body)
	swr.Sign(req, data, c.ak, c.sk, c.srv.Now())
	return req
}

func TestFaultReset(t *testing.T) {
	srv := newServer(t, swrtest.WithFaults(swrtest.Faults{RateReset: 1}))
	c := newClient(t, srv)
	resp, err := srv.Client().Do(c.signedRequest(http.MethodPost, nsPath, map[string]string{"namespace": "team-a"}))
	if resp != nil {
		resp.Body.Close()
	}
	require.Error(t, err, "the connection is dropped without an answer")
	assert.Empty(t, srv.State().Namespaces)
	recs := srv.Requests()
	require.Len(t, recs, 1)
	assert.Equal(t, 0, recs[0].Status)
}

func TestSlowFaultAndLatencyHonourDeadlines(t *testing.T) {
	for name, opt := range map[string]swrtest.Option{
		"slow":    swrtest.WithFaults(swrtest.Faults{RateSlow: 1, Slow: time.Hour}),
		"latency": swrtest.WithLatency(time.Hour),
	} {
		t.Run(name, func(t *testing.T) {
			srv := newServer(t, opt)
			c := newClient(t, srv)
			ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
			defer cancel()
			resp, err := srv.Client().Do(c.signedRequest(http.MethodGet, nsPath, nil).WithContext(ctx))
			if resp != nil {
				resp.Body.Close()
			}
			require.ErrorIs(t, err, context.DeadlineExceeded)
		})
	}
}

func TestRateLimit(t *testing.T) {
	clock := testNow()
	srv := newServer(t, swrtest.WithRateLimit(1, 3))
	srv.Set(swrtest.WithClock(func() time.Time { return clock }))
	c := newClient(t, srv)
	for range 3 {
		requireStatus(t, c.get(nsPath), http.StatusOK)
	}
	r := c.get(nsPath)
	requireGatewayError(t, r, http.StatusTooManyRequests, swrtest.GatewayThrottled)
	assert.Equal(t, "1", r.Header.Get("Retry-After"))

	clock = clock.Add(time.Second)
	requireStatus(t, c.get(nsPath), http.StatusOK)
	requireStatus(t, c.get(nsPath), http.StatusTooManyRequests)

	slow := newServer(t, swrtest.WithRateLimit(0.25, 1))
	sc := newClient(t, slow)
	requireStatus(t, sc.get(nsPath), http.StatusOK)
	r = sc.get(nsPath)
	requireStatus(t, r, http.StatusTooManyRequests)
	assert.Equal(t, "4", r.Header.Get("Retry-After"))
}

func TestRequestLog(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	c.mustCreateRepo("team-a", "lib/web")
	requireStatus(t, c.do(http.MethodPost, repoPath("team-a", "lib/web")+"/retentions", nil, tagRule("5")), http.StatusCreated)
	requireStatus(t, c.do(http.MethodPost, repoPath("team-a", "lib/web")+"/retentions", nil, tagRule("5")), http.StatusBadRequest)
	requireStatus(t, c.get(repoPath("team-a", "lib/web")), http.StatusOK)

	assert.Equal(t, map[string]int{
		"POST /v2/manage/namespaces":                              1,
		"POST /v2/manage/namespaces/{ns}/repos":                   1,
		"POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions": 2,
		"GET /v2/manage/namespaces/{ns}/repos/{repo}":             1,
	}, srv.Counts())
	assert.Equal(t, 3, srv.Writes(), "successful non-GET requests")
	recs := srv.Requests()
	require.Len(t, recs, 5)
	assert.Equal(t, "/v2/manage/namespaces/team-a/repos/lib$web/retentions", recs[2].Path)
	assert.Equal(t, http.StatusCreated, recs[2].Status)
	assert.Equal(t, testNow(), recs[2].Time)
	assert.NotEmpty(t, recs[2].RequestID)

	srv.ResetLog()
	assert.Empty(t, srv.Requests())
	assert.Empty(t, srv.Counts())
	assert.Equal(t, 0, srv.Writes())
}

// TestSetTakesTheControlOptions: a running server's controls change with
// the options NewServer takes; an option only NewServer takes is refused.
func TestSetTakesTheControlOptions(t *testing.T) {
	srv := swrtest.NewServer()
	defer srv.Close()
	srv.Set(swrtest.WithFaults(swrtest.Faults{Rate503: 1, Seed: 7}))
	assert.Equal(t, swrtest.Faults{Rate503: 1, Seed: 7}, srv.Faults())
	fixed := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	srv.Set(swrtest.WithClock(func() time.Time { return fixed }), swrtest.WithFaults(swrtest.Faults{}))
	assert.Equal(t, fixed, srv.Now())
	assert.Equal(t, swrtest.Faults{}, srv.Faults())
	assert.Panics(t, func() { srv.Set(swrtest.WithCredentials("AK", "SK")) })
	assert.Panics(t, func() { srv.Set(swrtest.WithLatency(0), swrtest.WithNamespaceQuota(9)) })
}
