package onpush

import (
	"container/list"
	"sync"
	"time"
)

// conformantCache remembers which repositories were observed conformant
// and until when that observation is trusted. It is safe for concurrent
// use and holds at most size entries, forgetting the least recently
// confirmed first.
type conformantCache struct {
	ttl  time.Duration // <= 0: nothing is remembered
	size int
	now  func() time.Time

	mu      sync.Mutex
	entries map[string]*list.Element // of *cacheEntry
	order   *list.List               // most recently confirmed first
}

type cacheEntry struct {
	key     string
	expires time.Time
}

func newConformantCache(ttl time.Duration, size int, now func() time.Time) *conformantCache {
	return &conformantCache{ttl: ttl, size: size, now: now, entries: map[string]*list.Element{}, order: list.New()}
}

// fresh reports whether key was observed conformant less than the TTL ago.
// An expired entry is forgotten.
func (c *conformantCache) fresh(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.entries[key]
	if !ok {
		return false
	}
	if c.now().Before(el.Value.(*cacheEntry).expires) {
		return true
	}
	c.removeLocked(el)
	return false
}

// confirm records that key was observed conformant now.
func (c *conformantCache) confirm(key string) {
	if c.ttl <= 0 {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	expires := c.now().Add(c.ttl)
	if el, ok := c.entries[key]; ok {
		el.Value.(*cacheEntry).expires = expires
		c.order.MoveToFront(el)
		return
	}
	c.entries[key] = c.order.PushFront(&cacheEntry{key: key, expires: expires})
	for c.order.Len() > c.size {
		c.removeLocked(c.order.Back())
	}
}

// forget drops key, e.g. after a write to the repository.
func (c *conformantCache) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.entries[key]; ok {
		c.removeLocked(el)
	}
}

// len reports how many repositories are remembered, expired ones included.
func (c *conformantCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}

func (c *conformantCache) removeLocked(el *list.Element) {
	c.order.Remove(el)
	delete(c.entries, el.Value.(*cacheEntry).key)
}
