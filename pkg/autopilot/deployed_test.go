package autopilot_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
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

const protectDeployedPolicy = `
mode: enforce
guard: {max_delete_fraction: 1}
retention:
  - match: "prod/api"
    keep_last: 2
    protect_deployed: {last: 1}
  - match: "prod/api-unprotected"
    keep_last: 2
`

// deployRepo is a repository whose trigger deploys every release-* tag.
func deployRepo(name string) swrtest.SeedRepository {
	return swrtest.SeedRepository{Name: name, Triggers: []swrtest.SeedTrigger{{
		Name: "deploy-api", AppType: "deployments", Application: "api", ClusterName: "prod-cce", ClusterNs: "default",
		Condition: "^release-", TriggerType: "regular", Enable: "true",
	}}}
}

// push pushes tags into both repositories, a day apart, ending before
// testNow: the emulator fires the trigger on each matching push.
func push(t *testing.T, srv *swrtest.Server, from time.Time, tags ...string) time.Time {
	t.Helper()
	for _, tag := range tags {
		from = from.Add(24 * time.Hour)
		for _, repo := range []string{"api", "api-unprotected"} {
			require.NoError(t, srv.PushTag("prod", repo, tag, from))
		}
	}
	return from
}

func retentionWrites(f *fixture) (creates, updates, deletes int) {
	for _, r := range f.srv.Requests() {
		switch r.Endpoint {
		case "POST /v2/manage/namespaces/{ns}/repos/{repo}/retentions":
			creates++
		case "PATCH /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}":
			updates++
		case "DELETE /v2/manage/namespaces/{ns}/repos/{repo}/retentions/{retention_id}":
			deletes++
		}
	}
	return creates, updates, deletes
}

// A tag deployed by a successful trigger run survives a rule that would
// otherwise delete it; a later deployment moves the protection by
// updating the rule, never replacing it.
func TestDeployedTagSurvivesAndProtectionMovesByUpdate(t *testing.T) {
	f := newFixture(t, swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "prod",
		Repositories: []swrtest.SeedRepository{deployRepo("api"), deployRepo("api-unprotected")}}}}, nil)
	e := f.engine(t, protectDeployedPolicy)
	at := push(t, f.srv, testNow.Add(-30*24*time.Hour), "release-1", "dev-1", "dev-2", "dev-3")
	deployedAt := testNow.Add(-29 * 24 * time.Hour).Format(time.RFC3339Nano)

	// The emulator recorded the deployment, as SWR does (trigger_history).
	tr, err := f.client.Triggers.Get(t.Context(), "prod", "api", "deploy-api")
	require.NoError(t, err)
	require.Len(t, tr.TriggerHistory, 1)
	assert.Equal(t, swr.TriggerHistory{Action: "update", AppType: "deployments", Application: "api", ClusterName: "prod-cce",
		ClusterNs: "default", Condition: "^release-", CreatedAt: deployedAt, CreatorName: tr.CreatorName, Result: "success", Tag: "release-1"},
		tr.TriggerHistory[0])

	for _, repo := range []string{"api", "api-unprotected"} {
		res := e.Retention(t.Context(), "prod", repo, false, nil)
		require.Empty(t, res.Errors, repo)
		require.Empty(t, res.Findings, repo)
	}
	// Without protection, keep_last 2 deletes the deployed release-1.
	assert.Equal(t, []string{"dev-2", "dev-3"}, f.repo(t, "prod", "api-unprotected").TagNames())
	// With it, release-1 survives: SWR's rule itself names it.
	got := f.repo(t, "prod", "api")
	assert.Equal(t, []string{"dev-2", "dev-3", "release-1"}, got.TagNames())
	assert.Contains(t, got.Retention.Rules[0].TagSelectors, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "release-1"})
	// SWR's own later runs keep it too.
	f.srv.RunRetentions()
	assert.Contains(t, f.repo(t, "prod", "api").TagNames(), "release-1")

	// A failed deployment moves nothing; a successful one does.
	require.NoError(t, f.srv.SetTriggerResult("prod", "api", "deploy-api", "failed", "image pull back-off"))
	at = push(t, f.srv, at, "release-2")
	require.NoError(t, f.srv.SetTriggerResult("prod", "api", "deploy-api", "success", ""))
	at = push(t, f.srv, at, "release-3", "dev-4", "dev-5")
	require.True(t, at.Before(testNow))
	f.srv.ResetLog()

	res := e.Retention(t.Context(), "prod", "api", false, nil)
	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	ch := res.Changes[0]
	assert.Equal(t, report.OpUpdate, ch.Op)
	assert.Equal(t, report.StatusApplied, ch.Status)
	require.NotNil(t, ch.Impact)
	// The plan says which tag is kept because deployed, by which trigger, when.
	assert.Equal(t, []report.DeployedTag{{Tag: "release-3", Trigger: "deploy-api", At: testNow.Add(-24 * 24 * time.Hour).Format(time.RFC3339Nano)}},
		ch.Impact.Deployed)
	assert.Equal(t, []string{"dev-2", "dev-3", "release-1", "release-2"}, ch.Impact.Delete)
	assert.Equal(t, []string{"dev-4", "dev-5", "release-3"}, f.repo(t, "prod", "api").TagNames())

	creates, updates, deletes := retentionWrites(f)
	assert.Equal(t, [3]int{0, 1, 0}, [3]int{creates, updates, deletes}, "the protection moved with one update and no replacement")
	var writes []string
	for _, r := range f.srv.Requests() {
		if r.Method != http.MethodGet {
			writes = append(writes, r.Method+" "+r.Endpoint)
		}
	}
	assert.Len(t, writes, 1)

	// Nothing moved since: the next run is a no-op.
	res = e.Retention(t.Context(), "prod", "api", false, nil)
	assert.True(t, res.Conformant)
	assert.Empty(t, res.Changes)
}

func TestDeployedProtectionAboveTheBoundIsRefused(t *testing.T) {
	repo := deployRepo("api")
	repo.Triggers[0].TriggerType, repo.Triggers[0].Condition = "all", ".*"
	f := newFixture(t, oneRepo("prod", repo), nil)
	for i := range plan.MaxDeployedSelectors + 1 {
		require.NoError(t, f.srv.PushTag("prod", "api", "build-"+string(rune('a'+i/26))+string(rune('a'+i%26)), testNow.Add(-time.Duration(100-i)*time.Hour)))
	}
	e := f.engine(t, "mode: enforce\nretention:\n  - match: prod/api\n    keep_last: 10\n    protect_deployed: {days: 30}\n")
	f.srv.ResetLog()

	res := e.Retention(t.Context(), "prod", "api", false, nil)
	require.Len(t, res.Findings, 1)
	assert.Equal(t, plan.CodeDeployedTooMany, res.Findings[0].Code)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, report.StatusRefused, res.Changes[0].Status)
	assert.Empty(t, f.writes(), "nothing written")
	assert.Len(t, f.repo(t, "prod", "api").TagNames(), plan.MaxDeployedSelectors+1)
}

// The conflict audit reads the repository and reports each kind of
// conflict the emulator's state holds, before a retention write.
func TestAuditConflictsFindsEveryKind(t *testing.T) {
	repo := swrtest.SeedRepository{Name: "api", Tags: tags(map[string]int{"stable": 40, "v1": 30, "v2": 20, "v3": 10, "v4": 5}),
		Retention: tagRule("2"),
		Triggers: []swrtest.SeedTrigger{
			{Name: "deploy-stable", AppType: "deployments", Application: "api", ClusterName: "prod-cce", ClusterNs: "default",
				Condition: "stable", TriggerType: "tag", Enable: "true"},
			{Name: "deploy-v", AppType: "deployments", Application: "api-v", ClusterName: "prod-cce", ClusterNs: "default",
				Condition: "^v", TriggerType: "regular", Enable: "true",
				History: []swrtest.SeedTriggerHistory{{Tag: "v1", Result: "success", At: testNow.Add(-30 * 24 * time.Hour)}}},
			{Name: "deploy-old", AppType: "deployments", Application: "api-old", ClusterName: "prod-cce", ClusterNs: "default",
				Condition: "^v0", TriggerType: "regular", Enable: "true",
				History: []swrtest.SeedTriggerHistory{{Tag: "v0", Result: "success", At: testNow.Add(-90 * 24 * time.Hour)}}},
		}}
	f := newFixture(t, oneRepo("prod", repo), nil)
	e := f.engine(t, `
retention:
  - match: "prod/**"
    keep_last: 3
    protect: ["latest"]
audits:
  conflicts: {}
`)
	// Retention audits conflicts before it writes; a dry run writes nothing.
	res := e.Retention(t.Context(), "prod", "api", true, nil)
	require.Empty(t, res.Errors)
	got := map[string]string{}
	for _, fd := range res.Findings {
		got[fd.Code+" "+fd.Subject] = fd.Message
	}
	assert.Len(t, got, 4, "%v", got)
	assert.Contains(t, got["conflict.trigger_tag_deleted deploy-stable"], `the current and the planned retention rule would delete tag "stable"`)
	assert.Contains(t, got["conflict.last_deployed_deleted deploy-v"], `the current and the planned retention rule would delete tag "v1"`)
	assert.Contains(t, got["conflict.deployed_tag_missing deploy-old"], `tag "v0"`)
	assert.Contains(t, got["conflict.protect_unmatched latest"], `protect entry "latest" matches none`)
	assert.Empty(t, f.writes(), "the audit writes nothing")
	assert.False(t, res.Conformant)

	// Off, it costs nothing.
	f.srv.ResetLog()
	res = f.engine(t, "retention:\n  - match: \"prod/**\"\n    keep_last: 3\n").Retention(t.Context(), "prod", "api", true, nil)
	assert.Empty(t, res.Findings)
	assert.Equal(t, 0, f.srv.Counts()["GET /v2/manage/namespaces/{ns}/repos/{repo}/triggers"])
}

// Bytes freed, end to end: the emulator lists sizes and digests, the
// write deletes what was simulated, and the figure is exact.
func TestRetentionReportsExactBytesFreed(t *testing.T) {
	d := func(n int) string { return fmt.Sprintf("sha256:%064d", n) }
	seedTags := []swrtest.SeedTag{
		{Name: "a", Age: "10d", Size: 100 << 20, Digest: d(1)}, // deleted; latest holds the same image: 0
		{Name: "b", Age: "9d", Size: 200 << 20, Digest: d(2)},  // deleted: 200 MiB
		{Name: "c", Age: "8d", Size: 300 << 20, Digest: d(3)},  // deleted with d, one image: 300 MiB once
		{Name: "d", Age: "7d", Size: 300 << 20, Digest: d(3)},
		{Name: "e", Age: "6d", Size: 50 << 20},                // deleted, no shared digest: 50 MiB
		{Name: "f", Age: "2d", Size: 400 << 20, Digest: d(4)}, // kept
		{Name: "g", Age: "1d", Size: 400 << 20, Digest: d(5)}, // kept
		{Name: "latest", Age: "1h", Size: 100 << 20, Digest: d(1)},
	}
	f := newFixture(t, oneRepo("team", swrtest.SeedRepository{Name: "app", Tags: seedTags}), nil)
	e := f.engine(t, "mode: enforce\nguard: {max_delete_fraction: 1}\nretention:\n  - match: \"**\"\n    keep_last: 2\n    protect: [latest]\n")

	res := e.Retention(t.Context(), "team", "app", false, nil)
	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	imp := res.Changes[0].Impact
	assert.Equal(t, []string{"a", "b", "c", "d", "e"}, imp.Delete)
	assert.Equal(t, int64((200+300+50)<<20), imp.FreedBytes)
	assert.Equal(t, []string{"f", "g", "latest"}, f.repo(t, "team", "app").TagNames())

	rep := &report.Report{}
	res.AddTo(rep)
	rep.Tally()
	require.NotNil(t, rep.Storage)
	assert.Equal(t, report.StorageTotals{Namespace: "team", Repositories: 1, KeptTags: 3, DeletedTags: 5, FreedBytes: 550 << 20}, rep.Storage.Namespaces[0])
}

// listWithoutHistory answers trigger lists without trigger_history, as
// SWR may: only the show call documents it.
type listWithoutHistory struct{ base http.RoundTripper }

func (l listWithoutHistory) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err != nil || r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/triggers") {
		return resp, err
	}
	var list []map[string]any
	body, err := io.ReadAll(resp.Body)
	resp.Body.Close()
	if err != nil || json.Unmarshal(body, &list) != nil {
		return nil, fmt.Errorf("trigger list: %v", err)
	}
	for _, t := range list {
		delete(t, "trigger_history")
	}
	body, _ = json.Marshal(list)
	resp.Body = io.NopCloser(bytes.NewReader(body))
	resp.ContentLength = int64(len(body))
	resp.Header.Del("Content-Length")
	return resp, nil
}

// Whether the trigger list carries each trigger's runs, no source says:
// protection holds either way.
func TestDeployedProtectionWhenTheListOmitsHistory(t *testing.T) {
	f := newFixture(t, swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "prod",
		Repositories: []swrtest.SeedRepository{deployRepo("api"), deployRepo("api-unprotected")}}}},
		func(rt http.RoundTripper) http.RoundTripper { return listWithoutHistory{rt} })
	push(t, f.srv, testNow.Add(-30*24*time.Hour), "release-1", "dev-1", "dev-2", "dev-3")
	res := f.engine(t, protectDeployedPolicy).Retention(t.Context(), "prod", "api", false, nil)
	require.Empty(t, res.Errors)
	assert.Equal(t, []string{"dev-2", "dev-3", "release-1"}, f.repo(t, "prod", "api").TagNames())
	assert.Equal(t, 1, f.srv.Counts()["GET /v2/manage/namespaces/{ns}/repos/{repo}/triggers/{trigger}"], "the trigger was read on its own")
}
