// Package sqstest is an Amazon SQS stand-in for tests, in the style of
// net/http/httptest: it answers SendMessageBatch as SQS does over the AWS
// JSON 1.0 protocol (POST /, X-Amz-Target: AmazonSQS.SendMessageBatch),
// checks each request's Signature Version 4 signature as SQS does, and
// records every message, so that tests can send through sqsout (or any AWS
// SDK) and inspect what would have been queued.
package sqstest

import (
	"crypto/md5"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout"
)

// Target is the X-Amz-Target of the one operation the stand-in serves.
const Target = sqsout.Target

// The stand-in's region and the one access key it accepts.
const (
	Region          = "us-east-1"
	AccessKeyID     = "AKIDSTANDIN"
	SecretAccessKey = "stand-in-secret"
)

// signatureSkew is how far a request's X-Amz-Date may be from the
// stand-in's clock, as with SQS.
const signatureSkew = 5 * time.Minute

// Message is one message the stand-in accepted.
type Message struct {
	QueueURL  string
	EntryID   string // the batch entry id the sender gave
	MessageID string // the id SQS gave, unique per server
	Body      string
}

// Server is a running SQS stand-in. Its methods are safe for concurrent use.
type Server struct {
	*httptest.Server

	mu           sync.Mutex
	messages     []Message
	requests     int
	failEntries  int
	failRequests int
	unavailable  bool
}

// NewServer starts a stand-in. Call Close when done.
func NewServer() *Server {
	s := &Server{}
	s.Server = httptest.NewServer(http.HandlerFunc(s.serve))
	return s
}

// QueueURL is the URL of the stand-in's queue.
func (s *Server) QueueURL() string { return s.URL + "/000000000000/autopilot" }

// Options are sqsout options that reach the stand-in: its region, its
// access key and its HTTP client.
func (s *Server) Options() sqsout.Options {
	return sqsout.Options{
		Region:      Region,
		Credentials: sigv4.Credentials{AccessKeyID: AccessKeyID, SecretAccessKey: SecretAccessKey},
		HTTPClient:  s.Client(),
	}
}

// NewSender returns a Sender to the stand-in's queue.
func (s *Server) NewSender() *sqsout.Sender {
	sender, err := sqsout.New(s.QueueURL(), s.Options())
	if err != nil {
		panic("sqstest: " + err.Error()) // the stand-in's own URL and options are valid
	}
	return sender
}

// Messages returns the accepted messages, in the order they arrived.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.messages...)
}

// Requests returns how many requests arrived, refused ones included.
func (s *Server) Requests() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests
}

// FailEntries makes the next n entries fail on SQS's side
// (SenderFault false, code InternalError), as SQS may under load.
func (s *Server) FailEntries(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failEntries = n
}

// FailRequests makes the next n requests fail whole with 500
// InternalFailure, as SQS may under load.
func (s *Server) FailRequests(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.failRequests = n
}

// SetUnavailable makes every request fail with 500 InternalFailure while
// on is true.
func (s *Server) SetUnavailable(on bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.unavailable = on
}

type requestEntry struct {
	ID          *string `json:"Id"`
	MessageBody *string `json:"MessageBody"`
}

type resultEntry struct {
	ID               string `json:"Id"`
	MessageID        string `json:"MessageId"`
	MD5OfMessageBody string `json:"MD5OfMessageBody"`
}

type errorEntry struct {
	ID          string `json:"Id"`
	Code        string `json:"Code"`
	Message     string `json:"Message"`
	SenderFault bool   `json:"SenderFault"`
}

func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests++
	s.mu.Unlock()
	switch {
	case r.Method != http.MethodPost || r.URL.Path != "/":
		writeError(w, http.StatusBadRequest, "InvalidAction", "only POST / is served")
		return
	case r.Header.Get("X-Amz-Target") != Target:
		writeError(w, http.StatusBadRequest, "InvalidAction", fmt.Sprintf("unsupported X-Amz-Target %q", r.Header.Get("X-Amz-Target")))
		return
	case r.Header.Get("Content-Type") != "application/x-amz-json-1.0":
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "Content-Type must be application/x-amz-json-1.0")
		return
	case r.Header.Get("Authorization") == "":
		writeError(w, http.StatusBadRequest, "MissingAuthenticationToken", "request is not signed")
		return
	}
	body, err := io.ReadAll(r.Body)
	if err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "unreadable body: "+err.Error())
		return
	}
	secret := func(ak string) (string, bool) { return SecretAccessKey, ak == AccessKeyID }
	if err := sigv4.Verify(r, body, Region, "sqs", secret, time.Now(), signatureSkew); err != nil {
		writeError(w, http.StatusForbidden, "InvalidSignatureException", err.Error())
		return
	}
	var in struct {
		QueueURL *string        `json:"QueueUrl"`
		Entries  []requestEntry `json:"Entries"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		writeError(w, http.StatusBadRequest, "InvalidParameterValue", "malformed JSON body: "+err.Error())
		return
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	if s.unavailable || s.failRequests > 0 {
		s.failRequests = max(s.failRequests-1, 0)
		writeError(w, http.StatusInternalServerError, "InternalFailure", "the stand-in is unavailable")
		return
	}
	if in.QueueURL != nil && *in.QueueURL != "" && *in.QueueURL != s.QueueURL() {
		writeError(w, http.StatusBadRequest, "AWS.SimpleQueueService.NonExistentQueue", "The specified queue does not exist.")
		return
	}
	if code, msg := checkBatch(in.QueueURL, in.Entries); code != "" {
		writeError(w, http.StatusBadRequest, code, msg)
		return
	}
	out := struct {
		Successful []resultEntry `json:"Successful"`
		Failed     []errorEntry  `json:"Failed"`
	}{Successful: []resultEntry{}, Failed: []errorEntry{}}
	for _, e := range in.Entries {
		if s.failEntries > 0 {
			s.failEntries--
			out.Failed = append(out.Failed, errorEntry{ID: *e.ID, Code: "InternalError", Message: "injected failure"})
			continue
		}
		sum := md5.Sum([]byte(*e.MessageBody))
		m := Message{QueueURL: *in.QueueURL, EntryID: *e.ID, MessageID: "msg-" + strconv.Itoa(len(s.messages)+1), Body: *e.MessageBody}
		s.messages = append(s.messages, m)
		out.Successful = append(out.Successful, resultEntry{ID: *e.ID, MessageID: m.MessageID, MD5OfMessageBody: hex.EncodeToString(sum[:])})
	}
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	_ = json.NewEncoder(w).Encode(out)
}

// checkBatch applies SQS's rules for a batch: a queue URL, 1 to 10 entries,
// distinct ids, each with a body.
func checkBatch(queueURL *string, entries []requestEntry) (code, msg string) {
	switch {
	case queueURL == nil || *queueURL == "":
		return "MissingParameter", "QueueUrl is required"
	case len(entries) == 0:
		return "AWS.SimpleQueueService.EmptyBatchRequest", "there should be at least one SendMessageBatchRequestEntry"
	case len(entries) > 10:
		return "AWS.SimpleQueueService.TooManyEntriesInBatchRequest", fmt.Sprintf("maximum number of entries per request are 10, got %d", len(entries))
	}
	ids := map[string]bool{}
	for i, e := range entries {
		switch {
		case e.ID == nil || *e.ID == "":
			return "MissingParameter", fmt.Sprintf("Entries[%d].Id is required", i)
		case ids[*e.ID]:
			return "AWS.SimpleQueueService.BatchEntryIdsNotDistinct", fmt.Sprintf("id %s repeated", *e.ID)
		case e.MessageBody == nil || *e.MessageBody == "":
			return "MissingParameter", fmt.Sprintf("Entries[%d].MessageBody is required", i)
		}
		ids[*e.ID] = true
	}
	return "", ""
}

// writeError answers in the AWS JSON 1.0 error shape.
func writeError(w http.ResponseWriter, status int, code, msg string) {
	w.Header().Set("Content-Type", "application/x-amz-json-1.0")
	w.Header().Set("X-Amzn-Query-Error", code+";Sender")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": "com.amazonaws.sqs#" + code, "message": msg})
}
