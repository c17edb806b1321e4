package autopilot_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const grantsPolicy = `mode: enforce
default_grants:
  - match: "team/**"
    users:
      - {user_id: u-1, user_name: alice, level: read}
      - {user_id: u-2, user_name: bob, level: write}
`

func grantsSeed() swrtest.Seed {
	return oneRepo("team", swrtest.SeedRepository{Name: "api",
		Grants: []swrtest.SeedGrant{{UserID: "u-2", UserName: "bob", Auth: swr.AuthRead}}})
}

func grantsOf(t *testing.T, f *fixture) map[string]int {
	out := map[string]int{}
	for _, g := range f.repo(t, "team", "api").Grants {
		out[g.UserID] = g.Auth
	}
	return out
}

func TestDefaultGrantsCreatesAndUpgrades(t *testing.T) {
	f := newFixture(t, grantsSeed(), nil)
	e := f.engine(t, grantsPolicy)

	res := e.DefaultGrants(t.Context(), "team", "api", false)

	require.Empty(t, res.Errors)
	assert.True(t, res.Wrote)
	require.Len(t, res.Changes, 2)
	assert.Equal(t, report.OpCreate, res.Changes[0].Op)
	assert.Equal(t, "u-1", res.Changes[0].Subject)
	assert.Equal(t, report.OpUpdate, res.Changes[1].Op)
	assert.Equal(t, "u-2", res.Changes[1].Subject)
	for _, ch := range res.Changes {
		assert.Equal(t, report.StatusApplied, ch.Status)
	}
	assert.Equal(t, "→ alice (read)", res.Changes[0].Detail(), "report rows name the user")
	assert.Equal(t, "bob (read) → bob (write)", res.Changes[1].Detail())
	assert.Equal(t, map[string]int{"u-1": swr.AuthRead, "u-2": swr.AuthWrite}, grantsOf(t, f))

	f.srv.ResetLog()
	again := e.DefaultGrants(t.Context(), "team", "api", false)
	assert.True(t, again.Conformant)
	assert.Empty(t, f.writes(), "idempotent")
	assert.Len(t, f.srv.Requests(), 1, "one read")
}

func TestDefaultGrantsDryRunAndNoMatch(t *testing.T) {
	f := newFixture(t, grantsSeed(), nil)
	e := f.engine(t, grantsPolicy)

	res := e.DefaultGrants(t.Context(), "team", "api", true)
	require.Len(t, res.Changes, 2)
	for _, ch := range res.Changes {
		assert.Equal(t, report.StatusPlanned, ch.Status)
	}
	assert.Empty(t, f.writes())
	assert.Equal(t, map[string]int{"u-2": swr.AuthRead}, grantsOf(t, f))

	f.srv.ResetLog()
	none := f.engine(t, strings.Replace(grantsPolicy, "team/**", "other/**", 1)).DefaultGrants(t.Context(), "team", "api", false)
	assert.True(t, none.Conformant)
	assert.Empty(t, f.srv.Requests(), "no matching rule: no call")
}

func TestDefaultGrantsRacingAnotherWriterConverges(t *testing.T) {
	var srv *swrtest.Server
	f := newFixture(t, grantsSeed(), withHook(func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/access")
	}, func() {
		other := newClient(t, srv, nil)
		require.NoError(t, other.RepositoryAccess.Create(t.Context(), "team", "api", []swr.UserAuth{{UserID: "u-1", UserName: "alice", Auth: swr.AuthRead}}))
	}))
	srv = f.srv
	e := f.engine(t, grantsPolicy)

	res := e.DefaultGrants(t.Context(), "team", "api", false)

	require.Empty(t, res.Errors, "the conflict is resolved by reading again")
	require.Len(t, res.Changes, 2)
	for _, ch := range res.Changes {
		assert.Equal(t, report.StatusApplied, ch.Status, "%s %s: the grant holds as planned", ch.Op, ch.Subject)
	}
	assert.False(t, res.Conformant)
	assert.Equal(t, map[string]int{"u-1": swr.AuthRead, "u-2": swr.AuthWrite}, grantsOf(t, f))
	counts := f.srv.Counts()
	assert.Equal(t, 2, counts["POST /v2/manage/namespaces/{ns}/repos/{repo}/access"], "the other writer's create and ours, refused as a conflict")
	assert.Equal(t, 3, counts["GET /v2/manage/namespaces/{ns}/repos/{repo}/access"], "read again after the conflict, and after the update")
}

func TestDefaultGrantsRacingAWriterThatGrantsEverything(t *testing.T) {
	var srv *swrtest.Server
	f := newFixture(t, grantsSeed(), withHook(func(r *http.Request) bool {
		return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/access")
	}, func() {
		other := newClient(t, srv, nil)
		require.NoError(t, other.RepositoryAccess.Create(t.Context(), "team", "api", []swr.UserAuth{{UserID: "u-1", UserName: "alice", Auth: swr.AuthRead}}))
		require.NoError(t, other.RepositoryAccess.Update(t.Context(), "team", "api", []swr.UserAuth{{UserID: "u-2", UserName: "bob", Auth: swr.AuthWrite}}))
	}))
	srv = f.srv
	e := f.engine(t, grantsPolicy)

	res := e.DefaultGrants(t.Context(), "team", "api", false)

	require.Empty(t, res.Errors)
	assert.True(t, res.Wrote, "the refused create was sent")
	assert.Equal(t, map[string]int{"u-1": swr.AuthRead, "u-2": swr.AuthWrite}, grantsOf(t, f))
	counts := f.srv.Counts()
	assert.Equal(t, 2, counts["POST /v2/manage/namespaces/{ns}/repos/{repo}/access"], "the other writer's create and ours, refused; alice is not granted again")
	assert.Equal(t, 3, counts["GET /v2/manage/namespaces/{ns}/repos/{repo}/access"], "read again after the conflict, and after the update")
}

func TestDefaultGrantsFailureIsReported(t *testing.T) {
	f := newFixture(t, grantsSeed(), nil)
	e := f.engine(t, grantsPolicy)

	res := e.DefaultGrants(t.Context(), "team", "missing", false)

	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error, swrtest.CodeRepositoryNotFound)
}

func TestDefaultGrantsNeverTouchTheCallerOrTheCreatorListedInOthersAuths(t *testing.T) {
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team", Creator: "founder",
		Repositories: []swrtest.SeedRepository{{Name: "api"}}}}}
	for _, listed := range []bool{false, true} {
		var opts []swrtest.Option
		if listed {
			opts = append(opts, swrtest.WithOwnersListed())
		}
		f := newFixture(t, seed, nil, opts...)
		// The policy names the caller (whom SWR lets nobody grant to) under
		// its name, at a level below what it has.
		pol := `mode: enforce
default_grants:
  - match: "team/**"
    users:
      - {user_id: u-1, user_name: alice, level: read}
      - {user_id: u-other, user_name: ` + f.srv.UserName + `, level: read}
`
		res := f.engine(t, pol).DefaultGrants(t.Context(), "team", "api", false)

		require.Empty(t, res.Errors, "listed=%v", listed)
		require.Len(t, res.Changes, 1, "listed=%v: only alice", listed)
		assert.Equal(t, "u-1", res.Changes[0].Subject)
		assert.Equal(t, map[string]int{"u-1": swr.AuthRead}, grantsOf(t, f))

		f.srv.ResetLog()
		again := f.engine(t, pol).DefaultGrants(t.Context(), "team", "api", false)
		assert.Empty(t, again.Changes)
		assert.Empty(t, f.writes(), "listed=%v: nothing to write the second time", listed)
	}
}

func TestDefaultGrantsUnderEveryAbsentGrantAnswer(t *testing.T) {
	// Someone removes bob's grant just before the upgrade: however SWR
	// answers a PATCH of a user without a grant (swr-api.md §12), bob ends
	// with the default level and the change is reported applied.
	for _, answer := range []int{http.StatusNotFound, http.StatusBadRequest, http.StatusNoContent} {
		var srv *swrtest.Server
		f := newFixture(t, grantsSeed(), withHook(func(r *http.Request) bool {
			return r.Method == http.MethodPatch && strings.HasSuffix(r.URL.Path, "/access")
		}, func() {
			other := newClient(t, srv, nil)
			require.NoError(t, other.RepositoryAccess.Delete(t.Context(), "team", "api", []string{"u-2"}))
		}), swrtest.WithAbsentGrantAnswer(answer))
		srv = f.srv

		res := f.engine(t, grantsPolicy).DefaultGrants(t.Context(), "team", "api", false)

		require.Empty(t, res.Errors, "answer %d", answer)
		for _, ch := range res.Changes {
			assert.Equal(t, report.StatusApplied, ch.Status, "answer %d: %s %s", answer, ch.Op, ch.Subject)
		}
		assert.Equal(t, map[string]int{"u-1": swr.AuthRead, "u-2": swr.AuthWrite}, grantsOf(t, f), "answer %d", answer)
	}
}
