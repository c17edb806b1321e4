package sqsout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
)

func shards(n int) []cloudevents.Event {
	evs := make([]cloudevents.Event, n)
	for i := range evs {
		evs[i] = events.NewSweepShard("tick", fmt.Sprintf("team-%02d", i), "", false)
	}
	return evs
}

func newSender(t *testing.T, optFns ...func(*sqs.Options)) (*sqsout.Sender, *sqstest.Server) {
	t.Helper()
	srv := sqstest.NewServer()
	t.Cleanup(srv.Close)
	return sqsout.New(srv.NewClient(optFns...), srv.QueueURL()), srv
}

func TestEnqueueSendsBatchesOfTenInOrder(t *testing.T) {
	sender, srv := newSender(t)
	evs := shards(23)
	require.NoError(t, sender.Enqueue(context.Background(), evs))

	assert.Equal(t, 3, srv.Requests(), "23 events go out as 10 + 10 + 3")
	msgs := srv.Messages()
	require.Len(t, msgs, 23)
	for i, m := range msgs {
		assert.Equal(t, srv.QueueURL(), m.QueueURL)
		var got cloudevents.Event
		require.NoError(t, json.Unmarshal([]byte(m.Body), &got), "body %d is a structured CloudEvent", i)
		assert.Equal(t, evs[i].ID(), got.ID())
		assert.Equal(t, events.TypeSweepRequested, got.Type())
		var p events.SweepRequested
		require.NoError(t, got.DataAs(&p))
		assert.Equal(t, []string{fmt.Sprintf("team-%02d", i)}, p.Namespaces)
	}
}

func TestEnqueueRetriesEntriesSQSFailed(t *testing.T) {
	sender, srv := newSender(t)
	srv.FailEntries(3)
	require.NoError(t, sender.Enqueue(context.Background(), shards(5)))

	assert.Equal(t, 2, srv.Requests(), "one batch, then the three failed entries again")
	msgs := srv.Messages()
	require.Len(t, msgs, 5, "every event sent exactly once")
	ids := map[string]int{}
	for _, m := range msgs {
		var ev cloudevents.Event
		require.NoError(t, json.Unmarshal([]byte(m.Body), &ev))
		ids[ev.ID()]++
	}
	assert.Len(t, ids, 5)
}

func TestEnqueueGivesUpAfterRepeatedFailures(t *testing.T) {
	sender, srv := newSender(t)
	srv.FailEntries(100)
	err := sender.Enqueue(context.Background(), shards(12))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "events 1-10 of 12")
	assert.Contains(t, err.Error(), "InternalError")
	assert.Equal(t, sqsout.DefaultAttempts, srv.Requests(), "the later batch is not attempted")
	assert.Empty(t, srv.Messages())
}

func TestEnqueueReportsAnUnavailableQueue(t *testing.T) {
	sender, srv := newSender(t, func(o *sqs.Options) { o.Retryer = aws.NopRetryer{} })
	srv.SetUnavailable(true)
	err := sender.Enqueue(context.Background(), shards(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "InternalFailure")
	assert.NotContains(t, err.Error(), "stand-in-secret", "no credential in errors")
}

func TestEnqueueNothingSendsNothing(t *testing.T) {
	sender, srv := newSender(t)
	require.NoError(t, sender.Enqueue(context.Background(), nil))
	assert.Zero(t, srv.Requests())
}
