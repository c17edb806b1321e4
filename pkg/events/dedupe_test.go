package events

import (
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDeduper(t *testing.T) {
	d := NewDeduper(3)
	assert.False(t, d.Seen("a"))
	assert.True(t, d.Seen("a"), "a redelivery is seen")
	assert.False(t, d.Seen("b"))
	assert.False(t, d.Seen("c"))
	assert.True(t, d.Seen("a"), "refreshes a")
	assert.False(t, d.Seen("d"), "evicts b, the least recently seen")
	assert.Equal(t, 3, d.Len())
	assert.False(t, d.Seen("b"), "b was evicted")
	assert.True(t, d.Seen("a"))

	d.Forget("a")
	assert.False(t, d.Seen("a"), "forgotten after a failure, so the redelivery is handled")
	assert.Equal(t, DefaultDedupeSize, NewDeduper(0).size)
}

func TestDeduperConcurrent(t *testing.T) {
	const workers, keys = 8, 500
	d := NewDeduper(keys)
	var wg sync.WaitGroup
	firsts := make([]int, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range keys {
				if !d.Seen(strconv.Itoa(k)) {
					firsts[w]++
				}
			}
		}()
	}
	wg.Wait()
	total := 0
	for _, n := range firsts {
		total += n
	}
	assert.Equal(t, keys, total, "each key is new exactly once across all workers")
	assert.Equal(t, keys, d.Len())
}

func TestEventKeySeparatesSources(t *testing.T) {
	a := Event{ID: "1", Source: "x"}
	b := Event{ID: "1", Source: "y"}
	assert.NotEqual(t, a.Key(), b.Key())
	d := NewDeduper(10)
	assert.False(t, d.Seen(a.Key()))
	assert.False(t, d.Seen(b.Key()))
}
