package deadline_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/deadline"
)

func TestRemaining(t *testing.T) {
	assert.Equal(t, deadline.NoDeadline, deadline.Remaining(context.Background()))

	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	got := deadline.Remaining(ctx)
	assert.LessOrEqual(t, got, time.Hour)
	assert.Greater(t, got, 59*time.Minute)

	past, cancelPast := context.WithDeadline(context.Background(), time.Now().Add(-time.Second))
	defer cancelPast()
	assert.Equal(t, time.Duration(0), deadline.Remaining(past))
}

func TestWorkEndsMarginBeforeTheInvocationDeadline(t *testing.T) {
	end := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), end)
	defer cancel()

	work, cancelWork := deadline.Work(ctx, 2*time.Second)
	defer cancelWork()
	got, ok := work.Deadline()
	require.True(t, ok)
	assert.Equal(t, end.Add(-2*time.Second), got)

	def, cancelDef := deadline.Work(ctx, 0)
	defer cancelDef()
	got, ok = def.Deadline()
	require.True(t, ok)
	assert.Equal(t, end.Add(-deadline.DefaultMargin), got)
	assert.Equal(t, 500*time.Millisecond, deadline.DefaultMargin)
}

func TestWorkIsOverWhenTheMarginIsAlreadyConsumed(t *testing.T) {
	ctx, cancel := context.WithDeadline(context.Background(), time.Now().Add(100*time.Millisecond))
	defer cancel()

	work, cancelWork := deadline.Work(ctx, time.Second)
	defer cancelWork()
	assert.ErrorIs(t, work.Err(), context.DeadlineExceeded, "no new work may start")
	assert.NoError(t, ctx.Err(), "the invocation itself still has time to report")
}

func TestWorkWithoutDeadlineFollowsItsParent(t *testing.T) {
	parent, cancelParent := context.WithCancel(context.Background())
	work, cancelWork := deadline.Work(parent, time.Second)
	defer cancelWork()

	_, ok := work.Deadline()
	assert.False(t, ok)
	assert.NoError(t, work.Err())
	cancelParent()
	<-work.Done()
	assert.ErrorIs(t, work.Err(), context.Canceled)
}

func TestWorkCancel(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Hour)
	defer cancel()
	work, cancelWork := deadline.Work(ctx, time.Second)
	cancelWork()
	assert.ErrorIs(t, work.Err(), context.Canceled)
	assert.NoError(t, ctx.Err())
}
