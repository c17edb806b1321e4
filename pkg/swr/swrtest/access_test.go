package swrtest_test

import (
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func grantSeed() *swrtest.Seed {
	return &swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team-a", Creator: "founder",
		Grants:       []swrtest.SeedGrant{{UserID: "u-1", UserName: "alice", Auth: 3}},
		Repositories: []swrtest.SeedRepository{{Name: "web", Grants: []swrtest.SeedGrant{{UserID: "u-1", UserName: "alice", Auth: 1}}}}}}}
}

func TestAbsentGrantAnswers(t *testing.T) {
	nsAccess := "/v2/manage/namespaces/team-a/access"
	repoAccess := repoPath("team-a", "web") + "/access"
	patch := []map[string]any{{"user_id": "u-1", "user_name": "alice", "auth": 7}, {"user_id": "u-none", "user_name": "nobody", "auth": 1}}
	del := []string{"u-1", "u-none"}
	for _, tc := range []struct {
		option             []swrtest.Option
		status             int
		code               string // for 404/400
		patched, deletedOK bool
	}{
		{option: nil, status: http.StatusNotFound, code: swrtest.CodeNsGrantNotFound},
		{option: []swrtest.Option{swrtest.WithAbsentGrantAnswer(http.StatusBadRequest)}, status: http.StatusBadRequest, code: swrtest.CodeInvalidParam},
		{option: []swrtest.Option{swrtest.WithAbsentGrantAnswer(http.StatusNoContent)}, status: http.StatusNoContent, patched: true, deletedOK: true},
	} {
		t.Run(http.StatusText(tc.status), func(t *testing.T) {
			srv := newServer(t, append(tc.option, swrtest.WithSeed(grantSeed()))...)
			c := newClient(t, srv)
			for _, path := range []string{nsAccess, repoAccess} {
				p := c.do(http.MethodPatch, path, nil, patch)
				d := c.do(http.MethodDelete, path, nil, del)
				if tc.patched {
					requireEmpty(t, p, http.StatusCreated)
					requireEmpty(t, d, http.StatusNoContent)
					continue
				}
				assert.Equal(t, tc.status, p.Status, path)
				assert.Equal(t, tc.status, d.Status, path)
			}
			ns, _ := srv.State().Namespace("team-a")
			repo, _ := srv.State().Repository("team-a", "web")
			if tc.deletedOK {
				assert.Empty(t, ns.Grants, "present users deleted, absent ones ignored")
				assert.Empty(t, repo.Grants)
				return
			}
			require.Len(t, ns.Grants, 1)
			assert.Equal(t, 3, ns.Grants[0].Auth, "a refused call changes nobody")
			if tc.status == http.StatusNotFound {
				requireSWRError(t, c.do(http.MethodPatch, nsAccess, nil, patch), http.StatusNotFound, tc.code)
			}
		})
	}
}

func TestOwnersListed(t *testing.T) {
	for _, listed := range []bool{false, true} {
		opts := []swrtest.Option{swrtest.WithSeed(grantSeed())}
		if listed {
			opts = append(opts, swrtest.WithOwnersListed())
		}
		srv := newServer(t, opts...)
		c := newClient(t, srv)
		var ns swr.NamespaceAccess
		c.get("/v2/manage/namespaces/team-a/access").decode(t, &ns)
		var repo swr.RepositoryAccess
		c.get(repoPath("team-a", "web")+"/access").decode(t, &repo)
		names := func(list []swr.UserAuth) []string {
			var out []string
			for _, a := range list {
				out = append(out, a.UserName)
			}
			return out
		}
		assert.Equal(t, "founder", ns.CreatorName)
		assert.Equal(t, srv.UserName, ns.SelfAuth.UserName)
		if !listed {
			assert.Equal(t, []string{"alice"}, names(ns.OthersAuths))
			assert.Equal(t, []string{"alice"}, names(repo.OthersAuths))
			continue
		}
		assert.Equal(t, []string{srv.UserName, "founder", "alice"}, names(ns.OthersAuths))
		assert.Equal(t, []string{srv.UserName, "founder", "alice"}, names(repo.OthersAuths))
		assert.Equal(t, srv.UserID, ns.OthersAuths[0].UserID, "the caller under its own id")
	}
}
