// Package sqsout sends CloudEvents to an Amazon SQS queue, one event per
// message, with SendMessageBatch. A function hands work on to later
// invocations of itself this way (sweep continuations and shards); the
// queue's SQS event source delivers each message back as one record.
package sqsout

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/sqs/types"
	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// SQS limits of SendMessageBatch.
const (
	MaxBatchEntries = 10
	MaxMessageBytes = 256 << 10
)

// DefaultAttempts is how often Enqueue tries to send an entry that SQS
// failed without blaming the sender.
const DefaultAttempts = 3

// API is the part of *sqs.Client that a Sender uses.
type API interface {
	SendMessageBatch(ctx context.Context, in *sqs.SendMessageBatchInput, optFns ...func(*sqs.Options)) (*sqs.SendMessageBatchOutput, error)
}

// Sender sends CloudEvents to one queue. It is safe for concurrent use.
type Sender struct {
	api      API
	queueURL string
	attempts int
	backoff  time.Duration
}

// New returns a Sender to the queue at queueURL through api, normally an
// *sqs.Client (sqs.NewFromConfig; set Options.BaseEndpoint to reach a
// stand-in).
func New(api API, queueURL string) *Sender {
	return &Sender{api: api, queueURL: queueURL, attempts: DefaultAttempts, backoff: 100 * time.Millisecond}
}

// Enqueue sends each event as one message whose body is the event in
// CloudEvents structured JSON, in batches of MaxBatchEntries. Entries that
// SQS fails on its side are sent again, up to DefaultAttempts times in
// all. Batches go out in order and the first that fails ends the call:
// the error names its events and why; the events before them stay sent.
func (s *Sender) Enqueue(ctx context.Context, evs []cloudevents.Event) error {
	// The SDK's errors may quote the queue URL.
	return redact.Error(s.enqueue(ctx, evs))
}

func (s *Sender) enqueue(ctx context.Context, evs []cloudevents.Event) error {
	bodies := make([]string, len(evs))
	for i, ev := range evs {
		b, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("sqs: encode event %s: %w", ev.ID(), err)
		}
		if len(b) > MaxMessageBytes {
			return fmt.Errorf("sqs: event %s is %d bytes, more than the %d an SQS message holds", ev.ID(), len(b), MaxMessageBytes)
		}
		bodies[i] = string(b)
	}
	for lo := 0; lo < len(bodies); lo += MaxBatchEntries {
		hi := min(lo+MaxBatchEntries, len(bodies))
		if err := s.sendBatch(ctx, bodies[lo:hi]); err != nil {
			return fmt.Errorf("sqs: events %d-%d of %d (later ones not attempted): %w", lo+1, hi, len(bodies), err)
		}
	}
	return nil
}

// sendBatch sends up to MaxBatchEntries bodies, re-sending the entries SQS
// failed on its side.
func (s *Sender) sendBatch(ctx context.Context, bodies []string) error {
	pending := make(map[string]string, len(bodies)) // entry id → body
	order := make([]string, len(bodies))
	for i, b := range bodies {
		id := "m" + strconv.Itoa(i)
		pending[id], order[i] = b, id
	}
	var lastFailures []string
	for attempt := 1; ; attempt++ {
		in := &sqs.SendMessageBatchInput{QueueUrl: aws.String(s.queueURL)}
		for _, id := range order {
			if b, ok := pending[id]; ok {
				in.Entries = append(in.Entries, types.SendMessageBatchRequestEntry{Id: aws.String(id), MessageBody: aws.String(b)})
			}
		}
		out, err := s.api.SendMessageBatch(ctx, in)
		if err != nil {
			return fmt.Errorf("send message batch: %w", err)
		}
		for _, ok := range out.Successful {
			delete(pending, aws.ToString(ok.Id))
		}
		retry := false
		lastFailures = lastFailures[:0]
		for _, f := range out.Failed {
			lastFailures = append(lastFailures, fmt.Sprintf("%s (%s)", aws.ToString(f.Code), aws.ToString(f.Message)))
			if f.SenderFault {
				return fmt.Errorf("send message batch: SQS refused a message: %s: %s", aws.ToString(f.Code), aws.ToString(f.Message))
			}
			retry = true
		}
		if len(pending) == 0 {
			return nil
		}
		if !retry {
			return fmt.Errorf("send message batch: SQS answered for %d of %d messages", len(bodies)-len(pending), len(bodies))
		}
		if attempt >= s.attempts {
			return fmt.Errorf("send message batch: %d messages failed %d times, last: %s", len(pending), attempt, strings.Join(lastFailures, "; "))
		}
		if err := sleep(ctx, s.backoff<<(attempt-1)); err != nil {
			return errors.Join(fmt.Errorf("send message batch: %d messages failed", len(pending)), err)
		}
	}
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
