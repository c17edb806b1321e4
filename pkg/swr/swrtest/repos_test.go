package swrtest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func repoListKeys() []string {
	return sorted("name", "category", "description", "size", "is_public", "num_images", "num_download",
		"created_at", "updated_at", "logo", "url", "path", "internal_path", "domain_name", "namespace",
		"tags", "status", "total_range")
}

func TestRepositoryNamesWithRepeatedHyphens(t *testing.T) {
	c := newClient(t, newServer(t))
	c.mustCreateNamespace("my--org")
	for _, good := range []string{"app--x", "a---b/c__d"} {
		requireEmpty(t, c.do(http.MethodPost, nsPath+"/my--org/repos", nil, map[string]any{"repository": good, "is_public": false}), http.StatusOK)
	}
}

func TestRepositoryLifecycle(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	create := nsPath + "/team-a/repos"

	requireEmpty(t, c.do(http.MethodPost, create, nil, map[string]any{"repository": "library/nginx", "is_public": true, "category": "linux", "description": "web"}), http.StatusOK)
	requireSWRError(t, c.do(http.MethodPost, create, nil, map[string]any{"repository": "library/nginx", "is_public": true}),
		http.StatusConflict, swrtest.CodeRepositoryExists)
	requireSWRError(t, c.do(http.MethodPost, create, nil, map[string]any{"repository": "other"}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	for _, bad := range []string{"Nginx", "-a", "a-", "a//b", "a/-b", "a___b", "a._b", "a..b", "a b", strings.Repeat("a", 129)} {
		requireSWRError(t, c.do(http.MethodPost, create, nil, map[string]any{"repository": bad, "is_public": false}),
			http.StatusBadRequest, swrtest.CodeInvalidRepository)
	}
	requireSWRError(t, c.do(http.MethodPost, nsPath+"/nope/repos", nil, map[string]any{"repository": "x", "is_public": false}),
		http.StatusNotFound, swrtest.CodeNamespaceNotFound)

	r := c.get(repoPath("team-a", "library/nginx"))
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, sorted("id", "ns_id", "name", "category", "description", "creator_id", "creator_name", "size",
		"is_public", "num_images", "num_download", "url", "path", "internal_path", "created", "updated",
		"domain_id", "priority"), keys(m), "show uses created/updated")
	assert.Equal(t, "library/nginx", m["name"])
	assert.Equal(t, true, m["is_public"])
	assert.Equal(t, "linux", m["category"])
	assert.Equal(t, testNow().Format(time.RFC3339Nano), m["created"])
	requireGatewayError(t, c.get(nsPath+"/team-a/repos/library/nginx"), http.StatusNotFound, swrtest.GatewayNoAPI)
	requireSWRError(t, c.get(repoPath("team-a", "nope")), http.StatusNotFound, swrtest.CodeRepositoryNotFound)

	requireSWRError(t, c.do(http.MethodPatch, repoPath("team-a", "library/nginx"), nil, map[string]any{"description": "x"}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireEmpty(t, c.do(http.MethodPatch, repoPath("team-a", "library/nginx"), nil, map[string]any{"is_public": false, "category": "database"}), http.StatusCreated)
	repo, ok := srv.State().Repository("team-a", "library/nginx")
	require.True(t, ok)
	assert.False(t, repo.IsPublic)
	assert.Equal(t, "database", repo.Category)
	assert.Equal(t, "web", repo.Description, "absent description is kept")

	require.NoError(t, srv.PushTag("team-a", "library/nginx", "v1", testNow().Add(-time.Hour)))
	r = c.do(http.MethodGet, "/v2/manage/repos", url.Values{"namespace": {"team-a"}}, nil)
	requireStatus(t, r, http.StatusOK)
	items := r.array(t)
	require.Len(t, items, 1)
	assert.Equal(t, repoListKeys(), keys(items[0]), "list uses created_at/updated_at")
	assert.Equal(t, []any{"v1"}, items[0]["tags"])
	assert.EqualValues(t, 1, items[0]["num_images"])
	assert.EqualValues(t, 1, items[0]["total_range"])
	assert.Equal(t, "0-1/1", r.Header.Get("Content-Range"))

	requireEmpty(t, c.do(http.MethodDelete, repoPath("team-a", "library/nginx"), nil, nil), http.StatusNoContent)
	requireSWRError(t, c.get(repoPath("team-a", "library/nginx")), http.StatusNotFound, swrtest.CodeRepositoryNotFound)
	requireSWRError(t, c.do(http.MethodDelete, repoPath("team-a", "library/nginx"), nil, nil), http.StatusNotFound, swrtest.CodeRepositoryNotFound)
}

// seedRepos seeds namespaces alpha (15 repositories) and beta (10).
func seedRepos(t *testing.T, srv *swrtest.Server) {
	t.Helper()
	var seed swrtest.Seed
	for _, ns := range []struct {
		name string
		n    int
	}{{"alpha", 15}, {"beta", 10}} {
		sn := swrtest.SeedNamespace{Name: ns.name}
		for i := range ns.n {
			sn.Repositories = append(sn.Repositories, swrtest.SeedRepository{
				Name: fmt.Sprintf("repo-%02d", i),
				Tags: []swrtest.SeedTag{{Name: "v1", Pushed: testNow().Add(-time.Duration(i) * time.Hour)}},
			})
		}
		seed.Namespaces = append(seed.Namespaces, sn)
	}
	require.NoError(t, srv.Seed(seed))
}

func TestRepositoryListPaging(t *testing.T) {
	srv := newServer(t)
	seedRepos(t, srv)
	c := newClient(t, srv)

	var names []string
	for _, want := range []struct {
		offset int
		rng    string
		n      int
	}{{0, "0-10/25", 10}, {10, "10-10/25", 10}, {20, "20-5/25", 5}} {
		r := c.do(http.MethodGet, "/v2/manage/repos", url.Values{"offset": {strconv.Itoa(want.offset)}, "limit": {"10"}}, nil)
		requireStatus(t, r, http.StatusOK)
		assert.Equal(t, want.rng, r.Header.Get("Content-Range"))
		items := r.array(t)
		require.Len(t, items, want.n)
		for _, it := range items {
			assert.EqualValues(t, 25, it["total_range"])
			names = append(names, it["namespace"].(string)+"/"+it["name"].(string))
		}
	}
	require.Len(t, names, 25)
	assert.Equal(t, "alpha/repo-00", names[0])
	assert.Equal(t, "beta/repo-09", names[24])
	assert.IsIncreasing(t, names)

	r := c.do(http.MethodGet, "/v2/manage/repos", nil, nil)
	requireStatus(t, r, http.StatusOK)
	assert.Len(t, r.array(t), 25, "default limit 100")

	r = c.do(http.MethodGet, "/v2/manage/repos", url.Values{"namespace": {"beta"}, "offset": {"8"}, "limit": {"4"}}, nil)
	requireStatus(t, r, http.StatusOK)
	assert.Equal(t, "8-2/10", r.Header.Get("Content-Range"))
	assert.Len(t, r.array(t), 2)

	// An offset that is not 0 or a multiple of limit is refused
	// (swr-api.md §1.7), in either form of the parameters.
	for _, q := range []url.Values{
		{"namespace": {"beta"}, "offset": {"8"}, "limit": {"5"}},
		{"filter": {"offset::1|limit::1000"}},
	} {
		requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", q, nil), http.StatusBadRequest, swrtest.CodeInvalidParams)
	}

	// filter= wins over the plain parameters.
	r = c.do(http.MethodGet, "/v2/manage/repos", url.Values{"namespace": {"alpha"}, "filter": {"namespace::beta|name::repo-0|limit::100|offset::0"}}, nil)
	requireStatus(t, r, http.StatusOK)
	items := r.array(t)
	require.Len(t, items, 10)
	for _, it := range items {
		assert.Equal(t, "beta", it["namespace"])
	}

	r = c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"namespace::alpha|order_column::updated_time|order_type::asc|offset::0|limit::3"}}, nil)
	requireStatus(t, r, http.StatusOK)
	items = r.array(t)
	require.Len(t, items, 3)
	assert.Equal(t, []any{"repo-14", "repo-13", "repo-12"}, []any{items[0]["name"], items[1]["name"], items[2]["name"]}, "oldest push first")

	requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", url.Values{"offset": {"0"}, "limit": {"1001"}}, nil),
		http.StatusBadRequest, swrtest.CodeInvalidPageSize)
	requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"offset::0|limit::5000"}}, nil),
		http.StatusBadRequest, swrtest.CodeInvalidPageSize)
	requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", url.Values{"limit": {"10"}}, nil),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", url.Values{"offset": {"10"}}, nil),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireSWRError(t, c.do(http.MethodGet, "/v2/manage/repos", url.Values{"filter": {"bogus"}}, nil),
		http.StatusBadRequest, swrtest.CodeInvalidFilter)
}

func TestTags(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	c.mustCreateRepo("team-a", "lib/web")
	for i, tag := range []string{"v1", "v2", "v3"} {
		require.NoError(t, srv.PushTag("team-a", "lib/web", tag, testNow().Add(time.Duration(i-3)*time.Hour)))
	}
	tags := repoPath("team-a", "lib/web") + "/tags"

	r := c.get(tags)
	requireStatus(t, r, http.StatusOK)
	items := r.array(t)
	require.Len(t, items, 3, "without offset every tag is returned")
	assert.Equal(t, sorted("id", "repo_id", "Tag", "image_id", "manifest", "digest", "schema", "path", "internal_path",
		"size", "is_trusted", "created", "updated", "deleted", "domain_id", "scanned", "tag_type"), keys(items[0]))
	assert.Equal(t, []any{"v3", "v2", "v1"}, []any{items[0]["Tag"], items[1]["Tag"], items[2]["Tag"]}, "newest first")
	assert.Nil(t, items[0]["deleted"])
	assert.Equal(t, "0-3/3", r.Header.Get("Content-Range"))

	r = c.do(http.MethodGet, tags, url.Values{"filter": {"offset::1|limit::1|order_column::tag|order_type::asc"}}, nil)
	requireStatus(t, r, http.StatusOK)
	items = r.array(t)
	require.Len(t, items, 1)
	assert.Equal(t, "v2", items[0]["Tag"])
	assert.Equal(t, "1-1/3", r.Header.Get("Content-Range"))
	requireSWRError(t, c.do(http.MethodGet, tags, url.Values{"offset": {"1"}, "limit": {"2"}}, nil),
		http.StatusBadRequest, swrtest.CodeInvalidParams)

	r = c.get(tags + "/v2")
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Contains(t, keys(m), "tag")
	assert.NotContains(t, keys(m), "Tag")
	assert.Equal(t, "v2", m["tag"])
	assert.Equal(t, testNow().Add(-2*time.Hour).Format(time.RFC3339Nano), m["updated"])

	requireEmpty(t, c.do(http.MethodPost, tags, nil, map[string]string{"source_tag": "v3", "destination_tag": "stable"}), http.StatusCreated)
	requireSWRError(t, c.do(http.MethodPost, tags, nil, map[string]string{"source_tag": "gone", "destination_tag": "x"}),
		http.StatusNotFound, swrtest.CodeTagNotFound)
	requireEmpty(t, c.do(http.MethodDelete, tags+"/v1", nil, nil), http.StatusNoContent)
	requireSWRError(t, c.do(http.MethodDelete, tags+"/v1", nil, nil), http.StatusNotFound, swrtest.CodeTagNotFound)
	requireSWRError(t, c.get(tags+"/v1"), http.StatusNotFound, swrtest.CodeTagNotFound)

	repo, _ := srv.State().Repository("team-a", "lib/web")
	assert.Equal(t, []string{"stable", "v2", "v3"}, repo.TagNames())
}

func TestRepositoryAccess(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	c.mustCreateRepo("team-a", "lib/web")
	access := repoPath("team-a", "lib/web") + "/access"

	grant := []map[string]any{{"user_id": "u-1", "user_name": "bob", "auth": 3}}
	requireEmpty(t, c.do(http.MethodPost, access, nil, grant), http.StatusCreated)
	requireSWRError(t, c.do(http.MethodPost, access, nil, grant), http.StatusConflict, swrtest.CodeRepoGrantExists)
	requireSWRError(t, c.do(http.MethodPost, access, nil, []map[string]any{{"user_id": "u-2", "user_name": "eve", "auth": 2}}),
		http.StatusBadRequest, swrtest.CodeInvalidRepoAuth)
	requireSWRError(t, c.do(http.MethodPost, access, nil, []map[string]any{{"user_id": srv.UserID, "user_name": srv.UserName, "auth": 7}}),
		http.StatusBadRequest, swrtest.CodeInvalidParam)

	r := c.get(access)
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, sorted("id", "name", "self_auth", "others_auths"), keys(m), "no creator_name on repositories")
	assert.Equal(t, "lib/web", m["name"])
	others := m["others_auths"].([]any)
	require.Len(t, others, 1)
	assert.Equal(t, map[string]any{"user_id": "u-1", "user_name": "bob", "auth": float64(3)}, others[0])

	requireEmpty(t, c.do(http.MethodPatch, access, nil, []map[string]any{{"user_id": "u-1", "user_name": "bob", "auth": 1}}), http.StatusCreated)
	repo, _ := srv.State().Repository("team-a", "lib/web")
	require.Len(t, repo.Grants, 1)
	assert.Equal(t, 1, repo.Grants[0].Auth)

	requireEmpty(t, c.do(http.MethodDelete, access, nil, []string{"u-1"}), http.StatusNoContent)
	requireSWRError(t, c.do(http.MethodDelete, access, nil, []string{"u-1"}), http.StatusNotFound, swrtest.CodeRepoGrantNotFound)
	requireSWRError(t, c.get(repoPath("team-a", "nope")+"/access"), http.StatusNotFound, swrtest.CodeRepositoryNotFound)
}
