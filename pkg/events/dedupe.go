package events

import (
	"errors"
	"sync"

	"github.com/hashicorp/golang-lru/v2/simplelru"
)

// DefaultDedupeSize is the number of event keys a Deduper remembers when
// NewDeduper is given no size.
const DefaultDedupeSize = 10000

// Deduper remembers the keys of recently handled events so that a
// redelivered event does no work twice. It is a bounded LRU, safe for
// concurrent use, and lives as long as the warm instance that holds it.
type Deduper struct {
	size int
	mu   sync.Mutex // makes Seen's look-up and record one step
	keys *simplelru.LRU[string, struct{}]
}

// NewDeduper returns a Deduper that remembers the size most recently seen
// keys (DefaultDedupeSize when size <= 0).
func NewDeduper(size int) *Deduper {
	if size <= 0 {
		size = DefaultDedupeSize
	}
	keys, _ := simplelru.NewLRU[string, struct{}](size, nil) // errs only for size <= 0
	return &Deduper{size: size, keys: keys}
}

// Seen reports whether key was seen before, marking it most recently seen,
// and records it (evicting the least recently seen when full) if not. Pass
// Event.Key. A handler that fails an event after Seen returned false calls
// Forget, so that the redelivery is handled rather than skipped.
func (d *Deduper) Seen(key string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.keys.Get(key); ok {
		return true
	}
	d.keys.Add(key, struct{}{})
	return false
}

// Forget removes key, e.g. after handling its event failed.
func (d *Deduper) Forget(key string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.keys.Remove(key)
}

// Len reports how many keys are remembered.
func (d *Deduper) Len() int {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.keys.Len()
}

// Terminal marks err as terminal: handling the same input again cannot
// succeed (it is malformed, or asks for what can never be), so it must not
// be redelivered. Every other error a job returns asks for redelivery.
// Terminal(nil) is nil.
func Terminal(err error) error {
	if err == nil {
		return nil
	}
	return &terminalError{err: err}
}

// IsTerminal reports whether err, or an error it wraps, was marked by
// Terminal.
func IsTerminal(err error) bool {
	var t *terminalError
	return errors.As(err, &t)
}

type terminalError struct{ err error }

func (e *terminalError) Error() string { return e.err.Error() }
func (e *terminalError) Unwrap() error { return e.err }
