package onpush

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestConformantCacheExpiresForgetsAndStaysBounded(t *testing.T) {
	now := time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	c := newConformantCache(time.Minute, 2, func() time.Time { return now })

	assert.False(t, c.fresh("a"))
	c.confirm("a")
	assert.True(t, c.fresh("a"))

	now = now.Add(59 * time.Second)
	assert.True(t, c.fresh("a"))
	now = now.Add(time.Second)
	assert.False(t, c.fresh("a"), "expired at exactly the TTL")
	assert.Zero(t, c.len(), "the expired entry is dropped")

	c.confirm("a")
	c.confirm("b")
	c.confirm("a") // a is now the most recently confirmed
	c.confirm("c")
	assert.Equal(t, 2, c.len())
	assert.True(t, c.fresh("a"))
	assert.False(t, c.fresh("b"), "the least recently confirmed went first")
	assert.True(t, c.fresh("c"))

	c.forget("a")
	assert.False(t, c.fresh("a"))
	c.forget("never-seen")
}

func TestConformantCacheOff(t *testing.T) {
	c := newConformantCache(-1, 10, time.Now)
	c.confirm("a")
	assert.False(t, c.fresh("a"))
	assert.Zero(t, c.len())
}

func TestConformantCacheConcurrentUse(t *testing.T) {
	c := newConformantCache(time.Hour, 50, time.Now)
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 200 {
				key := fmt.Sprintf("ns/r%d", (g*7+i)%80)
				c.confirm(key)
				c.fresh(key)
				if i%5 == 0 {
					c.forget(key)
				}
			}
		}()
	}
	wg.Wait()
	assert.LessOrEqual(t, c.len(), 50)
}
