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

func TestHoldIsReentrantForItsHolderOnly(t *testing.T) {
	var m Map
	ctx, unlock, err := m.Hold(context.Background(), "team/api")
	require.NoError(t, err)
	inner, unlockInner, err := m.Hold(ctx, "team/api")
	require.NoError(t, err, "the holder does not wait for itself")
	assert.Equal(t, ctx, inner)
	unlockInner()

	other, cancel := context.WithCancel(context.Background())
	cancel()
	_, _, err = m.Hold(other, "team/api")
	assert.ErrorIs(t, err, context.Canceled, "anyone else waits while the key is held")

	unlock()
	_, unlockAgain, err := m.Hold(context.Background(), "team/api")
	require.NoError(t, err, "free once the holder unlocks")
	unlockAgain()
	assert.Zero(t, m.Len())
}
