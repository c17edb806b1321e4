package plan_test

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

var replicaNow = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

func pushedAgo(name string, ago time.Duration) swr.Tag {
	at := replicaNow.Add(-ago).Format(swr.TimeFormat)
	return swr.Tag{Tag: name, Created: at, Updated: at}
}

func job(tag, status string, ago time.Duration, id int64) swr.SyncJob {
	return swr.SyncJob{ID: id, Tag: tag, Status: status, RemoteRegionID: "cn-east-3", RemoteNamespace: "team-dr",
		CreatedAt: replicaNow.Add(-ago).Format(swr.TimeFormat)}
}

func replicaCheck(source, replica []swr.Tag) plan.ReplicaCheck {
	return plan.ReplicaCheck{
		Namespace: "team", Repository: "web", SourceTags: source,
		Replica: plan.Replica{Region: "cn-east-3", Namespace: "team-dr", Exists: true, Tags: replica},
		Now:     replicaNow,
		Config:  plan.ReplicaConfig{Grace: time.Hour, JobLookback: 24 * time.Hour, MaxSyncTags: 2},
	}
}

func codes(fs []report.Finding) []string {
	var out []string
	for _, f := range fs {
		out = append(out, f.Code)
	}
	return out
}

func TestVerifyReplicaInSync(t *testing.T) {
	tags := []swr.Tag{pushedAgo("v1", 48*time.Hour), pushedAgo("v2", 2*time.Hour)}
	findings, fix := plan.VerifyReplica(replicaCheck(tags, tags))
	assert.Empty(t, findings)
	assert.Nil(t, fix)
}

func TestVerifyReplicaMissingTagsAfterTheGracePeriod(t *testing.T) {
	source := []swr.Tag{
		pushedAgo("v1", 72*time.Hour), pushedAgo("v2", 48*time.Hour), pushedAgo("v3", 3*time.Hour),
		pushedAgo("v4", time.Hour),      // exactly the grace period: missing long enough
		pushedAgo("v5", 10*time.Minute), // within the grace period: may be in flight
	}
	c := replicaCheck(source, []swr.Tag{pushedAgo("v2", 48*time.Hour)})
	findings, fix := plan.VerifyReplica(c)
	require.Equal(t, []string{plan.CodeSyncReplicaMissingTags}, codes(findings))
	f := findings[0]
	assert.Equal(t, "cn-east-3/team-dr", f.Subject)
	assert.Equal(t, report.SeverityWarning, f.Severity)
	assert.Contains(t, f.Message, "3 tags of team/web pushed more than 1h0m0s ago are missing from the replica team-dr/web in region cn-east-3: v4, v3, v1")
	assert.Contains(t, f.Remediation, "synchronise 2 of them now")
	assert.Contains(t, f.Remediation, "1 more on later runs")

	require.NotNil(t, fix)
	assert.Equal(t, swr.SyncImagesRequest{ImageTag: []string{"v4", "v3"}, RemoteRegionID: "cn-east-3", RemoteNamespace: "team-dr"}, fix.Request,
		"newest first, bounded, never overriding")
	assert.Equal(t, plan.KindSyncImages, fix.Change.Kind)
	assert.Equal(t, report.StatusPlanned, fix.Change.Status)

	c.Config.MaxSyncTags = 0
	findings, fix = plan.VerifyReplica(c)
	assert.Len(t, findings, 1)
	assert.Nil(t, fix, "no remediation without a bound")
}

func TestVerifyReplicaThatDoesNotExist(t *testing.T) {
	c := replicaCheck([]swr.Tag{pushedAgo("v1", 72*time.Hour)}, nil)
	c.Replica.Exists = false
	findings, fix := plan.VerifyReplica(c)
	require.Len(t, findings, 1)
	assert.Contains(t, findings[0].Message, "which does not exist")
	require.NotNil(t, fix)
	assert.Equal(t, []string{"v1"}, fix.Request.ImageTag)
}

func TestVerifyReplicaFailedJobs(t *testing.T) {
	tags := []swr.Tag{pushedAgo("v1", 72*time.Hour), pushedAgo("v2", 72*time.Hour), pushedAgo("v3", 72*time.Hour), pushedAgo("v4", 72*time.Hour)}
	c := replicaCheck(tags, tags)
	c.Jobs = []swr.SyncJob{
		job("v1", "failed", 2*time.Hour, 1),
		job("v2", "failed", 3*time.Hour, 2), job("v2", "success", time.Hour, 5), // retried with success
		job("v3", "timeout", 30*time.Minute, 6),
		job("v4", "failed", 48*time.Hour, 3), // too old
		{ID: 7, Tag: "v1", Status: "failed", RemoteRegionID: "cn-south-1", RemoteNamespace: "team-dr", CreatedAt: replicaNow.Format(swr.TimeFormat)},
	}
	findings, fix := plan.VerifyReplica(c)
	require.Equal(t, []string{plan.CodeSyncJobFailed}, codes(findings))
	assert.Contains(t, findings[0].Message, "the latest sync job of 2 tags to cn-east-3/team-dr failed within the last 24h0m0s: v1, v3")
	assert.Nil(t, fix)
}

func TestVerifyReplicaRetentionStricterThanTheSource(t *testing.T) {
	var tags []swr.Tag
	for i, name := range []string{"a", "b", "c", "d", "e"} {
		tags = append(tags, pushedAgo(name, time.Duration(10*(i+1))*24*time.Hour)) // a: 10 days … e: 50 days
	}
	keepDays := func(n string) *swr.Rule {
		return &swr.Rule{Template: swr.TemplateDateRule, Params: map[string]string{"days": n}, TagSelectors: []swr.TagSelector{}}
	}
	c := replicaCheck(tags, tags)
	c.SourceRetention = keepDays("45")
	c.Replica.Retention = &swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "2"}, TagSelectors: []swr.TagSelector{}}
	findings, _ := plan.VerifyReplica(c)
	require.Equal(t, []string{plan.CodeSyncReplicaRetentionStricter}, codes(findings))
	assert.Contains(t, findings[0].Message, "(keep the last 2) deletes 2 tags that the source keeps, so replicas vanish first (under at least one reading of SWR's rule semantics): c, d")

	c.Replica.Retention = keepDays("60")
	findings, _ = plan.VerifyReplica(c)
	assert.Empty(t, findings, "a laxer replica rule is fine")

	// Tags the replica's rule would delete again are not synchronised.
	c.Replica.Retention = keepDays("25")
	c.SourceRetention = nil
	c.Replica.Tags = tags[:1]
	findings, fix := plan.VerifyReplica(c)
	assert.Equal(t, []string{plan.CodeSyncReplicaMissingTags, plan.CodeSyncReplicaRetentionStricter}, codes(findings))
	require.NotNil(t, fix)
	assert.Equal(t, []string{"b"}, fix.Request.ImageTag)
}

// A tag time that does not parse is never taken for a recent push: the
// tag is checked (the check only reads and copies); the stricter-rule
// comparison, which needs the times, says nothing.
func TestVerifyReplicaWithAnUnreadableTagTime(t *testing.T) {
	bad := swr.Tag{Tag: "odd", Created: "yesterday", Updated: "yesterday"}
	c := replicaCheck([]swr.Tag{bad, pushedAgo("v1", 72*time.Hour)}, nil)
	c.Replica.Retention = &swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "1"}, TagSelectors: []swr.TagSelector{}}
	findings, fix := plan.VerifyReplica(c)
	require.Equal(t, []string{plan.CodeSyncReplicaMissingTags}, codes(findings))
	assert.Contains(t, findings[0].Message, "2 tags")
	assert.Nil(t, fix, "every tag may be deleted again by the replica's rule when it cannot be simulated")
}
