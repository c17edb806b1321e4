package swrtest_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func cloudClient(t *testing.T, s *swrtest.Server) *swr.Client {
	t.Helper()
	return s.NewClient(swr.WithRetry(1, 0, 0), swr.WithClock(s.Now))
}

func tagNames(t *testing.T, c *swr.Client, ns, repo string) []string {
	t.Helper()
	var out []string
	for tag, err := range c.Repositories.AllTags(context.Background(), ns, repo, nil) {
		require.NoError(t, err)
		out = append(out, tag.Tag)
	}
	return out
}

func TestCloudServesEachRegionAtItsOwnEndpoint(t *testing.T) {
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-east-3"}, swrtest.WithClock(fixedClock(testNow())))
	defer cloud.Close()
	assert.Equal(t, []string{"cn-north-4", "cn-east-3"}, cloud.Regions())
	north, east := cloud.Region("cn-north-4"), cloud.Region("cn-east-3")
	require.NotNil(t, north)
	require.NotNil(t, east)
	assert.Nil(t, cloud.Region("ap-southeast-1"))
	assert.NotEqual(t, north.URL, east.URL)
	assert.Equal(t, north.AK, east.AK, "AK/SK are global to the user")
	assert.NotEqual(t, north.ProjectID, east.ProjectID, "a project belongs to its region")

	ctx := context.Background()
	cn, ce := cloudClient(t, north), cloudClient(t, east)
	require.NoError(t, cn.Namespaces.Create(ctx, "team-a"))
	nss, err := ce.Namespaces.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, nss, "each region has its own registry")

	regions, err := cn.Sync.Regions(ctx)
	require.NoError(t, err)
	assert.Contains(t, regions, swr.SyncRegion{RegionID: "cn-east-3"})
}

func TestCloudCopiesTagsIntoTheReplicaRegion(t *testing.T) {
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-east-3"}, swrtest.WithClock(fixedClock(testNow())))
	defer cloud.Close()
	north, east := cloud.Region("cn-north-4"), cloud.Region("cn-east-3")
	ctx := context.Background()
	cn, ce := cloudClient(t, north), cloudClient(t, east)
	require.NoError(t, cn.Namespaces.Create(ctx, "team-a"))
	require.NoError(t, ce.Namespaces.Create(ctx, "team-a-dr"))
	for _, tag := range []string{"v1", "v2"} {
		require.NoError(t, north.PushTag("team-a", "lib/web", tag, testNow()))
	}

	// Auto-sync copies only what is pushed after the task exists.
	require.NoError(t, cn.Sync.Create(ctx, "team-a", "lib/web", swr.CreateSyncRepoRequest{RemoteRegionID: "cn-east-3", RemoteNamespace: "team-a-dr", SyncAuto: true}))
	require.NoError(t, north.PushTag("team-a", "lib/web", "v3", testNow()))
	assert.Equal(t, []string{"v3"}, tagNames(t, ce, "team-a-dr", "lib/web"))
	src, err := cn.Repositories.GetTag(ctx, "team-a", "lib/web", "v3")
	require.NoError(t, err)
	cp, err := ce.Repositories.GetTag(ctx, "team-a-dr", "lib/web", "v3")
	require.NoError(t, err)
	assert.Equal(t, src.Digest, cp.Digest, "the replica holds the same image")

	// A manual sync copies existing tags; one already there is "existed";
	// one the source lacks fails.
	failed, err := cn.Sync.SyncImages(ctx, "team-a", "lib/web", swr.SyncImagesRequest{
		ImageTag: []string{"v1", "v3", "nope"}, RemoteRegionID: "cn-east-3", RemoteNamespace: "team-a-dr"})
	require.NoError(t, err)
	assert.Equal(t, []string{"nope"}, failed)
	assert.ElementsMatch(t, []string{"v1", "v3"}, tagNames(t, ce, "team-a-dr", "lib/web"))

	jobs, _, err := cn.Sync.Jobs(ctx, "team-a", "lib/web", &swr.ListOptions{Limit: 10})
	require.NoError(t, err)
	status := map[string]string{}
	for i := len(jobs) - 1; i >= 0; i-- { // oldest first: the newest wins
		status[jobs[i].Tag] = jobs[i].Status
	}
	assert.Equal(t, map[string]string{"v1": "success", "v3": "existed", "nope": "failed"}, status)

	// A retag through the API fires the auto-sync too.
	require.NoError(t, cn.Namespaces.Create(ctx, "team-b"))
	require.NoError(t, north.PushTag("team-b", "svc", "v1", testNow()))
	require.NoError(t, cn.Sync.Create(ctx, "team-b", "svc", swr.CreateSyncRepoRequest{RemoteRegionID: "cn-east-3", RemoteNamespace: "missing-ns", SyncAuto: true}))
	require.NoError(t, north.PushTag("team-b", "svc", "v2", testNow()))
	jobs, _, err = cn.Sync.Jobs(ctx, "team-b", "svc", &swr.ListOptions{Limit: 10})
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, "failed", jobs[0].Status, "the replica namespace does not exist")

	// A replica that stopped syncing records failed jobs and copies nothing.
	cloud.SetSyncFailing("cn-east-3", true)
	require.NoError(t, north.PushTag("team-a", "lib/web", "v4", testNow()))
	failed, err = cn.Sync.SyncImages(ctx, "team-a", "lib/web", swr.SyncImagesRequest{
		ImageTag: []string{"v2"}, RemoteRegionID: "cn-east-3", RemoteNamespace: "team-a-dr"})
	require.NoError(t, err)
	assert.Equal(t, []string{"v2"}, failed)
	assert.ElementsMatch(t, []string{"v1", "v3"}, tagNames(t, ce, "team-a-dr", "lib/web"))
	cloud.SetSyncFailing("cn-east-3", false)
	require.NoError(t, north.PushTag("team-a", "lib/web", "v5", testNow()))
	assert.ElementsMatch(t, []string{"v1", "v3", "v5"}, tagNames(t, ce, "team-a-dr", "lib/web"))
}

// Tasks in both directions neither loop nor deadlock under concurrent
// pushes.
func TestCloudSyncBothWaysConcurrently(t *testing.T) {
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-east-3"})
	defer cloud.Close()
	north, east := cloud.Region("cn-north-4"), cloud.Region("cn-east-3")
	ctx := context.Background()
	cn, ce := cloudClient(t, north), cloudClient(t, east)
	for _, c := range []*swr.Client{cn, ce} {
		require.NoError(t, c.Namespaces.Create(ctx, "shared"))
	}
	require.NoError(t, north.PushTag("shared", "app", "seed", testNow()))
	require.NoError(t, east.PushTag("shared", "app", "seed", testNow()))
	require.NoError(t, cn.Sync.Create(ctx, "shared", "app", swr.CreateSyncRepoRequest{RemoteRegionID: "cn-east-3", RemoteNamespace: "shared", SyncAuto: true}))
	require.NoError(t, ce.Sync.Create(ctx, "shared", "app", swr.CreateSyncRepoRequest{RemoteRegionID: "cn-north-4", RemoteNamespace: "shared", SyncAuto: true}))

	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(2)
		go func() {
			defer wg.Done()
			assert.NoError(t, north.PushTag("shared", "app", "n"+string(rune('a'+i)), testNow()))
		}()
		go func() {
			defer wg.Done()
			assert.NoError(t, east.PushTag("shared", "app", "e"+string(rune('a'+i)), testNow()))
		}()
	}
	wg.Wait()
	assert.Len(t, tagNames(t, cn, "shared", "app"), 41)
	assert.Len(t, tagNames(t, ce, "shared", "app"), 41)
}

// A server outside a Cloud keeps its behaviour: a job is recorded and
// nothing is copied anywhere.
func TestSingleServerSyncRecordsJobsOnly(t *testing.T) {
	srv := newServer(t)
	c := cloudClient(t, srv)
	ctx := context.Background()
	require.NoError(t, c.Namespaces.Create(ctx, "team-a"))
	require.NoError(t, srv.PushTag("team-a", "web", "v1", testNow()))
	failed, err := c.Sync.SyncImages(ctx, "team-a", "web", swr.SyncImagesRequest{ImageTag: []string{"v1"}, RemoteRegionID: "cn-east-3", RemoteNamespace: "x"})
	require.NoError(t, err)
	assert.Empty(t, failed)
	jobs, _, err := c.Sync.Jobs(ctx, "team-a", "web", &swr.ListOptions{Limit: 10})
	require.NoError(t, err)
	require.Len(t, jobs, 1)
	assert.Equal(t, "success", jobs[0].Status)
}

func TestCloudServesSeveralProjectsOfARegion(t *testing.T) {
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-north-4/team-b", "cn-east-3"})
	defer cloud.Close()
	servers := cloud.Servers()
	require.Len(t, servers, 3)
	a, b := servers[0], servers[1]
	assert.Equal(t, "cn-north-4", b.Region)
	assert.NotEqual(t, a.ProjectID, b.ProjectID)
	assert.NotEqual(t, a.URL, b.URL)
	assert.Same(t, a, cloud.Region("cn-north-4"))
	assert.Same(t, b, cloud.Project(b.ProjectID))
	assert.Nil(t, cloud.Project("nope"))
	ctx := context.Background()
	require.NoError(t, cloudClient(t, b).Namespaces.Create(ctx, "team-b"))
	nss, err := cloudClient(t, a).Namespaces.List(ctx)
	require.NoError(t, err)
	assert.Empty(t, nss, "each project has its own registry")
}
