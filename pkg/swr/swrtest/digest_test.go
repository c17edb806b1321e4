package swrtest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const sharedDigest = "sha256:00000000000000000000000000000000000000000000000000000000000000aa"

func TestTagDigestsSeededSharedAndRetagged(t *testing.T) {
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team", Repositories: []swrtest.SeedRepository{{Name: "app", Tags: []swrtest.SeedTag{
		{Name: "v1", Age: "2d", Size: 1000, Digest: sharedDigest},
		{Name: "stable", Age: "1d", Size: 1000, Digest: sharedDigest},
		{Name: "v2", Age: "1d", Size: 2000},
	}}}}}}
	srv := newServer(t, swrtest.WithSeed(&seed))
	c := newClient(t, srv)
	digests := func() map[string]string {
		var tags []swr.Tag
		r := c.get(repoPath("team", "app") + "/tags")
		requireStatus(t, r, http.StatusOK)
		r.decode(t, &tags)
		out := map[string]string{}
		for _, tg := range tags {
			out[tg.Tag] = tg.Digest
			assert.Equal(t, strings.TrimPrefix(tg.Digest, "sha256:"), tg.ImageID)
		}
		return out
	}
	got := digests()
	assert.Equal(t, sharedDigest, got["v1"])
	assert.Equal(t, sharedDigest, got["stable"], "one image under two tags")
	assert.NotEqual(t, sharedDigest, got["v2"])

	// Re-tagging points the new tag at the same image.
	requireEmpty(t, c.do(http.MethodPost, repoPath("team", "app")+"/tags", nil, map[string]string{"source_tag": "v2", "destination_tag": "prod"}), http.StatusCreated)
	got2 := digests()
	assert.Equal(t, got["v2"], got2["prod"])
	st, _ := srv.State().Repository("team", "app")
	for _, tg := range st.Tags {
		assert.Equal(t, got2[tg.Name], tg.Digest, "the snapshot shows the listed digest of %s", tg.Name)
	}

	// A push is a new image.
	require.NoError(t, srv.PushTag("team", "app", "stable", testNow()))
	assert.NotEqual(t, sharedDigest, digests()["stable"])

	bad := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "x", Repositories: []swrtest.SeedRepository{{Name: "y", Tags: []swrtest.SeedTag{{Name: "v1", Digest: "md5:abc"}}}}}}}
	assert.ErrorContains(t, bad.Validate(), "invalid digest")
}

func TestTriggerRunsRecordTheirResult(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team")
	c.mustCreateRepo("team", "web")
	base := repoPath("team", "web") + "/triggers"
	requireEmpty(t, c.do(http.MethodPost, base, nil, triggerBody("deploy", "regular", "^v")), http.StatusCreated)

	require.NoError(t, srv.PushTag("team", "web", "v1", testNow()))
	// The admin API sets it as SetTriggerResult does.
	code, _ := control(t, srv, http.MethodPost, "trigger-result",
		[]byte(`{"namespace":"team","repository":"web","trigger":"deploy","result":"failed","detail":"ImagePullBackOff"}`))
	require.Equal(t, http.StatusNoContent, code)
	code, _ = control(t, srv, http.MethodPost, "trigger-result", []byte(`{"namespace":"team","repository":"web","trigger":"deploy","result":"maybe"}`))
	require.Equal(t, http.StatusBadRequest, code)
	require.NoError(t, srv.PushTag("team", "web", "v2", testNow().Add(1)))
	require.NoError(t, srv.PushTag("team", "web", "dev", testNow().Add(2))) // does not match: no run
	require.NoError(t, srv.SetTriggerResult("team", "web", "deploy", "success", ""))
	require.NoError(t, srv.PushTag("team", "web", "v3", testNow().Add(3)))

	var tr swr.Trigger
	c.get(base+"/deploy").decode(t, &tr)
	require.Len(t, tr.TriggerHistory, 3)
	var got []string
	for _, h := range tr.TriggerHistory {
		got = append(got, h.Tag+":"+h.Result+":"+h.Detail)
	}
	assert.Equal(t, []string{"v1:success:", "v2:failed:ImagePullBackOff", "v3:success:"}, got)

	assert.Error(t, srv.SetTriggerResult("team", "web", "deploy", "ok", ""))
	assert.Error(t, srv.SetTriggerResult("team", "web", "nope", "success", ""))
	assert.Error(t, srv.SetTriggerResult("team", "nope", "deploy", "success", ""))
}
