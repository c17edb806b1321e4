package swr

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With a burst of 3 and a refill far slower than the callers' deadline,
// exactly 3 of 12 concurrent calls, spread over several services, can get a
// token; the others fail at once without reaching the server. A limiter per
// goroutine or per service would let more through.
func TestRateLimiterIsSharedAcrossGoroutines(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) { reply(w, 200, "[]") })
	c, _ := testClient(t, srv.URL, WithRateLimit(0.001, 3))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()

	calls := []func() error{
		func() error { _, err := c.Retentions.List(ctx, "team", "web"); return err },
		func() error { _, err := c.Triggers.List(ctx, "team", "web"); return err },
		func() error { _, err := c.Sync.List(ctx, "team", "web"); return err },
	}
	var wg sync.WaitGroup
	errs := make(chan error, 12)
	for i := range 12 {
		wg.Go(func() { errs <- calls[i%len(calls)]() })
	}
	wg.Wait()
	close(errs)
	var ok, limited int
	for err := range errs {
		if err == nil {
			ok++
			continue
		}
		assert.Contains(t, err.Error(), "rate limiter")
		limited++
	}
	assert.Equal(t, 3, ok)
	assert.Equal(t, 9, limited)
	assert.Len(t, srv.requests(), 3)
}

func TestRateLimiterCountsRetries(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, n int) {
		if n == 1 {
			reply(w, 503, "")
			return
		}
		reply(w, 200, "[]")
	})
	c, _ := testClient(t, srv.URL, WithRateLimit(0.001, 1))
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	_, err := c.Retentions.List(ctx, "team", "web")
	require.Error(t, err, "the retry needs a second token")
	assert.Contains(t, err.Error(), "rate limiter")
	assert.Len(t, srv.requests(), 1)
}
