package swrtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestIAMUsersAndGroups(t *testing.T) {
	srv := newServer(t, swrtest.WithSeed(&swrtest.Seed{IAM: swrtest.SeedIAM{
		Users:  []swrtest.SeedIAMUser{{ID: "u-alice", Name: "alice"}, {Name: "bob"}, {ID: "u-twin-1", Name: "twin"}, {ID: "u-twin-2", Name: "twin"}},
		Groups: []swrtest.SeedIAMGroup{{Name: "devs", Members: []string{"alice", "bob"}}},
	}}))
	c := srv.NewClientWith(swr.AKSK{AK: srv.AK, SK: srv.SK}, swr.WithClock(func() time.Time { return testNow() }))

	alice, err := c.IAM.UsersByName(t.Context(), "alice")
	require.NoError(t, err)
	require.Len(t, alice, 1)
	assert.Equal(t, "u-alice", alice[0].ID)
	assert.Equal(t, srv.DomainID, alice[0].DomainID)

	self, err := c.IAM.UsersByName(t.Context(), srv.UserName)
	require.NoError(t, err)
	assert.Equal(t, []swr.IAMUser{{ID: srv.UserID, Name: srv.UserName, DomainID: srv.DomainID, Enabled: true}}, self, "the account's own user")

	twins, err := c.IAM.UsersByName(t.Context(), "twin")
	require.NoError(t, err)
	assert.Len(t, twins, 2)
	none, err := c.IAM.UsersByName(t.Context(), "nobody")
	require.NoError(t, err)
	assert.Empty(t, none)

	groups, err := c.IAM.GroupsByName(t.Context(), "devs")
	require.NoError(t, err)
	require.Len(t, groups, 1)
	members, err := c.IAM.GroupUsers(t.Context(), groups[0].ID)
	require.NoError(t, err)
	var names []string
	for _, u := range members {
		names = append(names, u.Name)
	}
	assert.ElementsMatch(t, []string{"alice", "bob"}, names)

	_, err = c.IAM.GroupUsers(t.Context(), "0000")
	assert.True(t, swr.IsNotFound(err), "%v", err)

	// IAM listings need credentials, like IAM itself.
	resp, err := srv.Client().Get(srv.URL + "/v3/users?name=alice")
	require.NoError(t, err)
	resp.Body.Close()
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)

	require.Error(t, srv.Seed(swrtest.Seed{IAM: swrtest.SeedIAM{Groups: []swrtest.SeedIAMGroup{{Name: "x", Members: []string{"ghost"}}}}}))
}
