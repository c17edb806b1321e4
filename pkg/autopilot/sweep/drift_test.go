package sweep_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const driftPolicy = `mode: enforce
guard:
  max_delete_fraction: 0.5
  max_delete_tags: 200
retention:
  - match: "sandbox/**"
    unmanaged: true
  - match: "prod/**"
    keep_days: 30
    protect: ["latest"]
  - match: "**"
    keep_last: 3
audits:
  triggers:
    allowed_clusters: ["prod-cce"]
    protected: ["prod/**"]
    flag_disabled: true
    flag_failures: true
    remediate: disable
  sync:
    require:
      - match: "prod/**"
        region: cn-east-3
        forbid_override: true
    remediate: create
  visibility:
    allow_public: ["public/**"]
    remediate: private
`

// legacyRuleID is the id of the second retention rule that legacyRule
// shows on team/extra-rules: SWR holds one rule per repository now, but
// repositories from before may carry more, and the emulator cannot.
const legacyRuleID = 990001

// legacyRule serves a second, legacy retention rule on team/extra-rules
// in front of the emulator until it is deleted, and counts the deletes.
type legacyRule struct {
	mu      sync.Mutex
	deletes int
}

const extraRulesPath = "/v2/manage/namespaces/team/repos/extra-rules/retentions"

func (l *legacyRule) middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		l.mu.Lock()
		gone := l.deletes > 0
		l.mu.Unlock()
		switch {
		case r.Method == http.MethodDelete && r.URL.Path == extraRulesPath+"/"+strconv.Itoa(legacyRuleID):
			l.mu.Lock()
			l.deletes++
			l.mu.Unlock()
			w.WriteHeader(http.StatusOK)
		case r.Method == http.MethodGet && r.URL.Path == extraRulesPath && !gone:
			rec := httptest.NewRecorder()
			next.ServeHTTP(rec, r)
			var rules []swr.Retention
			if rec.Code != http.StatusOK || json.Unmarshal(rec.Body.Bytes(), &rules) != nil {
				w.WriteHeader(rec.Code)
				_, _ = w.Write(rec.Body.Bytes())
				return
			}
			rules = append(rules, swr.Retention{ID: legacyRuleID, Algorithm: "or", Rules: []swr.Rule{{
				Template: swr.TemplateDateRule, Params: map[string]string{"days": "7"}, TagSelectors: []swr.TagSelector{}}}})
			var buf bytes.Buffer
			_ = json.NewEncoder(&buf).Encode(rules)
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write(buf.Bytes())
		default:
			next.ServeHTTP(w, r)
		}
	})
}

func (l *legacyRule) deleted() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.deletes
}

func tagsAged(ages ...string) []swrtest.SeedTag {
	out := make([]swrtest.SeedTag, len(ages))
	for i, a := range ages {
		out[i] = swrtest.SeedTag{Name: "1.0." + strconv.Itoa(i), Age: a}
	}
	return out
}

func trigger(name, cluster, typ, enable string, history ...swrtest.SeedTriggerHistory) swrtest.SeedTrigger {
	return swrtest.SeedTrigger{Name: name, AppType: "deployments", Application: "web", ClusterName: cluster,
		ClusterNs: "default", Condition: ".*", TriggerType: typ, Enable: enable, History: history}
}

// driftSeed holds one repository per kind of drift, plus conformant and
// unmanaged ones.
func driftSeed() swrtest.Seed {
	prodRule := &swrtest.SeedRetention{Template: "date_rule", Params: map[string]string{"days": "30"},
		TagSelectors: []swrtest.SeedSelector{{Kind: "label", Pattern: "latest"}}}
	keep3 := &swrtest.SeedRetention{Template: "tag_rule", Params: map[string]string{"num": "3"}, TagSelectors: []swrtest.SeedSelector{}}
	replica := []swrtest.SeedSyncRepo{{RemoteRegionID: "cn-east-3", RemoteNamespace: "prod", SyncAuto: true}}
	prodTags := append(tagsAged("5d"), swrtest.SeedTag{Name: "latest", Age: "1d"})
	old := tagsAged("50d", "49d", "48d", "47d", "46d", "45d", "44d", "43d", "42d", "41d")
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "prod", Repositories: []swrtest.SeedRepository{
			{Name: "api", Tags: prodTags, Retention: prodRule, SyncRepos: replica,
				Triggers: []swrtest.SeedTrigger{trigger("deploy", "prod-cce", "tag", "true")}},
			{Name: "missing-sync", Tags: prodTags, Retention: prodRule},
			{Name: "override", Tags: prodTags, Retention: prodRule,
				SyncRepos: []swrtest.SeedSyncRepo{{RemoteRegionID: "cn-east-3", RemoteNamespace: "prod", SyncAuto: true, Override: true}}},
			{Name: "deploy-all", Tags: prodTags, Retention: prodRule, SyncRepos: replica,
				Triggers: []swrtest.SeedTrigger{trigger("all-tags", "prod-cce", "all", "true")}},
			{Name: "guarded", Tags: append(old, swrtest.SeedTag{Name: "latest", Age: "1d"}), SyncRepos: replica},
		}},
		{Name: "public", Repositories: []swrtest.SeedRepository{
			{Name: "site", IsPublic: true, Tags: tagsAged("2d"), Retention: keep3},
		}},
		{Name: "sandbox", Repositories: []swrtest.SeedRepository{
			{Name: "scratch", Tags: tagsAged("90d", "80d", "70d", "60d", "50d")},
		}},
		{Name: "team", Repositories: []swrtest.SeedRepository{
			{Name: "ok", Tags: tagsAged("3d", "2d", "1d"), Retention: keep3},
			{Name: "missing-rule", Tags: tagsAged("4d", "3d", "2d", "1d")},
			{Name: "wrong-params", Tags: tagsAged("4d", "3d", "2d", "1d"),
				Retention: &swrtest.SeedRetention{Template: "tag_rule", Params: map[string]string{"num": "10"}, TagSelectors: []swrtest.SeedSelector{}}},
			{Name: "wrong-template", Tags: tagsAged("4d", "3d", "2d", "1d"),
				Retention: &swrtest.SeedRetention{Template: "date_rule", Params: map[string]string{"days": "30"}, TagSelectors: []swrtest.SeedSelector{}}},
			{Name: "extra-rules", Tags: tagsAged("3d", "2d", "1d"), Retention: keep3},
			{Name: "cluster", Tags: tagsAged("2d"), Retention: keep3,
				Triggers: []swrtest.SeedTrigger{trigger("rogue", "rogue-cce", "tag", "true")}},
			{Name: "failing", Tags: tagsAged("2d"), Retention: keep3,
				Triggers: []swrtest.SeedTrigger{trigger("flaky", "prod-cce", "tag", "true",
					swrtest.SeedTriggerHistory{Tag: "1.0.0", Result: "failed", Detail: "image pull failed", At: mustTime("2026-01-02T03:04:05Z")})}},
			{Name: "disabled", Tags: tagsAged("2d"), Retention: keep3,
				Triggers: []swrtest.SeedTrigger{trigger("paused", "prod-cce", "tag", "false")}},
			{Name: "web", IsPublic: true, Category: "app_server", Description: "the web front end", Tags: tagsAged("2d"), Retention: keep3},
		}},
	}}
}

// change finds the one change of kind on ns/repo.
func change(t *testing.T, rep *report.Report, kind, ns, repo string) report.Change {
	t.Helper()
	var found []report.Change
	for _, c := range rep.Changes {
		if c.Kind == kind && c.Namespace == ns && c.Repository == repo {
			found = append(found, c)
		}
	}
	require.Len(t, found, 1, "one %s change on %s/%s", kind, ns, repo)
	return found[0]
}

// findingCodes maps "ns/repo" to the codes of its findings.
func findingCodes(rep *report.Report) map[string][]string {
	out := map[string][]string{}
	for _, f := range rep.Findings {
		k := f.Namespace + "/" + f.Repository
		out[k] = append(out[k], f.Code)
	}
	return out
}

// TestSweepFixesOrFlagsEveryKindOfDrift runs under every reading of what
// no source pins down (swrtest.Readings).
func TestSweepFixesOrFlagsEveryKindOfDrift(t *testing.T) {
	for _, reading := range swrtest.AnswerSets() {
		t.Run(reading.Name, func(t *testing.T) { sweepFixesOrFlagsEveryKindOfDrift(t, reading) })
	}
}

func sweepFixesOrFlagsEveryKindOfDrift(t *testing.T, reading swrtest.AnswerSet) {
	legacy := &legacyRule{}
	reg := newRegistry(t, legacy.middleware, append(reading.Options, swrtest.WithSeed(ptr(driftSeed())))...)
	job := newJob(t, newClient(t, reg), driftPolicy, sweep.Config{Concurrency: 4})

	rep, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)
	require.Empty(t, rep.Errors)
	state := reg.State()

	// Retention: every drift fixed the way the plan says, and executed.
	assert.Equal(t, report.OpCreate, change(t, rep, plan.KindRetention, "team", "missing-rule").Op)
	assert.Equal(t, report.OpUpdate, change(t, rep, plan.KindRetention, "team", "wrong-params").Op)
	assert.Equal(t, report.OpReplace, change(t, rep, plan.KindRetention, "team", "wrong-template").Op)
	extra := change(t, rep, plan.KindRetention, "team", "extra-rules")
	assert.Equal(t, report.OpDelete, extra.Op)
	assert.Equal(t, strconv.Itoa(legacyRuleID), extra.Subject)
	assert.Equal(t, 1, legacy.deleted(), "the legacy rule is deleted once")
	for _, name := range []string{"missing-rule", "wrong-params", "wrong-template"} {
		c := change(t, rep, plan.KindRetention, "team", name)
		assert.Equal(t, report.StatusApplied, c.Status, name)
		require.NotNil(t, c.Impact, name)
		assert.Equal(t, []string{"1.0.0"}, c.Impact.Delete, "%s: the oldest of four tags goes", name)
		repo, _ := state.Repository("team", name)
		require.NotNil(t, repo.Retention, name)
		assert.Equal(t, swr.TemplateTagRule, repo.Retention.Rules[0].Template, name)
		assert.Equal(t, "3", repo.Retention.Rules[0].Params["num"], name)
		assert.Equal(t, []string{"1.0.1", "1.0.2", "1.0.3"}, repo.TagNames(), name)
	}

	// A rule the guard refuses is reported and not written.
	guarded := change(t, rep, plan.KindRetention, "prod", "guarded")
	assert.Equal(t, report.StatusRefused, guarded.Status)
	assert.Len(t, guarded.Impact.Delete, 10)
	repo, _ := state.Repository("prod", "guarded")
	assert.Nil(t, repo.Retention)
	assert.Len(t, repo.Tags, 11)

	// Triggers: disallowed cluster and "all" in a protected scope are
	// disabled; failures and disabled triggers are flagged.
	for _, rt := range []struct{ ns, repo string }{{"team", "cluster"}, {"prod", "deploy-all"}} {
		c := change(t, rep, plan.KindTrigger, rt.ns, rt.repo)
		assert.Equal(t, report.StatusApplied, c.Status)
		repo, _ := state.Repository(rt.ns, rt.repo)
		require.Len(t, repo.Triggers, 1)
		assert.Equal(t, "false", repo.Triggers[0].Enable, "%s/%s trigger disabled", rt.ns, rt.repo)
	}
	// Sync: the missing replica is created; a forbidden override is flagged.
	assert.Equal(t, report.StatusApplied, change(t, rep, plan.KindSync, "prod", "missing-sync").Status)
	repo, _ = state.Repository("prod", "missing-sync")
	require.Len(t, repo.SyncRepos, 1)
	assert.Equal(t, "cn-east-3", repo.SyncRepos[0].RemoteRegionID)
	assert.Equal(t, "prod", repo.SyncRepos[0].RemoteNamespace)
	assert.False(t, repo.SyncRepos[0].Override)
	// Visibility: made private, category and description unchanged.
	assert.Equal(t, report.StatusApplied, change(t, rep, plan.KindVisibility, "team", "web").Status)
	repo, _ = state.Repository("team", "web")
	assert.False(t, repo.IsPublic)
	assert.Equal(t, "app_server", repo.Category)
	assert.Equal(t, "the web front end", repo.Description)

	codes := findingCodes(rep)
	assert.Equal(t, []string{plan.CodeGuardMaxFraction}, codes["prod/guarded"])
	assert.Equal(t, []string{plan.CodeTriggerClusterNotAllowed}, codes["team/cluster"])
	assert.Equal(t, []string{plan.CodeTriggerTypeAllInProtected}, codes["prod/deploy-all"])
	assert.Equal(t, []string{plan.CodeTriggerRecentFailures}, codes["team/failing"])
	assert.Equal(t, []string{plan.CodeTriggerDisabled}, codes["team/disabled"])
	assert.Equal(t, []string{plan.CodeSyncMissingReplica}, codes["prod/missing-sync"])
	assert.Equal(t, []string{plan.CodeSyncOverrideForbidden}, codes["prod/override"])
	assert.Equal(t, []string{plan.CodeVisibilityPublicNotAllowed}, codes["team/web"])
	assert.Len(t, codes, 8, "no other repository has findings: %v", codes)

	assert.Equal(t, 16, rep.Counts.Scanned)
	assert.Equal(t, 1, rep.Counts.Unmanaged, "sandbox/scratch")
	assert.Equal(t, 3, rep.Counts.Conformant, "prod/api, public/site and team/ok")
	assert.Equal(t, 1, rep.Counts.Refused)
	assert.Equal(t, 8, rep.Counts.Changed)
	assert.Equal(t, "sweep", rep.Job)
	assert.False(t, rep.DryRun)
	assert.Empty(t, rep.Cursor)
	assert.Positive(t, rep.APICalls)
	scratch, _ := state.Repository("sandbox", "scratch")
	assert.Len(t, scratch.Tags, 5, "unmanaged repositories are left alone")

	// A second sweep finds nothing left to write.
	reg.ResetLog()
	rep2, err := job.Handle(context.Background(), []events.Event{sweepEvent(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Zero(t, reg.Writes(), "second sweep writes nothing")
	assert.Equal(t, 1, legacy.deleted())
	assert.Empty(t, rep2.Errors)
	assert.Zero(t, rep2.Counts.Changed)
	assert.Equal(t, 1, rep2.Counts.Refused, "the guard still refuses prod/guarded")
	assert.Equal(t, 16, rep2.Counts.Scanned)
}

func ptr[T any](v T) *T { return &v }

func mustTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		panic(err)
	}
	return t
}
