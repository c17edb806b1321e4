package swrtest

import (
	"math"
	"math/rand/v2"
	"sync"
	"time"
)

// tokenBucket is a rate limiter driven by the server clock, so that a
// frozen clock never refills it and tests stay deterministic.
type tokenBucket struct {
	mu     sync.Mutex
	rps    float64
	burst  float64
	tokens float64
	last   time.Time
}

func (b *tokenBucket) configure(rps float64, burst int, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if burst < 1 {
		burst = 1
	}
	b.rps, b.burst, b.tokens, b.last = rps, float64(burst), float64(burst), now
}

// take spends a token. When none is left it reports the whole seconds to
// wait before one will be.
func (b *tokenBucket) take(now time.Time) (ok bool, retryAfter int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.rps <= 0 {
		return true, 0
	}
	if elapsed := now.Sub(b.last); elapsed > 0 {
		b.tokens = math.Min(b.burst, b.tokens+elapsed.Seconds()*b.rps)
		b.last = now
	}
	if b.tokens >= 1 {
		b.tokens--
		return true, 0
	}
	return false, max(1, int(math.Ceil((1-b.tokens)/b.rps)))
}

type fault int

const (
	faultNone fault = iota
	fault500
	fault503
	faultReset
)

// faultInjector draws faults from a generator seeded by Faults.Seed.
type faultInjector struct {
	mu  sync.Mutex
	f   Faults
	rng *rand.Rand
}

func (fi *faultInjector) configure(f Faults) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	fi.f = f
	fi.rng = rand.New(rand.NewPCG(uint64(f.Seed), 0x5357522d656d75))
}

func (fi *faultInjector) current() Faults {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	return fi.f
}

// draw decides the fate of one request: a fault (or none) and a delay.
func (fi *faultInjector) draw() (fault, time.Duration) {
	fi.mu.Lock()
	defer fi.mu.Unlock()
	f := fi.f
	if f.Rate500 <= 0 && f.Rate503 <= 0 && f.RateReset <= 0 && f.RateSlow <= 0 {
		return faultNone, 0
	}
	u, v := fi.rng.Float64(), fi.rng.Float64()
	var slow time.Duration
	if v < f.RateSlow {
		slow = f.Slow
	}
	switch {
	case u < f.Rate500:
		return fault500, slow
	case u < f.Rate500+f.Rate503:
		return fault503, slow
	case u < f.Rate500+f.Rate503+f.RateReset:
		return faultReset, slow
	}
	return faultNone, slow
}
