package multitarget_test

import (
	"context"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// replicaPolicy keeps 50 tags everywhere and requires prod/** of the
// primary to be replicated to cn-east-3, namespace prod-dr, verified
// with a day's grace and repaired by sync_images.
const replicaPolicy = `mode: enforce
retention:
  - match: "**"
    keep_last: 50
audits:
  sync:
    require:
      - match: "primary:prod/**"
        region: cn-east-3
        namespace: "{namespace}-dr"
    remediate: create
    verify:
      grace_hours: 24
      remediate: sync
      max_sync_tags: 10
`

func seedTwoRegions(t *testing.T, w *world) {
	t.Helper()
	north, east := w.cloud.Region("cn-north-4"), w.cloud.Region("cn-east-3")
	require.NoError(t, north.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "prod", Repositories: []swrtest.SeedRepository{{
			Name:      "web",
			Tags:      []swrtest.SeedTag{{Name: "v1", Age: "10d"}, {Name: "v2", Age: "5d"}, {Name: "v3", Age: "2h"}},
			SyncRepos: []swrtest.SeedSyncRepo{{RemoteRegionID: "cn-east-3", RemoteNamespace: "prod-dr", SyncAuto: true}},
		}}},
		{Name: "dev", Repositories: []swrtest.SeedRepository{{Name: "tool", Tags: []swrtest.SeedTag{{Name: "a", Age: "1d"}}}}},
	}}))
	// The replica stopped syncing after v1.
	require.NoError(t, east.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "prod-dr", Repositories: []swrtest.SeedRepository{{Name: "web", Tags: []swrtest.SeedTag{{Name: "v1", Age: "10d"}}}}},
		{Name: "ops", Repositories: []swrtest.SeedRepository{{Name: "batch", Tags: []swrtest.SeedTag{{Name: "b", Age: "1d"}}}}},
	}}))
}

func findingsOf(rep *report.Report, code string) []report.Finding {
	var out []report.Finding
	for _, f := range rep.Findings {
		if f.Code == code {
			out = append(out, f)
		}
	}
	return out
}

// Acceptance "two regions": the sweep covers both targets, finds the tag
// missing from the replica once the grace period is over, writes it with
// sync_images, and the next run writes nothing.
func TestTwoRegionsSweepVerifiesAndRepairsTheReplica(t *testing.T) {
	w := newWorld(t)
	seedTwoRegions(t, w)
	east := w.cloud.Region("cn-east-3")
	job := w.jobs(t, sweep.JobName, replicaPolicy, func(reg multitarget.Registry, e *autopilot.Engine) multitarget.Job {
		return sweep.New(e, reg.Client, sweep.Config{Target: reg.Target.Name, Now: w.clock.Now})
	})
	ctx := context.Background()

	rep, err := job.Handle(ctx, []events.Event{event(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Empty(t, rep.Errors)
	assert.Equal(t, []string{"dr", "primary"}, rep.Targets(), "the sweep covers both regions")
	assert.Equal(t, 2, rep.ByTarget["primary"].Scanned)
	assert.Equal(t, 2, rep.ByTarget["dr"].Scanned)

	missing := findingsOf(rep, plan.CodeSyncReplicaMissingTags)
	require.Len(t, missing, 1)
	assert.Equal(t, "primary", missing[0].Target)
	assert.Equal(t, "cn-east-3/prod-dr", missing[0].Subject)
	assert.Contains(t, missing[0].Message, "1 tags of prod/web pushed more than 24h0m0s ago are missing", "v3 is within the grace period")
	var synced []report.Change
	for _, c := range rep.Changes {
		if c.Kind == plan.KindSyncImages {
			synced = append(synced, c)
		}
	}
	require.Len(t, synced, 1)
	assert.Equal(t, report.StatusApplied, synced[0].Status)
	assert.ElementsMatch(t, []string{"v1", "v2"}, tagsOf(t, east, "prod-dr", "web"), "the remediation wrote the tag into the replica")

	// The second run writes nothing.
	writes := w.cloud.Writes()
	rep, err = job.Handle(ctx, []events.Event{event(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Empty(t, rep.Changes)
	assert.Empty(t, findingsOf(rep, plan.CodeSyncReplicaMissingTags))
	assert.Equal(t, writes, w.cloud.Writes(), "the second run writes 0")

	// A day later v3 is past the grace period: found and fixed, once.
	w.clock.Advance(24 * time.Hour)
	rep, err = job.Handle(ctx, []events.Event{event(events.SweepRequested{})})
	require.NoError(t, err)
	require.Len(t, findingsOf(rep, plan.CodeSyncReplicaMissingTags), 1)
	assert.Contains(t, findingsOf(rep, plan.CodeSyncReplicaMissingTags)[0].Message, ": v3")
	assert.ElementsMatch(t, []string{"v1", "v2", "v3"}, tagsOf(t, east, "prod-dr", "web"))
	writes = w.cloud.Writes()
	_, err = job.Handle(ctx, []events.Event{event(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Equal(t, writes, w.cloud.Writes())

	// A sweep of one target covers that target only.
	rep, err = job.Handle(ctx, []events.Event{event(events.SweepRequested{Target: "dr"})})
	require.NoError(t, err)
	assert.Equal(t, []string{"dr"}, rep.Targets())
	rep, err = job.Handle(ctx, []events.Event{event(events.SweepRequested{Target: "nope"})})
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Error, `no target is called "nope"`)
}

// Acceptance "routing": an EventGrid event from each region reaches the
// target of that region, and only it.
func TestOnPushRoutesEventGridEventsByRegion(t *testing.T) {
	w := newWorld(t)
	north, east := w.cloud.Region("cn-north-4"), w.cloud.Region("cn-east-3")
	for _, s := range []*swrtest.Server{north, east} {
		require.NoError(t, s.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "acme", Repositories: []swrtest.SeedRepository{
			{Name: "web", Tags: []swrtest.SeedTag{{Name: "v1", Age: "1d"}}},
		}}}}))
	}
	job := w.jobs(t, "onpush", "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 20\n", func(reg multitarget.Registry, e *autopilot.Engine) multitarget.Job {
		return onpush.New(e, reg.Client, onpush.Config{})
	})
	decode := func(region string) events.Event {
		t.Helper()
		payload := `{"specversion":"1.0","id":"` + region + `","source":"HC.SWR","type":"SWR:CloudTrace:ApiCall","region":"` + region + `",` +
			`"data":{"trace_name":"createImageRepository","trace_rating":"normal","service_type":"SWR","resource_name":"acme/web"}}`
		dec, err := events.NewDecoder(events.Config{Auth: events.AuthConfig{Disabled: true}})
		require.NoError(t, err)
		b, err := dec.DecodeLambda(context.Background(), []byte(payload))
		require.NoError(t, err)
		return b.Events[0]
	}
	ruleIn := func(s *swrtest.Server) bool {
		r, ok := s.State().Repository("acme", "web")
		return ok && r.Retention != nil
	}

	rep, err := job.Handle(context.Background(), []events.Event{decode("cn-east-3")})
	require.NoError(t, err)
	assert.Equal(t, []string{"dr"}, rep.Targets())
	assert.True(t, ruleIn(east), "the cn-east-3 event reached the dr target")
	assert.False(t, ruleIn(north))

	rep, err = job.Handle(context.Background(), []events.Event{decode("cn-north-4")})
	require.NoError(t, err)
	assert.Equal(t, []string{"primary"}, rep.Targets())
	assert.True(t, ruleIn(north), "the cn-north-4 event reached the primary target")

	// A region no target covers is reported and acknowledged.
	rep, err = job.Handle(context.Background(), []events.Event{decode("ap-southeast-1")})
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Error, "region ap-southeast-1: no target covers it")

	// A trace that names only its project goes to the target of that
	// project.
	byProject := event(events.ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1"})
	byProject.Location.ProjectID = east.ProjectID
	rep, err = job.Handle(context.Background(), []events.Event{byProject})
	require.NoError(t, err)
	assert.Equal(t, []string{"dr"}, rep.Targets())
	rep, err = job.Handle(context.Background(), []events.Event{event(events.ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1"})})
	require.NoError(t, err)
	require.Len(t, rep.Errors, 1)
	assert.Contains(t, rep.Errors[0].Error, "names no region, project or registry host")

	// A webhook is routed by its registry host.
	hook := event(events.ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1"})
	hook.Location.RegistryHost = "swr.cn-east-3.myhuaweicloud.com"
	rep, err = job.Handle(context.Background(), []events.Event{hook})
	require.NoError(t, err)
	assert.Equal(t, []string{"dr"}, rep.Targets())
}

// Acceptance "fan-out": the shards of a tick over two targets × N
// namespaces cover every repository exactly once.
func TestFanOutShardsAreTargetTimesNamespace(t *testing.T) {
	const namespaces, perNamespace = 3, 4
	w := newWorld(t)
	for _, s := range w.cloud.Servers() {
		require.NoError(t, s.Seed(swrtest.Generate(swrtest.GenOptions{Namespaces: namespaces, ReposPerNamespace: perNamespace, TagsPerRepo: 2, Now: w.clock.Now(), Seed: 7})))
	}
	queue := sqstest.NewServer()
	t.Cleanup(queue.Close)
	job := w.jobs(t, sweep.JobName, "mode: audit\nretention:\n  - match: \"**\"\n    keep_last: 20\n", func(reg multitarget.Registry, e *autopilot.Engine) multitarget.Job {
		return sweep.New(e, reg.Client, sweep.Config{Target: reg.Target.Name, FanOut: true,
			Continue: queue.NewSender()})
	})
	tick, err := job.Handle(context.Background(), []events.Event{event(events.SweepRequested{})})
	require.NoError(t, err)
	assert.Zero(t, tick.Counts.Scanned)

	shards := sqsDelivery(t, queue.Messages())
	require.Len(t, shards, 2*namespaces, "one shard per target and namespace")
	seen := map[string]bool{}
	for _, ev := range shards {
		req := ev.Payload.(events.SweepRequested)
		key := req.Target + "/" + req.Namespaces[0]
		assert.False(t, seen[key], "shard %s once", key)
		seen[key] = true
	}
	for _, s := range w.cloud.Servers() {
		s.ResetLog()
	}
	scanned := 0
	for _, ev := range shards {
		rep, err := job.Handle(context.Background(), []events.Event{ev})
		require.NoError(t, err)
		req := ev.Payload.(events.SweepRequested)
		assert.Equal(t, []string{req.Target}, rep.Targets(), "a shard is swept by its target only")
		scanned += rep.Counts.Scanned
	}
	assert.Equal(t, 2*namespaces*perNamespace, scanned)
	for _, s := range w.cloud.Servers() {
		reads := retentionReads(s)
		assert.Len(t, reads, namespaces*perNamespace, "%s: every repository swept", s.Region)
		for repo, n := range reads {
			assert.Equal(t, 1, n, "%s %s swept exactly once", s.Region, repo)
		}
	}
}

func TestEnginesRefuseAPolicyNamingAnUnknownTarget(t *testing.T) {
	w := newWorld(t)
	p, err := policy.Parse([]byte("retention:\n  - match: \"staging:**\"\n    keep_last: 5\n"), "policy.yaml")
	require.NoError(t, err)
	_, err = multitarget.Engines(w.regs, p, autopilot.Options{})
	require.ErrorContains(t, err, `target "staging", which is not in the targets file`)
}

// A replica that stopped syncing: new pushes fail to copy, the sweep
// reports the failed jobs and, past the grace period, the missing tags;
// a replica rule stricter than the source's is reported too.
func TestTwoRegionsReportFailedSyncJobsAndAStricterReplicaRule(t *testing.T) {
	w := newWorld(t)
	seedTwoRegions(t, w)
	north, east := w.cloud.Region("cn-north-4"), w.cloud.Region("cn-east-3")
	require.NoError(t, east.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "prod-dr", Repositories: []swrtest.SeedRepository{{
		Name:      "api",
		Tags:      []swrtest.SeedTag{{Name: "a1", Age: "3d"}},
		Retention: &swrtest.SeedRetention{Template: "tag_rule", Params: map[string]string{"num": "1"}, TagSelectors: []swrtest.SeedSelector{}},
	}}}}}))
	require.NoError(t, north.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "prod", Repositories: []swrtest.SeedRepository{{
		Name: "api", Tags: []swrtest.SeedTag{{Name: "a1", Age: "3d"}, {Name: "a2", Age: "2d"}},
		SyncRepos: []swrtest.SeedSyncRepo{{RemoteRegionID: "cn-east-3", RemoteNamespace: "prod-dr", SyncAuto: true}},
	}}}}}))
	w.cloud.SetSyncFailing("cn-east-3", true)
	require.NoError(t, north.PushTag("prod", "web", "v4", w.clock.Now()))

	job := w.jobs(t, sweep.JobName, strings.Replace(replicaPolicy, "remediate: sync", "remediate: none", 1), func(reg multitarget.Registry, e *autopilot.Engine) multitarget.Job {
		return sweep.New(e, reg.Client, sweep.Config{Target: reg.Target.Name, Now: w.clock.Now})
	})
	rep, err := job.Handle(context.Background(), []events.Event{event(events.SweepRequested{})})
	require.NoError(t, err)

	failed := findingsOf(rep, plan.CodeSyncJobFailed)
	require.Len(t, failed, 1)
	assert.Equal(t, "web", failed[0].Repository)
	assert.Contains(t, failed[0].Message, ": v4")

	stricter := findingsOf(rep, plan.CodeSyncReplicaRetentionStricter)
	require.Len(t, stricter, 1)
	assert.Equal(t, "api", stricter[0].Repository)
	assert.Contains(t, stricter[0].Message, "(keep the last 1) deletes 1 tags that the source keeps")

	assert.Len(t, findingsOf(rep, plan.CodeSyncReplicaMissingTags), 2, "prod/web lacks v2, prod/api lacks a2")
	for _, c := range rep.Changes {
		assert.NotEqual(t, plan.KindSyncImages, c.Kind, "remediate: none writes no tags")
	}
}

// The grant sync runs in every target, or in the one a request names.
func TestGrantSyncRunsInEveryTarget(t *testing.T) {
	w := newWorld(t)
	for _, s := range w.cloud.Servers() {
		require.NoError(t, s.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team"}}}))
	}
	dir := t.TempDir() + "/directory.yaml"
	require.NoError(t, os.WriteFile(dir, []byte("teams:\n  - name: t\n    members: [{id: 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e, name: alice}]\n    namespaces: {team: read}\n"), 0o600))
	var members []multitarget.Member
	for _, reg := range w.regs {
		members = append(members, multitarget.Member{Target: reg.Target, Job: grantsync.New(reg.Client, grantsync.Config{Directory: dir})})
	}
	job := multitarget.Jobs(grantsync.JobName, members)

	rep, err := job.Handle(context.Background(), []events.Event{event(events.GrantSyncRequested{Target: "dr"})})
	require.NoError(t, err)
	assert.Equal(t, []string{"dr"}, rep.Targets())
	assert.Equal(t, 1, rep.ByTarget["dr"].Changed)

	rep, err = job.Handle(context.Background(), []events.Event{event(events.GrantSyncRequested{})})
	require.NoError(t, err)
	assert.Equal(t, []string{"dr", "primary"}, rep.Targets())
	assert.Equal(t, 1, rep.ByTarget["primary"].Changed)
	assert.Equal(t, 0, rep.ByTarget["dr"].Changed, "already in line")
	for _, s := range w.cloud.Servers() {
		ns, ok := s.State().Namespace("team")
		require.True(t, ok)
		assert.Len(t, ns.Grants, 1, "%s", s.Region)
	}
}
