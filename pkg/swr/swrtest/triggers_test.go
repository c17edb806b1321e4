package swrtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func triggerBody(name, typ, cond string) map[string]any {
	return map[string]any{
		"action": "update", "app_type": "deployments", "application": "web",
		"cluster_id": "c-1", "cluster_name": "prod", "cluster_ns": "default",
		"condition": cond, "enable": "true", "name": name, "trigger_mode": "cce", "trigger_type": typ,
	}
}

func triggerKeys() []string {
	return sorted("action", "app_type", "application", "cluster_id", "cluster_name", "cluster_ns", "condition",
		"container", "created_at", "creator_name", "enable", "name", "trigger_history", "trigger_mode", "trigger_type")
}

func TestTriggers(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	c.mustCreateRepo("team-a", "lib/web")
	base := repoPath("team-a", "lib/web") + "/triggers"

	requireEmpty(t, c.do(http.MethodPost, base, nil, triggerBody("deploy-web", "tag", "v1;v2")), http.StatusCreated)
	requireSWRError(t, c.do(http.MethodPost, base, nil, triggerBody("deploy-web", "all", ".*")), http.StatusConflict, swrtest.CodeTriggerExists)
	requireEmpty(t, c.do(http.MethodPost, base, nil, triggerBody("all_tags", "all", ".*")), http.StatusCreated)

	boolEnable := triggerBody("t2", "all", ".*")
	boolEnable["enable"] = true
	for name, body := range map[string]map[string]any{
		"bool enable":       boolEnable,
		"bad name":          triggerBody("9lives", "all", ".*"),
		"bad type":          triggerBody("t3", "some", ".*"),
		"bad regexp":        triggerBody("t4", "regular", "("),
		"all without .*":    triggerBody("t5", "all", "v1"),
		"name with a space": triggerBody("deploy web", "all", ".*"),
	} {
		t.Run(name, func(t *testing.T) {
			requireSWRError(t, c.do(http.MethodPost, base, nil, body), http.StatusBadRequest, swrtest.CodeInvalidParams)
		})
	}
	requireSWRError(t, c.do(http.MethodPost, repoPath("team-a", "nope")+"/triggers", nil, triggerBody("x", "all", ".*")),
		http.StatusNotFound, swrtest.CodeRepositoryNotFound)

	r := c.get(base)
	requireStatus(t, r, http.StatusOK)
	list := r.array(t)
	require.Len(t, list, 2)
	assert.Equal(t, "all_tags", list[0]["name"])
	assert.Equal(t, triggerKeys(), keys(list[1]))

	r = c.get(base + "/deploy-web")
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, triggerKeys(), keys(m))
	assert.Equal(t, "true", m["enable"], "enable is a string")
	assert.Nil(t, m["trigger_history"])
	assert.Equal(t, "autopilot", m["creator_name"])
	assert.Equal(t, testNow().Format(time.RFC3339Nano), m["created_at"])

	// A push of a matching tag fires the trigger and is recorded.
	require.NoError(t, srv.PushTag("team-a", "lib/web", "v2", testNow()))
	require.NoError(t, srv.PushTag("team-a", "lib/web", "v3", testNow()))
	r = c.get(base + "/deploy-web")
	var tr struct {
		TriggerHistory []map[string]any `json:"trigger_history"`
	}
	r.decode(t, &tr)
	require.Len(t, tr.TriggerHistory, 1)
	assert.Equal(t, sorted("action", "app_type", "application", "cluster_id", "cluster_name", "cluster_ns", "condition",
		"container", "created_at", "creator_name", "detail", "result", "tag"), keys(tr.TriggerHistory[0]))
	assert.Equal(t, "v2", tr.TriggerHistory[0]["tag"])
	assert.Equal(t, "success", tr.TriggerHistory[0]["result"])

	requireEmpty(t, c.do(http.MethodPatch, base+"/deploy-web", nil, map[string]string{"enable": "false"}), http.StatusCreated)
	requireSWRError(t, c.do(http.MethodPatch, base+"/deploy-web", nil, map[string]any{"enable": false}), http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireSWRError(t, c.do(http.MethodPatch, base+"/deploy-web", nil, map[string]string{"enable": "true", "condition": "v9"}),
		http.StatusBadRequest, swrtest.CodeInvalidParam)
	repo, _ := srv.State().Repository("team-a", "lib/web")
	require.Len(t, repo.Triggers, 2)
	assert.Equal(t, "false", repo.Triggers[1].Enable)
	assert.Equal(t, "v1;v2", repo.Triggers[1].Condition)

	require.NoError(t, srv.PushTag("team-a", "lib/web", "v1", testNow()))
	repo, _ = srv.State().Repository("team-a", "lib/web")
	assert.Len(t, repo.Triggers[1].TriggerHistory, 1, "a disabled trigger does not fire")
	assert.Len(t, repo.Triggers[0].TriggerHistory, 3, "the all trigger fired on every push")

	requireEmpty(t, c.do(http.MethodDelete, base+"/deploy-web", nil, nil), http.StatusNoContent)
	requireSWRError(t, c.get(base+"/deploy-web"), http.StatusNotFound, swrtest.CodeTriggerNotFound)
	requireSWRError(t, c.do(http.MethodDelete, base+"/deploy-web", nil, nil), http.StatusNotFound, swrtest.CodeTriggerNotFound)
}
