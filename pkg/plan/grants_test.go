package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func user(id string, auth int) swr.UserAuth {
	return swr.UserAuth{UserID: id, UserName: "name-" + id, Auth: auth}
}

func TestGrants(t *testing.T) {
	current := swr.RepositoryAccess{
		Name:     "api",
		SelfAuth: user("me", swr.AuthManage),
		OthersAuths: []swr.UserAuth{
			user("reader", swr.AuthRead),
			user("boss", swr.AuthManage),
			user("writer", swr.AuthWrite),
			user("me", swr.AuthManage),
		},
	}
	desired := []swr.UserAuth{
		user("writer", swr.AuthWrite),  // same: nothing
		user("reader", swr.AuthManage), // upgrade
		user("boss", swr.AuthRead),     // never lowered
		user("new", swr.AuthRead),      // added
		user("new", swr.AuthWrite),     // named twice: the higher level counts
		user("me", swr.AuthRead),       // the caller: skipped
		user("another", swr.AuthManage),
	}
	p := Grants("prod", "api", desired, current)
	assert.Equal(t, []swr.UserAuth{user("another", swr.AuthManage), user("new", swr.AuthWrite)}, p.Create)
	assert.Equal(t, []swr.UserAuth{user("reader", swr.AuthManage)}, p.Update)
	assert.Equal(t, []report.Change{
		{Kind: KindRepositoryAccess, Op: report.OpCreate, Namespace: "prod", Repository: "api", Subject: "another",
			After: user("another", swr.AuthManage), Status: report.StatusPlanned},
		{Kind: KindRepositoryAccess, Op: report.OpCreate, Namespace: "prod", Repository: "api", Subject: "new",
			After: user("new", swr.AuthWrite), Status: report.StatusPlanned},
		{Kind: KindRepositoryAccess, Op: report.OpUpdate, Namespace: "prod", Repository: "api", Subject: "reader",
			Before: user("reader", swr.AuthRead), After: user("reader", swr.AuthManage), Status: report.StatusPlanned},
	}, p.Changes)
	assert.False(t, p.Empty())
}

func TestGrantsConformantAndIdempotent(t *testing.T) {
	desired := []swr.UserAuth{user("a", swr.AuthRead), user("b", swr.AuthWrite)}
	p := Grants("prod", "api", desired, swr.RepositoryAccess{})
	assert.Len(t, p.Create, 2)

	after := swr.RepositoryAccess{OthersAuths: append(p.Create, p.Update...)}
	again := Grants("prod", "api", desired, after)
	assert.True(t, again.Empty())
	assert.Empty(t, again.Changes)

	assert.True(t, Grants("prod", "api", nil, after).Empty(), "nothing desired never removes grants")
}
