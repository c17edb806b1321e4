package events

import (
	"container/list"
	"sync"
)

// DefaultDedupeSize is the number of event keys a Deduper remembers when
// NewDeduper is given no size.
const DefaultDedupeSize = 10000

// Deduper remembers the keys of recently handled events so that a
// redelivered event does no work twice. It is a bounded LRU, safe for
// concurrent use, and lives as long as the warm instance that holds it.
type Deduper struct {
	keys *lru
}

// NewDeduper returns a Deduper that remembers the size most recently seen
// keys (DefaultDedupeSize when size <= 0).
func NewDeduper(size int) *Deduper {
	if size <= 0 {
		size = DefaultDedupeSize
	}
	return &Deduper{keys: newLRU(size)}
}

// Seen reports whether key was seen before and records it if not. Pass
// Event.Key. A handler that fails an event after Seen returned false calls
// Forget, so that the redelivery is handled rather than skipped.
func (d *Deduper) Seen(key string) bool { return d.keys.seen(key) }

// Forget removes key, e.g. after handling its event failed.
func (d *Deduper) Forget(key string) { d.keys.forget(key) }

// Len reports how many keys are remembered.
func (d *Deduper) Len() int { return d.keys.len() }

// lru is a bounded set of strings that evicts the least recently seen.
type lru struct {
	mu    sync.Mutex
	size  int
	order *list.List // front: most recently seen; values are strings
	items map[string]*list.Element
}

func newLRU(size int) *lru {
	return &lru{size: size, order: list.New(), items: make(map[string]*list.Element, min(size, 1024))}
}

// seen reports whether key is present, marking it most recently seen, and
// adds it (evicting the oldest when full) if not.
func (c *lru) seen(key string) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.MoveToFront(el)
		return true
	}
	c.items[key] = c.order.PushFront(key)
	if c.order.Len() > c.size {
		oldest := c.order.Back()
		c.order.Remove(oldest)
		delete(c.items, oldest.Value.(string))
	}
	return false
}

func (c *lru) forget(key string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if el, ok := c.items[key]; ok {
		c.order.Remove(el)
		delete(c.items, key)
	}
}

func (c *lru) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
