package plan

import (
	"cmp"
	"fmt"
	"slices"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// TriggerFix disables one trigger: PATCH …/triggers/{Name} with Request.
type TriggerFix struct {
	Name    string
	Request swr.UpdateTriggerRequest
	Change  report.Change
}

// AuditTriggers checks the triggers of repository ns/repo against cfg:
//   - trigger.cluster_not_allowed (critical): the trigger deploys to a
//     cluster whose name and id are both missing from AllowedClusters
//     (checked only when the list is not empty; CCI triggers count as the
//     cluster "cci");
//   - trigger.type_all_in_protected_scope (warning): trigger_type "all" on
//     a repository in a Protected scope, so that any pushed tag deploys;
//   - trigger.disabled (info): enable is "false" (when FlagDisabled);
//   - trigger.recent_failures (warning): a failed run among the
//     FailureLookback most recent runs (when FlagFailures).
//
// With the disable remedy, every enabled trigger with one of the first two
// findings gets a fix that sets enable to "false". Findings and fixes are
// ordered by trigger name.
func AuditTriggers(ns, repo string, triggers []swr.Trigger, cfg policy.TriggerAudit) ([]report.Finding, []TriggerFix) {
	sorted := slices.Clone(triggers)
	slices.SortStableFunc(sorted, func(a, b swr.Trigger) int { return cmp.Compare(a.Name, b.Name) })
	var findings []report.Finding
	var fixes []TriggerFix
	for _, t := range sorted {
		fixable := cfg.Remedy == policy.RemedyDisable && t.Enabled()
		disableText := "disable the trigger (enable \"false\")"
		if !fixable {
			disableText = "disable or delete the trigger"
		}
		finding := func(code string, sev report.Severity, msg, fix string) report.Finding {
			return report.Finding{Code: code, Severity: sev, Namespace: ns, Repository: repo, Subject: t.Name, Message: msg, Remediation: fix}
		}
		bad := false
		if len(cfg.AllowedClusters) > 0 && !clusterAllowed(t, cfg.AllowedClusters) {
			bad = true
			findings = append(findings, finding(CodeTriggerClusterNotAllowed, report.SeverityCritical,
				fmt.Sprintf("trigger %q deploys to cluster %s, which is not in allowed_clusters", t.Name, clusterLabel(t)),
				disableText+", or add the cluster to audits.triggers.allowed_clusters"))
		}
		if t.TriggerType == "all" && cfg.InProtectedScope(ns, repo) {
			bad = true
			findings = append(findings, finding(CodeTriggerTypeAllInProtected, report.SeverityWarning,
				fmt.Sprintf("trigger %q has trigger_type \"all\": every pushed tag deploys, in a protected scope", t.Name),
				disableText+", or re-create it with trigger_type \"tag\" or \"regular\""))
		}
		if cfg.FlagDisabled && !t.Enabled() {
			findings = append(findings, finding(CodeTriggerDisabled, report.SeverityInfo,
				fmt.Sprintf("trigger %q is disabled", t.Name),
				"enable the trigger or delete it"))
		}
		if cfg.FlagFailures {
			if f, ok := recentFailures(t, cfg.FailureLookback); ok {
				findings = append(findings, finding(CodeTriggerRecentFailures, report.SeverityWarning, f,
					fmt.Sprintf("check workload %s/%s and the SWR agency for CCE/CCI", t.ClusterNs, t.Application)))
			}
		}
		if bad && fixable {
			req := swr.UpdateTriggerRequest{Enable: "false"}
			fixes = append(fixes, TriggerFix{
				Name:    t.Name,
				Request: req,
				Change: report.Change{Kind: KindTrigger, Op: report.OpUpdate, Namespace: ns, Repository: repo, Subject: t.Name,
					Before: swr.UpdateTriggerRequest{Enable: t.Enable}, After: req, Status: report.StatusPlanned},
			})
		}
	}
	return findings, fixes
}

func clusterAllowed(t swr.Trigger, allowed []string) bool {
	if t.TriggerMode == "cci" {
		return slices.Contains(allowed, "cci")
	}
	return slices.ContainsFunc(allowed, func(a string) bool {
		return a != "" && (a == t.ClusterName || a == t.ClusterID)
	})
}

func clusterLabel(t swr.Trigger) string {
	switch {
	case t.TriggerMode == "cci":
		return `"cci"`
	case t.ClusterName != "" && t.ClusterID != "":
		return fmt.Sprintf("%q (%s)", t.ClusterName, t.ClusterID)
	case t.ClusterName != "":
		return fmt.Sprintf("%q", t.ClusterName)
	default:
		return fmt.Sprintf("%q", t.ClusterID)
	}
}

// recentFailures describes the failed runs among the lookback most recent
// entries of the trigger's history.
func recentFailures(t swr.Trigger, lookback int) (string, bool) {
	hist := slices.Clone(t.TriggerHistory)
	slices.SortStableFunc(hist, func(a, b swr.TriggerHistory) int { return compareTimes(b.CreatedAt, a.CreatedAt) })
	hist = hist[:min(max(lookback, 0), len(hist))]
	failed := 0
	var latest *swr.TriggerHistory
	for i := range hist {
		if hist[i].Result == "failed" {
			if latest == nil {
				latest = &hist[i]
			}
			failed++
		}
	}
	if failed == 0 {
		return "", false
	}
	msg := fmt.Sprintf("trigger %q: %d of the last %d runs failed; latest failure at %s for tag %q", t.Name, failed, len(hist), latest.CreatedAt, latest.Tag)
	if latest.Detail != "" {
		msg += ": " + latest.Detail
	}
	return msg, true
}

// compareTimes orders SWR timestamps, falling back to text order when one
// does not parse.
func compareTimes(a, b string) int {
	ta, errA := time.Parse(time.RFC3339Nano, a)
	tb, errB := time.Parse(time.RFC3339Nano, b)
	if errA != nil || errB != nil {
		return cmp.Compare(a, b)
	}
	return ta.Compare(tb)
}
