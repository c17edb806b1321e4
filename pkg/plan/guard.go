package plan

import (
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Guard decides whether a retention write with the given impact on
// repository ns/repo may go ahead. It refuses when the write would delete
// more than g.MaxDeleteFraction of the tags, more than g.MaxDeleteTags
// tags, or any tag matched by protect (the policy's protected tags; they
// are also sent to SWR as selectors, and the guard checks again). A
// refusal is reported as findings, one per broken limit and one per
// protected tag, never as an error.
func Guard(ns, repo string, impact report.Impact, g policy.Guard, protect []swr.TagSelector) (ok bool, findings []report.Finding) {
	finding := func(code string, sev report.Severity, subject, msg, fix string) report.Finding {
		return report.Finding{Code: code, Severity: sev, Namespace: ns, Repository: repo, Subject: subject, Message: msg, Remediation: fix}
	}
	deleted := impact.Deletes()
	if frac := impact.DeleteFraction(); frac > g.MaxDeleteFraction {
		findings = append(findings, finding(CodeGuardMaxFraction, report.SeverityWarning, "",
			fmt.Sprintf("retention write refused: it would delete %d of %d tags (%.1f%%), above max_delete_fraction %g",
				deleted, impact.TotalTags, 100*frac, g.MaxDeleteFraction),
			"review the deletions, then raise the rule's guard.max_delete_fraction or delete the tags by hand"))
	}
	if deleted > g.MaxDeleteTags {
		findings = append(findings, finding(CodeGuardMaxTags, report.SeverityWarning, "",
			fmt.Sprintf("retention write refused: it would delete %d tags, above max_delete_tags %d", deleted, g.MaxDeleteTags),
			"review the deletions, then raise the rule's guard.max_delete_tags or delete the tags by hand"))
	}
	isProtected := exceptionMatcher(protect)
	for _, tag := range impact.Delete {
		if isProtected(tag) {
			findings = append(findings, finding(CodeGuardProtectedTag, report.SeverityCritical, tag,
				fmt.Sprintf("retention write refused: it would delete protected tag %q", tag),
				"make sure the rule sent to SWR carries the policy's protect entries as tag selectors"))
		}
	}
	return len(findings) == 0, findings
}
