package autopilot_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const keepLast3 = `mode: enforce
retention:
  - match: "**"
    keep_last: 3
    protect: [latest]
guard: {max_delete_fraction: 0.6, max_delete_tags: 10}
`

// fiveTags are five versions and latest, with their ages in days:
// keep_last 3 with latest protected keeps latest, v5, v4, v3 and deletes
// v1, v2.
func fiveTags() map[string]int {
	return map[string]int{"v1": 50, "v2": 40, "v3": 30, "v4": 20, "v5": 10, "latest": 60}
}

func tagRule(num string, sels ...swrtest.SeedSelector) *swrtest.SeedRetention {
	return &swrtest.SeedRetention{Template: swr.TemplateTagRule, Params: map[string]string{"num": num}, TagSelectors: append([]swrtest.SeedSelector{}, sels...)}
}

func dateRule(days string) *swrtest.SeedRetention {
	return &swrtest.SeedRetention{Template: swr.TemplateDateRule, Params: map[string]string{"days": days}, TagSelectors: []swrtest.SeedSelector{}}
}

func TestRetentionCreatesRuleAndDeletesWhatItSimulated(t *testing.T) {
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "web/app", Tags: tags(fiveTags())}), nil)
	e := f.engine(t, keepLast3)

	res := e.Retention(t.Context(), "team", "web/app", false, nil)

	require.Empty(t, res.Errors)
	assert.True(t, res.Wrote)
	assert.False(t, res.Conformant)
	require.Len(t, res.Changes, 1)
	ch := res.Changes[0]
	assert.Equal(t, report.OpCreate, ch.Op)
	assert.Equal(t, report.StatusApplied, ch.Status)
	require.NotNil(t, ch.Impact)
	assert.Equal(t, []string{"v1", "v2"}, ch.Impact.Delete)
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, ch.Impact.Keep)

	got := f.repo(t, "team", "web/app")
	assert.Equal(t, ch.Impact.Keep, got.TagNames(), "the emulator deleted exactly the simulated tags")
	require.NotNil(t, got.Retention)
	assert.True(t, plan.SameRule(swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "3"},
		TagSelectors: []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}}, got.Retention.Rules[0]))
	assert.Equal(t, []string{"POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"}, f.writes())
}

func TestRetentionUpdatesRuleWithSameTemplate(t *testing.T) {
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: tagRule("10")}), nil)
	e := f.engine(t, keepLast3)
	before := f.repo(t, "team", "api").Retention.ID

	res := e.Retention(t.Context(), "team", "api", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.OpUpdate, res.Changes[0].Op)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	got := f.repo(t, "team", "api")
	assert.Equal(t, before, got.Retention.ID, "updated in place")
	assert.Equal(t, "3", got.Retention.Rules[0].Params["num"])
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
	assert.Equal(t, []string{"PATCH /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}"}, f.writes())
}

func TestRetentionReplacesRuleWhenTemplateChanges(t *testing.T) {
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: dateRule("365")}), nil)
	e := f.engine(t, keepLast3)
	before := f.repo(t, "team", "api").Retention.ID

	res := e.Retention(t.Context(), "team", "api", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.OpReplace, res.Changes[0].Op)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	got := f.repo(t, "team", "api")
	assert.NotEqual(t, before, got.Retention.ID)
	assert.Equal(t, swr.TemplateTagRule, got.Retention.Rules[0].Template)
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
	assert.Equal(t, []string{
		"DELETE /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}",
		"POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions",
	}, f.writes())
}

func TestRetentionCleansUpExtraRules(t *testing.T) {
	// SWR holds one rule per repository, but its API lists several. A
	// cached observation listing the desired rule and an extra one makes
	// the engine keep the desired rule and delete the other for real.
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: dateRule("365")}), nil)
	e := f.engine(t, keepLast3)
	extra := *f.repo(t, "team", "api").Retention
	desired := swr.Retention{ID: extra.ID + 1, Algorithm: "or", Rules: []swr.Rule{{Template: swr.TemplateTagRule,
		Params: map[string]string{"num": "3"}, TagSelectors: []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}}}}

	res := e.Retention(t.Context(), "team", "api", false, []swr.Retention{extra, desired})

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.OpDelete, res.Changes[0].Op)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	assert.Nil(t, res.Changes[0].Impact, "deleting a rule deletes no image")
	assert.Nil(t, f.repo(t, "team", "api").Retention, "the extra rule is gone")
	assert.Equal(t, []string{"DELETE /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}"}, f.writes())
	for _, r := range f.srv.Requests() {
		assert.NotContains(t, r.Endpoint, "/tags", "a clean-up writes no rule and needs no simulation")
	}
}

func TestRetentionNoopWhenRuleMatches(t *testing.T) {
	// Params compare numerically and selectors as a set.
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()),
		Retention: tagRule("03", swrtest.SeedSelector{Kind: swr.SelectorLabel, Pattern: "latest"})}), nil)
	e := f.engine(t, keepLast3)

	res := e.Retention(t.Context(), "team", "api", false, nil)

	assert.True(t, res.Conformant)
	assert.False(t, res.Wrote)
	assert.Empty(t, res.Changes)
	assert.Empty(t, res.Errors)
	assert.Equal(t, map[string]int{"GET /v2/manage/namespaces/{ns}/repos/{repo}/retentions": 1}, f.srv.Counts(), "one read, nothing else")
}

func TestRetentionUnmanagedCostsNothing(t *testing.T) {
	f := newFixture(t, oneRepo("sandbox", swrtest.SeedRepository{Name: "play", Tags: tags(fiveTags())}), nil)
	e := f.engine(t, "mode: enforce\nretention:\n  - match: \"sandbox/**\"\n    unmanaged: true\n  - match: \"**\"\n    keep_last: 1\n")

	res := e.Retention(t.Context(), "sandbox", "play", false, nil)

	assert.True(t, res.Unmanaged)
	assert.True(t, res.Conformant)
	assert.Empty(t, f.srv.Requests())
	rep := &report.Report{}
	res.AddTo(rep)
	assert.Equal(t, report.Counts{Scanned: 1, Unmanaged: 1}, rep.Counts)
}

func TestRetentionGuardRefusesAndWritesNothing(t *testing.T) {
	// keep_last 1 deletes 9 of 10 tags: 90%, above the 50% default.
	ages := map[string]int{}
	for i, name := range strings.Fields("a b c d e f g h i j") {
		ages[name] = i + 1
	}
	f := newFixture(t, oneRepo("prod", swrtest.SeedRepository{Name: "api", Tags: tags(ages)}), nil)
	e := f.engine(t, "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1\n")

	res := e.Retention(t.Context(), "prod", "api", false, nil)

	require.Empty(t, res.Errors)
	assert.False(t, res.Wrote)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.StatusRefused, res.Changes[0].Status)
	assert.Contains(t, res.Changes[0].Reason, "9 of 10 tags")
	assert.Len(t, res.Changes[0].Impact.Delete, 9)
	require.Len(t, res.Findings, 1)
	assert.Equal(t, plan.CodeGuardMaxFraction, res.Findings[0].Code)

	assert.Empty(t, f.writes(), "a refused plan sends no write")
	assert.Zero(t, f.srv.Writes())
	got := f.repo(t, "prod", "api")
	assert.Len(t, got.TagNames(), 10)
	assert.Nil(t, got.Retention)

	rep := &report.Report{}
	res.AddTo(rep)
	rep.Tally()
	assert.Equal(t, 1, rep.Counts.Refused)
	assert.Equal(t, map[string]int{plan.CodeGuardMaxFraction: 1}, rep.Counts.Findings)
}

func TestRetentionDryRunAndAuditModeWriteNothing(t *testing.T) {
	for _, tc := range []struct {
		name   string
		policy string
		dryRun bool
	}{
		{"dry run", keepLast3, true},
		{"audit mode", strings.Replace(keepLast3, "mode: enforce", "mode: audit", 1), false},
		{"mode left out", strings.Replace(keepLast3, "mode: enforce\n", "", 1), false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: dateRule("30")}), nil)
			e := f.engine(t, tc.policy)

			res := e.Retention(t.Context(), "team", "api", tc.dryRun, nil)

			require.Empty(t, res.Errors)
			assert.False(t, res.Wrote)
			require.Len(t, res.Changes, 1)
			assert.Equal(t, report.OpReplace, res.Changes[0].Op)
			assert.Equal(t, report.StatusPlanned, res.Changes[0].Status)
			assert.Equal(t, []string{"v1", "v2"}, res.Changes[0].Impact.Delete, "the plan carries the full impact")
			assert.Empty(t, f.writes())
			got := f.repo(t, "team", "api")
			assert.Len(t, got.TagNames(), 6)
			assert.Equal(t, swr.TemplateDateRule, got.Retention.Rules[0].Template)
		})
	}
}

func TestRetentionConcurrentCallsWriteOnce(t *testing.T) {
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}), nil)
	e := f.engine(t, keepLast3)

	results := make([]bool, 10)
	var wg sync.WaitGroup
	for i := range results {
		wg.Add(1)
		go func() {
			defer wg.Done()
			res := e.Retention(t.Context(), "team", "api", false, nil)
			assert.Empty(t, res.Errors)
			results[i] = res.Wrote
		}()
	}
	wg.Wait()

	wrote := 0
	for _, w := range results {
		if w {
			wrote++
		}
	}
	assert.Equal(t, 1, wrote, "one call wrote, the others found the rule")
	assert.Equal(t, 1, f.srv.Counts()["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"])
	assert.Equal(t, 1, f.srv.Writes())
	assert.NotNil(t, f.repo(t, "team", "api").Retention)
}

// raceCreate returns a transport hook that, just before the engine's first
// retention create reaches the emulator, has another client create rule.
func raceCreate(t *testing.T, srv **swrtest.Server, rule swr.Rule) func(http.RoundTripper) http.RoundTripper {
	return withHook(func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/retentions")
	}, func() {
		other := newClient(t, *srv, nil)
		_, err := other.Retentions.Create(t.Context(), "team", "api", swr.RetentionRequest{Algorithm: "or", Rules: []swr.Rule{rule}})
		require.NoError(t, err)
	})
}

func TestRetentionCreateRacingSameRuleConverges(t *testing.T) {
	// SWR's answer to the create that loses the race is not documented:
	// the rules read back decide, under each plausible answer.
	for _, answer := range []int{http.StatusBadRequest, http.StatusConflict} {
		t.Run(http.StatusText(answer), func(t *testing.T) {
			var srv *swrtest.Server
			f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}),
				raceCreate(t, &srv, swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "3"},
					TagSelectors: []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}}),
				swrtest.WithSecondRetentionAnswer(answer))
			srv = f.srv
			e := f.engine(t, keepLast3)

			res := e.Retention(t.Context(), "team", "api", false, nil)

			require.Empty(t, res.Errors, "losing the race to the same rule is success")
			require.Len(t, res.Changes, 1)
			assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
			got := f.repo(t, "team", "api")
			assert.Equal(t, "3", got.Retention.Rules[0].Params["num"])
			assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
			assert.Equal(t, 2, f.srv.Counts()["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"], "the other client's create and ours, refused")
			assert.Equal(t, 1, f.srv.Writes(), "only the other client's create succeeded")
		})
	}
}

func TestRetentionCreateRacingOtherRulePlansAgain(t *testing.T) {
	// SWR's answer to the create that loses the race is not documented:
	// the rules read back decide, under each plausible answer.
	for _, answer := range []int{http.StatusBadRequest, http.StatusConflict} {
		t.Run(http.StatusText(answer), func(t *testing.T) {
			var srv *swrtest.Server
			f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}),
				raceCreate(t, &srv, swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "5"},
					TagSelectors: []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}}),
				swrtest.WithSecondRetentionAnswer(answer))
			srv = f.srv
			e := f.engine(t, keepLast3)

			res := e.Retention(t.Context(), "team", "api", false, nil)

			require.Empty(t, res.Errors)
			assert.True(t, res.Wrote)
			require.Len(t, res.Changes, 1)
			assert.Equal(t, report.OpUpdate, res.Changes[0].Op, "re-planned against the rule that appeared")
			assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
			got := f.repo(t, "team", "api")
			assert.Equal(t, "3", got.Retention.Rules[0].Params["num"])
			assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
		})
	}
}

func TestRetentionErrorsCarrySWRErrorCode(t *testing.T) {
	t.Run("missing repository", func(t *testing.T) {
		f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api"}), nil)
		e := f.engine(t, keepLast3)

		res := e.Retention(t.Context(), "team", "gone", false, nil)

		require.Len(t, res.Errors, 1)
		assert.Equal(t, "list retentions", res.Errors[0].Op)
		assert.Equal(t, "team", res.Errors[0].Namespace)
		assert.Equal(t, "gone", res.Errors[0].Repository)
		assert.Contains(t, res.Errors[0].Error, swrtest.CodeRepositoryNotFound)
		assert.False(t, res.Retryable(), "a missing repository stays missing")
		rep := &report.Report{}
		res.AddTo(rep)
		rep.Tally()
		assert.Equal(t, 1, rep.Counts.Errors)
		assert.Zero(t, rep.Counts.Conformant)
	})
	t.Run("server failure", func(t *testing.T) {
		f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}), nil)
		e := f.engine(t, keepLast3)
		f.srv.Set(swrtest.WithFaults(swrtest.Faults{Rate500: 1}))

		res := e.Retention(t.Context(), "team", "api", false, nil)

		require.Len(t, res.Errors, 1)
		assert.Contains(t, res.Errors[0].Error, swrtest.CodeInternal)
		assert.True(t, res.Retryable())
		assert.NotContains(t, res.Errors[0].Error, f.srv.SK)
		assert.NotContains(t, res.Errors[0].Error, f.srv.AK)
	})
	t.Run("failed write", func(t *testing.T) {
		// The create is refused with a 400: the change is failed, not dropped.
		var srv *swrtest.Server
		f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}),
			withHook(func(r *http.Request) bool { return r.Method == http.MethodPost }, func() {
				require.NoError(t, srv.PushTag("team", "api", "v6", testNow))
				srv.Set(swrtest.WithFaults(swrtest.Faults{Rate500: 1}))
			}))
		srv = f.srv
		e := f.engine(t, keepLast3)

		res := e.Retention(t.Context(), "team", "api", false, nil)

		require.Len(t, res.Changes, 1)
		assert.Equal(t, report.StatusFailed, res.Changes[0].Status)
		assert.Contains(t, res.Changes[0].Reason, swrtest.CodeInternal)
		require.Len(t, res.Errors, 1)
		assert.Equal(t, "create retention", res.Errors[0].Op)
		assert.True(t, res.Wrote, "a failed write may have reached SWR")
	})
}

func TestRetentionSimulatesOverEveryTagPage(t *testing.T) {
	ages := map[string]int{}
	for i := range 1050 {
		ages[fmt.Sprintf("build-%04d", i)] = 1050 - i
	}
	f := newFixture(t, oneRepo("ci", swrtest.SeedRepository{Name: "cache", Tags: tags(ages)}), nil)
	e := f.engine(t, "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1000\n")

	res := e.Retention(t.Context(), "ci", "cache", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	impact := res.Changes[0].Impact
	assert.Equal(t, 1050, impact.TotalTags)
	assert.Len(t, impact.Delete, 50)
	assert.Equal(t, "build-0000", impact.Delete[0], "the oldest go")
	assert.Equal(t, 2+1+1, f.srv.Counts()["GET /v2/manage/namespaces/{ns}/repos/{repo}/tags"],
		"1,000 tags per page: two pages simulated, the last tag of the first read again after the second, one page checked after the write (1,000 tags left)")
	for _, r := range f.srv.Requests() {
		if strings.HasSuffix(r.Path, "/tags") {
			assert.Equal(t, http.StatusOK, r.Status, "only aligned offsets: %s", r.Query)
		}
	}
	assert.Len(t, f.repo(t, "ci", "cache").TagNames(), 1000)
}

// failingPosts answers the first n retention creates with status itself,
// before they reach SWR, and counts the creates sent.
type failingPosts struct {
	base   http.RoundTripper
	n      int
	status int
	mu     sync.Mutex
	sent   int
}

func (f *failingPosts) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method != http.MethodPost || !strings.HasSuffix(r.URL.Path, "/retentions") {
		return f.base.RoundTrip(r)
	}
	f.mu.Lock()
	f.sent++
	fail := f.sent <= f.n
	f.mu.Unlock()
	if !fail {
		return f.base.RoundTrip(r)
	}
	body := fmt.Sprintf(`{"errorCode":"SVCSTG.SWR.%d0001","errorMessage":"refused"}`, f.status)
	return &http.Response{StatusCode: f.status, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(body)), Request: r}, nil
}

func (f *failingPosts) creates() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.sent
}

func TestRetentionCreateIsSentAgainWhenSWRDidNotAct(t *testing.T) {
	for _, tc := range []struct {
		name            string
		failures        int
		status          int
		creates         int
		applied, ruleIn bool
	}{
		{name: "two 500s, then done", failures: 2, status: http.StatusInternalServerError, creates: 3, applied: true, ruleIn: true},
		{name: "500s throughout: bounded", failures: 100, status: http.StatusInternalServerError, creates: 4},
		{name: "a 400 is not sent again", failures: 1, status: http.StatusBadRequest, creates: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			posts := &failingPosts{n: tc.failures, status: tc.status}
			f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}),
				func(base http.RoundTripper) http.RoundTripper { posts.base = base; return posts })
			e := f.engine(t, keepLast3)

			res := e.Retention(t.Context(), "team", "api", false, nil)

			assert.Equal(t, tc.creates, posts.creates(), "creates sent")
			assert.Equal(t, 1+min(tc.failures, tc.creates), f.srv.Counts()["GET /v2/manage/namespaces/{ns}/repos/{repo}/retentions"],
				"the first read, and one after each failed create")
			require.Len(t, res.Changes, 1)
			got := f.repo(t, "team", "api")
			if tc.applied {
				require.Empty(t, res.Errors)
				assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
			} else {
				require.Len(t, res.Errors, 1)
				assert.Equal(t, "create retention", res.Errors[0].Op)
				assert.Equal(t, report.StatusFailed, res.Changes[0].Status)
			}
			assert.Equal(t, tc.ruleIn, got.Retention != nil)
			assert.LessOrEqual(t, f.srv.Writes(), 1, "one rule at most")
		})
	}
}

func TestRetentionListsTagsInPushOrderWhilePushesArrive(t *testing.T) {
	ages := twoPagesOfTags()
	var srv *swrtest.Server
	f := newFixture(t, oneRepo("ci", swrtest.SeedRepository{Name: "cache", Tags: tags(ages)}),
		withHook(func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags") && r.URL.Query().Get("offset") != "0"
		}, func() {
			require.NoError(t, srv.PushTag("ci", "cache", "hotfix", testNow)) // between the two pages
		}))
	srv = f.srv
	e := f.engine(t, "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1000\n")

	res := e.Retention(t.Context(), "ci", "cache", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	impact := res.Changes[0].Impact
	require.NotNil(t, impact)
	assert.Equal(t, 1002, impact.TotalTags, "every tag once, the one pushed meanwhile included")
	assert.Equal(t, []string{"build-0000", "build-0001"}, impact.Delete, "the two oldest go")
	seen := map[string]bool{}
	for _, name := range append(slices.Clone(impact.Keep), impact.Delete...) {
		assert.False(t, seen[name], "%s listed twice", name)
		seen[name] = true
	}
	assert.True(t, seen["hotfix"])
	assert.ElementsMatch(t, impact.Keep, f.repo(t, "ci", "cache").TagNames(), "SWR kept what was simulated")
	for _, r := range f.srv.Requests() {
		if strings.HasSuffix(r.Path, "/tags") {
			assert.Contains(t, r.Query, "order_column=updated_at")
			assert.Contains(t, r.Query, "order_type=asc")
		}
	}
}

func TestRetentionRelistsATornTagListingAndKeepsWhatItSays(t *testing.T) {
	ages := twoPagesOfTags()
	var srv *swrtest.Server
	f := newFixture(t, oneRepo("ci", swrtest.SeedRepository{Name: "cache", Tags: tags(ages)}),
		withHook(func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags") && r.URL.Query().Get("offset") != "0"
		}, func() {
			// Read on page one, now the newest: every later tag moves up
			// one place, so build-1000 slips into the page already read.
			require.NoError(t, srv.PushTag("ci", "cache", "build-0500", testNow))
		}))
	srv = f.srv
	e := f.engine(t, "mode: enforce\nguard: {max_delete_fraction: 1, max_delete_tags: 2000}\nretention:\n  - match: \"**\"\n    keep_last: 10\n")

	res := e.Retention(t.Context(), "ci", "cache", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	impact := res.Changes[0].Impact
	assert.Equal(t, 1001, impact.TotalTags, "the simulation saw every tag")
	assert.Contains(t, impact.Keep, "build-1000")
	// The newest push by update time, but one of the oldest by creation
	// time: whether SWR keeps it, or build-0991 in its place, depends on
	// which time it orders by.
	assert.Equal(t, []report.UncertainTag{
		{Tag: "build-0500", Reason: "deleted if order=created, kept if order=updated"},
		{Tag: "build-0991", Reason: "deleted if order=updated, kept if order=created"},
	}, impact.Uncertain)
	r, ok := srv.State().Repository("ci", "cache")
	require.True(t, ok)
	assert.ElementsMatch(t, append(slices.Clone(impact.Keep), "build-0500"), r.TagNames(), "SWR (ordering by update time) kept what the report keeps and the uncertain tag")
}

func TestRetentionRefusesWhenTheTagsKeepChangingWhileListed(t *testing.T) {
	ages := twoPagesOfTags()
	var srv *swrtest.Server
	n := 0
	f := newFixture(t, oneRepo("ci", swrtest.SeedRepository{Name: "cache", Tags: tags(ages)}),
		withHookEvery(func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags") && r.URL.Query().Get("offset") != "0"
		}, func() {
			// Every listing is torn: another old tag is pushed again.
			n++
			require.NoError(t, srv.PushTag("ci", "cache", fmt.Sprintf("build-%04d", n), testNow.Add(time.Duration(n)*time.Second)))
		}))
	srv = f.srv
	e := f.engine(t, "mode: enforce\nguard: {max_delete_fraction: 1, max_delete_tags: 2000}\nretention:\n  - match: \"**\"\n    keep_last: 10\n")
	srv.ResetLog()

	res := e.Retention(t.Context(), "ci", "cache", false, nil)

	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error, "changed while they were listed")
	assert.Zero(t, srv.Writes(), "nothing is written from a torn listing")
}

func TestRetentionRelistsWhenATagVanishesAndAnotherArrivesWhileListing(t *testing.T) {
	ages := twoPagesOfTags()
	var f *fixture
	f = newFixture(t, oneRepo("ci", swrtest.SeedRepository{Name: "cache", Tags: tags(ages)}),
		withHook(func(r *http.Request) bool {
			return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags") && r.URL.Query().Get("offset") != "0"
		}, func() {
			// The total stays 1001, but every later tag moves up one
			// place: build-1000 would slip into the page already read.
			require.NoError(t, f.client.Repositories.DeleteTag(context.Background(), "ci", "cache", "build-0000"))
			require.NoError(t, f.srv.PushTag("ci", "cache", "new", testNow))
		}))
	srv := f.srv
	e := f.engine(t, "mode: enforce\nguard: {max_delete_fraction: 1, max_delete_tags: 2000}\nretention:\n  - match: \"**\"\n    keep_last: 10\n")

	res := e.Retention(t.Context(), "ci", "cache", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	impact := res.Changes[0].Impact
	assert.Equal(t, 1001, impact.TotalTags)
	assert.Contains(t, impact.Keep, "build-1000", "no tag was passed over")
	assert.NotContains(t, impact.Keep, "build-0991")
	r, ok := srv.State().Repository("ci", "cache")
	require.True(t, ok)
	assert.ElementsMatch(t, impact.Keep, r.TagNames(), "SWR kept exactly what the report says")
}

// TestRetentionCreateWhoseResponseIsLostIsApplied: SWR created the rule,
// the answer never came; the rule read back is the one wanted.
func TestRetentionCreateWhoseResponseIsLostIsApplied(t *testing.T) {
	lose := func(base http.RoundTripper) http.RoundTripper {
		return losingResponses{base, func(r *http.Request) bool {
			return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/retentions")
		}}
	}
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}), lose)
	res := f.engine(t, keepLast3).Retention(t.Context(), "team", "api", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	assert.Equal(t, 1, f.srv.Counts()["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"], "sent once")
}

// TestRetentionReplaceWhoseAnswersAreLostIsApplied: the answers to both
// writes of a replace are lost after SWR acted. The DELETE is sent again
// and finds the rule gone (400 SVCSTG.SWR.4000306, which counts as
// deleted); the POST is not sent again, and the rule read back is the one
// wanted.
func TestRetentionReplaceWhoseAnswersAreLostIsApplied(t *testing.T) {
	lose := func(base http.RoundTripper) http.RoundTripper {
		var once sync.Once
		return losingResponses{base, func(r *http.Request) bool {
			if !strings.Contains(r.URL.Path, "/retentions") {
				return false
			}
			if r.Method == http.MethodPost {
				return true
			}
			lost := false
			if r.Method == http.MethodDelete {
				once.Do(func() { lost = true }) // the first DELETE only
			}
			return lost
		}}
	}
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: dateRule("365")}), lose)
	res := f.engine(t, keepLast3).Retention(t.Context(), "team", "api", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.OpReplace, res.Changes[0].Op)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	assert.Equal(t, swr.TemplateTagRule, f.repo(t, "team", "api").Retention.Rules[0].Template)
	assert.Equal(t, 2, f.srv.Counts()["DELETE /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}"], "sent again, found gone")
	assert.Equal(t, 1, f.srv.Counts()["POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"], "sent once")
}
