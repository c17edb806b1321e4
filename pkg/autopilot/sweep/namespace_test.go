package sweep_test

import (
	"context"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// Credentials of the registries behind looseNamespaceFilter, which signs
// the requests it rewrites.
const looseAK, looseSK = "LOOSEFILTERAK0000000", "loose-filter-secret-key"

// looseNamespaceFilter passes the plain parameters of repository listings
// to the emulator inside filter=, where it matches the namespace loosely,
// as SWR may: the listing for "team" then holds those of "team-a" too.
// It signs the rewritten request again.
func looseNamespaceFilter(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		if r.Method == http.MethodGet && r.URL.Path == "/v2/manage/repos" && q.Has("namespace") {
			var pairs []string
			for _, k := range []string{"namespace", "limit", "offset", "order_column", "order_type"} {
				if q.Has(k) {
					pairs = append(pairs, k+"::"+q.Get(k))
				}
			}
			r = r.Clone(r.Context())
			r.URL.RawQuery = url.Values{"filter": {strings.Join(pairs, "|")}}.Encode()
			r.RequestURI = r.URL.RequestURI()
			swr.Sign(r, nil, looseAK, looseSK, time.Now())
		}
		next.ServeHTTP(w, r)
	})
}

// newLooseRegistry starts an emulator holding seed behind
// looseNamespaceFilter.
func newLooseRegistry(t *testing.T, seed swrtest.Seed) *registry {
	return newRegistry(t, looseNamespaceFilter, swrtest.WithSeed(&seed), swrtest.WithCredentials(looseAK, looseSK))
}

// interleavedSeed holds team (b, d, f) and team-a (a, c, e): listed by
// name, the loose listing for team is a, b, c, d, e, f.
func interleavedSeed() swrtest.Seed {
	repos := func(names ...string) []swrtest.SeedRepository {
		out := make([]swrtest.SeedRepository, len(names))
		for i, n := range names {
			out[i] = swrtest.SeedRepository{Name: n, Tags: tagsAged("2d")}
		}
		return out
	}
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "team", Repositories: repos("b", "d", "f")},
		{Name: "team-a", Repositories: repos("a", "c", "e")},
	}}
}

// retentionReads counts the retention reads of each repository.
func retentionReads(reg *registry) map[string]int {
	out := map[string]int{}
	for _, r := range reg.Requests() {
		if repo := repoOfPath(r.Path, "retentions"); repo != "" && r.Method == http.MethodGet {
			out[repo]++
		}
	}
	return out
}

func TestSweepSkipsRepositoriesOfOtherNamespacesALooseFilterLists(t *testing.T) {
	reg := newLooseRegistry(t, interleavedSeed())
	job := newJob(t, newClient(t, reg), keepLastPolicy, sweep.Config{DryRun: true})

	rep, err := job.Run(context.Background(), events.SweepRequested{})
	require.NoError(t, err)

	assert.Equal(t, 6, rep.Counts.Scanned)
	assert.Equal(t, map[string]int{"team/b": 1, "team/d": 1, "team/f": 1, "team-a/a": 1, "team-a/c": 1, "team-a/e": 1},
		retentionReads(reg), "each repository swept once, under its own namespace")
	for _, c := range rep.Changes {
		assert.Contains(t, []string{"team", "team-a"}, c.Namespace)
	}
}

func TestCursorCountsSkippedRepositories(t *testing.T) {
	reg := newLooseRegistry(t, interleavedSeed())
	client := newClient(t, reg)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	// One worker; the sweep stops once the first repository is done.
	job := newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true, Concurrency: 1, Progress: func(done, _ int) {
		if done == 1 {
			cancel()
		}
	}})

	rep, err := job.Run(ctx, events.SweepRequested{Namespaces: []string{"team"}})
	require.NoError(t, err)
	assert.Equal(t, 1, rep.Counts.Scanned, "team/b")
	assert.Equal(t, sweep.Cursor{Namespace: "team", Offset: 3, Last: "b"}.String(), rep.Cursor,
		"past team-a/a, team/b and team-a/c: team/d is the first repository not started, team/b the last started")

	reg.ResetLog()
	rep, err = newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true}).
		Run(context.Background(), events.SweepRequested{Namespaces: []string{"team"}, Cursor: rep.Cursor})
	require.NoError(t, err)
	assert.Empty(t, rep.Cursor)
	assert.Equal(t, map[string]int{"team/d": 1, "team/f": 1}, retentionReads(reg), "the rest of team, nothing twice")
}

func TestProgressTotalCountsOnlyTheNamespacesOwnRepositories(t *testing.T) {
	reg := newLooseRegistry(t, interleavedSeed())
	client := newClient(t, reg)
	for _, tc := range []struct {
		name   string
		cursor string
		want   int
	}{
		{"whole namespace", "", 3},    // team/b, d, f; not team-a/a, c, e
		{"resumed", "v2:team:3:b", 2}, // team/d, f
	} {
		t.Run(tc.name, func(t *testing.T) {
			var totals []int
			job := newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true, Concurrency: 1, Progress: func(_, total int) {
				totals = append(totals, total)
			}})
			rep, err := job.Run(context.Background(), events.SweepRequested{Namespaces: []string{"team"}, Cursor: tc.cursor})
			require.NoError(t, err)
			assert.Equal(t, tc.want, rep.Counts.Scanned)
			require.Len(t, totals, tc.want)
			for _, total := range totals {
				assert.Equal(t, tc.want, total)
			}
		})
	}
}

// TestSweepOfAUserWithOnlyRepositoryGrantsSeesTheirNamespace: SWR lists a
// namespace where the caller holds only repository grants only when asked
// with filter=mode::visible (swr-api.md §2.2). The emulator answers per
// calling user, here one whose AK/SK the seed gives.
func TestSweepOfAUserWithOnlyRepositoryGrantsSeesTheirNamespace(t *testing.T) {
	const ak, sk = "REPOONLYAK00000000", "repo-only-secret"
	seed := swrtest.Seed{
		IAM: swrtest.SeedIAM{Users: []swrtest.SeedIAMUser{{ID: "u-ci", Name: "ci", AK: ak, SK: sk}}},
		Namespaces: []swrtest.SeedNamespace{
			{Name: "other", Repositories: []swrtest.SeedRepository{{Name: "hidden"}}},
			{Name: "shared", Repositories: []swrtest.SeedRepository{
				{Name: "tools", Grants: []swrtest.SeedGrant{{UserID: "u-ci", UserName: "ci", Auth: 7}}},
			}},
		},
	}
	reg := newRegistry(t, nil, swrtest.WithSeed(&seed))
	client := reg.NewClientWith(swr.AKSK{AK: ak, SK: sk, ProjectID: reg.ProjectID})

	rep, err := newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true}).Run(context.Background(), events.SweepRequested{})
	require.NoError(t, err)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, map[string]int{"shared/tools": 1}, retentionReads(reg), "the namespace of the repository grant, and nothing the user cannot see")
}
