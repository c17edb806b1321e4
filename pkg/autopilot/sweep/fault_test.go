package sweep_test

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const faultPolicy = `mode: enforce
guard:
  max_delete_fraction: 1
retention:
  - match: "**"
    keep_last: 3
audits:
  visibility:
    allow_public: []
    remediate: private
`

// throttler answers a share of requests with the API gateway's 429, drawn
// from a seeded generator; the emulator injects only 5xx and resets.
type throttler struct {
	mu      sync.Mutex
	rng     *rand.Rand
	share   float64
	enabled atomic.Bool
	count   atomic.Int64
}

func newThrottler(share float64, seed uint64) *throttler {
	t := &throttler{rng: rand.New(rand.NewPCG(seed, 429)), share: share}
	t.enabled.Store(true)
	return t
}

func (t *throttler) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.mu.Lock()
		hit := t.rng.Float64() < t.share
		t.mu.Unlock()
		if hit && t.enabled.Load() {
			t.count.Add(1)
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusTooManyRequests)
			_, _ = w.Write([]byte(`{"error_code":"APIGW.0308","error_msg":"The throttling threshold has been reached"}`))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// TestFaultySweepReportsEveryUnfinishedRepository sweeps 1,000 drifted
// repositories through 10% 5xx, 5% 429 and connection resets: every
// repository is scanned, none gets a rule twice, and every repository
// left out of line is one the report names with an error.
func TestFaultySweepReportsEveryUnfinishedRepository(t *testing.T) {
	const namespaces, perNamespace = 10, 100
	seed := simpleSeed(namespaces, perNamespace, 4)
	for i := range seed.Namespaces {
		for j := range seed.Namespaces[i].Repositories {
			seed.Namespaces[i].Repositories[j].IsPublic = j%10 == 0
		}
	}
	thr := newThrottler(0.05, 11)
	reg := newRegistry(t, thr.middleware, swrtest.WithSeed(&seed),
		swrtest.WithFaults(swrtest.Faults{Rate500: 0.05, Rate503: 0.05, RateReset: 0.02, Seed: 7}))
	job := newJob(t, newClient(t, reg), faultPolicy, sweep.Config{})

	rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Positive(t, thr.count.Load(), "throttling happened")
	assert.NotEmpty(t, rep.Errors, "some writes failed for good (a POST is not re-sent after a 500 or a reset)")
	assert.Len(t, rep.Errors, rep.Counts.Errors)

	failedRepos, failedNamespaces := map[string]bool{}, map[string]bool{}
	for _, e := range rep.Errors {
		if e.Repository == "" {
			failedNamespaces[e.Namespace] = true // a listing failed: the rest of it is unfinished
			continue
		}
		failedRepos[e.Namespace+"/"+e.Repository] = true
	}
	assert.LessOrEqual(t, rep.Counts.Scanned, namespaces*perNamespace)
	assert.GreaterOrEqual(t, rep.Counts.Scanned+len(failedNamespaces)*perNamespace, namespaces*perNamespace, "no repository dropped")

	creates := map[string]int{}
	for _, r := range reg.Requests() {
		if r.Method == http.MethodPost && r.Status/100 == 2 {
			if repo := repoOfPath(r.Path, "retentions"); repo != "" {
				creates[repo]++
			}
		}
	}
	outOfLine := 0
	for _, ns := range reg.State().Namespaces {
		for _, repo := range ns.Repositories {
			key := ns.Name + "/" + repo.Name
			assert.LessOrEqual(t, creates[key], 1, "%s: no duplicate rule", key)
			ok := repo.Retention != nil && len(repo.Retention.Rules) == 1 &&
				repo.Retention.Rules[0].Params["num"] == "3" && len(repo.Tags) == 3 && !repo.IsPublic
			if !ok {
				outOfLine++
				assert.True(t, failedRepos[key] || failedNamespaces[ns.Name], "%s is out of line and the report names no error for it", key)
			}
		}
	}
	t.Logf("%d errors, %d repositories out of line, %d throttled answers", len(rep.Errors), outOfLine, thr.count.Load())

	// The failures were transient: a sweep without faults finishes the job.
	reg.SetFaults(swrtest.Faults{})
	thr.enabled.Store(false)
	rep, err = job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Empty(t, rep.Errors)
	for _, ns := range reg.State().Namespaces {
		for _, repo := range ns.Repositories {
			require.NotNil(t, repo.Retention, "%s/%s", ns.Name, repo.Name)
			assert.Len(t, repo.Tags, 3, "%s/%s", ns.Name, repo.Name)
			assert.False(t, repo.IsPublic, "%s/%s", ns.Name, repo.Name)
		}
	}
}
