package directory

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// Load fetches the directory file at src with the product's one loader
// (source.Fetch: a path, an https URL or s3://bucket/key) and parses it
// (see Parse). When parsing fails it returns the partial Directory, the
// content and the ErrorList; when fetching fails the Directory is nil.
func Load(ctx context.Context, src string, opts source.Options) (*Directory, source.Content, error) {
	c, err := source.Fetch(ctx, src, opts)
	if err != nil {
		return nil, c, fmt.Errorf("team directory: %w", err)
	}
	d, err := Parse(c.Data, c.Source)
	return d, c, err
}
