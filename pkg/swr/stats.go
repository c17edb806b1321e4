package swr

import (
	"net/http"
	"sync/atomic"
)

// Stats counts what a Client has sent since it was created.
type Stats struct {
	Requests       int64            // HTTP requests sent, retries and IAM token requests included
	Retries        int64            // requests re-sent after a retryable failure or a rejected token
	Throttled      int64            // throttling answers received (429, or 403 too-many-requests)
	TokenRefreshes int64            // IAM tokens obtained
	ByMethod       map[string]int64 // requests sent per HTTP method; methods never used are absent
}

// counters are the atomic counts behind Stats.
type counters struct {
	get, post, patch, del, put, other atomic.Int64
	retries, throttled                atomic.Int64
	tokenRefreshes                    atomic.Int64
}

func (c *counters) count(method string) {
	switch method {
	case http.MethodGet:
		c.get.Add(1)
	case http.MethodPost:
		c.post.Add(1)
	case http.MethodPatch:
		c.patch.Add(1)
	case http.MethodDelete:
		c.del.Add(1)
	case http.MethodPut:
		c.put.Add(1)
	default:
		c.other.Add(1)
	}
}

// Stats returns a snapshot of the client's counters. It is safe to call
// while requests are in flight.
func (c *Client) Stats() Stats {
	s := Stats{
		Retries:        c.stats.retries.Load(),
		Throttled:      c.stats.throttled.Load(),
		TokenRefreshes: c.stats.tokenRefreshes.Load(),
		ByMethod:       make(map[string]int64, 4),
	}
	for _, m := range []struct {
		name string
		n    *atomic.Int64
	}{
		{http.MethodGet, &c.stats.get}, {http.MethodPost, &c.stats.post}, {http.MethodPatch, &c.stats.patch},
		{http.MethodDelete, &c.stats.del}, {http.MethodPut, &c.stats.put}, {"OTHER", &c.stats.other},
	} {
		if n := m.n.Load(); n > 0 {
			s.ByMethod[m.name] = n
			s.Requests += n
		}
	}
	return s
}
