package onpush

import (
	"time"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultCacheTTL  = 5 * time.Minute
	DefaultCacheSize = 10000
)

// Config configures a Job. The zero value is usable.
type Config struct {
	// DryRun plans, simulates, guards and reports but writes nothing,
	// whatever the policy's mode. (The policy's audit mode never writes
	// either.)
	DryRun bool
	// CacheTTL is how long a repository observed conformant is trusted
	// without reading it again; a write to the repository forgets it at
	// once. Zero means DefaultCacheTTL; a negative value turns the cache
	// off.
	CacheTTL time.Duration
	// CacheSize bounds how many repositories the cache remembers; the
	// least recently confirmed are forgotten first. Zero means
	// DefaultCacheSize.
	CacheSize int
	// Now is the clock of the cache. Defaults to time.Now.
	Now func() time.Time
}

// withDefaults returns c with every zero field set to its default.
func (c Config) withDefaults() Config {
	if c.CacheTTL == 0 {
		c.CacheTTL = DefaultCacheTTL
	}
	if c.CacheSize <= 0 {
		c.CacheSize = DefaultCacheSize
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
}
