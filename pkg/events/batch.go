package events

import (
	awsevents "github.com/aws/aws-lambda-go/events"
)

// Origin is the shape an input arrived in. It tells the runtime how to answer.
type Origin string

// Origins.
const (
	// OriginFunctionURL is a Lambda Function URL or API Gateway v2 HTTP
	// request: answer with an events.LambdaFunctionURLResponse.
	OriginFunctionURL Origin = "functionurl"
	// OriginHTTP is a plain HTTP request in receiver mode.
	OriginHTTP Origin = "http"
	// OriginSQS is an SQS batch: answer with SQSResponse.
	OriginSQS Origin = "sqs"
	// OriginEventBridge is an EventBridge envelope, scheduled or not.
	OriginEventBridge Origin = "eventbridge"
	// OriginCloudEvent is a bare CloudEvent invoked directly (sam local
	// invoke, EventBridge Scheduler input).
	OriginCloudEvent Origin = "cloudevent"
)

// Batch is everything one input carried.
type Batch struct {
	// Origin is the input's shape.
	Origin Origin
	// Events are the decoded events in input order, Unknown ones included.
	// For SQS they are the events of the records that decoded.
	Events []Event
	// Records holds one result per SQS record, in delivery order; nil for
	// other origins.
	Records []Record

	replayKey string // the accepted HMAC signature, for Decoder.Release
}

// Record is the decoding result of one SQS record.
type Record struct {
	// MessageID is the SQS message id.
	MessageID string
	// Events is how many events the record decoded into.
	Events int
	// Err is why the record failed to decode (an *Error), nil if it did not.
	// A failed record is reported as a batch item failure so SQS redelivers
	// it (and eventually dead-letters it); it does not fail the batch.
	Err error
}

// Count returns how many events of kind k the batch holds.
func (b *Batch) Count(k Kind) int {
	n := 0
	for _, e := range b.Events {
		if e.Kind == k {
			n++
		}
	}
	return n
}

// FailedRecords returns the message ids of the SQS records that failed to
// decode, in delivery order.
func (b *Batch) FailedRecords() []string {
	var ids []string
	for _, r := range b.Records {
		if r.Err != nil {
			ids = append(ids, r.MessageID)
		}
	}
	return ids
}

// SQSResponse is the partial batch response for an SQS batch: the records
// that failed to decode plus the handler's failed message ids, each once,
// records in delivery order first.
func (b *Batch) SQSResponse(failed ...string) awsevents.SQSEventResponse {
	resp := awsevents.SQSEventResponse{BatchItemFailures: []awsevents.SQSBatchItemFailure{}}
	done := make(map[string]bool)
	add := func(id string) {
		if id != "" && !done[id] {
			done[id] = true
			resp.BatchItemFailures = append(resp.BatchItemFailures, awsevents.SQSBatchItemFailure{ItemIdentifier: id})
		}
	}
	for _, id := range b.FailedRecords() {
		add(id)
	}
	for _, id := range failed {
		add(id)
	}
	return resp
}
