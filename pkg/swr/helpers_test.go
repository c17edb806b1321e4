package swr

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// Test credentials. The values are distinctive so that leak checks can
// search for them.
const (
	testAK      = "AKTESTLEAKCHECK0001"
	testSK      = "SKTESTLEAKCHECK0002"
	testSTS     = "STSTESTLEAKCHECK0003"
	testProject = "0123456789abcdef0123456789abcdef"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// seen is one request as the server received it.
type seen struct {
	Method   string
	Path     string // path exactly as on the wire (from the request line)
	RawQuery string
	Header   http.Header
	Body     []byte
	SigErr   error // result of Verify with the test keys
}

// recorder is an httptest server that logs every request, verifies its
// AK/SK signature when it carries one, and answers with handle.
type recorder struct {
	*httptest.Server
	mu     sync.Mutex
	reqs   []seen
	handle func(w http.ResponseWriter, r *http.Request, n int)
}

// newRecorder starts a recorder; handle gets the 1-based request number.
func newRecorder(t testing.TB, handle func(w http.ResponseWriter, r *http.Request, n int)) *recorder {
	t.Helper()
	rec := &recorder{handle: handle}
	rec.Server = httptest.NewServer(http.HandlerFunc(rec.serve))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	s := seen{Method: r.Method, RawQuery: r.URL.RawQuery, Header: r.Header.Clone(), Body: body}
	s.Path, _, _ = strings.Cut(r.RequestURI, "?")
	if r.Header.Get("Authorization") != "" {
		s.SigErr = Verify(r, body, func(ak string) (string, bool) { return testSK, ak == testAK }, testNow, 15*time.Minute)
	}
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, s)
	n := len(rec.reqs)
	rec.mu.Unlock()
	rec.handle(w, r, n)
}

// requests returns a copy of the requests received so far.
func (rec *recorder) requests() []seen {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seen(nil), rec.reqs...)
}

// reply writes status, headers and body.
func reply(w http.ResponseWriter, status int, body string, kv ...string) {
	for i := 0; i+1 < len(kv); i += 2 {
		w.Header().Set(kv[i], kv[i+1])
	}
	if body != "" && w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

// testClient builds an AK/SK client for url with the fixed clock, fast
// retries and no real sleeping: waits are recorded in the sleepLog instead.
func testClient(t testing.TB, url string, opts ...Option) (*Client, *sleepLog) {
	t.Helper()
	return testClientWith(t, url, AKSK{AK: testAK, SK: testSK, ProjectID: testProject}, opts...)
}

// testClientWith is testClient with other credentials.
func testClientWith(t testing.TB, url string, creds Credentials, opts ...Option) (*Client, *sleepLog) {
	t.Helper()
	base := []Option{WithClock(fixedClock), WithRetry(4, time.Millisecond, 8*time.Millisecond)}
	c, err := NewClient(url, creds, append(base, opts...)...)
	require.NoError(t, err)
	sl := &sleepLog{}
	c.sleep = sl.sleep
	return c, sl
}

// sleepLog records the waits of a client instead of sleeping.
type sleepLog struct {
	mu     sync.Mutex
	delays []time.Duration
}

func (s *sleepLog) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	s.mu.Unlock()
	return ctx.Err()
}

func (s *sleepLog) all() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}
