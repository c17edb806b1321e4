package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func syncAudit(remedy policy.Remedy) policy.SyncAudit {
	return policy.SyncAudit{
		Require: []policy.SyncRequirement{
			{Match: policy.MustParseGlob("prod/**"), Region: "cn-east-3", Namespace: "{namespace}", ForbidOverride: true},
			{Match: policy.MustParseGlob("prod/pay/**"), Region: "ap-southeast-1", Namespace: "{namespace}-dr"},
			{Match: policy.MustParseGlob("**"), Region: "cn-east-3", Namespace: "{namespace}"},
		},
		Remedy: remedy,
	}
}

func task(region, ns string, override bool) swr.SyncRepo {
	return swr.SyncRepo{ID: 1, Namespace: "prod", RepoName: "pay/api", RemoteRegionID: region, RemoteNamespace: ns, SyncAuto: true, Override: override}
}

func TestAuditSyncMissingReplicas(t *testing.T) {
	findings, fixes := AuditSync("prod", "pay/api", nil, syncAudit(policy.RemedyCreate))
	assert.Equal(t, []string{CodeSyncMissingReplica, CodeSyncMissingReplica}, codes(findings))
	assert.Equal(t, "ap-southeast-1/prod-dr", findings[0].Subject)
	assert.Equal(t, "cn-east-3/prod", findings[1].Subject)
	require.Len(t, fixes, 2, "two requirements naming the same target give one fix")
	assert.Equal(t, SyncFix{
		Request: swr.CreateSyncRepoRequest{RemoteRegionID: "ap-southeast-1", RemoteNamespace: "prod-dr", SyncAuto: true, Override: false},
		Change: report.Change{Kind: KindSync, Op: report.OpCreate, Namespace: "prod", Repository: "pay/api", Subject: "ap-southeast-1/prod-dr",
			After:  swr.CreateSyncRepoRequest{RemoteRegionID: "ap-southeast-1", RemoteNamespace: "prod-dr", SyncAuto: true},
			Status: report.StatusPlanned},
	}, fixes[0])
	assert.Equal(t, "cn-east-3", fixes[1].Request.RemoteRegionID)
}

func TestAuditSyncConformant(t *testing.T) {
	tasks := []swr.SyncRepo{task("cn-east-3", "prod", false), task("ap-southeast-1", "prod-dr", false)}
	findings, fixes := AuditSync("prod", "pay/api", tasks, syncAudit(policy.RemedyCreate))
	assert.Empty(t, findings)
	assert.Empty(t, fixes)
}

func TestAuditSyncWrongTargetDoesNotCount(t *testing.T) {
	tasks := []swr.SyncRepo{task("cn-east-3", "other", false), task("cn-north-4", "prod", false)}
	findings, fixes := AuditSync("dev", "api", tasks, syncAudit(policy.RemedyCreate))
	assert.Equal(t, []string{CodeSyncMissingReplica}, codes(findings))
	require.Len(t, fixes, 1)
	assert.Equal(t, swr.CreateSyncRepoRequest{RemoteRegionID: "cn-east-3", RemoteNamespace: "dev", SyncAuto: true}, fixes[0].Request)
}

func TestAuditSyncOverride(t *testing.T) {
	tasks := []swr.SyncRepo{task("cn-east-3", "prod", true), task("ap-southeast-1", "prod-dr", false), task("eu-west-101", "x", true)}
	findings, fixes := AuditSync("prod", "pay/api", tasks, syncAudit(policy.RemedyCreate))
	assert.Equal(t, []string{CodeSyncOverrideForbidden, CodeSyncOverrideForbidden}, codes(findings))
	assert.Equal(t, "cn-east-3/prod", findings[0].Subject)
	assert.Equal(t, "eu-west-101/x", findings[1].Subject)
	assert.Empty(t, fixes, "override is reported, never rewritten")

	findings, _ = AuditSync("dev", "api", []swr.SyncRepo{task("cn-east-3", "dev", true)}, syncAudit(policy.RemedyCreate))
	assert.Empty(t, findings, "override is allowed where no matching requirement forbids it")
}

func TestAuditSyncRemedyNone(t *testing.T) {
	findings, fixes := AuditSync("dev", "api", nil, syncAudit(policy.RemedyNone))
	assert.Equal(t, []string{CodeSyncMissingReplica}, codes(findings))
	assert.Empty(t, fixes)
	assert.Equal(t, "create an auto-sync task to cn-east-3/dev", findings[0].Remediation)
}

func TestAuditSyncNoRequirement(t *testing.T) {
	cfg := policy.SyncAudit{Require: []policy.SyncRequirement{{Match: policy.MustParseGlob("prod/**"), Region: "cn-east-3", Namespace: "{namespace}"}}}
	findings, fixes := AuditSync("dev", "api", nil, cfg)
	assert.Empty(t, findings)
	assert.Empty(t, fixes)
}
