//go:build linux

package e2e_test

import (
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

const modulePath = "github.com/swr-autopilot/swr-autopilot/"

// stackAt is a transport that records, at the first request it matches,
// the project's files on the calling goroutine's stack, outermost first.
type stackAt struct {
	base  http.RoundTripper
	match func(*http.Request) bool
	mu    sync.Mutex
	files []string
}

func (s *stackAt) RoundTrip(r *http.Request) (*http.Response, error) {
	if s.match(r) {
		s.mu.Lock()
		if s.files == nil {
			s.files = projectFiles()
		}
		s.mu.Unlock()
	}
	return s.base.RoundTrip(r)
}

func (s *stackAt) recorded() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.files
}

// projectFiles lists the product's files on the stack ("pkg/swr/access.go"),
// outermost first, each run of calls within one file once.
func projectFiles() []string {
	pcs := make([]uintptr, 128)
	frames := runtime.CallersFrames(pcs[:runtime.Callers(3, pcs)])
	var files []string
	for {
		f, more := frames.Next()
		if fn, ok := strings.CutPrefix(f.Function, modulePath); ok && !strings.HasSuffix(f.File, "_test.go") {
			pkg := fn[:strings.LastIndex(fn[:strings.IndexByte(fn+".", '.')], "/")+1] + strings.SplitN(fn[strings.LastIndex(fn, "/")+1:], ".", 2)[0]
			file := pkg + "/" + path.Base(f.File)
			if len(files) == 0 || files[len(files)-1] != file {
				files = append(files, file)
			}
		}
		if !more {
			break
		}
	}
	slices.Reverse(files)
	return files
}

// upTo cuts files after the first that is last, the SWR service call
// (what follows is the client's plumbing).
func upTo(files []string, last string) []string {
	if i := slices.Index(files, last); i >= 0 {
		return files[:i+1]
	}
	return files
}

// tracedClient is a client on srv whose transport records the stack at
// the first request match accepts.
func tracedClient(t *testing.T, srv *swrtest.Server, match func(*http.Request) bool) (*swr.Client, *stackAt) {
	t.Helper()
	rec := &stackAt{base: srv.Client().Transport, match: match}
	c, err := swr.NewClient(srv.URL, swr.AKSK{AK: srv.AK, SK: srv.SK, ProjectID: srv.ProjectID}, swr.WithHTTPClient(&http.Client{Transport: rec}))
	require.NoError(t, err)
	return c, rec
}

func tracePolicy(t *testing.T, yaml string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(yaml), "policy.yaml")
	require.NoError(t, err)
	return p
}

// TestTracesReachTheirSWRCall runs the three traces of the README's
// architecture notes and checks, from the stack at the SWR call, the
// files each goes through from the function's entry (the decoding steps
// before the runner return before the call, so the stack cannot show them;
// the events package's tests cover them). A file appearing here and not in
// the README, or the other way round, fails the test.
func TestTracesReachTheirSWRCall(t *testing.T) {
	quiet := slog.New(slog.DiscardHandler)
	dec := func(t *testing.T, kind events.Kind) *events.Decoder {
		d, err := events.NewDecoder(events.Config{ScheduledKind: kind, Auth: events.AuthConfig{Disabled: true}})
		require.NoError(t, err)
		return d
	}

	t.Run("EventGrid repository created → retention POST", func(t *testing.T) {
		srv := newRegistry(t, swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "acme",
			Repositories: []swrtest.SeedRepository{{Name: "payments", Tags: tags("v1", "v2")}}}}})
		client, rec := tracedClient(t, srv, func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/retentions")
		})
		engine := autopilot.NewEngine(client, tracePolicy(t, onpushPolicy), autopilot.Options{Logger: quiet})
		fn := function.New(onpush.New(engine, onpush.Config{}), dec(t, events.KindSweepRequested), function.Options{Logger: quiet, Client: client})
		req := urlRequest(t, "eventgrid-create-repository.json")
		post := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(req.Body))
		post.Header.Set("Content-Type", "application/cloudevents+json")
		w := httptest.NewRecorder()

		fn.ServeHTTP(w, post)

		require.Equal(t, http.StatusOK, w.Code, w.Body.String())
		assert.Equal(t, []string{
			"pkg/function/host.go",
			"pkg/function/runner.go",
			"pkg/autopilot/onpush/job.go",
			"pkg/autopilot/retention.go",
			"pkg/swr/retentions.go",
		}, upTo(rec.recorded(), "pkg/swr/retentions.go"))
	})

	t.Run("schedule tick → trigger audit finding", func(t *testing.T) {
		srv := newRegistry(t, swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "acme",
			Repositories: []swrtest.SeedRepository{{Name: "web", Tags: tags("v1"),
				Triggers: []swrtest.SeedTrigger{{Name: "deploy", AppType: "deployments", Application: "web", ClusterName: "test-cce",
					ClusterNs: "default", Condition: ".*", TriggerType: "all", Enable: "true"}}}}}}})
		client, rec := tracedClient(t, srv, func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/triggers")
		})
		pol := tracePolicy(t, "version: 1\nmode: audit\nretention:\n  - match: \"**\"\n    unmanaged: true\naudits:\n  triggers:\n    allowed_clusters: [\"prod-cce\"]\n")
		engine := autopilot.NewEngine(client, pol, autopilot.Options{Logger: quiet})
		fn := function.New(sweep.New(engine, client, sweep.Config{}), dec(t, events.KindSweepRequested), function.Options{Logger: quiet, Client: client})

		out, err := fn.Lambda(context.Background(), sample(t, "eventbridge-scheduled.json"))

		require.NoError(t, err)
		rep := out.(*report.Report)
		require.Len(t, rep.Findings, 1)
		assert.Equal(t, plan.CodeTriggerClusterNotAllowed, rep.Findings[0].Code)
		// The sweep checks each repository on a goroutine of its own: its
		// stack starts at the sweeper.
		assert.Equal(t, []string{
			"pkg/autopilot/sweep/sweep.go",
			"pkg/autopilot/audits.go",
			"pkg/swr/triggers.go",
		}, upTo(rec.recorded(), "pkg/swr/triggers.go"))
	})

	t.Run("grant sync → grant DELETE", func(t *testing.T) {
		srv := newRegistry(t, grantsSeed())
		client, rec := tracedClient(t, srv, func(r *http.Request) bool { return r.Method == http.MethodDelete })
		job := grantsync.New(client, grantsync.Config{Directory: writeFile(t, "directory.yaml", grantsDirectory), Logger: quiet})
		fn := function.New(job, dec(t, events.KindGrantSyncRequested), function.Options{Logger: quiet, Client: client})

		out, err := fn.Lambda(context.Background(), sample(t, "cloudevent-grantsync.json"))

		require.NoError(t, err)
		assert.Positive(t, out.(*report.Report).Counts.Changed)
		assert.Equal(t, []string{
			"pkg/function/host.go",
			"pkg/function/runner.go",
			"pkg/autopilot/grantsync/run.go",
			"pkg/autopilot/internal/grantwrite/grantwrite.go",
			"pkg/swr/access.go",
		}, upTo(rec.recorded(), "pkg/swr/access.go"))
	})

	t.Run("grant sync over targets → grant DELETE: the router is one hop more", func(t *testing.T) {
		srv := newRegistry(t, grantsSeed())
		client, rec := tracedClient(t, srv, func(r *http.Request) bool { return r.Method == http.MethodDelete })
		cfg := grantsync.Config{Directory: writeFile(t, "directory.yaml", grantsDirectory), Logger: quiet}
		regs := []multitarget.Registry{{Target: targets.Target{Name: "primary"}, Client: client}, {Target: targets.Target{Name: "dr"}, Client: client}}
		job := multitarget.PerTarget(grantsync.JobName, regs, func(_ int, reg multitarget.Registry) multitarget.Job {
			return grantsync.New(reg.Client, cfg)
		})
		fn := function.New(job, dec(t, events.KindGrantSyncRequested), function.Options{Logger: quiet})

		_, err := fn.Lambda(context.Background(), sample(t, "cloudevent-grantsync.json"))

		require.NoError(t, err)
		assert.Equal(t, []string{
			"pkg/function/host.go",
			"pkg/function/runner.go",
			"pkg/autopilot/multitarget/multitarget.go",
			"pkg/autopilot/grantsync/run.go",
			"pkg/autopilot/internal/grantwrite/grantwrite.go",
			"pkg/swr/access.go",
		}, upTo(rec.recorded(), "pkg/swr/access.go"))
	})
}
