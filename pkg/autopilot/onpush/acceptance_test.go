package onpush_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// Acceptance criteria of the retention engine and the onpush function.

func TestAcceptanceApplyingTwiceWritesOnce(t *testing.T) {
	// The repository starts with a rule of another template (a replace),
	// and is created anew (default grants). The cache is off so that the
	// second run really observes and plans again.
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags(), Retention: &swrtest.SeedRetention{
		Template: "date_rule", Params: map[string]string{"days": "365"}, TagSelectors: []swrtest.SeedSelector{}}}))
	job := e.job(t, jobPolicy, onpush.Config{CacheTTL: -1})
	created := func(id string) []events.Event {
		return []events.Event{event(id, events.RepositoryCreated{Namespace: "team", Repository: "api"})}
	}

	first, err := job.Handle(t.Context(), created("first"))
	require.NoError(t, err)
	require.Empty(t, first.Errors)
	assert.Equal(t, 3, e.writeRequests(), "replace (delete + create) and one grant")
	stateAfterFirst := e.srv.State()

	e.srv.ResetLog()
	second, err := job.Handle(t.Context(), created("second"))
	require.NoError(t, err)
	assert.Zero(t, e.writeRequests(), "the second run makes no write")
	assert.Zero(t, e.srv.Writes())
	assert.Empty(t, second.Changes)
	assert.Equal(t, report.Counts{Scanned: 1, Conformant: 1}, second.Counts)
	assert.Equal(t, stateAfterFirst, e.srv.State())
}

func TestAcceptanceTenConcurrentIdenticalPushesLeaveOneRule(t *testing.T) {
	for _, tc := range []struct {
		name string
		id   func(i int) string
	}{
		{"same event id", func(int) string { return "push-1" }},
		{"distinct event ids", func(i int) string { return fmt.Sprintf("push-%d", i) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags()}))
			job := e.job(t, jobPolicy, onpush.Config{})

			var wg sync.WaitGroup
			for i := range 10 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep, err := job.Handle(t.Context(), []events.Event{pushed(tc.id(i), "team", "api")})
					assert.NoError(t, err)
					assert.Empty(t, rep.Errors)
				}()
			}
			wg.Wait()

			got := e.repo(t, "team", "api")
			require.NotNil(t, got.Retention, "exactly one rule exists (SWR holds at most one)")
			assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
			assert.Equal(t, 1, e.srv.Counts()["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"], "created once")
			assert.Equal(t, 1, e.srv.Writes())
			assert.LessOrEqual(t, e.reads(), 4, "rules, tags, tags again to check the write, and rules again after our write; the rest is cached")
		})
	}
}

func TestAcceptanceGuardRefusesNinetyPercent(t *testing.T) {
	names := []string{"t0", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "t8", "t9"}
	e := newEnv(t, seed("prod", swrtest.SeedRepository{Name: "api", Tags: seedTags(names, []int{10, 9, 8, 7, 6, 5, 4, 3, 2, 1})}))
	job := e.job(t, "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1\n", onpush.Config{})

	rep, err := job.Handle(t.Context(), []events.Event{pushed("p1", "prod", "api")})

	require.NoError(t, err)
	assert.Empty(t, rep.Errors, "a refusal is not an error")
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, report.StatusRefused, rep.Changes[0].Status)
	assert.Len(t, rep.Changes[0].Impact.Delete, 9)
	assert.Equal(t, 1, rep.Counts.Refused)
	assert.Equal(t, map[string]int{plan.CodeGuardMaxFraction: 1}, rep.Counts.Findings)
	assert.Zero(t, e.writeRequests(), "nothing written")
	got := e.repo(t, "prod", "api")
	assert.Equal(t, names, got.TagNames())
	assert.Nil(t, got.Retention)
}

func TestAcceptanceProtectedTagsAreNeverDeleted(t *testing.T) {
	// Every tag is old enough for keep_days 1 to delete it; only the
	// protected ones must survive, whatever their age.
	names := []string{"latest", "v1.0.0", "v1.2.3", "v2.0.0-rc1", "main-7", "stable", "nightly"}
	e := newEnv(t, seed("prod", swrtest.SeedRepository{Name: "api", Tags: seedTags(names, []int{400, 300, 200, 100, 50, 20, 10})}))
	job := e.job(t, `mode: enforce
guard: {max_delete_fraction: 1, max_delete_tags: 1000}
retention:
  - match: "**"
    keep_days: 1
    protect: [latest, stable, "/^v\\d+\\.\\d+\\.\\d+$/"]
`, onpush.Config{})

	rep, err := job.Handle(t.Context(), []events.Event{pushed("p1", "prod", "api")})

	require.NoError(t, err)
	require.Empty(t, rep.Errors)
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, report.StatusApplied, rep.Changes[0].Status)
	assert.Equal(t, []string{"latest", "stable", "v1.0.0", "v1.2.3"}, e.repo(t, "prod", "api").TagNames(),
		"exactly the protected tags remain")
}
