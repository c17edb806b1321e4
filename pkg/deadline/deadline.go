// Package deadline holds the time arithmetic of an invocation with a
// deadline: how much is left, and the earlier deadline by which work must
// stop so that there is still time to report.
package deadline

import (
	"context"
	"math"
	"time"
)

// DefaultMargin is the time Work keeps in reserve before the
// invocation deadline when no margin is given: enough to log, flush metrics
// and return partial results.
const DefaultMargin = 500 * time.Millisecond

// NoDeadline is what Remaining reports for a context without a deadline.
const NoDeadline time.Duration = math.MaxInt64

// Remaining reports the time left until ctx's deadline: zero once it has
// passed, NoDeadline when ctx has none. Under Lambda the deadline is the
// invocation's; in HTTP mode it is the request timeout.
func Remaining(ctx context.Context) time.Duration {
	deadline, ok := ctx.Deadline()
	if !ok {
		return NoDeadline
	}
	return max(time.Until(deadline), 0)
}

// Work returns a context that ends margin before ctx's deadline
// (DefaultMargin when margin is not positive), so a handler that checks it
// stops starting new work while there is still time to report. Without a
// deadline on ctx the returned context ends only with ctx. Call cancel when
// the work is done.
func Work(ctx context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	if margin <= 0 {
		margin = DefaultMargin
	}
	deadline, ok := ctx.Deadline()
	if !ok {
		return context.WithCancel(ctx)
	}
	return context.WithDeadline(ctx, deadline.Add(-margin))
}
