package autopilot_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const tagsEndpoint = "GET /v2/manage/namespaces/{ns}/repos/{repo}/tags"

func isRetentionPost(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/retentions")
}

func isTagListing(r *http.Request) bool {
	return r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "/tags")
}

// TestRetentionReportsKeptTagsSWRDeleted pushes a newer tag between the
// listing and the create: keep_last 3 then deletes v3 too, which the
// simulation kept. Before the tags are listed again, v1 (simulated as
// deleted) is pushed again, as if SWR had not executed that part yet.
func TestRetentionReportsKeptTagsSWRDeleted(t *testing.T) {
	var srv *swrtest.Server
	tagListings := 0
	pushNewer := withHook(isRetentionPost, func() {
		require.NoError(t, srv.PushTag("team", "api", "v6", testNow))
	})
	pushV1Again := withHook(func(r *http.Request) bool {
		if isTagListing(r) {
			tagListings++
		}
		return tagListings == 2
	}, func() {
		require.NoError(t, srv.PushTag("team", "api", "v1", testNow.Add(-50*24*time.Hour)))
	})
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}),
		func(base http.RoundTripper) http.RoundTripper { return pushNewer(pushV1Again(base)) })
	srv = f.srv
	e := f.engine(t, keepLast3)

	res := e.Retention(t.Context(), "team", "api", false, nil)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, res.Changes[0].Impact.Keep, "simulated before v6 came")
	assert.Equal(t, []string{"latest", "v1", "v4", "v5", "v6"}, f.repo(t, "team", "api").TagNames())

	require.Len(t, res.Findings, 1)
	fd := res.Findings[0]
	assert.Equal(t, plan.CodeImpactMismatch, fd.Code)
	assert.Equal(t, report.SeverityCritical, fd.Severity)
	assert.Equal(t, "team", fd.Namespace)
	assert.Equal(t, "api", fd.Repository)
	assert.Contains(t, fd.Message, "1 tag(s) the simulation kept are gone: v3 ")
	for _, other := range []string{"v1", "v2", "v6"} {
		assert.NotContains(t, fd.Message, other, "only kept tags that are gone are named")
	}
	assert.False(t, res.Conformant)

	rep := &report.Report{}
	res.AddTo(rep)
	rep.Tally()
	assert.Equal(t, map[string]int{plan.CodeImpactMismatch: 1}, rep.Counts.Findings)
}

// TestRetentionVerifiesEachRuleWriteWithOneRead covers create, update and
// replace: each accepted rule write costs one more tag listing, after the
// write, and finds nothing when the tags did not change.
func TestRetentionVerifiesEachRuleWriteWithOneRead(t *testing.T) {
	for _, tc := range []struct {
		name  string
		rule  *swrtest.SeedRetention
		write string
	}{
		{"create", nil, "POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"},
		{"update", tagRule("10"), "PATCH /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}"},
		{"replace", dateRule("365"), "POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: tc.rule}), nil)
			e := f.engine(t, keepLast3)

			res := e.Retention(t.Context(), "team", "api", false, nil)

			require.Empty(t, res.Errors)
			assert.Empty(t, res.Findings)
			require.Len(t, res.Changes, 1)
			assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
			assert.Equal(t, 2, f.srv.Counts()[tagsEndpoint], "the simulation's listing and the check's")
			var order []string
			for _, r := range f.srv.Requests() {
				order = append(order, r.Endpoint)
			}
			require.NotEmpty(t, order)
			assert.Equal(t, tagsEndpoint, order[len(order)-1], "the check comes last")
			assert.Equal(t, tc.write, order[len(order)-2], "right after the rule write")
		})
	}
}

func TestRetentionWithoutRuleWriteListsTagsOnceAtMost(t *testing.T) {
	for _, tc := range []struct {
		name     string
		policy   string
		dryRun   bool
		listings int
	}{
		{"dry run", keepLast3, true, 1},
		{"audit mode", strings.Replace(keepLast3, "mode: enforce", "mode: audit", 1), false, 1},
		{"refused", "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1\n", false, 1},
		{"conformant", strings.Replace(keepLast3, "keep_last: 3", "keep_last: 10", 1), false, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			rule := tagRule("10", swrtest.SeedSelector{Kind: swr.SelectorLabel, Pattern: "latest"})
			f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags()), Retention: rule}), nil)
			e := f.engine(t, tc.policy)

			res := e.Retention(t.Context(), "team", "api", tc.dryRun, nil)

			require.Empty(t, res.Errors)
			assert.Equal(t, tc.listings, f.srv.Counts()[tagsEndpoint])
			assert.Zero(t, f.srv.Writes())
		})
	}
}

func TestRetentionReportsAWriteItCouldNotVerify(t *testing.T) {
	var srv *swrtest.Server
	tagListings := 0
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "api", Tags: tags(fiveTags())}),
		withHook(func(r *http.Request) bool {
			if isTagListing(r) {
				tagListings++
			}
			return tagListings == 2
		}, func() { srv.Set(swrtest.WithFaults(swrtest.Faults{Rate500: 1})) }))
	srv = f.srv
	e := f.engine(t, keepLast3)

	res := e.Retention(t.Context(), "team", "api", false, nil)

	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status, "the rule is written")
	require.Len(t, res.Errors, 1)
	assert.Equal(t, "verify retention", res.Errors[0].Op)
	assert.Contains(t, res.Errors[0].Error, "retention rule of team/api written, but what SWR deleted is unverified")
	assert.Contains(t, res.Errors[0].Error, swrtest.CodeInternal)
	assert.False(t, res.Retryable(), "the rule is in place: a retry finds nothing to write")
	assert.Empty(t, res.Findings)
}

// TestRetentionWarnsWhenTheCheckingListingKeepsChanging: the check after
// the write lists over 1000 tags while they keep changing (as when SWR is
// still deleting): the write is reported unverified, as a warning, not as
// an error.
func TestRetentionWarnsWhenTheCheckingListingKeepsChanging(t *testing.T) {
	ages := twoPagesOfTags()
	var srv *swrtest.Server
	written, n := false, 0
	f := newFixture(t, oneRepo("ci", swrtest.SeedRepository{Name: "cache", Tags: tags(ages)}),
		withHookEvery(func(r *http.Request) bool {
			if isRetentionPost(r) {
				written = true
			}
			return written && isTagListing(r)
		}, func() {
			n++
			require.NoError(t, srv.PushTag("ci", "cache", fmt.Sprintf("late-%d", n), testNow.Add(time.Duration(n)*time.Second)))
		}))
	srv = f.srv
	e := f.engine(t, "mode: enforce\nguard: {max_delete_fraction: 1, max_delete_tags: 2000}\nretention:\n  - match: \"**\"\n    keep_last: 1000\n")

	res := e.Retention(t.Context(), "ci", "cache", false, nil)

	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	assert.Empty(t, res.Errors, "an unverified write is no error")
	require.Len(t, res.Findings, 1)
	assert.Equal(t, plan.CodeImpactUnverified, res.Findings[0].Code)
	assert.Equal(t, report.SeverityWarning, res.Findings[0].Severity)
}
