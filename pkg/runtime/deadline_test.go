package runtime_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/runtime"
)

func TestRemaining(t *testing.T) {
	assert.Equal(t, runtime.NoDeadline, runtime.Remaining(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	got := runtime.Remaining(ctx)
	assert.LessOrEqual(t, got, time.Hour)
	assert.Greater(t, got, 59*time.Minute)

	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	assert.Equal(t, time.Duration(0), runtime.Remaining(past))
}

func TestWorkDeadlineEndsMarginBeforeTheInvocationDeadline(t *testing.T) {
	deadline := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()

	work, cancelWork := runtime.WorkDeadline(ctx, 2*time.Second)
	defer cancelWork()
	got, ok := work.Deadline()
	require.True(t, ok)
	assert.Equal(t, deadline.Add(-2*time.Second), got)

	def, cancelDef := runtime.WorkDeadline(ctx, 0)
	defer cancelDef()
	got, ok = def.Deadline()
	require.True(t, ok)
	assert.Equal(t, deadline.Add(-runtime.DefaultMargin), got)
	assert.Equal(t, 500*time.Millisecond, runtime.DefaultMargin)
}

func TestWorkDeadlineIsOverWhenTheMarginIsAlreadyConsumed(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(100*time.Millisecond))
	defer cancel()

	work, cancelWork := runtime.WorkDeadline(ctx, time.Second)
	defer cancelWork()
	assert.ErrorIs(t, work.Err(), context.DeadlineExceeded, "no new work may start")
	assert.NoError(t, ctx.Err(), "the invocation itself still has time to report")
}

func TestWorkDeadlineWithoutDeadlineFollowsItsParent(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.Background())
	work, cancelWork := runtime.WorkDeadline(parent, time.Second)
	defer cancelWork()

	_, ok := work.Deadline()
	assert.False(t, ok)
	assert.NoError(t, work.Err())
	cancelParent()
	<-work.Done()
	assert.ErrorIs(t, work.Err(), context.Canceled)
}

func TestWorkDeadlineCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	work, cancelWork := runtime.WorkDeadline(ctx, time.Second)
	cancelWork()
	assert.ErrorIs(t, work.Err(), context.Canceled)
	assert.NoError(t, ctx.Err())
}
