package swrtest

import (
	"bytes"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/httpstatus"
	"github.com/swr-autopilot/swr-autopilot/pkg/internal/wait"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

const (
	headerRequestID = "X-Request-Id"
	controlPrefix   = "/_emulator/"
	maxBodyBytes    = 4 << 20
)

// Server is an in-memory SWR served over HTTP. Create it with NewServer
// (started) or NewUnstartedServer (for serving Handler on a listener of
// your own). All methods are safe for concurrent use.
type Server struct {
	// URL is the base URL of the started server, without a trailing slash.
	URL string
	// AK and SK are the access key and secret key the server accepts.
	AK, SK string
	// Region, ProjectID, Domain, DomainID, UserName, UserID and Password
	// describe the account the credentials belong to.
	Region    string
	ProjectID string
	Domain    string
	DomainID  string
	UserName  string
	UserID    string
	Password  string

	quota         int
	tokenLifetime time.Duration
	syncRegions   []string
	unpinned      unpinnedAnswers
	idPrefix      string
	absentGrant   int
	ownersListed  bool

	ts      *httptest.Server
	mux     *http.ServeMux
	control *http.ServeMux

	clock   atomic.Pointer[func() time.Time]
	latency atomic.Int64
	reqSeq  atomic.Uint64
	reading atomic.Pointer[swr.Reading]
	hook    atomic.Pointer[Hook]

	mu  sync.RWMutex
	st  *store
	iam iamDirectory
	// outbox holds, under mu, the copies into other regions that pushes
	// queued (multiregion.go); links is nil outside a Cloud.
	outbox []copyRequest
	links  *regionLinks

	log     requestLog
	limiter tokenBucket
	faults  faultInjector
	tokens  tokenStore
}

// NewServer starts an emulator configured by opts. Call Close when done.
func NewServer(opts ...Option) *Server {
	s := NewUnstartedServer(opts...)
	s.Start()
	return s
}

// NewUnstartedServer returns an emulator that is not listening yet: call
// Start, or serve Handler yourself and set URL.
func NewUnstartedServer(opts ...Option) *Server {
	c := config{
		quota:         DefaultNamespaceQuota,
		tokenLifetime: DefaultTokenLifetime,
		domain:        DefaultDomain,
		userName:      DefaultUserName,
		region:        DefaultRegion,
	}
	for _, o := range opts {
		o(&c)
	}
	if c.ak == "" {
		c.ak = strings.ToUpper(randomHex(10))
	}
	if c.sk == "" {
		c.sk = randomHex(20)
	}
	if c.password == "" {
		c.password = randomHex(12)
	}
	if c.projectID == "" {
		c.projectID = derivedID("project", c.region)
	}
	if len(c.syncRegions) == 0 {
		c.syncRegions = defaultSyncRegions(c.region)
	}
	s := &Server{
		AK: c.ak, SK: c.sk,
		Region: c.region, ProjectID: c.projectID,
		Domain: c.domain, DomainID: derivedID("domain", c.domain),
		UserName: c.userName, UserID: derivedID("user", c.domain+"/"+c.userName), Password: c.password,
		quota:         c.quota,
		tokenLifetime: c.tokenLifetime,
		syncRegions:   c.syncRegions,
		unpinned:      c.unpinned.withDefaults(),
		idPrefix:      randomHex(8),
		absentGrant:   c.absentGrant,
		ownersListed:  c.ownersListed,
		st:            newStore(),
	}
	now := time.Now
	s.clock.Store(&now)
	s.reading.Store(&swr.Reading{})
	s.faults.configure(Faults{})
	s.apply(c.controls)
	s.mux = s.routes()
	s.control = s.controlRoutes()
	if c.seed != nil {
		if err := s.Seed(*c.seed); err != nil {
			panic("swrtest: WithSeed: " + err.Error())
		}
	}
	return s
}

// Start starts listening on a loopback port and sets URL.
func (s *Server) Start() {
	s.ts = httptest.NewServer(s.Handler())
	s.URL = s.ts.URL
}

// Close stops a started server and blocks until its requests are done.
func (s *Server) Close() {
	if s.ts != nil {
		s.ts.Close()
	}
}

// Client returns an HTTP client for the started server.
func (s *Server) Client() *http.Client {
	if s.ts == nil {
		return http.DefaultClient
	}
	return s.ts.Client()
}

// Credentials returns the AK/SK credentials of the server's account, with
// its project id.
func (s *Server) Credentials() swr.AKSK {
	return swr.AKSK{AK: s.AK, SK: s.SK, ProjectID: s.ProjectID}
}

// NewClient returns an SWR client of the server's account (Credentials)
// that reaches the server at URL through Client, with the server as its
// IAM endpoint too. opts come after those settings and may replace them
// (swr.WithHTTPClient, say, for a transport of the test's own). It panics
// when an option is invalid, as a broken fixture is a bug in the test.
func (s *Server) NewClient(opts ...swr.Option) *swr.Client {
	return s.NewClientWith(s.Credentials(), opts...)
}

// NewClientWith is NewClient with other credentials: another user's keys,
// or the account's without the project id.
func (s *Server) NewClientWith(creds swr.Credentials, opts ...swr.Option) *swr.Client {
	base := []swr.Option{swr.WithHTTPClient(s.Client()), swr.WithIAMEndpoint(s.URL)}
	c, err := swr.NewClient(s.URL, creds, append(base, opts...)...)
	if err != nil {
		panic("swrtest: NewClient: " + err.Error())
	}
	return c
}

// Handler returns the HTTP handler serving the SWR API, the emulated IAM
// token endpoint and the unauthenticated /_emulator/ controls.
func (s *Server) Handler() http.Handler { return http.HandlerFunc(s.serveHTTP) }

// String describes the server by its URL; it never shows the credentials.
func (s *Server) String() string { return "swrtest.Server(" + s.URL + ")" }

// GoString is String, so that %#v does not print the credentials either.
func (s *Server) GoString() string { return s.String() }

// Now returns the current time of the server clock.
func (s *Server) Now() time.Time { return (*s.clock.Load())() }

// Set changes controls of the running server with the options that set
// them at the start: WithClock, WithLatency, WithRateLimit, WithFaults,
// WithReadings and WithHook. It panics when given an option that only
// NewServer and NewUnstartedServer take (credentials, seed, region…), as
// that is a bug in the test.
func (s *Server) Set(opts ...Option) {
	var c config
	for _, o := range opts {
		o(&c)
	}
	controls := c.controls
	c.controls = nil
	if !reflect.ValueOf(c).IsZero() {
		panic("swrtest: Set takes only the control options (WithClock, WithLatency, WithRateLimit, WithFaults, WithReadings, WithHook)")
	}
	s.apply(controls)
}

// apply sets controls, the clock first.
func (s *Server) apply(controls []control) {
	for _, first := range []bool{true, false} {
		for _, c := range controls {
			if c.first == first {
				c.apply(s)
			}
		}
	}
}

// Faults returns the injected faults in force.
func (s *Server) Faults() Faults { return s.faults.current() }

func (s *Server) now() time.Time { return s.Now() }

func (s *Server) newRequestID() string {
	return s.idPrefix + fmt.Sprintf("%016x", s.reqSeq.Add(1))
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	if strings.HasPrefix(r.URL.Path, controlPrefix) {
		s.control.ServeHTTP(w, r)
		return
	}
	received := s.now()
	id := s.newRequestID()
	w.Header().Set(headerRequestID, id)
	_, pattern := s.mux.Handler(r)
	rec := &httpstatus.Recorder{ResponseWriter: w}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	r.Body = io.NopCloser(bytes.NewReader(body))
	served, logged := false, false
	logRequest := func() {
		if !logged {
			logged = true
			s.log.add(RequestRecord{
				Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery,
				Endpoint: endpointKey(r.Method, pattern), Status: rec.Status(),
				Time: received, RequestID: id, Body: string(body), Hooked: !served,
			}, isIAM(pattern) || !served)
		}
	}
	defer logRequest() // also when a hook drops the connection with a panic
	if err != nil {
		served = true
		writeError(rec, badParams("cannot read request body"))
		return
	}
	var reset http.ResponseWriter // the connection to drop, once logged
	var api http.Handler = http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		served = true
		r.Body = io.NopCloser(bytes.NewReader(body)) // a hook may have read it
		if s.serve(w, r, pattern, body) {
			reset = w
		}
	})
	if hook := s.hook.Load(); hook != nil {
		api = (*hook)(api)
	}
	api.ServeHTTP(rec, r)
	logRequest()
	if reset != nil {
		ResetConnection(reset)
	}
}

// Hook stands in front of the emulator, for answers it cannot give
// itself: a reading of SWR no option plays, another account's resources,
// a proxy's errors, an answer lost on the way. It sees every SWR and IAM
// request first, with its body readable, and may answer it, pass it on to
// next (the emulator), or both (and change or drop what the emulator
// answered). The request log records every request with the status the
// client got; RequestRecord.Hooked is set when next never saw it. Install
// one with WithHook.
type Hook func(next http.Handler) http.Handler

// serve runs one request through latency, rate limit, faults and auth, then
// the API. It reports whether the connection must be reset instead of
// answered.
func (s *Server) serve(w http.ResponseWriter, r *http.Request, pattern string, body []byte) (reset bool) {
	ctx := r.Context()
	if d := time.Duration(s.latency.Load()); d > 0 && wait.Sleep(ctx, d) != nil {
		return false
	}
	if pattern == "" {
		writeError(w, gatewayError(http.StatusNotFound, GatewayNoAPI, "The API does not exist or has not been published in the environment"))
		return false
	}
	if ok, retryAfter := s.limiter.take(s.now()); !ok {
		w.Header().Set("Retry-After", strconv.Itoa(retryAfter))
		writeError(w, gatewayError(http.StatusTooManyRequests, GatewayThrottled, "The throttling threshold has been reached: policy user over ratelimit"))
		return false
	}
	fault, slow := s.faults.draw()
	if slow > 0 && wait.Sleep(ctx, slow) != nil {
		return false
	}
	switch fault {
	case fault500:
		writeError(w, swrError(http.StatusInternalServerError, CodeInternal, "Internal server error"))
		return false
	case fault503:
		writeError(w, gatewayError(http.StatusServiceUnavailable, GatewayUnavailable, "Backend unavailable"))
		return false
	case faultReset:
		return true
	}
	if !isIAM(pattern) {
		who, e := s.authenticate(r, body)
		if e != nil {
			writeError(w, e)
			return false
		}
		r = withCaller(r, who)
	}
	s.mux.ServeHTTP(w, r)
	s.flushCopies()
	return false
}

func endpointKey(method, pattern string) string {
	if pattern == "" {
		return method + " (no route)"
	}
	return pattern
}

// ResetConnection drops the client's connection without an answer, with
// an RST where the transport allows it: the fault a Hook plays for a
// request lost on the way. The emulator's own faults (Faults.RateReset)
// do the same.
func ResetConnection(w http.ResponseWriter) {
	conn, _, err := http.NewResponseController(w).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler)
	}
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetLinger(0)
	}
	_ = conn.Close()
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// derivedID makes a stable 32-hex-digit id, the shape of Huawei Cloud ids.
func derivedID(kind, name string) string {
	sum := sha256.Sum256([]byte(kind + ":" + name))
	return hex.EncodeToString(sum[:16])
}

func defaultSyncRegions(own string) []string {
	var out []string
	for _, r := range []string{"cn-north-4", "cn-east-3", "cn-south-1", "ap-southeast-1", "ap-southeast-3"} {
		if r != own {
			out = append(out, r)
		}
	}
	return out
}
