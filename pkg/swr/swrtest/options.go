package swrtest

import (
	"time"
)

// Option configures a Server created by NewServer or NewUnstartedServer.
// The controls (WithClock, WithLatency, WithRateLimit, WithFaults,
// WithReadings, WithHook) may also be changed while the server runs, with
// the same options, through Server.Set: each control is set one way.
type Option func(*config)

// control is an option that may change a running server: apply sets it.
// Controls marked first are applied before the others (the clock, which
// the rate limit reads).
type control struct {
	first bool
	apply func(*Server)
}

func controlOption(first bool, apply func(*Server)) Option {
	return func(c *config) { c.controls = append(c.controls, control{first, apply}) }
}

// Faults describes injected failures. Each request draws from a random
// number generator seeded with Seed, so a given sequence of requests meets
// the same faults on every run. Rate500, Rate503 and RateReset are shares
// (0..1) of requests answered with 500, 503 or a reset connection; RateSlow
// is the share delayed by Slow before they are served.
type Faults struct {
	Rate500   float64
	Rate503   float64
	RateReset float64
	Slow      time.Duration
	RateSlow  float64
	Seed      int64
}

// Default settings of a new Server.
const (
	DefaultNamespaceQuota = 5
	DefaultTokenLifetime  = 24 * time.Hour
	DefaultRegion         = "cn-north-4"
	DefaultDomain         = "autopilot-domain"
	DefaultUserName       = "autopilot"
	// MaxSkew is how far X-Sdk-Date may be from the server clock.
	MaxSkew = 15 * time.Minute
)

type config struct {
	controls      []control
	ak, sk        string
	quota         int
	tokenLifetime time.Duration
	seed          *Seed
	unpinned      unpinnedAnswers
	domain        string
	userName      string
	password      string
	region        string
	projectID     string
	syncRegions   []string
	absentGrant   int  // status of a PATCH/DELETE naming a user without a grant
	ownersListed  bool // others_auths lists the caller and the creator
}

// WithCredentials sets the access key and secret key the server accepts.
// Without it both are generated at random.
func WithCredentials(ak, sk string) Option {
	return func(c *config) { c.ak, c.sk = ak, sk }
}

// WithClock sets the clock used for signature skew, token expiry, push
// times, retention execution and the request log.
func WithClock(now func() time.Time) Option {
	return controlOption(true, func(s *Server) { s.clock.Store(&now) })
}

// WithNamespaceQuota sets how many namespaces the account may own
// (default 5). Creating one more is refused with 400 SVCSTG.SWR.4000097.
func WithNamespaceQuota(n int) Option {
	return func(c *config) { c.quota = n }
}

// WithLatency delays every SWR and IAM request by d before it is served.
func WithLatency(d time.Duration) Option {
	return controlOption(false, func(s *Server) { s.latency.Store(int64(d)) })
}

// WithRateLimit admits requests through a token bucket of burst tokens
// refilled at rps per second of the server clock, full when set. A
// request finding the bucket empty is answered 429 with a Retry-After
// header. An rps of 0 admits every request.
func WithRateLimit(rps float64, burst int) Option {
	return controlOption(false, func(s *Server) { s.limiter.configure(rps, burst, s.now()) })
}

// WithFaults injects failures as described by f, reseeding their
// generator; the zero Faults injects none.
func WithFaults(f Faults) Option {
	return controlOption(false, func(s *Server) { s.faults.configure(f) })
}

// WithHook puts h in front of the emulator (see Hook); nil removes the
// hook in force.
func WithHook(h Hook) Option {
	return controlOption(false, func(s *Server) {
		if h == nil {
			s.hook.Store(nil)
			return
		}
		s.hook.Store(&h)
	})
}

// WithTokenLifetime sets how long tokens issued by POST /v3/auth/tokens are
// valid (default 24h, as IAM does).
func WithTokenLifetime(d time.Duration) Option {
	return func(c *config) { c.tokenLifetime = d }
}

// WithSeed loads s into the server before it starts. NewServer panics when
// s is invalid, as a broken fixture is a bug in the test.
func WithSeed(s *Seed) Option {
	return func(c *config) { c.seed = s }
}

// WithDomain sets the account (domain) name. IAM token requests must name
// it when they name a domain.
func WithDomain(name string) Option {
	return func(c *config) { c.domain = name }
}

// WithUser sets the IAM user the credentials belong to: it is the creator
// of namespaces created through the API, the self_auth of grant listings,
// and the user whose password POST /v3/auth/tokens accepts.
func WithUser(name, password string) Option {
	return func(c *config) { c.userName, c.password = name, password }
}

// WithRegion sets the region the server pretends to be (default cn-north-4).
func WithRegion(region string) Option {
	return func(c *config) { c.region = region }
}

// WithProjectID sets the project id used by the quotas path and by
// GET /v3/projects. Without it an id is derived from the region.
func WithProjectID(id string) Option {
	return func(c *config) { c.projectID = id }
}

// WithSyncRegions sets the regions GET /v2/manage/regions offers as
// replication targets. Sync rules must name one of them.
func WithSyncRegions(regions ...string) Option {
	return func(c *config) { c.syncRegions = append([]string(nil), regions...) }
}
