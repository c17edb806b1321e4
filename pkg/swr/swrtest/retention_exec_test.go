package swrtest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// fiftyTags seeds team-a/app with 50 tags of known ages: for i in 0..48 a
// tag pushed (24i+12) hours ago, named release-NN when i%10 == 3 and bNN
// otherwise, plus "edge" pushed exactly 30 days ago.
func fiftyTags(t *testing.T) (*swrtest.Server, *rawClient) {
	t.Helper()
	srv := newServer(t)
	repo := swrtest.SeedRepository{Name: "app"}
	for i := range 49 {
		name := fmt.Sprintf("b%02d", i)
		if i%10 == 3 {
			name = fmt.Sprintf("release-%02d", i)
		}
		repo.Tags = append(repo.Tags, swrtest.SeedTag{Name: name, Pushed: testNow().Add(-time.Duration(24*i+12) * time.Hour)})
	}
	repo.Tags = append(repo.Tags, swrtest.SeedTag{Name: "edge", Pushed: testNow().Add(-30 * 24 * time.Hour)})
	require.NoError(t, srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team-a", Repositories: []swrtest.SeedRepository{repo}}}}))
	return srv, newClient(t, srv)
}

func allFifty() []string {
	var out []string
	for i := range 49 {
		if i%10 == 3 {
			out = append(out, fmt.Sprintf("release-%02d", i))
		} else {
			out = append(out, fmt.Sprintf("b%02d", i))
		}
	}
	return append(out, "edge")
}

func without(all, removed []string) []string {
	return slices.DeleteFunc(slices.Clone(all), func(s string) bool { return slices.Contains(removed, s) })
}

// historyTags lists the tags of the retention histories through the API.
func historyTags(t *testing.T, c *rawClient, ns, repo string) ([]string, int) {
	t.Helper()
	r := c.do(http.MethodGet, repoPath(ns, repo)+"/retentions/histories", url.Values{"offset": {"0"}, "limit": {"1000"}}, nil)
	requireStatus(t, r, http.StatusOK)
	var h struct {
		RetentionLog []struct {
			Tag         string `json:"tag"`
			RetentionID int    `json:"retention_id"`
			RuleType    string `json:"rule_type"`
			CreatedAt   string `json:"created_at"`
		} `json:"retention_log"`
		Total int `json:"total"`
	}
	r.decode(t, &h)
	var tags []string
	for _, l := range h.RetentionLog {
		tags = append(tags, l.Tag)
		assert.Equal(t, testNow().Format(time.RFC3339Nano), l.CreatedAt)
	}
	return tags, h.Total
}

func remainingTags(t *testing.T, srv *swrtest.Server, ns, repo string) []string {
	t.Helper()
	r, ok := srv.State().Repository(ns, repo)
	require.True(t, ok)
	return r.TagNames()
}

func TestRetentionExecutesDateRule(t *testing.T) {
	srv, c := fiftyTags(t)
	base := repoPath("team-a", "app") + "/retentions"
	// "elease" is unanchored: it matches every release-NN tag.
	selectors := []map[string]string{{"kind": "label", "pattern": "b40"}, {"kind": "regexp", "pattern": "elease"}}

	r := c.do(http.MethodPost, base, nil, retentionBody("date_rule", map[string]any{"days": "30"}, selectors...))
	requireStatus(t, r, http.StatusCreated)
	id := int(r.object(t)["id"].(float64))

	// Pushed strictly before now−30d: i ≥ 30 (24·29+12 = 708h is younger
	// than 720h; "edge" is exactly 720h and stays), minus the exceptions
	// release-33, release-43 (regexp) and b40 (label).
	want := []string{"b30", "b31", "b32", "b34", "b35", "b36", "b37", "b38", "b39", "b41", "b42", "b44", "b45", "b46", "b47", "b48"}
	assert.ElementsMatch(t, without(allFifty(), want), remainingTags(t, srv, "team-a", "app"))
	got, total := historyTags(t, c, "team-a", "app")
	assert.ElementsMatch(t, want, got)
	assert.Equal(t, len(want), total)

	// Updating the rule runs it again: now everything older than 10 days
	// goes, "edge" included, still sparing the exceptions.
	requireEmpty(t, c.do(http.MethodPatch, base+"/"+strconv.Itoa(id), nil, retentionBody("date_rule", map[string]any{"days": "10"}, selectors...)), http.StatusCreated)
	more := []string{"b10", "b11", "b12", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "b22", "b24", "b25", "b26", "b27", "b28", "b29", "edge"}
	assert.ElementsMatch(t, without(allFifty(), append(slices.Clone(want), more...)), remainingTags(t, srv, "team-a", "app"))
	got, total = historyTags(t, c, "team-a", "app")
	assert.ElementsMatch(t, append(slices.Clone(want), more...), got)
	assert.Equal(t, len(want)+len(more), total)

	repo, _ := srv.State().Repository("team-a", "app")
	require.Len(t, repo.Histories, len(want)+len(more))
	for i, h := range repo.Histories {
		assert.Equal(t, id, h.RetentionID)
		days := "30"
		if i >= len(want) {
			days = "10"
		}
		assert.JSONEq(t, `{"template":"date_rule","params":{"days":"`+days+`"},"tag_selectors":[{"kind":"label","pattern":"b40"},{"kind":"regexp","pattern":"elease"}]}`, h.RuleType)
	}
}

func TestRetentionExecutesTagRule(t *testing.T) {
	srv, c := fiftyTags(t)
	base := repoPath("team-a", "app") + "/retentions"
	r := c.do(http.MethodPost, base, nil, tagRule("10",
		map[string]string{"kind": "label", "pattern": "b05"}, map[string]string{"kind": "regexp", "pattern": "^release-"}))
	requireStatus(t, r, http.StatusCreated)

	// Exceptions (b05 and the five release tags) neither go nor count. The
	// ten newest others are b00 b01 b02 b04 b06 b07 b08 b09 b10 b11; every
	// other tag goes, "edge" (720h, between b29 and b30) included.
	want := []string{"b12", "b14", "b15", "b16", "b17", "b18", "b19", "b20", "b21", "b22",
		"b24", "b25", "b26", "b27", "b28", "b29", "edge", "b30", "b31", "b32",
		"b34", "b35", "b36", "b37", "b38", "b39", "b40", "b41", "b42", "b44", "b45", "b46", "b47", "b48"}
	require.Len(t, want, 34)
	assert.ElementsMatch(t,
		[]string{"b00", "b01", "b02", "b04", "b05", "b06", "b07", "b08", "b09", "b10", "b11",
			"release-03", "release-13", "release-23", "release-33", "release-43"},
		remainingTags(t, srv, "team-a", "app"))
	got, total := historyTags(t, c, "team-a", "app")
	assert.ElementsMatch(t, want, got)
	assert.Equal(t, 34, total)
}

func TestRetentionTagRuleTies(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	at := testNow().Add(-time.Hour)
	for _, tag := range []string{"b", "c", "a"} {
		require.NoError(t, srv.PushTag("team-a", "app", tag, at))
	}
	requireStatus(t, c.do(http.MethodPost, repoPath("team-a", "app")+"/retentions", nil, tagRule("1")), http.StatusCreated)
	assert.Equal(t, []string{"c"}, remainingTags(t, srv, "team-a", "app"), "ties keep the greater name")
}

func TestRunRetentions(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	require.NoError(t, srv.PushTag("team-a", "app", "old", testNow().AddDate(0, 0, -5)))
	require.NoError(t, srv.PushTag("team-a", "app", "new", testNow()))
	requireStatus(t, c.do(http.MethodPost, repoPath("team-a", "app")+"/retentions", nil, retentionBody("date_rule", map[string]any{"days": "7"})), http.StatusCreated)
	assert.Equal(t, []string{"new", "old"}, remainingTags(t, srv, "team-a", "app"))

	srv.Set(swrtest.WithClock(fixedClock(testNow().AddDate(0, 0, 3))))
	assert.Equal(t, 1, srv.RunRetentions())
	assert.Equal(t, []string{"new"}, remainingTags(t, srv, "team-a", "app"))
}
