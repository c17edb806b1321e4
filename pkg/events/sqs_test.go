package events

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sqsPayload(t testing.TB, bodies ...string) []byte {
	t.Helper()
	var ev awsevents.SQSEvent
	for i, body := range bodies {
		ev.Records = append(ev.Records, awsevents.SQSMessage{
			MessageId: fmt.Sprintf("m%d", i), Body: body, EventSource: "aws:sqs",
			EventSourceARN: "arn:aws:sqs:eu-west-1:123456789012:shards",
		})
	}
	b, err := json.Marshal(ev)
	require.NoError(t, err)
	return b
}

func TestSQSPartialFailure(t *testing.T) {
	good := cloudEventJSON(t, TypeSweepRequested, map[string]any{"namespaces": []string{"acme"}})
	badName := cloudEventJSON(t, TypeSweepRequested, map[string]any{"namespaces": []string{"NOT OK"}})
	unknown := cloudEventJSON(t, "com.example.other", map[string]any{"x": 1})
	harbor := `{"type":"PUSH_ARTIFACT","occur_at":1772439330,"event_data":{"resources":[{"tag":"v1"},{"tag":"v2"}],"repository":{"namespace":"acme","name":"web"}}}`

	d := newTestDecoder(t, Config{})
	b, err := d.DecodeLambda(context.Background(), sqsPayload(t, good, badName, "not json", unknown, harbor))
	require.NoError(t, err, "record failures do not fail the batch")
	assert.Equal(t, OriginSQS, b.Origin)
	require.Len(t, b.Records, 5)
	assert.Equal(t, []string{"m1", "m2"}, b.FailedRecords())
	assert.Equal(t, "Records[1].body.data.namespaces[0]", b.Records[1].Err.(*Error).Field)
	assert.Equal(t, "Records[2].body", b.Records[2].Err.(*Error).Field)
	assert.Equal(t, []int{1, 0, 0, 1, 2}, []int{b.Records[0].Events, b.Records[1].Events, b.Records[2].Events, b.Records[3].Events, b.Records[4].Events})

	require.Len(t, b.Events, 4)
	assert.Equal(t, []string{"m0", "m3", "m4", "m4"}, []string{b.Events[0].MessageID, b.Events[1].MessageID, b.Events[2].MessageID, b.Events[3].MessageID})
	assert.Equal(t, 1, b.Count(KindUnknown), "unknown types are acknowledged and counted")
	assert.Equal(t, 2, b.Count(KindImagePushed))

	// The handler failed the event of m3 (and m1 twice): each id once,
	// decoding failures first.
	resp := b.SQSResponse("m3", "m1", "m3")
	var ids []string
	for _, f := range resp.BatchItemFailures {
		ids = append(ids, f.ItemIdentifier)
	}
	assert.Equal(t, []string{"m1", "m2", "m3"}, ids)
}

func TestSQSEmptyResponseMarshalsAsList(t *testing.T) {
	d := newTestDecoder(t, Config{})
	b, err := d.DecodeLambda(context.Background(), sqsPayload(t, cloudEventJSON(t, TypeGrantSyncRequested, nil)))
	require.NoError(t, err)
	out, err := json.Marshal(b.SQSResponse())
	require.NoError(t, err)
	assert.JSONEq(t, `{"batchItemFailures":[]}`, string(out))
}

func TestSQSLimits(t *testing.T) {
	d := newTestDecoder(t, Config{MaxBatch: 2, MaxBody: 200})
	small := cloudEventJSON(t, TypeGrantSyncRequested, nil)
	large := cloudEventJSON(t, TypeSweepRequested, map[string]any{"cursor": string(make([]byte, 300))})
	b, err := d.DecodeLambda(context.Background(), sqsPayload(t, small, large, small, small))
	require.NoError(t, err)
	assert.Equal(t, []string{"m1", "m2", "m3"}, b.FailedRecords(), "too large, then past the batch limit")
	assert.Equal(t, http.StatusRequestEntityTooLarge, HTTPStatus(b.Records[1].Err))
	assert.Equal(t, http.StatusBadRequest, HTTPStatus(b.Records[2].Err))
	assert.Len(t, b.Events, 1)
}
