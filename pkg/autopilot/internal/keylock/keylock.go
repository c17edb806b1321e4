// Package keylock serialises work per key, such as one repository, while
// letting work on different keys run in parallel.
package keylock

import (
	"context"
	"sync"
)

// Map hands out one lock per key. Locks are created on first use and
// dropped when nobody holds or waits for them, so a Map stays as small as
// the number of keys in use. The zero value is ready to use; a Map must
// not be copied after first use.
type Map struct {
	mu    sync.Mutex
	locks map[string]*entry
}

type entry struct {
	sem  chan struct{} // holds one token while the key is locked
	refs int           // holders and waiters
}

// Lock locks key, waiting until it is free or ctx is done. On success it
// returns the function that unlocks key; call it exactly once. On failure
// it returns ctx's error and nothing is locked.
func (m *Map) Lock(ctx context.Context, key string) (unlock func(), err error) {
	m.mu.Lock()
	if m.locks == nil {
		m.locks = map[string]*entry{}
	}
	e := m.locks[key]
	if e == nil {
		e = &entry{sem: make(chan struct{}, 1)}
		m.locks[key] = e
	}
	e.refs++
	m.mu.Unlock()

	select {
	case e.sem <- struct{}{}:
		return func() {
			<-e.sem
			m.release(key, e)
		}, nil
	case <-ctx.Done():
		m.release(key, e)
		return nil, ctx.Err()
	}
}

// Len reports how many keys are locked or waited for.
func (m *Map) Len() int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return len(m.locks)
}

func (m *Map) release(key string, e *entry) {
	m.mu.Lock()
	if e.refs--; e.refs == 0 {
		delete(m.locks, key)
	}
	m.mu.Unlock()
}

// heldKey marks a context whose holder has locked key in m.
type heldKey struct {
	m   *Map
	key string
}

// Hold locks key like Lock, unless ctx comes from a Hold of the same key
// in m, whose holder already has it: then it returns ctx and an unlock
// that does nothing. Work done under the returned context may Hold key
// again without waiting for itself.
func (m *Map) Hold(ctx context.Context, key string) (held context.Context, unlock func(), err error) {
	k := heldKey{m, key}
	if ctx.Value(k) != nil {
		return ctx, func() {}, nil
	}
	unlock, err = m.Lock(ctx, key)
	if err != nil {
		return ctx, nil, err
	}
	return context.WithValue(ctx, k, true), unlock, nil
}
