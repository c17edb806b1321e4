// Package wait holds the one context-aware sleep of the project, used by
// the SWR client's retries, the SQS sender's retries and the emulator's
// injected latency.
package wait

import (
	"context"
	"time"
)

// Sleep waits d, or until ctx ends, and returns ctx's error in that case.
// A d of zero or less does not wait and returns ctx.Err().
func Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
