package autopilot_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// testNow is the fixed clock shared by the emulator, the client and the
// engine.
var testNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func clock() time.Time { return testNow }

// fixture is an emulator seeded for one test and a client for it.
type fixture struct {
	srv    *swrtest.Server
	client *swr.Client
}

// newFixture starts an emulator on the test clock holding seed. rt, when
// not nil, wraps the client's transport.
func newFixture(t testing.TB, seed swrtest.Seed, rt func(http.RoundTripper) http.RoundTripper, opts ...swrtest.Option) *fixture {
	t.Helper()
	srv := swrtest.NewServer(append([]swrtest.Option{swrtest.WithClock(clock), swrtest.WithSeed(&seed)}, opts...)...)
	t.Cleanup(srv.Close)
	return &fixture{srv: srv, client: newClient(t, srv, rt)}
}

func newClient(t testing.TB, srv *swrtest.Server, rt func(http.RoundTripper) http.RoundTripper) *swr.Client {
	t.Helper()
	hc := srv.Client()
	if rt != nil {
		hc = &http.Client{Transport: rt(hc.Transport)}
	}
	return srv.NewClient(swr.WithHTTPClient(hc), swr.WithClock(clock), swr.WithRetry(2, time.Millisecond, 2*time.Millisecond))
}

// engine parses a policy and returns an engine on the test clock.
func (f *fixture) engine(t testing.TB, policyYAML string) *autopilot.Engine {
	t.Helper()
	p, err := policy.Parse([]byte(policyYAML), "policy.yaml")
	require.NoError(t, err)
	return autopilot.NewEngine(f.client, p, autopilot.Options{Now: clock, Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
}

// repo returns the emulator's state of ns/name.
func (f *fixture) repo(t testing.TB, ns, name string) swrtest.RepositoryState {
	t.Helper()
	r, ok := f.srv.State().Repository(ns, name)
	require.True(t, ok, "repository %s/%s exists", ns, name)
	return r
}

// writes returns the endpoints of every request that was not a read.
func (f *fixture) writes() []string {
	var out []string
	for _, r := range f.srv.Requests() {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			out = append(out, r.Endpoint)
		}
	}
	return out
}

// tags seeds names pushed ages[i] days before testNow.
func tags(ages map[string]int) []swrtest.SeedTag {
	out := make([]swrtest.SeedTag, 0, len(ages))
	for name, days := range ages {
		out = append(out, swrtest.SeedTag{Name: name, Pushed: testNow.Add(-time.Duration(days) * 24 * time.Hour)})
	}
	slices.SortFunc(out, func(a, b swrtest.SeedTag) int { return a.Pushed.Compare(b.Pushed) })
	return out
}

// oneRepo is a seed of namespace ns holding repository name.
func oneRepo(ns string, repo swrtest.SeedRepository) swrtest.Seed {
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: ns, Repositories: []swrtest.SeedRepository{repo}}}}
}

// hook is an http.RoundTripper that calls before, once, ahead of the first
// request that match accepts.
type hook struct {
	base   http.RoundTripper
	match  func(*http.Request) bool
	before func()
	every  bool // run before on every matching request, not just the first
	once   sync.Once
}

func (h *hook) RoundTrip(r *http.Request) (*http.Response, error) {
	if h.match(r) {
		if h.every {
			h.before()
		} else {
			h.once.Do(h.before)
		}
	}
	return h.base.RoundTrip(r)
}

// withHookEvery is withHook for every matching request.
func withHookEvery(match func(*http.Request) bool, before func()) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper {
		return &hook{base: base, match: match, before: before, every: true}
	}
}

func withHook(match func(*http.Request) bool, before func()) func(http.RoundTripper) http.RoundTripper {
	return func(base http.RoundTripper) http.RoundTripper { return &hook{base: base, match: match, before: before} }
}

// twoPagesOfTags is 1001 tags, build-0000 (oldest, 1001 days) to
// build-1000 (1 day): one more than a page of tags holds.
func twoPagesOfTags() map[string]int {
	ages := map[string]int{}
	for i := range 1001 {
		ages[fmt.Sprintf("build-%04d", i)] = 1001 - i
	}
	return ages
}
