package swr

import (
	"log/slog"
	"net/http"
	"time"
)

// Defaults applied by NewClient when no Option overrides them.
const (
	DefaultUserAgent      = "swr-autopilot"
	DefaultTimeout        = 60 * time.Second
	DefaultMaxAttempts    = 4
	DefaultRetryBaseDelay = 200 * time.Millisecond
	DefaultRetryMaxDelay  = 10 * time.Second
)

// Option configures a Client built by NewClient.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through hc.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) { c.hc = hc }
}

// WithRateLimit caps the rate of SWR requests, retries included, at rps
// requests per second with bursts of up to burst requests (IAM token
// requests are not counted). One limiter is shared by every goroutine
// using the Client. rps 0 means unlimited.
func WithRateLimit(rps float64, burst int) Option {
	return func(c *Client) { c.rps, c.burst = rps, burst }
}

// WithRetry sets how often a failed request is tried in all (maxAttempts,
// 1 = never retried) and the exponential backoff bounds: the n-th retry
// waits a random time in [0, min(maxDelay, baseDelay·2ⁿ⁻¹)] unless the
// server sent Retry-After.
func WithRetry(maxAttempts int, baseDelay, maxDelay time.Duration) Option {
	return func(c *Client) {
		c.retry = retryPolicy{maxAttempts: maxAttempts, baseDelay: baseDelay, maxDelay: maxDelay}
	}
}

// WithClock sets the clock used for signature dates, token expiry and
// Retry-After dates.
func WithClock(now func() time.Time) Option {
	return func(c *Client) { c.now = now }
}

// WithUserAgent sets the User-Agent header.
func WithUserAgent(ua string) Option {
	return func(c *Client) { c.userAgent = ua }
}

// WithLogger makes the client log retries and token refreshes at debug level.
// It never logs headers or bodies.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) { c.logger = l }
}
