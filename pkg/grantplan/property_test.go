package grantplan

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/stretchr/testify/require"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// world is a random directory and a random SWR state to plan against.
type world struct {
	dir        *directory.Directory
	namespaces []string
	repos      []string // "namespace/repository" keys
	others     map[string][]swr.UserAuth
}

func randomWorld(rng *rand.Rand) world {
	levels := []directory.Level{directory.Read, directory.Write, directory.Manage}
	people := []directory.Member{{ID: "u-self", Name: "autopilot"}, {ID: "u-founder", Name: "founder"}}
	for i := range 8 {
		people = append(people, directory.Member{ID: fmt.Sprintf("u%d", i), Name: fmt.Sprintf("user%d", i)})
	}
	w := world{dir: &directory.Directory{Guard: directory.Guard{MaxRemovals: 10, MaxRemovalFraction: 0.3}}, others: map[string][]swr.UserAuth{}}
	for i := range 4 {
		ns := fmt.Sprintf("ns%d", i)
		w.namespaces = append(w.namespaces, ns)
		w.repos = append(w.repos, ns+"/app", ns+"/lib/base")
		if rng.IntN(2) == 0 {
			w.dir.ManagedNamespaces = append(w.dir.ManagedNamespaces, ns)
		}
	}
	for _, p := range people[1:] { // the caller is protected anyway
		if rng.IntN(5) == 0 {
			w.dir.Keep = append(w.dir.Keep, p)
		}
	}
	for t := range 1 + rng.IntN(4) {
		team := directory.Team{Name: fmt.Sprintf("team%d", t), Namespaces: map[string]directory.Level{}, Repositories: map[string]directory.Level{}}
		for _, i := range rng.Perm(len(people))[:1+rng.IntN(4)] {
			if i < 2 && rng.IntN(3) > 0 {
				continue // name the caller or the creator only now and then
			}
			team.Members = append(team.Members, people[i])
		}
		for _, i := range rng.Perm(len(w.namespaces))[:rng.IntN(3)] {
			team.Namespaces[w.namespaces[i]] = levels[rng.IntN(3)]
		}
		for _, i := range rng.Perm(len(w.repos))[:rng.IntN(3)] {
			team.Repositories[w.repos[i]] = levels[rng.IntN(3)]
		}
		w.dir.Teams = append(w.dir.Teams, team)
	}
	for _, target := range append(append([]string(nil), w.namespaces...), w.repos...) {
		var others []swr.UserAuth
		for _, i := range rng.Perm(len(people))[:rng.IntN(len(people))] {
			others = append(others, swr.UserAuth{UserID: people[i].ID, UserName: people[i].Name, Auth: int(levels[rng.IntN(3)])})
		}
		if rng.IntN(4) == 0 { // the caller listed again under another id
			others = append(others, swr.UserAuth{UserID: "u-self-alias", UserName: "autopilot", Auth: swr.AuthRead})
		}
		w.others[target] = others
	}
	return w
}

// applyPlan executes p against a grant list the way SWR would, failing on
// writes SWR would reject (POST of an existing grant, PATCH or DELETE of a
// missing one).
func applyPlan(t *testing.T, others []swr.UserAuth, p Plan) []swr.UserAuth {
	t.Helper()
	state := map[string]swr.UserAuth{}
	var order []string
	for _, a := range others {
		state[a.UserID] = a
		order = append(order, a.UserID)
	}
	for _, a := range p.Create {
		_, exists := state[a.UserID]
		require.False(t, exists, "POST of existing grant %s", a.UserID)
		state[a.UserID] = a
		order = append(order, a.UserID)
	}
	for _, a := range p.Update {
		have, exists := state[a.UserID]
		require.True(t, exists, "PATCH of missing grant %s", a.UserID)
		have.Auth = a.Auth
		state[a.UserID] = have
	}
	for _, id := range p.Delete {
		_, exists := state[id]
		require.True(t, exists, "DELETE of missing grant %s", id)
		delete(state, id)
	}
	var out []swr.UserAuth
	for _, id := range order {
		if a, ok := state[id]; ok {
			out = append(out, a)
			delete(state, id)
		}
	}
	return out
}

func byID(list []swr.UserAuth) map[string]swr.UserAuth {
	m := map[string]swr.UserAuth{}
	for _, a := range list {
		m[a.UserID] = a
	}
	return m
}

// TestPlanReachesDesiredState plans random worlds, applies the plans and
// checks that managed namespaces end up exactly as the directory says
// (protected users aside), unmanaged ones only gained access, protected
// users never lost any, and that planning again writes nothing.
func TestPlanReachesDesiredState(t *testing.T) {
	for seed := range uint64(400) {
		rng := rand.New(rand.NewPCG(seed, 7))
		w := randomWorld(rng)
		desired := Desired(w.dir)
		self := swr.UserAuth{UserID: "u-self", UserName: "autopilot", Auth: swr.AuthManage}
		isSelf := func(a swr.UserAuth) bool { return a.UserID == self.UserID || a.UserName == self.UserName }

		check := func(name, ns string, want map[string]swr.UserAuth, before []swr.UserAuth, creator string, plan func([]swr.UserAuth) Plan) {
			p := plan(before)
			requireWellFormed(t, p)
			after := applyPlan(t, before, p)
			managed := w.dir.Managed(ns)
			was, now := byID(before), byID(after)
			protected := func(a swr.UserAuth) bool {
				return isSelf(a) || (creator != "" && a.UserName == creator) || w.dir.Kept(a.UserID, a.UserName)
			}
			ctx := fmt.Sprintf("seed %d, %s (managed %v)", seed, name, managed)

			for id, old := range was {
				got, ok := now[id]
				switch {
				case isSelf(old) || (creator != "" && old.UserName == creator):
					require.Equal(t, old, got, "%s: caller or creator %s changed", ctx, id)
				case protected(old):
					require.True(t, ok, "%s: keep user %s removed", ctx, id)
					require.GreaterOrEqual(t, got.Auth, old.Auth, "%s: keep user %s lowered", ctx, id)
				case !managed:
					require.True(t, ok, "%s: %s removed outside a managed namespace", ctx, id)
					require.GreaterOrEqual(t, got.Auth, old.Auth, "%s: %s lowered outside a managed namespace", ctx, id)
				}
			}
			for id, wanted := range want {
				if isSelf(wanted) || (creator != "" && wanted.UserName == creator) {
					continue
				}
				got, ok := now[id]
				require.True(t, ok, "%s: desired %s missing", ctx, id)
				if managed && !protected(wanted) {
					require.Equal(t, wanted.Auth, got.Auth, "%s: %s level", ctx, id)
				} else {
					require.GreaterOrEqual(t, got.Auth, wanted.Auth, "%s: %s level", ctx, id)
				}
			}
			if managed {
				for id, got := range now {
					_, wanted := want[id]
					require.True(t, wanted || protected(got), "%s: %s kept in a managed namespace", ctx, id)
				}
			}

			again := plan(after)
			require.True(t, again.Empty(), "%s: second plan writes %+v", ctx, again)
		}

		for _, ns := range w.namespaces {
			check(ns, ns, desired.Namespaces[ns], w.others[ns], "founder", func(others []swr.UserAuth) Plan {
				return Namespace(ns, desired.Namespaces[ns], swr.NamespaceAccess{Name: ns, CreatorName: "founder", SelfAuth: self, OthersAuths: others}, w.dir)
			})
		}
		for _, key := range w.repos {
			ns, repo, _ := directory.SplitRepositoryKey(key)
			check(key, ns, desired.Repositories[key], w.others[key], "", func(others []swr.UserAuth) Plan {
				return Repository(ns, repo, desired.Repositories[key], swr.RepositoryAccess{Name: repo, SelfAuth: self, OthersAuths: others}, "", w.dir)
			})
		}
	}
}
