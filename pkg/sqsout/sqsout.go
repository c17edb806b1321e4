// Package sqsout sends CloudEvents to an Amazon SQS queue, one event per
// message, with SendMessageBatch. A function hands work on to later
// invocations of itself this way (sweep continuations and shards); the
// queue's SQS event source delivers each message back as one record.
//
// It speaks the AWS JSON 1.0 protocol itself (POST /, X-Amz-Target:
// AmazonSQS.SendMessageBatch), signed with Signature Version 4 by
// pkg/sigv4, rather than through an AWS SDK: that one call does not need
// the SDK's size in every bootstrap.
package sqsout

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/loopback"
	"github.com/swr-autopilot/swr-autopilot/pkg/internal/wait"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// SQS limits of SendMessageBatch.
const (
	MaxBatchEntries = 10
	MaxMessageBytes = 256 << 10
)

// DefaultAttempts is how often Enqueue tries to send an entry that SQS
// failed without blaming the sender, or a request that failed on SQS's
// side (HTTP 5xx, throttling) or on the way.
const DefaultAttempts = 3

// Target and ContentType of a SendMessageBatch request in the AWS JSON 1.0
// protocol.
const (
	Target      = "AmazonSQS.SendMessageBatch"
	ContentType = "application/x-amz-json-1.0"
)

// Options configure a Sender. Anything left empty comes from the
// environment Lambda sets.
type Options struct {
	// Region signs the requests: AWS_REGION (or AWS_DEFAULT_REGION) when
	// empty, else the region of a queue URL of the form
	// https://sqs.<region>.amazonaws.com/<account>/<queue>.
	Region string
	// Credentials sign the requests: the execution role's
	// AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and AWS_SESSION_TOKEN when
	// empty.
	Credentials sigv4.Credentials
	// HTTPClient carries the requests (a client with a 30 s timeout when
	// nil).
	HTTPClient *http.Client
}

// Sender sends CloudEvents to one queue. It is safe for concurrent use.
type Sender struct {
	queueURL string
	endpoint string // scheme://host of the queue URL, where requests go
	signer   sigv4.Signer
	client   *http.Client
	attempts int
	backoff  time.Duration
}

// New returns a Sender to the queue at queueURL. Requests go to the
// queue URL's host, the SQS endpoint of its region. Plain http is refused
// but to a loopback host (a stand-in), since requests carry the session
// token.
func New(queueURL string, opts Options) (*Sender, error) {
	u, err := url.Parse(queueURL)
	if err != nil || u.Host == "" || !(u.Scheme == "https" || u.Scheme == "http" && loopback.Host(u.Hostname())) {
		return nil, errors.New("sqs: the queue URL must be an https URL")
	}
	region := opts.Region
	if region == "" {
		region = sigv4.RegionFromEnv(os.Getenv)
	}
	if region == "" {
		region = regionOfHost(u.Hostname())
	}
	if region == "" {
		return nil, errors.New("sqs: no region: set AWS_REGION or use a queue URL on sqs.<region>.amazonaws.com")
	}
	creds := opts.Credentials
	if creds == (sigv4.Credentials{}) {
		if creds, err = sigv4.CredentialsFromEnv(os.Getenv); err != nil {
			return nil, fmt.Errorf("sqs: %w", err)
		}
	}
	client := opts.HTTPClient
	if client == nil {
		client = &http.Client{Timeout: 30 * time.Second}
	}
	return &Sender{
		queueURL: queueURL,
		endpoint: u.Scheme + "://" + u.Host + "/",
		signer:   sigv4.Signer{Credentials: creds, Region: region, Service: "sqs"},
		client:   client,
		attempts: DefaultAttempts,
		backoff:  100 * time.Millisecond,
	}, nil
}

// regionOfHost reads the region of sqs.<region>.amazonaws.com[.cn].
func regionOfHost(host string) string {
	rest, ok := strings.CutPrefix(host, "sqs.")
	if !ok {
		return ""
	}
	region, _, ok := strings.Cut(rest, ".amazonaws.com")
	if !ok || strings.Contains(region, ".") {
		return ""
	}
	return region
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

// APIError is an error answer of SQS to a whole request.
type APIError struct {
	StatusCode int
	Code       string // e.g. AWS.SimpleQueueService.NonExistentQueue, ThrottlingException
	Message    string
}

func (e *APIError) Error() string {
	return fmt.Sprintf("SQS %s (HTTP %d): %s", e.Code, e.StatusCode, e.Message)
}

// retryable reports whether SQS failed the request on its side.
func (e *APIError) retryable() bool {
	return e.StatusCode >= 500 || strings.Contains(e.Code, "Throttl") || e.Code == "RequestThrottled"
}

type batchEntry struct {
	ID          string `json:"Id"`
	MessageBody string `json:"MessageBody"`
}

type batchResult struct {
	Successful []struct {
		ID               string `json:"Id"`
		MD5OfMessageBody string `json:"MD5OfMessageBody"`
	} `json:"Successful"`
	Failed []struct {
		ID          string `json:"Id"`
		Code        string `json:"Code"`
		Message     string `json:"Message"`
		SenderFault bool   `json:"SenderFault"`
	} `json:"Failed"`
}

// sendBatch sends up to MaxBatchEntries bodies, re-sending the entries SQS
// failed on its side, and the whole batch when the request failed so.
func (s *Sender) sendBatch(ctx context.Context, bodies []string) error {
	pending := make(map[string]string, len(bodies)) // entry id → body
	order := make([]string, len(bodies))
	for i, b := range bodies {
		id := "m" + strconv.Itoa(i)
		pending[id], order[i] = b, id
	}
	var lastFailures []string
	for attempt := 1; ; attempt++ {
		var entries []batchEntry
		for _, id := range order {
			if b, ok := pending[id]; ok {
				entries = append(entries, batchEntry{ID: id, MessageBody: b})
			}
		}
		out, err := s.call(ctx, entries)
		lastFailures = lastFailures[:0]
		switch {
		case err == nil:
		case transient(err) && attempt < s.attempts:
			lastFailures = append(lastFailures, err.Error())
			if err := wait.Sleep(ctx, s.backoff<<(attempt-1)); err != nil {
				return errors.Join(fmt.Errorf("send message batch: %d messages failed", len(pending)), err)
			}
			continue
		default:
			return fmt.Errorf("send message batch: %w", err)
		}
		for _, ok := range out.Successful {
			body, sent := pending[ok.ID]
			if !sent {
				continue
			}
			if sum := md5.Sum([]byte(body)); ok.MD5OfMessageBody != hex.EncodeToString(sum[:]) {
				return fmt.Errorf("send message batch: SQS reported MD5 %q for message %s, which is not the body's", ok.MD5OfMessageBody, ok.ID)
			}
			delete(pending, ok.ID)
		}
		retry := false
		for _, f := range out.Failed {
			lastFailures = append(lastFailures, fmt.Sprintf("%s (%s)", f.Code, f.Message))
			if f.SenderFault {
				return fmt.Errorf("send message batch: SQS refused a message: %s: %s", f.Code, f.Message)
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
		if err := wait.Sleep(ctx, s.backoff<<(attempt-1)); err != nil {
			return errors.Join(fmt.Errorf("send message batch: %d messages failed", len(pending)), err)
		}
	}
}

// transient reports whether a failed request may succeed when sent again:
// SQS failed it on its side, or it was lost on the way (swr.IsTransient,
// the project's one rule for network failures), while ctx is still live.
func transient(err error) bool {
	var api *APIError
	if errors.As(err, &api) {
		return api.retryable()
	}
	return swr.IsTransient(err) && !errors.Is(err, context.Canceled) && !errors.Is(err, context.DeadlineExceeded)
}

// call sends one signed SendMessageBatch request.
func (s *Sender) call(ctx context.Context, entries []batchEntry) (*batchResult, error) {
	body, err := json.Marshal(struct {
		QueueURL string       `json:"QueueUrl"`
		Entries  []batchEntry `json:"Entries"`
	}{s.queueURL, entries})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, s.endpoint, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", ContentType)
	req.Header.Set("X-Amz-Target", Target)
	s.signer.Sign(req, body, time.Now())
	resp, err := s.client.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err // the URL is known; keep the cause
		}
		return nil, err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, fmt.Errorf("read the answer: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return nil, apiError(resp, data)
	}
	var out batchResult
	if err := json.Unmarshal(data, &out); err != nil {
		return nil, fmt.Errorf("decode the answer: %w", err)
	}
	return &out, nil
}

// apiError reads an AWS JSON 1.0 error: the code of x-amzn-query-error
// (SQS's own codes) or else of __type, and the message.
func apiError(resp *http.Response, data []byte) *APIError {
	var doc struct {
		Type     string `json:"__type"`
		Message  string `json:"message"`
		MessageU string `json:"Message"`
	}
	_ = json.Unmarshal(data, &doc)
	e := &APIError{StatusCode: resp.StatusCode, Message: doc.Message}
	if e.Message == "" {
		e.Message = doc.MessageU
	}
	if q := resp.Header.Get("X-Amzn-Query-Error"); q != "" {
		e.Code, _, _ = strings.Cut(q, ";")
	} else if doc.Type != "" {
		e.Code = doc.Type[strings.LastIndex(doc.Type, "#")+1:]
	} else {
		e.Code = http.StatusText(resp.StatusCode)
	}
	return e
}
