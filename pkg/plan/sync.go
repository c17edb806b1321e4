package plan

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// SyncFix creates one missing sync task: POST …/sync_repo with Request.
type SyncFix struct {
	Request swr.CreateSyncRepoRequest
	Change  report.Change
}

// AuditSync checks the sync (replication) tasks of repository ns/repo
// against every requirement of cfg that matches it:
//   - sync.missing_replica (warning): no task to the required region and
//     remote namespace; with the create remedy, a fix creates it with
//     syncAuto true and override false;
//   - sync.override_forbidden (warning): a matching requirement sets
//     forbid_override and a task of the repository has override true.
//
// Requirements naming the same target are checked once. Findings and
// fixes are ordered by region, then remote namespace.
func AuditSync(ns, repo string, tasks []swr.SyncRepo, cfg policy.SyncAudit) ([]report.Finding, []SyncFix) {
	reqs := cfg.RequirementsFor(ns, repo)
	type target struct{ region, namespace string }
	var targets []target
	forbidOverride := false
	for _, r := range reqs {
		t := target{r.Region, r.RemoteNamespace(ns)}
		if !slices.Contains(targets, t) {
			targets = append(targets, t)
		}
		forbidOverride = forbidOverride || r.ForbidOverride
	}
	slices.SortFunc(targets, func(a, b target) int {
		return cmp.Or(cmp.Compare(a.region, b.region), cmp.Compare(a.namespace, b.namespace))
	})

	sorted := slices.Clone(tasks)
	slices.SortStableFunc(sorted, func(a, b swr.SyncRepo) int {
		return cmp.Or(cmp.Compare(a.RemoteRegionID, b.RemoteRegionID), cmp.Compare(a.RemoteNamespace, b.RemoteNamespace))
	})

	var findings []report.Finding
	var fixes []SyncFix
	for _, t := range targets {
		exists := slices.ContainsFunc(sorted, func(s swr.SyncRepo) bool {
			return s.RemoteRegionID == t.region && s.RemoteNamespace == t.namespace
		})
		if exists {
			continue
		}
		subject := t.region + "/" + t.namespace
		fixText := "create an auto-sync task to " + subject
		if cfg.Remedy == policy.RemedyCreate {
			req := swr.CreateSyncRepoRequest{RemoteRegionID: t.region, RemoteNamespace: t.namespace, SyncAuto: true, Override: false}
			fixes = append(fixes, SyncFix{Request: req, Change: report.Change{
				Kind: KindSync, Op: report.OpCreate, Namespace: ns, Repository: repo, Subject: subject,
				After: req, Status: report.StatusPlanned,
			}})
			fixText += " (syncAuto true, override false); existing tags need a manual sync"
		}
		findings = append(findings, report.Finding{
			Code: CodeSyncMissingReplica, Severity: report.SeverityWarning, Namespace: ns, Repository: repo, Subject: subject,
			Message:     fmt.Sprintf("no sync task replicates %s/%s to region %s, namespace %s", ns, repo, t.region, t.namespace),
			Remediation: fixText,
		})
	}
	if forbidOverride {
		for _, s := range sorted {
			if !s.Override {
				continue
			}
			subject := s.RemoteRegionID + "/" + s.RemoteNamespace
			findings = append(findings, report.Finding{
				Code: CodeSyncOverrideForbidden, Severity: report.SeverityWarning, Namespace: ns, Repository: repo, Subject: subject,
				Message:     fmt.Sprintf("sync task to %s has override true, which the policy forbids here: it overwrites same-named tags in the replica", subject),
				Remediation: "delete the sync task and create it again with override false",
			})
		}
	}
	return findings, fixes
}
