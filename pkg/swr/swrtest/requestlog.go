package swrtest

import (
	"maps"
	"net/http"
	"slices"
	"sync"
	"time"
)

// RequestRecord is one request the server received (control requests under
// /_emulator/ are not recorded).
type RequestRecord struct {
	Method string `json:"method"`
	// Path is the decoded URL path, repository names in their "$" form.
	Path  string `json:"path"`
	Query string `json:"query,omitempty"`
	// Endpoint names the API, e.g.
	// "POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions", or
	// "<METHOD> (no route)" for a path the API does not have.
	Endpoint string `json:"endpoint"`
	// Status is the status code answered; 0 when the connection was reset
	// or the client went away first.
	Status    int       `json:"status"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	// Body is the request body as received; empty when there was none.
	Body string `json:"body,omitempty"`
	// Hooked is true when the Hook answered the request in place of the
	// emulator. Writes does not count such requests.
	Hooked bool `json:"hooked,omitempty"`
}

type requestLog struct {
	mu      sync.Mutex
	records []RequestRecord
	counts  map[string]int
	writes  int
}

func (l *requestLog) add(rec RequestRecord, iam bool) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.records = append(l.records, rec)
	if l.counts == nil {
		l.counts = map[string]int{}
	}
	l.counts[rec.Endpoint]++
	if !iam && rec.Method != http.MethodGet && rec.Method != http.MethodHead &&
		rec.Status >= 200 && rec.Status < 300 {
		l.writes++
	}
}

// Requests returns the requests received since the last ResetLog, oldest first.
func (s *Server) Requests() []RequestRecord {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return slices.Clone(s.log.records)
}

// Counts returns how many requests each endpoint received since the last
// ResetLog, whatever their outcome.
func (s *Server) Counts() map[string]int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	out := maps.Clone(s.log.counts)
	if out == nil {
		out = map[string]int{}
	}
	return out
}

// Writes returns how many SWR write requests (any method but GET and HEAD)
// succeeded since the last ResetLog. IAM token requests are not counted.
func (s *Server) Writes() int {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	return s.log.writes
}

// ResetLog forgets the recorded requests, counts and writes.
func (s *Server) ResetLog() {
	s.log.mu.Lock()
	defer s.log.mu.Unlock()
	s.log.records, s.log.counts, s.log.writes = nil, nil, 0
}
