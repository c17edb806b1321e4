package sqsout_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
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

func newSender(t *testing.T) (*sqsout.Sender, *sqstest.Server) {
	t.Helper()
	srv := sqstest.NewServer()
	t.Cleanup(srv.Close)
	return srv.NewSender(), srv
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
	sender, srv := newSender(t)
	srv.SetUnavailable(true)
	err := sender.Enqueue(context.Background(), shards(1))
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SQS InternalFailure (HTTP 500)")
	assert.NotContains(t, err.Error(), sqstest.SecretAccessKey, "no credential in errors")
	assert.Equal(t, sqsout.DefaultAttempts, srv.Requests(), "a failure on SQS's side is tried again")
}

func TestEnqueueRetriesARequestSQSFailed(t *testing.T) {
	sender, srv := newSender(t)
	srv.FailRequests(1)
	require.NoError(t, sender.Enqueue(context.Background(), shards(5)))
	assert.Equal(t, 2, srv.Requests(), "the failed request, then the same batch again")
	assert.Len(t, srv.Messages(), 5)
}

func TestEnqueueDoesNotRetryWhatSQSRefuses(t *testing.T) {
	srv := sqstest.NewServer()
	t.Cleanup(srv.Close)

	opts := srv.Options()
	opts.Credentials.SecretAccessKey = "not-the-secret"
	sender, err := sqsout.New(srv.QueueURL(), opts)
	require.NoError(t, err)
	err = sender.Enqueue(context.Background(), shards(1))
	var api *sqsout.APIError
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "InvalidSignatureException", api.Code)
	assert.Equal(t, http.StatusForbidden, api.StatusCode)
	assert.NotContains(t, err.Error(), "not-the-secret")

	other, err := sqsout.New(srv.URL+"/000000000000/other", srv.Options())
	require.NoError(t, err)
	err = other.Enqueue(context.Background(), shards(1))
	require.ErrorAs(t, err, &api)
	assert.Equal(t, "AWS.SimpleQueueService.NonExistentQueue", api.Code)

	assert.Equal(t, 2, srv.Requests(), "neither is sent again")
	assert.Empty(t, srv.Messages())
}

func TestNewTakesTheLambdaEnvironment(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
	}
	const queue = "https://sqs.eu-west-1.amazonaws.com/123456789012/autopilot"
	_, err := sqsout.New(queue, sqsout.Options{})
	assert.ErrorContains(t, err, "no AWS credentials")
	_, err = sqsout.New("https://queue.example/123/q", sqsout.Options{Credentials: sigv4.Credentials{AccessKeyID: "a", SecretAccessKey: "b"}})
	assert.ErrorContains(t, err, "no region")
	for _, bad := range []string{"ftp://queue.example/123/q", "http://sqs.eu-west-1.amazonaws.com/123/q", "https:///123/q"} {
		_, err = sqsout.New(bad, sqsout.Options{})
		assert.ErrorContains(t, err, "must be an https URL", bad)
	}

	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAROLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "role-secret")
	_, err = sqsout.New(queue, sqsout.Options{})
	require.NoError(t, err, "the region comes from the queue URL")

	// The signature the stand-in checks is made with the environment's
	// credentials and region.
	srv := sqstest.NewServer()
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", sqstest.AccessKeyID)
	t.Setenv("AWS_SECRET_ACCESS_KEY", sqstest.SecretAccessKey)
	t.Setenv("AWS_REGION", sqstest.Region)
	sender, err := sqsout.New(srv.QueueURL(), sqsout.Options{HTTPClient: srv.Client()})
	require.NoError(t, err)
	require.NoError(t, sender.Enqueue(context.Background(), shards(1)))
	assert.Len(t, srv.Messages(), 1)
}

func TestEnqueueNothingSendsNothing(t *testing.T) {
	sender, srv := newSender(t)
	require.NoError(t, sender.Enqueue(context.Background(), nil))
	assert.Zero(t, srv.Requests())
}

// TestEnqueueRetriesARequestLostOnTheWay: the first connection reaches a
// server that drops it without an answer (a network failure), and the
// batch is sent again, to SQS.
func TestEnqueueRetriesARequestLostOnTheWay(t *testing.T) {
	srv := sqstest.NewServer()
	t.Cleanup(srv.Close)
	dropper := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(dropper.Close)
	var dialed atomic.Int32
	var d net.Dialer
	transport := &http.Transport{DialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		if dialed.Add(1) == 1 {
			addr = dropper.Listener.Addr().String()
		}
		return d.DialContext(ctx, network, addr)
	}}
	t.Cleanup(transport.CloseIdleConnections)
	opts := srv.Options()
	opts.HTTPClient = &http.Client{Transport: transport}
	sender, err := sqsout.New(srv.QueueURL(), opts)
	require.NoError(t, err)

	require.NoError(t, sender.Enqueue(context.Background(), shards(3)))
	assert.Equal(t, int32(2), dialed.Load(), "the dropped connection, then SQS")
	assert.Equal(t, 1, srv.Requests())
	assert.Len(t, srv.Messages(), 3)
}
