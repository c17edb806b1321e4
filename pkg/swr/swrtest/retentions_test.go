package swrtest_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func tagRule(num string, selectors ...map[string]string) map[string]any {
	return retentionBody("tag_rule", map[string]any{"num": num}, selectors...)
}

func retentionBody(template string, params map[string]any, selectors ...map[string]string) map[string]any {
	if selectors == nil {
		selectors = []map[string]string{}
	}
	return map[string]any{"algorithm": "or", "rules": []map[string]any{{"template": template, "params": params, "tag_selectors": selectors}}}
}

func TestRetentionEndpoints(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	c.mustCreateRepo("team-a", "lib/web")
	base := repoPath("team-a", "lib/web") + "/retentions"

	r := c.get(base)
	requireStatus(t, r, http.StatusOK)
	assert.JSONEq(t, `[]`, string(r.Body))

	r = c.do(http.MethodPost, base, nil, tagRule("10"))
	requireStatus(t, r, http.StatusCreated)
	created := r.object(t)
	assert.Equal(t, []string{"id"}, keys(created))
	id := int(created["id"].(float64))
	idPath := base + "/" + strconv.Itoa(id)

	requireSWRError(t, c.do(http.MethodPost, base, nil, tagRule("5")), http.StatusBadRequest, swrtest.CodeInvalidParam)

	r = c.get(idPath)
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, sorted("id", "algorithm", "scope", "rules"), keys(m))
	assert.Equal(t, "or", m["algorithm"])
	assert.Equal(t, "", m["scope"])
	rule := m["rules"].([]any)[0].(map[string]any)
	assert.Equal(t, sorted("template", "params", "tag_selectors"), keys(rule))
	assert.Equal(t, map[string]any{"num": "10"}, rule["params"], "params values are strings")
	assert.Equal(t, []any{}, rule["tag_selectors"])

	r = c.get(base)
	requireStatus(t, r, http.StatusOK)
	list := r.array(t)
	require.Len(t, list, 1)
	assert.Equal(t, float64(id), list[0]["id"])

	for name, body := range map[string]any{
		"numeric param":      retentionBody("tag_rule", map[string]any{"num": 10}),
		"missing selectors":  map[string]any{"algorithm": "or", "rules": []map[string]any{{"template": "tag_rule", "params": map[string]any{"num": "3"}}}},
		"bad algorithm":      map[string]any{"algorithm": "and", "rules": tagRule("3")["rules"]},
		"two rules":          map[string]any{"algorithm": "or", "rules": []any{tagRule("3")["rules"].([]map[string]any)[0], tagRule("4")["rules"].([]map[string]any)[0]}},
		"days out of range":  retentionBody("date_rule", map[string]any{"days": "366"}),
		"wrong param key":    retentionBody("date_rule", map[string]any{"num": "3"}),
		"bad selector kind":  tagRule("3", map[string]string{"kind": "glob", "pattern": "*"}),
		"bad regexp":         tagRule("3", map[string]string{"kind": "regexp", "pattern": "("}),
		"unknown template":   retentionBody("size_rule", map[string]any{"num": "3"}),
		"misspelled key":     map[string]any{"algorithm": "or", "rule": tagRule("3")["rules"]},
		"template is change": retentionBody("date_rule", map[string]any{"days": "30"}),
	} {
		wantCode := swrtest.CodeInvalidParams
		if name == "template is change" {
			wantCode = swrtest.CodeInvalidParam
		}
		requireSWRError(t, c.do(http.MethodPatch, idPath, nil, body), http.StatusBadRequest, wantCode)
	}

	requireEmpty(t, c.do(http.MethodPatch, idPath, nil, tagRule("20", map[string]string{"kind": "label", "pattern": "latest"})), http.StatusCreated)
	repo, _ := srv.State().Repository("team-a", "lib/web")
	require.NotNil(t, repo.Retention)
	assert.Equal(t, "20", repo.Retention.Rules[0].Params["num"])
	assert.Equal(t, "latest", repo.Retention.Rules[0].TagSelectors[0].Pattern)

	requireSWRError(t, c.get(base+"/99999"), http.StatusNotFound, swrtest.CodeRetentionNotFound)
	requireSWRError(t, c.do(http.MethodPatch, base+"/99999", nil, tagRule("3")), http.StatusNotFound, swrtest.CodeRetentionNotFound)

	requireEmpty(t, c.do(http.MethodDelete, idPath, nil, nil), http.StatusOK)
	requireWrappedError(t, c.do(http.MethodDelete, idPath, nil, nil), http.StatusBadRequest, swrtest.CodeRetentionGone)
	requireSWRError(t, c.do(http.MethodPost, repoPath("team-a", "nope")+"/retentions", nil, tagRule("3")), http.StatusNotFound, swrtest.CodeRepositoryNotFound)

	// After a delete a new policy may be created.
	requireStatus(t, c.do(http.MethodPost, base, nil, retentionBody("date_rule", map[string]any{"days": "30"})), http.StatusCreated)
}

func TestRetentionHistoriesShape(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	for i, tag := range []string{"a", "b", "c", "d"} {
		require.NoError(t, srv.PushTag("team-a", "web", tag, testNow().AddDate(0, 0, i-10)))
	}
	base := repoPath("team-a", "web") + "/retentions"
	r := c.do(http.MethodPost, base, nil, tagRule("1"))
	requireStatus(t, r, http.StatusCreated)
	id := r.object(t)["id"]

	r = c.get(base + "/histories")
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, sorted("retention_log", "total"), keys(m))
	assert.EqualValues(t, 3, m["total"])
	assert.Equal(t, "0-3/3", r.Header.Get("Content-Range"))
	logs := m["retention_log"].([]any)
	require.Len(t, logs, 3)
	entry := logs[0].(map[string]any)
	assert.Equal(t, sorted("created_at", "id", "namespace", "repo", "retention_id", "rule_type", "tag"), keys(entry))
	assert.Equal(t, id, entry["retention_id"])
	assert.Equal(t, "team-a", entry["namespace"])
	assert.Equal(t, "web", entry["repo"])
	ruleType, ok := entry["rule_type"].(string)
	require.True(t, ok, "rule_type is a JSON-encoded string")
	var rt map[string]any
	require.NoError(t, json.Unmarshal([]byte(ruleType), &rt))
	assert.Equal(t, map[string]any{"template": "tag_rule", "params": map[string]any{"num": "1"}, "tag_selectors": []any{}}, rt)

	r = c.do(http.MethodGet, base+"/histories", url.Values{"filter": {"limit::2|offset::2"}}, nil)
	requireStatus(t, r, http.StatusOK)
	assert.Equal(t, "2-1/3", r.Header.Get("Content-Range"))
	var h struct {
		RetentionLog []map[string]any `json:"retention_log"`
		Total        int              `json:"total"`
	}
	r.decode(t, &h)
	assert.Len(t, h.RetentionLog, 1)
	assert.Equal(t, 3, h.Total)
}
