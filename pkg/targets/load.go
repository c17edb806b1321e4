package targets

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// Load fetches the targets file at src (a path, an https:// URL or
// s3://bucket/key, through source.Fetch) and parses it.
func Load(ctx context.Context, src string, opts source.Options) (*Set, error) {
	c, err := source.Fetch(ctx, src, opts)
	if err != nil {
		return nil, fmt.Errorf("targets file: %w", err)
	}
	return Parse(c.Data, c.Source)
}

// LoadOrDefault loads the targets file at src (AUTOPILOT_TARGETS); without
// one (src empty) it returns Default(base), the single target of a
// deployment that governs one registry.
func LoadOrDefault(ctx context.Context, src string, base config.SWR, opts source.Options) (*Set, error) {
	if src == "" {
		return Default(base), nil
	}
	return Load(ctx, src, opts)
}
