package grantplan

import (
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// parseDirectory parses a directory file that must be valid.
func parseDirectory(t testing.TB, text string) *directory.Directory {
	t.Helper()
	d, err := directory.Parse([]byte(text), "dir.yaml")
	require.NoError(t, err)
	return d
}

func ua(id, name string, auth int) swr.UserAuth {
	return swr.UserAuth{UserID: id, UserName: name, Auth: auth}
}

func users(grants ...swr.UserAuth) map[string]swr.UserAuth {
	m := map[string]swr.UserAuth{}
	for _, g := range grants {
		m[g.UserID] = g
	}
	return m
}

// touched returns every user id a plan writes for.
func touched(p Plan) map[string]bool {
	ids := map[string]bool{}
	for _, a := range p.Create {
		ids[a.UserID] = true
	}
	for _, a := range p.Update {
		ids[a.UserID] = true
	}
	for _, id := range p.Delete {
		ids[id] = true
	}
	return ids
}

// requireWellFormed checks the invariants every plan must keep: no user is
// both deleted and created or updated, downgrades are updates, and there is
// one planned Change per write.
func requireWellFormed(t testing.TB, p Plan) {
	t.Helper()
	written := map[string]int{}
	for _, a := range p.Create {
		written[a.UserID]++
	}
	for _, a := range p.Update {
		written[a.UserID]++
	}
	for _, id := range p.Delete {
		written[id]++
	}
	for id, n := range written {
		require.Equal(t, 1, n, "user %s is written more than once (no delete-then-re-add)", id)
	}
	updated := map[string]bool{}
	for _, a := range p.Update {
		updated[a.UserID] = true
	}
	for _, id := range p.Downgrades {
		require.True(t, updated[id], "downgrade %s is not an update", id)
	}
	require.Len(t, p.Changes, len(p.Create)+len(p.Update)+len(p.Delete))
}
