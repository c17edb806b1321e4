package swrtest_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestVersions(t *testing.T) {
	c := newClient(t, newServer(t))

	r := c.get("/")
	requireStatus(t, r, http.StatusOK)
	require.Equal(t, []string{"versions"}, keys(r.object(t)))
	var all struct{ Versions []map[string]any }
	r.decode(t, &all)
	require.Len(t, all.Versions, 1)
	v := all.Versions[0]
	assert.Equal(t, sorted("id", "links", "version", "status", "updated", "min_version"), keys(v))
	links, ok := v["links"].(map[string]any)
	require.True(t, ok, "links is an object, not an array")
	assert.Equal(t, sorted("href", "rel"), keys(links))
	assert.Equal(t, "v2", v["id"])
	assert.Equal(t, "CURRENT", v["status"])

	r = c.get("/v2")
	requireStatus(t, r, http.StatusOK)
	require.Equal(t, []string{"version"}, keys(r.object(t)))

	requireGatewayError(t, c.get("/v9"), http.StatusNotFound, swrtest.GatewayNoAPI)
	requireGatewayError(t, c.get("/v2/manage/nothing"), http.StatusNotFound, swrtest.GatewayNoAPI)
}

func TestNamespaceLifecycle(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)

	c.mustCreateNamespace("team-a")
	requireSWRError(t, c.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": "team-a"}),
		http.StatusConflict, swrtest.CodeNamespaceExists)

	r := c.get(nsPath + "/team-a")
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, sorted("id", "name", "creator_name", "auth"), keys(m))
	assert.Equal(t, "team-a", m["name"])
	assert.Equal(t, "autopilot", m["creator_name"])
	assert.EqualValues(t, 7, m["auth"])

	c.mustCreateNamespace("team-b")
	r = c.get(nsPath)
	requireStatus(t, r, http.StatusOK)
	var list struct{ Namespaces []map[string]any }
	require.Equal(t, []string{"namespaces"}, keys(r.object(t)))
	r.decode(t, &list)
	require.Len(t, list.Namespaces, 2)
	assert.Equal(t, "team-a", list.Namespaces[0]["name"])
	assert.Equal(t, sorted("id", "name", "creator_name", "auth"), keys(list.Namespaces[1]))

	for _, q := range []url.Values{{"namespace": {"team-b"}}, {"namespace": {"team-a"}, "filter": {"namespace::team-b|mode::visible"}}} {
		r = c.do(http.MethodGet, nsPath, q, nil)
		requireStatus(t, r, http.StatusOK)
		r.decode(t, &list)
		require.Len(t, list.Namespaces, 1, "query %v", q)
		assert.Equal(t, "team-b", list.Namespaces[0]["name"], "filter= wins over plain parameters")
	}

	c.mustCreateRepo("team-a", "web")
	requireSWRError(t, c.do(http.MethodDelete, nsPath+"/team-a", nil, nil), http.StatusNotAcceptable, swrtest.CodeNamespaceNotEmpty)
	requireEmpty(t, c.do(http.MethodDelete, repoPath("team-a", "web"), nil, nil), http.StatusNoContent)
	requireEmpty(t, c.do(http.MethodDelete, nsPath+"/team-a", nil, nil), http.StatusNoContent)
	requireSWRError(t, c.get(nsPath+"/team-a"), http.StatusNotFound, swrtest.CodeNamespaceNotFound)
	requireSWRError(t, c.do(http.MethodDelete, nsPath+"/team-a", nil, nil), http.StatusNotFound, swrtest.CodeNamespaceNotFound)
}

func TestNamespaceNameRules(t *testing.T) {
	c := newClient(t, newServer(t, swrtest.WithNamespaceQuota(100)))
	for _, name := range []string{"a", "team-a", "a.b_c-d", "a__b", "x1", "a--b", "my--org", "a---b", "a" + strings.Repeat("b", 63)} {
		requireEmpty(t, c.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": name}), http.StatusCreated)
	}
	for _, name := range []string{"", "A", "1abc", "-abc", "abc-", "my.-org", "my..org", "my___org", "a-_b", "a._b", "a b", "a/b",
		"a" + strings.Repeat("b", 64)} {
		requireSWRError(t, c.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": name}),
			http.StatusBadRequest, swrtest.CodeInvalidNamespace)
	}
	requireSWRError(t, c.do(http.MethodPost, nsPath, nil, map[string]string{"name": "x"}), http.StatusBadRequest, swrtest.CodeInvalidParams)
}

func TestNamespaceQuota(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	for _, n := range []string{"q1", "q2", "q3", "q4", "q5"} {
		c.mustCreateNamespace(n)
	}
	requireSWRError(t, c.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": "q6"}),
		http.StatusBadRequest, swrtest.CodeNamespaceQuota)

	r := c.get("/v2/manage/projects/" + srv.ProjectID + "/quotas")
	requireStatus(t, r, http.StatusOK)
	var q struct{ Quotas []map[string]any }
	require.Equal(t, []string{"quotas"}, keys(r.object(t)))
	r.decode(t, &q)
	require.Len(t, q.Quotas, 1)
	assert.Equal(t, sorted("quota_key", "quota_limit", "used", "unit"), keys(q.Quotas[0]))
	assert.Equal(t, "namespace", q.Quotas[0]["quota_key"])
	assert.EqualValues(t, 5, q.Quotas[0]["quota_limit"])
	assert.EqualValues(t, 5, q.Quotas[0]["used"])
	assert.Equal(t, "", q.Quotas[0]["unit"])

	requireSWRError(t, c.get("/v2/manage/projects/someone-else/quotas"), http.StatusForbidden, swrtest.CodeNotYourResource)

	small := newClient(t, newServer(t, swrtest.WithNamespaceQuota(1)))
	small.mustCreateNamespace("only")
	requireSWRError(t, small.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": "second"}),
		http.StatusBadRequest, swrtest.CodeNamespaceQuota)
}

func TestNamespaceAccess(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	access := nsPath + "/team-a/access"

	r := c.get(access)
	requireStatus(t, r, http.StatusOK)
	m := r.object(t)
	assert.Equal(t, sorted("id", "name", "creator_name", "self_auth", "others_auths"), keys(m))
	assert.Equal(t, []any{}, m["others_auths"], "an empty list, not null")
	self := m["self_auth"].(map[string]any)
	assert.Equal(t, sorted("user_id", "user_name", "auth"), keys(self))
	assert.Equal(t, srv.UserName, self["user_name"])
	assert.Equal(t, srv.UserID, self["user_id"])

	grant := []map[string]any{{"user_id": "u-1", "user_name": "bob", "auth": 1}}
	requireEmpty(t, c.do(http.MethodPost, access, nil, grant), http.StatusOK)
	requireSWRError(t, c.do(http.MethodPost, access, nil, grant), http.StatusConflict, swrtest.CodeNsGrantExists)
	requireSWRError(t, c.do(http.MethodPost, access, nil, []map[string]any{{"user_id": "u-2", "user_name": "eve", "auth": 5}}),
		http.StatusBadRequest, swrtest.CodeInvalidNsAuth)
	requireSWRError(t, c.do(http.MethodPost, access, nil, map[string]any{"users": grant}),
		http.StatusBadRequest, swrtest.CodeInvalidParams)
	requireSWRError(t, c.do(http.MethodPost, nsPath+"/nope/access", nil, grant), http.StatusNotFound, swrtest.CodeNamespaceNotFound)

	requireEmpty(t, c.do(http.MethodPatch, access, nil, []map[string]any{{"user_id": "u-1", "user_name": "bob", "auth": 7}}), http.StatusCreated)
	requireSWRError(t, c.do(http.MethodPatch, access, nil, []map[string]any{{"user_id": "u-9", "user_name": "x", "auth": 7}}),
		http.StatusNotFound, swrtest.CodeNsGrantNotFound)
	r = c.get(access)
	var acc struct {
		CreatorName string `json:"creator_name"`
		OthersAuths []struct {
			UserID, UserName string
			Auth             int
		} `json:"others_auths"`
	}
	r.decode(t, &acc)
	require.Len(t, acc.OthersAuths, 1)
	assert.Equal(t, 7, acc.OthersAuths[0].Auth)
	assert.Equal(t, "autopilot", acc.CreatorName)

	// A grant for the caller itself is allowed on namespaces.
	requireEmpty(t, c.do(http.MethodPost, access, nil, []map[string]any{{"user_id": srv.UserID, "user_name": srv.UserName, "auth": 7}}), http.StatusOK)

	requireEmpty(t, c.do(http.MethodDelete, access, nil, []string{"u-1", srv.UserID}), http.StatusNoContent)
	requireSWRError(t, c.do(http.MethodDelete, access, nil, []string{"u-1"}), http.StatusNotFound, swrtest.CodeNsGrantNotFound)
	ns, ok := srv.State().Namespace("team-a")
	require.True(t, ok)
	assert.Empty(t, ns.Grants)
}

// visibilitySeed has three namespaces: dev holds a namespace grant on
// team, only a repository grant in shared, and nothing in secret.
func visibilitySeed() swrtest.Seed {
	return swrtest.Seed{
		IAM: swrtest.SeedIAM{Users: []swrtest.SeedIAMUser{{ID: "u-dev", Name: "dev", AK: "DEVAK0000000000000", SK: "dev-secret"}}},
		Namespaces: []swrtest.SeedNamespace{
			{Name: "secret", Repositories: []swrtest.SeedRepository{{Name: "vault"}}},
			{Name: "shared", Repositories: []swrtest.SeedRepository{
				{Name: "base"},
				{Name: "tools", Grants: []swrtest.SeedGrant{{UserID: "u-dev", UserName: "dev", Auth: 3}}},
			}},
			{Name: "team", Grants: []swrtest.SeedGrant{{UserID: "u-dev", UserName: "dev", Auth: 1}}},
		},
	}
}

func TestNamespaceListingDependsOnTheCaller(t *testing.T) {
	seed := visibilitySeed()
	srv := newServer(t, swrtest.WithSeed(&seed))
	list := func(c *rawClient, q url.Values) map[string]float64 {
		r := c.do(http.MethodGet, nsPath, q, nil)
		requireStatus(t, r, http.StatusOK)
		var body struct{ Namespaces []map[string]any }
		r.decode(t, &body)
		out := map[string]float64{}
		for _, n := range body.Namespaces {
			out[n["name"].(string)] = n["auth"].(float64)
		}
		return out
	}
	visible := url.Values{"filter": {"mode::visible"}}

	admin := newClient(t, srv)
	assert.Equal(t, map[string]float64{"secret": 7, "shared": 7, "team": 7}, list(admin, nil))
	assert.Equal(t, map[string]float64{"secret": 7, "shared": 7, "team": 7}, list(admin, visible))

	dev := newClient(t, srv)
	dev.ak, dev.sk = "DEVAK0000000000000", "dev-secret"
	assert.Equal(t, map[string]float64{"team": 1}, list(dev, nil), "namespace grants only")
	assert.Equal(t, map[string]float64{"shared": 3, "team": 1}, list(dev, visible),
		"mode::visible adds the namespace where dev holds only a repository grant")
	assert.Equal(t, map[string]float64{"shared": 3}, list(dev, url.Values{"filter": {"namespace::shared|mode::visible"}}))

	stranger := newClient(t, srv)
	stranger.ak = "DEVAK0000000000000"
	requireStatus(t, stranger.do(http.MethodGet, nsPath, nil, nil), http.StatusUnauthorized)
}

func TestSeedUsersAreChecked(t *testing.T) {
	for _, tc := range []struct {
		users []swrtest.SeedIAMUser
		want  string
	}{
		{[]swrtest.SeedIAMUser{{ID: "u", AK: "A", SK: "s"}}, "seed: iam.users[0].name: a user needs a name"},
		{[]swrtest.SeedIAMUser{{ID: "u", Name: "n", AK: "A"}}, "seed: iam.users[0]: ak and sk go together"},
		{[]swrtest.SeedIAMUser{{ID: "u", Name: "n"}, {ID: "u", Name: "m"}}, "seed: iam.users[1].id: user id u appears twice"},
		{[]swrtest.SeedIAMUser{{ID: "u", Name: "n", AK: "A", SK: "s"}, {ID: "v", Name: "m", AK: "A", SK: "s"}}, "seed: iam.users[1].ak: access key appears twice"},
	} {
		assert.EqualError(t, swrtest.Seed{IAM: swrtest.SeedIAM{Users: tc.users}}.Validate(), tc.want)
	}
	srv := newServer(t)
	err := srv.Seed(swrtest.Seed{IAM: swrtest.SeedIAM{Users: []swrtest.SeedIAMUser{{ID: "u", Name: "n", AK: srv.AK, SK: "s"}}}})
	assert.EqualError(t, err, "seed: iam.users[0].ak: access key already belongs to another user")
	require.NoError(t, srv.Seed(swrtest.Seed{IAM: swrtest.SeedIAM{Users: []swrtest.SeedIAMUser{{Name: "keyless"}}}}), "a user without keys is fine")
}
