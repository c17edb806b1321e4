package keylock

import (
	"context"
	"runtime"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestLockSerialisesOneKey(t *testing.T) {
	var m Map
	counter := 0 // guarded by the key's lock only: -race flags any overlap
	var wg sync.WaitGroup
	for range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			unlock, err := m.Lock(context.Background(), "ns/repo")
			if !assert.NoError(t, err) {
				return
			}
			v := counter
			runtime.Gosched()
			counter = v + 1
			unlock()
		}()
	}
	wg.Wait()
	assert.Equal(t, 20, counter, "no increment was lost")
	assert.Zero(t, m.Len(), "unused locks are dropped")
}

func TestLockKeysAreIndependent(t *testing.T) {
	var m Map
	unlockA, err := m.Lock(context.Background(), "a")
	require.NoError(t, err)
	unlockB, err := m.Lock(context.Background(), "b")
	require.NoError(t, err, "a held lock on another key does not block")
	assert.Equal(t, 2, m.Len())
	unlockA()
	unlockB()
	assert.Zero(t, m.Len())
}

func TestLockGivesUpWhenContextEnds(t *testing.T) {
	var m Map
	unlock, err := m.Lock(context.Background(), "k")
	require.NoError(t, err)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := m.Lock(ctx, "k")
		done <- err
	}()
	cancel()
	assert.ErrorIs(t, <-done, context.Canceled)

	unlock()
	assert.Zero(t, m.Len(), "the waiter that gave up left nothing behind")
	unlock2, err := m.Lock(context.Background(), "k")
	require.NoError(t, err, "the key is free again")
	unlock2()
}
