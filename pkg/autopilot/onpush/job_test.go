package onpush_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const jobPolicy = `mode: enforce
retention:
  - match: "sandbox/**"
    unmanaged: true
  - match: "**"
    keep_last: 3
    protect: [latest]
default_grants:
  - match: "**"
    users: [{user_id: u-1, user_name: alice, level: read}]
audits:
  triggers:
    allowed_clusters: [prod-cluster]
    flag_disabled: false
    flag_failures: false
    remediate: disable
`

// sixTags: keep_last 3 with latest protected deletes v1 and v2.
func sixTags() []swrtest.SeedTag {
	return seedTags([]string{"latest", "v1", "v2", "v3", "v4", "v5"}, []int{60, 50, 40, 30, 20, 10})
}

func desiredRule() *swrtest.SeedRetention {
	return &swrtest.SeedRetention{Template: swr.TemplateTagRule, Params: map[string]string{"num": "3"},
		TagSelectors: []swrtest.SeedSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}}
}

func TestHandleImagePushedAppliesRetention(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "web/app", Tags: sixTags()}))
	job := e.job(t, jobPolicy, onpush.Config{})

	rep, err := job.Handle(t.Context(), []events.Event{pushed("e1", "team", "web/app")})

	require.NoError(t, err)
	assert.Equal(t, "onpush", rep.Job)
	assert.Equal(t, "onpush", job.Name())
	assert.False(t, rep.DryRun)
	assert.Equal(t, start, rep.Started)
	assert.Equal(t, []string{"e1"}, rep.EventIDs)
	assert.Equal(t, report.Counts{Scanned: 1, Changed: 1}, rep.Counts)
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, report.OpCreate, rep.Changes[0].Op)
	assert.Equal(t, report.StatusApplied, rep.Changes[0].Status)
	assert.Equal(t, []string{"v1", "v2"}, rep.Changes[0].Impact.Delete)
	assert.Equal(t, int64(len(e.srv.Requests())), rep.APICalls, "list rules, list tags, create, list tags to check")
	assert.EqualValues(t, 4, rep.APICalls)

	got := e.repo(t, "team", "web/app")
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
	require.NotNil(t, got.Retention)
	assert.Empty(t, got.Grants, "default grants are for new repositories only")
}

func TestHandleRepositoryCreatedAddsDefaultGrants(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "fresh"}))
	job := e.job(t, jobPolicy, onpush.Config{})

	rep, err := job.Handle(t.Context(), []events.Event{event("c1", events.RepositoryCreated{Namespace: "team", Repository: "fresh"})})

	require.NoError(t, err)
	require.Empty(t, rep.Errors)
	kinds := map[string]report.Status{}
	for _, ch := range rep.Changes {
		kinds[ch.Kind] = ch.Status
	}
	assert.Equal(t, map[string]report.Status{plan.KindRetention: report.StatusApplied, grantplan.KindRepositoryAccess: report.StatusApplied}, kinds)
	assert.Equal(t, 1, rep.Counts.Scanned, "one repository, however many checks")
	got := e.repo(t, "team", "fresh")
	require.NotNil(t, got.Retention)
	assert.Equal(t, []swr.UserAuth{{UserID: "u-1", UserName: "alice", Auth: swr.AuthRead}}, got.Grants)
}

func TestHandleTriggerChangedAuditsTriggers(t *testing.T) {
	repo := swrtest.SeedRepository{Name: "api", Retention: desiredRule(), Triggers: []swrtest.SeedTrigger{{
		Name: "deploy", AppType: "deployments", Application: "api", ClusterName: "dev-cluster",
		ClusterNs: "default", Condition: ".*", TriggerType: "all", Enable: "true",
	}}}
	changed := event("t1", events.TriggerChanged{Namespace: "prod", Repository: "api", Trigger: "deploy"})

	t.Run("audited", func(t *testing.T) {
		e := newEnv(t, seed("prod", repo))
		rep, err := e.job(t, jobPolicy, onpush.Config{}).Handle(t.Context(), []events.Event{changed})
		require.NoError(t, err)
		require.Len(t, rep.Findings, 1)
		assert.Equal(t, plan.CodeTriggerClusterNotAllowed, rep.Findings[0].Code)
		require.Len(t, rep.Changes, 1)
		assert.Equal(t, report.StatusApplied, rep.Changes[0].Status)
		assert.Equal(t, "false", e.repo(t, "prod", "api").Triggers[0].Enable)
		for _, r := range e.srv.Requests() {
			assert.NotContains(t, r.Endpoint, "retentions", "a trigger change is not a retention matter")
		}
	})
	t.Run("audit off", func(t *testing.T) {
		e := newEnv(t, seed("prod", repo))
		off := strings.Split(jobPolicy, "audits:")[0]
		rep, err := e.job(t, off, onpush.Config{}).Handle(t.Context(), []events.Event{changed})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Skipped)
		assert.Zero(t, rep.Counts.Scanned)
		assert.Empty(t, e.srv.Requests())
	})
}

func TestHandleAcknowledgesOtherEventsAndDuplicates(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags(), Retention: desiredRule()}))
	job := e.job(t, jobPolicy, onpush.Config{})

	rep, err := job.Handle(t.Context(), []events.Event{
		event("n1", events.NamespaceCreated{Namespace: "team"}),
		event("g1", events.GrantsChanged{Namespace: "team"}),
		event("s1", events.SweepRequested{}),
		event("u1", events.Unknown{Type: "com.example.other"}),
		pushed("p1", "team", "api"),
		pushed("p1", "team", "api"), // redelivered in the same batch
	})
	require.NoError(t, err)
	assert.Equal(t, 5, rep.Skipped)
	assert.Equal(t, 1, rep.Counts.Scanned)
	assert.Equal(t, []string{"p1"}, rep.EventIDs, "the events acted on")

	again, err := job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})
	require.NoError(t, err)
	assert.Equal(t, 1, again.Skipped, "a redelivery to the warm instance is skipped")
	assert.Zero(t, again.APICalls)
}

func TestHandleUnmanagedRepositoryCostsNothing(t *testing.T) {
	e := newEnv(t, seed("sandbox", swrtest.SeedRepository{Name: "play", Tags: sixTags()}))
	rep, err := e.job(t, jobPolicy, onpush.Config{}).Handle(t.Context(), []events.Event{pushed("p1", "sandbox", "play")})
	require.NoError(t, err)
	assert.Equal(t, report.Counts{Scanned: 1, Unmanaged: 1}, rep.Counts)
	assert.Empty(t, e.srv.Requests())
}

func TestCacheSkipsReadsOfConformantRepositories(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags(), Retention: desiredRule()}))
	job := e.job(t, jobPolicy, onpush.Config{CacheTTL: time.Minute})

	for i, id := range eventIDs("burst", 5) {
		rep, err := job.Handle(t.Context(), []events.Event{pushed(id, "team", "api")})
		require.NoError(t, err)
		assert.Equal(t, report.Counts{Scanned: 1, Conformant: 1}, rep.Counts, "event %d", i)
	}
	assert.Equal(t, 1, e.reads(), "five pushes, one read")

	e.clock.Advance(time.Minute)
	_, err := job.Handle(t.Context(), []events.Event{pushed("after-ttl", "team", "api")})
	require.NoError(t, err)
	assert.Equal(t, 2, e.reads(), "read again once the TTL has passed")
}

// A push may deploy: a repository whose rule protects deployed tags is
// observed on every push, so that the protection moves at once.
func TestPushMovesDeployedProtectionWhateverTheCache(t *testing.T) {
	repo := swrtest.SeedRepository{Name: "api", Tags: sixTags(), Triggers: []swrtest.SeedTrigger{{
		Name: "deploy", AppType: "deployments", Application: "api", ClusterName: "prod-cluster", ClusterNs: "default",
		Condition: "^rel-", TriggerType: "regular", Enable: "true"}}}
	e := newEnv(t, seed("team", repo))
	job := e.job(t, jobPolicy+"protect_deployed: {last: 1}\n", onpush.Config{CacheTTL: time.Hour})
	handle := func(id string) *report.Report {
		t.Helper()
		rep, err := job.Handle(t.Context(), []events.Event{pushed(id, "team", "api")})
		require.NoError(t, err)
		require.Empty(t, rep.Errors)
		return rep
	}
	handle("p0") // the rule is written
	handle("p1") // observed conformant
	for i, tag := range []string{"rel-1", "v6", "v7", "v8"} {
		require.NoError(t, e.srv.PushTag("team", "api", tag, e.clock.Now().Add(time.Duration(i+1)*time.Second)))
	}
	rep := handle("p2")
	require.Len(t, rep.Changes, 1, "within the cache TTL, yet observed")
	assert.Equal(t, report.OpUpdate, rep.Changes[0].Op)
	require.Len(t, rep.Changes[0].Impact.Deployed, 1)
	assert.Equal(t, "rel-1", rep.Changes[0].Impact.Deployed[0].Tag)
	assert.Contains(t, e.repo(t, "team", "api").TagNames(), "rel-1")
}

func TestCacheIsDroppedOnWriteAndOnCreation(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags()}))
	job := e.job(t, jobPolicy, onpush.Config{})

	handle := func(ev events.Event) {
		t.Helper()
		rep, err := job.Handle(t.Context(), []events.Event{ev})
		require.NoError(t, err)
		require.Empty(t, rep.Errors)
	}
	handle(pushed("p1", "team", "api"))
	assert.Equal(t, 3, e.reads(), "rules read, tags read before and after the write")
	assert.Equal(t, 1, e.writeRequests(), "rule created")

	handle(pushed("p2", "team", "api"))
	assert.Equal(t, 4, e.reads(), "our write dropped the entry: observed again, conformant")
	handle(pushed("p3", "team", "api"))
	assert.Equal(t, 4, e.reads(), "now cached")

	handle(event("c1", events.RepositoryCreated{Namespace: "team", Repository: "api"}))
	assert.Greater(t, e.reads(), 4, "a created repository is observed whatever the cache says")
}

func TestCacheDisabled(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags(), Retention: desiredRule()}))
	job := e.job(t, jobPolicy, onpush.Config{CacheTTL: -1})
	for _, id := range eventIDs("p", 3) {
		_, err := job.Handle(t.Context(), []events.Event{pushed(id, "team", "api")})
		require.NoError(t, err)
	}
	assert.Equal(t, 3, e.reads())
}

func TestDryRunWritesNothing(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "fresh", Tags: sixTags()}))
	job := e.job(t, jobPolicy, onpush.Config{DryRun: true})

	rep, err := job.Handle(t.Context(), []events.Event{event("c1", events.RepositoryCreated{Namespace: "team", Repository: "fresh"})})

	require.NoError(t, err)
	assert.True(t, rep.DryRun)
	require.Len(t, rep.Changes, 2, "the full report: retention and grants")
	for _, ch := range rep.Changes {
		assert.Equal(t, report.StatusPlanned, ch.Status)
	}
	assert.Equal(t, []string{"v1", "v2"}, rep.Changes[0].Impact.Delete)
	assert.Zero(t, e.writeRequests())
	assert.Zero(t, e.srv.Writes())
	got := e.repo(t, "team", "fresh")
	assert.Len(t, got.TagNames(), 6)
	assert.Nil(t, got.Retention)
	assert.Empty(t, got.Grants)
}

func TestErrorsAreReportedAndRedeliveryAskedOnlyWhenNothingWasDone(t *testing.T) {
	t.Run("missing repository: reported, not redelivered", func(t *testing.T) {
		e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api"}))
		rep, err := e.job(t, jobPolicy, onpush.Config{}).Handle(t.Context(), []events.Event{pushed("p1", "team", "gone")})
		require.NoError(t, err)
		require.Len(t, rep.Errors, 1)
		assert.Contains(t, rep.Errors[0].Error, swrtest.CodeRepositoryNotFound)
		assert.Equal(t, 1, rep.Counts.Errors)
	})
	t.Run("SWR failing: redeliver, and handle the redelivery", func(t *testing.T) {
		e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags()}))
		job := e.job(t, jobPolicy, onpush.Config{})
		e.srv.Set(swrtest.WithFaults(swrtest.Faults{Rate503: 1}))

		rep, err := job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})
		require.Error(t, err)
		assert.Contains(t, err.Error(), swrtest.GatewayUnavailable)
		require.NotNil(t, rep, "the report comes with the error")
		assert.Len(t, rep.Errors, 1)

		e.srv.Set(swrtest.WithFaults(swrtest.Faults{}))
		rep, err = job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})
		require.NoError(t, err)
		assert.Zero(t, rep.Skipped, "the failed event was not remembered as handled")
		assert.NotNil(t, e.repo(t, "team", "api").Retention)
	})
	t.Run("one event done: no redelivery", func(t *testing.T) {
		e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags(), Retention: desiredRule()}))
		job := e.job(t, jobPolicy, onpush.Config{})
		_, err := job.Handle(t.Context(), []events.Event{pushed("warm", "team", "api")}) // now cached
		require.NoError(t, err)
		e.srv.Set(swrtest.WithFaults(swrtest.Faults{Rate503: 1}))
		rep, err := job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api"), pushed("p2", "team", "other")})
		require.NoError(t, err)
		assert.Len(t, rep.Errors, 1)
		assert.Equal(t, 1, rep.Counts.Conformant)
	})
	t.Run("context ended", func(t *testing.T) {
		e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags()}))
		job := e.job(t, jobPolicy, onpush.Config{})
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		rep, err := job.Handle(ctx, []events.Event{pushed("p1", "team", "api")})
		require.ErrorContains(t, err, "not handled")
		assert.Equal(t, "api", rep.Errors[0].Repository)
		assert.Empty(t, e.srv.Requests())

		rep, err = job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})
		require.NoError(t, err)
		assert.Equal(t, 1, rep.Counts.Changed, "handled on redelivery")
	})
}

func TestHandleLogsTheReport(t *testing.T) {
	e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "api", Tags: sixTags()}))
	var buf bytes.Buffer
	job := e.job(t, jobPolicy, onpush.Config{}, function.RunnerOptions{Logger: slog.New(slog.NewJSONHandler(&buf, nil))})

	_, err := job.Handle(t.Context(), []events.Event{pushed("p1", "team", "api")})
	require.NoError(t, err)

	var lines []map[string]any
	for _, l := range strings.Split(strings.TrimSpace(buf.String()), "\n") {
		var m map[string]any
		require.NoError(t, json.Unmarshal([]byte(l), &m))
		lines = append(lines, m)
	}
	require.Len(t, lines, 2)
	assert.Equal(t, "change applied", lines[0]["msg"])
	assert.Equal(t, "team/api", lines[0]["resource"])
	summary := lines[1]
	assert.Equal(t, "INFO", summary["level"])
	assert.Equal(t, "job done", summary["msg"])
	assert.Equal(t, "onpush", summary["job"])
	assert.Equal(t, []any{"p1"}, summary["event_ids"])
	assert.EqualValues(t, 1, summary["applied"])
	assert.EqualValues(t, 0, summary["planned"])
	assert.EqualValues(t, 1, summary["scanned"])
	assert.EqualValues(t, 4, summary["api_calls"], "rules, tags, create, tags again")
	assert.NotContains(t, buf.String(), e.srv.SK)
}

func TestConcurrentHandlesShareTheJob(t *testing.T) {
	// Different repositories in parallel, several events each: every
	// repository ends with one rule, created once.
	repos := []swrtest.SeedRepository{}
	for _, name := range []string{"a", "b", "c", "d"} {
		repos = append(repos, swrtest.SeedRepository{Name: name, Tags: sixTags()})
	}
	e := newEnv(t, seed("team", repos...))
	job := e.job(t, jobPolicy, onpush.Config{})

	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			repo := repos[i%len(repos)].Name
			rep, err := job.Handle(t.Context(), []events.Event{pushed(eventIDs(repo, 40)[i], "team", repo)})
			assert.NoError(t, err)
			assert.Empty(t, rep.Errors)
		}()
	}
	wg.Wait()
	assert.Equal(t, len(repos), e.srv.Counts()["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"])
	assert.Equal(t, len(repos), e.srv.Writes())
}

// TestInstancesRacingOnOneRepositoryConverge: several function instances
// (separate jobs, no shared lock) handle pushes to the same repository at
// once. Whatever SWR answers to the creates that lose the race (every
// swrtest.AnswerSet), each instance reads the rules again and none fails:
// the repository ends with the one rule, created once.
func TestInstancesRacingOnOneRepositoryConverge(t *testing.T) {
	for _, reading := range swrtest.AnswerSets() {
		t.Run(reading.Name, func(t *testing.T) {
			e := newEnv(t, seed("team", swrtest.SeedRepository{Name: "web", Tags: sixTags()}), reading.Options...)
			var wg sync.WaitGroup
			for i := range 4 {
				job := e.job(t, jobPolicy, onpush.Config{})
				wg.Add(1)
				go func() {
					defer wg.Done()
					rep, err := job.Handle(t.Context(), []events.Event{pushed(fmt.Sprintf("p%d", i), "team", "web")})
					assert.NoError(t, err)
					assert.Empty(t, rep.Errors)
				}()
			}
			wg.Wait()
			got := e.repo(t, "team", "web")
			require.NotNil(t, got.Retention)
			assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
			assert.Equal(t, 1, e.srv.Writes(), "one create succeeded")
		})
	}
}
