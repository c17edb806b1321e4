package swrtest_test

import (
	"net/http"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestRequestsTheSDKModelsAllowAreAccepted: every request below is one
// the official SDK's request models can send and that no document says
// SWR refuses, so the emulator must take it.
func TestRequestsTheSDKModelsAllowAreAccepted(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	require.NoError(t, srv.PushTag("team-a", "web", "v1", testNow()))
	web := repoPath("team-a", "web")

	t.Run("tag create with override", func(t *testing.T) {
		requireEmpty(t, c.do(http.MethodPost, web+"/tags", nil,
			map[string]any{"source_tag": "v1", "destination_tag": "v2", "override": true}), http.StatusCreated)
		requireEmpty(t, c.do(http.MethodPost, web+"/tags", nil,
			map[string]any{"source_tag": "v1", "destination_tag": "v2", "override": true}), http.StatusCreated)
		requireEmpty(t, c.do(http.MethodPost, web+"/tags", nil,
			map[string]any{"source_tag": "v1", "destination_tag": "v3", "override": false}), http.StatusCreated)
		requireSWRError(t, c.do(http.MethodPost, web+"/tags", nil,
			map[string]any{"source_tag": "v1", "destination_tag": "v3", "override": false}), http.StatusConflict, swrtest.CodeTagExists)
	})

	t.Run("category arms, the SDK's spelling", func(t *testing.T) {
		requireEmpty(t, c.do(http.MethodPost, nsPath+"/team-a/repos", nil,
			map[string]any{"repository": "arm-image", "is_public": false, "category": "arms"}), http.StatusOK)
		requireEmpty(t, c.do(http.MethodPatch, web, nil, map[string]any{"is_public": false, "category": "arms"}), http.StatusCreated)
		r := c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"category::arms|offset::0|limit::10"}}, nil)
		requireStatus(t, r, http.StatusOK)
		assert.Len(t, r.array(t), 2)
	})

	t.Run("center filter", func(t *testing.T) {
		r := c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"center::self|namespace::team-a|offset::0|limit::10"}}, nil)
		requireStatus(t, r, http.StatusOK)
		assert.Len(t, r.array(t), 2, "center::self is the account's own images")
		r = c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"center::thirdparty|offset::0|limit::10"}}, nil)
		requireStatus(t, r, http.StatusOK)
		assert.Empty(t, r.array(t), "no other account's images")
		requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"center::mine|offset::0|limit::10"}}, nil),
			http.StatusBadRequest, swrtest.CodeInvalidFilter)
	})

	t.Run("cce trigger without cluster fields", func(t *testing.T) {
		body := triggerBody("no-cluster", "all", ".*")
		delete(body, "cluster_id")
		delete(body, "cluster_name")
		requireEmpty(t, c.do(http.MethodPost, web+"/triggers", nil, body), http.StatusCreated)
		delete(body, "trigger_mode") // cce by default
		body["name"] = "no-cluster-no-mode"
		requireEmpty(t, c.do(http.MethodPost, web+"/triggers", nil, body), http.StatusCreated)
	})

	t.Run("namespace listing in every form", func(t *testing.T) {
		for _, q := range []url.Values{nil, {"namespace": {"team-a"}}, {"filter": {"namespace::team-a"}},
			{"filter": {"mode::visible"}}, {"filter": {"namespace::team-a|mode::visible"}}} {
			r := c.do(http.MethodGet, nsPath, q, nil)
			requireStatus(t, r, http.StatusOK)
		}
	})
}
