package onpush

import (
	"sync"
	"time"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// conformantCache remembers which repositories were observed conformant
// and until when that observation is trusted. It is safe for concurrent
// use and holds at most size entries, forgetting the least recently
// confirmed first.
type conformantCache struct {
	ttl time.Duration
	now func() time.Time

	mu      sync.Mutex
	expires *simplelru.LRU[string, time.Time] // nil: nothing is remembered
}

// newConformantCache returns a cache of at most size entries; a ttl or
// size <= 0 turns it off.
func newConformantCache(ttl time.Duration, size int, now func() time.Time) *conformantCache {
	c := &conformantCache{ttl: ttl, now: now}
	if ttl > 0 && size > 0 {
		c.expires, _ = simplelru.NewLRU[string, time.Time](size, nil) // errs only for size <= 0
	}
	return c
}

// fresh reports whether key was observed conformant less than the TTL ago.
// An expired entry is forgotten. Asking does not count as a confirmation:
// the entry keeps its place in the eviction order.
func (c *conformantCache) fresh(key string) bool {
	if c.expires == nil {
		return false
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	expires, ok := c.expires.Peek(key)
	if !ok {
		return false
	}
	if c.now().Before(expires) {
		return true
	}
	c.expires.Remove(key)
	return false
}

// confirm records that key was observed conformant now.
func (c *conformantCache) confirm(key string) {
	if c.expires == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expires.Add(key, c.now().Add(c.ttl))
}

// forget drops key, e.g. after a write to the repository.
func (c *conformantCache) forget(key string) {
	if c.expires == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.expires.Remove(key)
}

// len reports how many repositories are remembered, expired ones included.
func (c *conformantCache) len() int {
	if c.expires == nil {
		return 0
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.expires.Len()
}
