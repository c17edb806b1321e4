package swrtest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestSync(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	require.NoError(t, srv.PushTag("team-a", "lib/web", "v1", testNow()))
	base := repoPath("team-a", "lib/web")

	r := c.get("/v2/manage/regions")
	requireStatus(t, r, http.StatusOK)
	regions := r.array(t)
	require.NotEmpty(t, regions)
	assert.Equal(t, []string{"regionID"}, keys(regions[0]))

	r = c.get(base + "/sync_repo")
	requireStatus(t, r, http.StatusOK)
	assert.JSONEq(t, `[]`, string(r.Body))

	rule := map[string]any{"remoteRegionId": "cn-east-3", "remoteNamespace": "team-a-dr", "syncAuto": true, "override": false}
	requireEmpty(t, c.do(http.MethodPost, base+"/sync_repo", nil, rule), http.StatusOK)
	requireSWRError(t, c.do(http.MethodPost, base+"/sync_repo", nil, rule), http.StatusConflict, swrtest.CodeSyncRepoExists)
	requireSWRError(t, c.do(http.MethodPost, base+"/sync_repo", nil, map[string]any{"remoteRegionId": "cn-east-3"}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireSWRError(t, c.do(http.MethodPost, base+"/sync_repo", nil, map[string]any{"remote_region_id": "cn-east-3", "remote_namespace": "x"}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireSWRError(t, c.do(http.MethodPost, base+"/sync_repo", nil, map[string]any{"remoteRegionId": "mars-1", "remoteNamespace": "x"}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)

	r = c.get(base + "/sync_repo")
	requireStatus(t, r, http.StatusOK)
	list := r.array(t)
	require.Len(t, list, 1)
	assert.Equal(t, sorted("id", "namespace", "repoName", "remoteRegionId", "remoteNamespace", "syncAuto", "override",
		"domainID", "domainName", "createdAt", "updatedAt"), keys(list[0]))
	assert.Equal(t, "lib/web", list[0]["repoName"])

	r = c.do(http.MethodPost, base+"/sync_images", nil, map[string]any{"imageTag": []string{"v1"}, "remoteRegionId": "cn-east-3", "remoteNamespace": "team-a-dr", "override": false})
	requireStatus(t, r, http.StatusOK)
	assert.JSONEq(t, `[]`, string(r.Body))
	r = c.do(http.MethodPost, base+"/sync_images", nil, map[string]any{"imageTag": []string{"v1", "nope"}, "remoteRegionId": "cn-east-3", "remoteNamespace": "team-a-dr"})
	requireStatus(t, r, http.StatusOK)
	assert.JSONEq(t, `["nope"]`, string(r.Body))
	requireSWRError(t, c.do(http.MethodPost, base+"/sync_images", nil, map[string]any{"remoteRegionId": "cn-east-3", "remoteNamespace": "team-a-dr"}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)

	// Auto-sync replicates new pushes.
	require.NoError(t, srv.PushTag("team-a", "lib/web", "v2", testNow()))

	requireSWRError(t, c.get(base+"/sync_job"), http.StatusBadRequest, swrtest.CodeInvalidFilter)
	requireSWRError(t, c.do(http.MethodGet, base+"/sync_job", url.Values{"filter": {"order::desc"}}, nil), http.StatusBadRequest, swrtest.CodeInvalidFilter)
	r = c.do(http.MethodGet, base+"/sync_job", url.Values{"filter": {"limit::2|offset::0|order::desc"}}, nil)
	requireStatus(t, r, http.StatusOK)
	assert.Equal(t, "0-2/4", r.Header.Get("Content-Range"))
	jobs := r.array(t)
	require.Len(t, jobs, 2)
	assert.Equal(t, sorted("createdAt", "domainID", "domainName", "id", "namespace", "override", "remoteNamespace",
		"remoteRegionId", "repoName", "status", "syncOperatorId", "syncOperatorName", "tag", "updatedAt"), keys(jobs[0]))
	assert.Equal(t, "v2", jobs[0]["tag"], "newest first")
	assert.Equal(t, "failed", jobs[1]["status"])

	del := map[string]string{"remoteRegionId": "cn-east-3", "remoteNamespace": "team-a-dr"}
	requireEmpty(t, c.do(http.MethodDelete, base+"/sync_repo", nil, del), http.StatusOK)
	requireWrappedError(t, c.do(http.MethodDelete, base+"/sync_repo", nil, del), http.StatusBadRequest, swrtest.CodeSyncRepoGone)
	requireSWRError(t, c.do(http.MethodDelete, base+"/sync_repo", nil, nil), http.StatusBadRequest, swrtest.CodeInvalidParams)
}

// TestDuplicateSyncAnswers plays each reading of a duplicate sync-rule
// create (swr-api.md §12); none changes the rules.
func TestDuplicateSyncAnswers(t *testing.T) {
	rule := map[string]any{"remoteRegionId": "cn-east-3", "remoteNamespace": "team-a-dr", "syncAuto": true}
	for _, tc := range []struct {
		status int
		code   string
	}{
		{http.StatusConflict, swrtest.CodeSyncRepoExists},
		{http.StatusBadRequest, swrtest.CodeInvalidParam},
		{http.StatusOK, ""},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := newServer(t, swrtest.WithDuplicateSyncAnswer(tc.status))
			c := newClient(t, srv)
			c.mustCreateNamespace("team-a")
			require.NoError(t, srv.PushTag("team-a", "web", "v1", testNow()))
			base := repoPath("team-a", "web")
			requireEmpty(t, c.do(http.MethodPost, base+"/sync_repo", nil, rule), http.StatusOK)
			r := c.do(http.MethodPost, base+"/sync_repo", nil, rule)
			if tc.code == "" {
				requireEmpty(t, r, tc.status)
			} else {
				requireSWRError(t, r, tc.status, tc.code)
			}
			assert.Len(t, c.get(base+"/sync_repo").array(t), 1)
		})
	}
	assert.Panics(t, func() { swrtest.WithDuplicateSyncAnswer(http.StatusTeapot) })
}
