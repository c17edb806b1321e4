package onpush_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

var start = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// env is an emulator, a client on it and the test clock.
type env struct {
	srv    *swrtest.Server
	client *swr.Client
	clock  *swrtest.Clock // shared by the emulator, the client, the engine and the job
}

func newEnv(tb testing.TB, seed swrtest.Seed, opts ...swrtest.Option) *env {
	tb.Helper()
	clock := swrtest.NewClock(start)
	srv := swrtest.NewServer(append([]swrtest.Option{swrtest.WithClock(clock.Now), swrtest.WithSeed(&seed)}, opts...)...)
	tb.Cleanup(srv.Close)
	c := srv.NewClient(swr.WithClock(clock.Now), swr.WithRetry(2, time.Millisecond, 2*time.Millisecond))
	return &env{srv: srv, client: c, clock: clock}
}

// job builds a Job for policyYAML with cfg (its clock filled in when
// unset), in the runner the functions use: with the client, the clock and
// a silent logger unless opts gives others.
func (e *env) job(tb testing.TB, policyYAML string, cfg onpush.Config, opts ...function.RunnerOptions) *function.Runner {
	tb.Helper()
	p, err := policy.Parse([]byte(policyYAML), "policy.yaml")
	require.NoError(tb, err)
	if cfg.Now == nil {
		cfg.Now = e.clock.Now
	}
	var o function.RunnerOptions
	if len(opts) > 0 {
		o = opts[0]
	}
	o.Client, o.Now = e.client, e.clock.Now
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	engine := autopilot.NewEngine(e.client, p, autopilot.Options{Now: e.clock.Now, Logger: o.Logger})
	return function.NewRunner(onpush.New(engine, cfg), o)
}

// reads and writes count the requests the emulator received since the
// last ResetLog.
func (e *env) reads() int {
	n := 0
	for _, r := range e.srv.Requests() {
		if r.Method == http.MethodGet {
			n++
		}
	}
	return n
}

func (e *env) writeRequests() int { return len(e.srv.Requests()) - e.reads() }

func (e *env) repo(tb testing.TB, ns, name string) swrtest.RepositoryState {
	tb.Helper()
	r, ok := e.srv.State().Repository(ns, name)
	require.True(tb, ok, "repository %s/%s exists", ns, name)
	return r
}

// seedTags are tags pushed ages[i] days before start, oldest first.
func seedTags(names []string, ages []int) []swrtest.SeedTag {
	out := make([]swrtest.SeedTag, len(names))
	for i, n := range names {
		out[i] = swrtest.SeedTag{Name: n, Pushed: start.Add(-time.Duration(ages[i]) * 24 * time.Hour)}
	}
	return out
}

func seed(ns string, repos ...swrtest.SeedRepository) swrtest.Seed {
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: ns, Repositories: repos}}}
}

func event(id string, p events.Payload) events.Event {
	return events.Event{ID: id, Source: "test", Type: events.TypeOf(p.Kind()), Time: start, Kind: p.Kind(), Payload: p}
}

func pushed(id, ns, repo string) events.Event {
	return event(id, events.ImagePushed{Namespace: ns, Repository: repo, Tag: "v9"})
}

func eventIDs(prefix string, n int) []string {
	out := make([]string, n)
	for i := range out {
		out[i] = fmt.Sprintf("%s-%d", prefix, i)
	}
	return out
}
