package swr

import (
	"context"
	"errors"
	"net"
	"net/http"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const throttledBody = `{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}`

func TestRetryOn429HonoursRetryAfter(t *testing.T) {
	cases := []struct {
		name       string
		retryAfter string
		wantDelay  time.Duration
	}{
		{"seconds", "7", 7 * time.Second},
		{"HTTP date", testNow.Add(3 * time.Second).Format(http.TimeFormat), 3 * time.Second},
		{"date in the past", testNow.Add(-time.Minute).Format(http.TimeFormat), 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					reply(w, 429, throttledBody, "Retry-After", tc.retryAfter)
					return
				}
				reply(w, 201, "")
			})
			c, sleeps := testClient(t, srv.URL, WithRetry(4, time.Millisecond, time.Minute))
			require.NoError(t, c.Namespaces.Create(t.Context(), "team"), "POST is retried after 429")

			reqs := srv.requests()
			require.Len(t, reqs, 2)
			assert.Equal(t, reqs[0].Body, reqs[1].Body, "the body is re-sent")
			assert.Equal(t, `{"namespace":"team"}`+"\n", string(reqs[1].Body))
			assert.NoError(t, reqs[1].SigErr)
			got := sleeps.all()
			require.Len(t, got, 1)
			assert.LessOrEqual(t, got[0], tc.wantDelay, "never more than asked")
			assert.GreaterOrEqual(t, got[0], tc.wantDelay/2, "at least the upper half of what was asked")
			st := c.Stats()
			assert.Equal(t, int64(2), st.Requests)
			assert.Equal(t, int64(1), st.Retries)
			assert.Equal(t, int64(1), st.Throttled)
			assert.Equal(t, map[string]int64{"POST": 2}, st.ByMethod)
		})
	}
}

func TestRetryOn503ResignsWithFreshDate(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n < 3 {
			reply(w, 503, `[{"errorCode":"SVCSTG.SWR.5030000","errorMessage":"busy"}]`)
			return
		}
		reply(w, 201, `{"id":12}`)
	})
	var ticks atomic.Int64
	clock := func() time.Time { return testNow.Add(time.Duration(ticks.Add(1)) * time.Minute) }
	c, sleeps := testClient(t, srv.URL, WithClock(clock), WithRetry(5, 10*time.Millisecond, 15*time.Millisecond))
	id, err := c.Retentions.Create(t.Context(), "team", "team/web",
		RetentionRequest{Rules: []Rule{{Template: TemplateDateRule, Params: map[string]string{"days": "30"}}}})
	require.NoError(t, err)
	assert.Equal(t, 12, id)

	reqs := srv.requests()
	require.Len(t, reqs, 3)
	dates := map[string]bool{}
	for i, r := range reqs {
		assert.NoError(t, r.SigErr, "attempt %d must be signed", i+1)
		assert.Equal(t, reqs[0].Body, r.Body, "attempt %d re-sends the body", i+1)
		dates[r.Header.Get(HeaderSdkDate)] = true
	}
	assert.Len(t, dates, 3, "every attempt is signed with a fresh date")
	delays := sleeps.all()
	require.Len(t, delays, 2)
	assert.LessOrEqual(t, delays[0], 10*time.Millisecond, "first retry waits at most base")
	assert.LessOrEqual(t, delays[1], 15*time.Millisecond, "second retry waits at most min(max, 2·base)")
}

func TestPostIsNotRetriedAfter500(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		reply(w, 500, `{"errorCode":"SVCSTG.SWR.5000001","errorMessage":"internal"}`)
	})
	c, sleeps := testClient(t, srv.URL)
	err := c.Repositories.Create(t.Context(), "team", CreateRepositoryRequest{Repository: "web"})
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 500, e.StatusCode)
	assert.Len(t, srv.requests(), 1, "a POST the server may have executed is not repeated")
	assert.Empty(t, sleeps.all())
}

func TestIdempotentMethodsAreRetriedAfter5xx(t *testing.T) {
	cases := []struct {
		name   string
		status int
		call   func(context.Context, *Client) error
	}{
		{"GET 500", 500, func(ctx context.Context, c *Client) error { _, err := c.Namespaces.List(ctx); return err }},
		{"PATCH 502", 502, func(ctx context.Context, c *Client) error {
			return c.Triggers.Update(ctx, "team", "web", "t1", true)
		}},
		{"DELETE 504", 504, func(ctx context.Context, c *Client) error { return c.Namespaces.Delete(ctx, "team") }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					reply(w, tc.status, "upstream failure")
					return
				}
				reply(w, 200, `{"namespaces":[]}`)
			})
			c, sleeps := testClient(t, srv.URL)
			require.NoError(t, tc.call(t.Context(), c))
			assert.Len(t, srv.requests(), 2)
			assert.Len(t, sleeps.all(), 1)
		})
	}
}

func TestPostIsRetriedOnThrottling403AndSystemBusy(t *testing.T) {
	for _, code := range []string{CodeTooManyRequests, CodeTooManyRequestsOther, CodeSystemBusy} {
		t.Run(code, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
				if n == 1 {
					reply(w, map[bool]int{true: 409, false: 403}[code == CodeSystemBusy],
						`{"errorCode":"`+code+`","errorMessage":"slow down"}`)
					return
				}
				reply(w, 201, "")
			})
			c, _ := testClient(t, srv.URL)
			require.NoError(t, c.Namespaces.Create(t.Context(), "team"))
			assert.Len(t, srv.requests(), 2)
		})
	}
}

func TestRetriesStopAtMaxAttempts(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 503, "") })
	c, sleeps := testClient(t, srv.URL, WithRetry(3, time.Millisecond, time.Millisecond))
	_, err := c.Namespaces.List(t.Context())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 503, e.StatusCode)
	assert.Len(t, srv.requests(), 3)
	assert.Len(t, sleeps.all(), 2)
	assert.Equal(t, int64(2), c.Stats().Retries)
}

func TestNoRetryPastTheDeadline(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			reply(w, 503, `{"error_code":"APIGW.0503","error_msg":"unavailable"}`, "Retry-After", "30")
			return
		}
		reply(w, 200, `{"namespaces":[]}`)
	})
	c, sleeps := testClient(t, srv.URL, WithRetry(4, time.Millisecond, time.Minute))
	ctx, cancel := context.WithTimeout(t.Context(), 5*time.Second)
	defer cancel()
	_, err := c.Namespaces.List(ctx)
	var e *Error
	require.ErrorAs(t, err, &e, "the 503 is returned at once")
	assert.Equal(t, 503, e.StatusCode)
	assert.Len(t, srv.requests(), 1)
	assert.Empty(t, sleeps.all(), "no wait is started that would end after the deadline")
}

func TestRetryWithinTheDeadline(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			reply(w, 503, "", "Retry-After", "2")
			return
		}
		reply(w, 200, `{"namespaces":[]}`)
	})
	c, sleeps := testClient(t, srv.URL, WithRetry(4, time.Millisecond, time.Minute))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := c.Namespaces.List(ctx)
	require.NoError(t, err)
	got := sleeps.all()
	require.Len(t, got, 1)
	assert.True(t, got[0] >= time.Second && got[0] <= 2*time.Second, "waited %v for Retry-After: 2", got[0])
}

// A Retry-After of an hour waits at most SWR_RETRY_MAX_DELAY, and clients
// throttled together do not come back together.
func TestRetryAfterIsCappedAndJittered(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n%2 == 1 {
			reply(w, 429, throttledBody, "Retry-After", "3600")
			return
		}
		reply(w, 200, `{"namespaces":[]}`)
	})
	c, sleeps := testClient(t, srv.URL, WithRetry(4, time.Millisecond, 10*time.Second))
	for range 50 {
		_, err := c.Namespaces.List(t.Context())
		require.NoError(t, err)
	}
	got := sleeps.all()
	require.Len(t, got, 50)
	distinct := map[time.Duration]bool{}
	for _, d := range got {
		require.LessOrEqual(t, d, 10*time.Second, "capped by the maximum delay")
		require.GreaterOrEqual(t, d, 5*time.Second)
		distinct[d] = true
	}
	assert.Greater(t, len(distinct), 40, "retries after a 429 are jittered")

	p := retryPolicy{maxDelay: 10 * time.Second}
	assert.Equal(t, time.Duration(0), p.throttled(0), "Retry-After: 0 retries at once")
	assert.LessOrEqual(t, p.throttled(2*time.Second), 2*time.Second)
}

// A capped Retry-After is still not started when it would end after the
// deadline.
func TestCappedRetryAfterPastTheDeadlineIsNotStarted(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		reply(w, 429, throttledBody, "Retry-After", "3600")
	})
	c, sleeps := testClient(t, srv.URL, WithRetry(4, time.Millisecond, time.Hour))
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	_, err := c.Namespaces.List(ctx)
	require.Error(t, err)
	assert.Len(t, srv.requests(), 1)
	assert.Empty(t, sleeps.all())
}

// resetConnection aborts the request's connection with a TCP RST.
func resetConnection(t testing.TB, w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	require.NoError(t, err)
	require.NoError(t, conn.(*net.TCPConn).SetLinger(0))
	conn.Close()
}

func TestConnectionResetIsRetriedForGet(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			resetConnection(t, w)
			return
		}
		reply(w, 200, `[{"id":1,"algorithm":"or","scope":"","rules":[]}]`)
	})
	c, sleeps := testClient(t, srv.URL)
	rules, err := c.Retentions.List(t.Context(), "team", "web")
	require.NoError(t, err)
	assert.Len(t, rules, 1)
	assert.Len(t, srv.requests(), 2)
	assert.Len(t, sleeps.all(), 1)
	assert.Equal(t, int64(1), c.Stats().Retries)
}

func TestConnectionResetIsNotRetriedForPost(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { resetConnection(t, w) })
	c, sleeps := testClient(t, srv.URL)
	err := c.Namespaces.Create(t.Context(), "team")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "create namespace team: swr: POST /v2/manage/namespaces")
	assert.Len(t, srv.requests(), 1, "the server may have acted on the POST")
	assert.Empty(t, sleeps.all())
}

// closedAddr returns a loopback address nothing listens on.
func closedAddr(t testing.TB) string {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	require.NoError(t, l.Close())
	return addr
}

func TestPostIsRetriedWhenTheConnectionIsRefused(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 201, "") })
	refused := closedAddr(t)
	var dials atomic.Int64
	var d net.Dialer
	hc := &http.Client{Transport: &http.Transport{
		DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
			if dials.Add(1) == 1 {
				return d.DialContext(ctx, network, refused) // a real ECONNREFUSED
			}
			return d.DialContext(ctx, network, addr)
		},
	}}
	c, sleeps := testClient(t, srv.URL, WithHTTPClient(hc))
	require.NoError(t, c.Namespaces.Create(t.Context(), "team"))
	assert.Len(t, srv.requests(), 1)
	assert.Len(t, sleeps.all(), 1)
	st := c.Stats()
	assert.Equal(t, int64(2), st.Requests)
	assert.Equal(t, int64(1), st.Retries)
}

func TestTransportErrorNamesTheRequest(t *testing.T) {
	c, _ := testClient(t, "http://"+closedAddr(t), WithRetry(2, 0, 0))
	_, err := c.Repositories.Get(t.Context(), "team", "team/web")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "get repository team/team/web: swr: GET /v2/manage/namespaces/team/repos/team$web: dial tcp")
	var op *net.OpError
	assert.ErrorAs(t, err, &op)
	assert.Equal(t, int64(2), c.Stats().Requests, "a GET is retried on a dial error")
}

func TestCanceledContextStopsAtOnce(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, "") })
	c, _ := testClient(t, srv.URL)
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	_, err := c.Namespaces.List(ctx)
	require.ErrorIs(t, err, context.Canceled)
	assert.Empty(t, srv.requests())
}

func TestAnyTwoXXIsSuccess(t *testing.T) {
	for _, status := range []int{200, 201, 202, 204} {
		srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, status, "") })
		c, _ := testClient(t, srv.URL)
		assert.NoError(t, c.Namespaces.Delete(t.Context(), "team"), "status %d", status)
	}
}

func TestBackoffIsFullJitterWithinBounds(t *testing.T) {
	p := retryPolicy{maxAttempts: 10, baseDelay: 100 * time.Millisecond, maxDelay: time.Second}
	for n, ceil := range map[int]time.Duration{1: 100 * time.Millisecond, 2: 200 * time.Millisecond,
		4: 800 * time.Millisecond, 5: time.Second, 80: time.Second} {
		distinct := map[time.Duration]bool{}
		for range 200 {
			d := p.backoff(n)
			require.GreaterOrEqual(t, d, time.Duration(0))
			require.LessOrEqual(t, d, ceil, "retry %d", n)
			distinct[d] = true
		}
		assert.Greater(t, len(distinct), 100, "retry %d delays are jittered", n)
	}
	assert.Equal(t, time.Duration(0), retryPolicy{}.backoff(3))
}

func TestRetryAfterParsing(t *testing.T) {
	cases := map[string]struct {
		v    string
		want time.Duration
		ok   bool
	}{
		"absent":   {"", 0, false},
		"seconds":  {"12", 12 * time.Second, true},
		"date":     {testNow.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		"garbage":  {"soon", 0, false},
		"negative": {"-3", 0, false},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			h := http.Header{}
			if tc.v != "" {
				h.Set("Retry-After", tc.v)
			}
			d, ok := retryAfter(h, testNow)
			assert.Equal(t, tc.ok, ok)
			assert.Equal(t, tc.want, d)
		})
	}
}

func TestNewClientRejectsBadOptions(t *testing.T) {
	cases := []struct {
		name     string
		endpoint string
		creds    Credentials
		opts     []Option
		want     string
	}{
		{"empty endpoint", "", AKSK{AK: "a", SK: "s"}, nil, "endpoint: empty URL"},
		{"relative endpoint", "swr-api.example", AKSK{AK: "a", SK: "s"}, nil, "scheme must be http or https"},
		{"endpoint with query", "https://h/?x=1", AKSK{AK: "a", SK: "s"}, nil, "must not carry"},
		{"no credentials", "https://h", nil, nil, "no credentials"},
		{"AK without SK", "https://h", AKSK{AK: "a"}, nil, "SK is empty"},
		{"empty token", "https://h", StaticToken{}, nil, "Token is empty"},
		{"IAM fields", "https://h", IAMPassword{IAMEndpoint: "https://iam"}, nil, "empty DomainName, UserName, Password, ProjectName"},
		{"negative rate", "https://h", AKSK{AK: "a", SK: "s"}, []Option{WithRateLimit(-1, 1)}, "rate limit -1 is negative"},
		{"zero attempts", "https://h", AKSK{AK: "a", SK: "s"}, []Option{WithRetry(0, 0, 0)}, "max attempts 0 is below 1"},
		{"delays reversed", "https://h", AKSK{AK: "a", SK: "s"}, []Option{WithRetry(2, time.Second, time.Millisecond)}, "0 <= base"},
		{"nil HTTP client", "https://h", AKSK{AK: "a", SK: "s"}, []Option{WithHTTPClient(nil)}, "HTTP client is nil"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := NewClient(tc.endpoint, tc.creds, tc.opts...)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
}

func TestErrorsAsIsNotFoundThroughTheClient(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		reply(w, 400, `{"errors":[{"errorCode":"SVCSTG.SWR.4000306","errorMessage":"gone"}]}`)
	})
	c, sleeps := testClient(t, srv.URL)
	err := c.Retentions.Delete(t.Context(), "team", "team/web", 3)
	assert.True(t, IsNotFound(err), "%v", err)
	assert.False(t, errors.Is(err, context.Canceled))
	assert.Len(t, srv.requests(), 1, "4xx answers are not retried")
	assert.Empty(t, sleeps.all())
}
