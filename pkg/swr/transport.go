package swr

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"
)

// request is one logical API call; send may put it on the wire several times.
type request struct {
	method string
	url    *url.URL
	body   []byte
	authed bool // authenticate with the client's credentials and obey its rate limiter
}

// retryPolicy bounds retries: attempts in all and the backoff window.
type retryPolicy struct {
	maxAttempts int
	baseDelay   time.Duration
	maxDelay    time.Duration
}

// backoff returns the full-jitter delay before the n-th retry (n ≥ 1): a
// uniformly random duration in [0, min(maxDelay, baseDelay·2ⁿ⁻¹)].
func (p retryPolicy) backoff(n int) time.Duration {
	ceil := p.maxDelay
	if shift := n - 1; shift < 62 {
		if d := p.baseDelay << shift; d > 0 && d>>shift == p.baseDelay && d < ceil {
			ceil = d
		}
	}
	if ceil <= 0 {
		return 0
	}
	return rand.N(ceil + 1)
}

// throttled returns the delay before a retry that the server asked to come
// back after ra (Retry-After): capped by maxDelay, so that a server cannot
// park the client for an hour, and jittered over the upper half of the
// capped value, so that clients throttled together do not retry in
// lock-step.
func (p retryPolicy) throttled(ra time.Duration) time.Duration {
	d := min(ra, p.maxDelay)
	if d <= 0 {
		return 0
	}
	return d - rand.N(d/2+1)
}

// do sends an authenticated JSON request to the API path (unescaped,
// repository names in their $ form) and decodes a 2xx body into out when
// out is not nil. It returns the response headers.
func (c *Client) do(ctx context.Context, method, path string, query url.Values, in, out any) (http.Header, error) {
	var body []byte
	if in != nil {
		var err error
		if body, err = encodeJSON(in); err != nil {
			return nil, pathError(method, path, fmt.Errorf("encode request: %w", err))
		}
	}
	resp, err := c.send(ctx, &request{method: method, url: c.url(path, query), body: body, authed: true})
	if err != nil {
		return nil, err
	}
	defer closeBody(resp)
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil && !errors.Is(err, io.EOF) {
			return nil, pathError(method, path, fmt.Errorf("decode response: %w", err))
		}
	}
	return resp.Header, nil
}

// encodeJSON encodes v the way the official SDK does: HTML characters are
// not escaped and the bytes end with a newline.
func encodeJSON(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// send puts r on the wire until it gets a 2xx answer, which it returns
// with the body unread, or gives up with an error. It retries with
// full-jitter exponential backoff (or the server's Retry-After, capped by
// the maximum delay and jittered) on
//   - connection errors: always for GET, PATCH and DELETE; for POST only
//     when the connection could not be made, so the server cannot have acted;
//   - 429, 503 and SWR's throttling and "system busy" codes, for every method;
//   - other 5xx, except for POST.
//
// It never starts a wait that would end after ctx's deadline. On a 401 it
// obtains a new token, when the credentials allow it, and re-sends once.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	path := r.url.EscapedPath()
	refreshed := false
	for attempt, sent := 1, 0; ; attempt++ {
		if r.authed && c.limiter != nil {
			if err := c.limiter.Wait(ctx); err != nil {
				if ctx.Err() == nil {
					// The limiter refuses early when the wait would outlast
					// the deadline; say so in a way errors.Is understands.
					err = fmt.Errorf("%w: %w", context.DeadlineExceeded, err)
				}
				return nil, pathError(r.method, path, fmt.Errorf("rate limiter: %w", err))
			}
		}
		if sent > 0 {
			c.stats.retries.Add(1)
		}
		sent++
		resp, used, fatal, err := c.attempt(ctx, r)
		if fatal != nil {
			return nil, fatal
		}
		if err != nil {
			if ctx.Err() != nil || !retryableTransport(r.method, err) || attempt >= c.retry.maxAttempts {
				return nil, pathError(r.method, path, err)
			}
			if !c.pause(ctx, r.method, path, attempt, c.retry.backoff(attempt), err.Error()) {
				return nil, pathError(r.method, path, err)
			}
			continue
		}
		if resp.StatusCode >= 200 && resp.StatusCode <= 299 {
			return resp, nil
		}
		apiErr := readError(r.method, path, resp)
		if IsThrottled(apiErr) {
			c.stats.throttled.Add(1)
		}
		if resp.StatusCode == http.StatusUnauthorized && r.authed && !refreshed && c.auth.invalidate(used) {
			refreshed = true
			attempt--
			c.logger.LogAttrs(ctx, slog.LevelDebug, "swr: token rejected, re-authenticating",
				slog.String("method", r.method), slog.String("path", path), slog.String("code", apiErr.Code))
			continue
		}
		if !retryableStatus(r.method, apiErr) || attempt >= c.retry.maxAttempts {
			return nil, apiErr
		}
		delay := c.retry.backoff(attempt)
		if ra, ok := retryAfter(resp.Header, c.now()); ok {
			delay = c.retry.throttled(ra)
		}
		if !c.pause(ctx, r.method, path, attempt, delay, strconv.Itoa(apiErr.StatusCode)+" "+apiErr.Code) {
			return nil, apiErr
		}
	}
}

// attempt sends r once. It returns the token it authenticated with. A
// failure to build or authenticate the request is returned as fatal: it is
// not retried (token requests have their own retries).
func (c *Client) attempt(ctx context.Context, r *request) (resp *http.Response, used string, fatal, err error) {
	var body io.Reader
	if len(r.body) > 0 {
		body = bytes.NewReader(r.body)
	}
	req, err := http.NewRequestWithContext(ctx, r.method, r.url.String(), body)
	if err != nil {
		return nil, "", err, nil
	}
	req.Header.Set("Content-Type", "application/json")
	if r.authed {
		if used, err = c.auth.authorize(ctx, req, r.body); err != nil {
			return nil, "", err, nil
		}
	}
	// Set after signing: the HTTP stack or a proxy may rewrite it.
	req.Header.Set("User-Agent", c.userAgent)
	c.stats.count(r.method)
	resp, err = c.hc.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // its text repeats method and URL
		}
		return nil, "", nil, err
	}
	return resp, used, nil, nil
}

// pause waits delay before the next attempt. It reports false, without
// waiting, when the wait would outlast ctx's deadline, and false when ctx
// ends while waiting.
func (c *Client) pause(ctx context.Context, method, path string, attempt int, delay time.Duration, reason string) bool {
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= delay {
		return false
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "swr: retrying request",
		slog.String("method", method), slog.String("path", path), slog.Int("attempt", attempt),
		slog.String("reason", reason), slog.Duration("delay", delay))
	return c.sleep(ctx, delay) == nil
}

// readError consumes a non-2xx response into an *Error.
func readError(method, path string, resp *http.Response) *Error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBodyBytes))
	closeBody(resp)
	return newError(method, path, resp.StatusCode, resp.Header, body)
}

// retryableTransport reports whether a request that got no HTTP answer may
// be re-sent: always unless it is a POST the server may have received.
func retryableTransport(method string, err error) bool {
	if method != http.MethodPost {
		return true
	}
	var op *net.OpError
	return errors.As(err, &op) && op.Op == "dial"
}

// retryableStatus reports whether an error answer may be retried: a
// transient one (IsTransient), except a POST that failed with a 5xx other
// than 503, which SWR may have carried out.
func retryableStatus(method string, e *Error) bool {
	if !IsTransient(e) {
		return false
	}
	return method != http.MethodPost || e.StatusCode == http.StatusServiceUnavailable ||
		IsThrottled(e) || e.Code == CodeSystemBusy
}

// retryAfter reads a Retry-After header given in seconds or as an HTTP date.
func retryAfter(h http.Header, now time.Time) (time.Duration, bool) {
	v := h.Get("Retry-After")
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil && n >= 0 {
		return time.Duration(n) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}
