package swrtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestLoadSeedYAML(t *testing.T) {
	seed, err := swrtest.LoadSeed("testdata/seed.yaml")
	require.NoError(t, err)
	srv := newServer(t, swrtest.WithSeed(&seed))

	st := srv.State()
	require.Len(t, st.Namespaces, 2)
	a, _ := st.Namespace("team-a")
	assert.Equal(t, "alice", a.CreatorName)
	require.Len(t, a.Grants, 1)
	assert.Equal(t, "bob", a.Grants[0].UserName)
	b, _ := st.Namespace("team-b")
	assert.Equal(t, srv.UserName, b.CreatorName, "the server user creates by default")

	repo, ok := st.Repository("team-a", "web/app")
	require.True(t, ok)
	assert.True(t, repo.IsPublic)
	assert.Equal(t, "linux", repo.Category)
	assert.Equal(t, []string{"latest", "v1", "v2"}, repo.TagNames())
	pushed := map[string]time.Time{}
	for _, tg := range repo.Tags {
		pushed[tg.Name] = tg.Pushed
	}
	assert.Equal(t, time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC), pushed["v1"].UTC())
	assert.Equal(t, testNow().Add(-72*time.Hour), pushed["v2"])
	assert.Equal(t, testNow().Add(-time.Hour), pushed["latest"])
	require.NotNil(t, repo.Retention)
	assert.Equal(t, "30", repo.Retention.Rules[0].Params["days"])
	assert.Len(t, repo.Tags, 3, "seeding does not execute the policy")
	require.Len(t, repo.Triggers, 1)
	assert.Equal(t, "true", repo.Triggers[0].Enable)
	require.Len(t, repo.Triggers[0].TriggerHistory, 1)
	assert.Equal(t, "v1", repo.Triggers[0].TriggerHistory[0].Tag)
	require.Len(t, repo.SyncRepos, 1)
	assert.Equal(t, "cn-east-3", repo.SyncRepos[0].RemoteRegionID)

	// The seeded policy is visible through the API and runs on demand.
	c := newClient(t, srv)
	r := c.get(repoPath("team-a", "web/app") + "/retentions")
	requireStatus(t, r, http.StatusOK)
	require.Len(t, r.array(t), 1)
	assert.Equal(t, 1, srv.RunRetentions())
	repo, _ = srv.State().Repository("team-a", "web/app")
	assert.Equal(t, []string{"latest", "v2"}, repo.TagNames())
}

func TestLoadSeedJSON(t *testing.T) {
	seed, err := swrtest.LoadSeed("testdata/seed.json")
	require.NoError(t, err)
	srv := newServer(t)
	require.NoError(t, srv.Seed(seed))
	repo, ok := srv.State().Repository("team-j", "api")
	require.True(t, ok)
	assert.Equal(t, []string{"v1", "v2"}, repo.TagNames())
	assert.Equal(t, testNow().Add(-36*time.Hour), repo.Tags[1].Pushed)

	require.Error(t, srv.Seed(seed), "the repository exists already")
	assert.Equal(t, 1, srv.State().RepositoryCount(), "a failed seed changes nothing")
}

func TestLoadSeedErrors(t *testing.T) {
	for file, want := range map[string]string{
		"testdata/seed-bad-name.yaml":    `line 5: namespaces[0].repositories[1].name: invalid repository name "Not_Valid"`,
		"testdata/seed-unknown-key.yaml": `line 3: field repos not found`,
		"testdata/seed-bad-auth.json":    `line 3: namespaces[0].grants[0].auth: invalid auth 5`,
		"testdata/missing.yaml":          `no such file`,
	} {
		_, err := swrtest.LoadSeed(file)
		require.Error(t, err, file)
		assert.Contains(t, err.Error(), want, file)
	}
}

func TestGenerate(t *testing.T) {
	opts := swrtest.GenOptions{Namespaces: 3, ReposPerNamespace: 40, TagsPerRepo: 4, Seed: 7, Now: testNow()}
	seed := swrtest.Generate(opts)
	require.NoError(t, seed.Validate())
	assert.Equal(t, seed, swrtest.Generate(opts), "equal options give equal seeds")
	opts.Seed = 8
	assert.NotEqual(t, seed, swrtest.Generate(opts))

	srv := newServer(t)
	require.NoError(t, srv.Seed(seed))
	st := srv.State()
	assert.Equal(t, 120, st.RepositoryCount())
	var rules, triggers, syncs, grants, slashes int
	for _, ns := range st.Namespaces {
		for _, r := range ns.Repositories {
			require.Len(t, r.Tags, 4)
			for _, tg := range r.Tags {
				assert.False(t, tg.Pushed.After(testNow()))
				assert.True(t, tg.Pushed.After(testNow().AddDate(0, 0, -181)))
			}
			if r.Retention != nil {
				rules++
			}
			triggers += len(r.Triggers)
			syncs += len(r.SyncRepos)
			grants += len(r.Grants)
			if len(r.Name) > 5 && r.Name[:5] == "team/" {
				slashes++
			}
		}
	}
	assert.Positive(t, rules)
	assert.Positive(t, triggers)
	assert.Positive(t, syncs)
	assert.Positive(t, grants)
	assert.Equal(t, 18, slashes, "every seventh repository of 40 per namespace: 6 × 3")

	plain := swrtest.Generate(swrtest.GenOptions{Namespaces: 1, ReposPerNamespace: 50, TagsPerRepo: 1, Now: testNow(),
		RetentionShare: -1, RepoGrantShare: -1, NamespaceGrantShare: -1, TriggerShare: -1, SyncShare: -1, PublicShare: -1})
	for _, r := range plain.Namespaces[0].Repositories {
		assert.Nil(t, r.Retention)
		assert.Empty(t, r.Triggers)
		assert.False(t, r.IsPublic)
	}
}

func TestParseAge(t *testing.T) {
	for in, want := range map[string]time.Duration{"36h": 36 * time.Hour, "40d": 40 * 24 * time.Hour, "1d12h": 36 * time.Hour, "90m": 90 * time.Minute} {
		got, err := swrtest.ParseAge(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, in := range []string{"d", "xd", "3x", "-5h"} {
		_, err := swrtest.ParseAge(in)
		assert.Error(t, err, in)
	}
}
