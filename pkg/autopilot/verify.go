package autopilot

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// verifyImpact checks, after SWR accepted a rule write, that SWR deleted
// no tag the simulation kept. It lists the tags once more (one consistent
// listing) and reports every tag of impact.Keep that is gone as a
// critical finding: a push between the listing and the write can make SWR
// delete more than was simulated (with keep_last, each newer tag pushes
// one more old tag out).
//
// Only tags of the simulated listing are compared: tags pushed since may
// come and go as the rule says. Tags the simulation deleted and that are
// still present are no finding, since SWR may execute a rule after it
// answers; for the same reason the check sees only what SWR had done
// when the tags were listed again.
//
// A listing that keeps changing (SWR may still be deleting what the rule
// removes) leaves the write unverified: a warning finding. A listing that
// fails leaves it unverified too; that is reported as an error that trying
// again would not cure, since the rule is in place and a later run finds
// nothing to write.
func (e *Engine) verifyImpact(ctx context.Context, res *RepoResult, impact report.Impact) {
	ns, repo := res.Namespace, res.Repository
	after, err := e.tags(ctx, ns, repo)
	if errors.Is(err, errTornListing) {
		res.note([]report.Finding{{
			Code: plan.CodeImpactUnverified, Severity: report.SeverityWarning,
			Namespace: ns, Repository: repo,
			Message: fmt.Sprintf("retention rule of %s/%s written; the tags kept changing while listed afterwards "+
				"(SWR may still be deleting), so what it deleted is unverified", ns, repo),
			Remediation: "the next sweep re-checks the repository; compare its tags with this report's keep list",
		}})
		return
	}
	if err != nil {
		res.failFinal("verify retention", fmt.Errorf(
			"retention rule of %s/%s written, but what SWR deleted is unverified: %w", ns, repo, err))
		return
	}
	if lost := lostKeeps(impact.Keep, after); len(lost) > 0 {
		res.note([]report.Finding{impactMismatch(ns, repo, lost)})
	}
}

// lostKeeps returns the tags of keep, in keep's order, that are not in
// after.
func lostKeeps(keep []string, after []swr.Tag) []string {
	present := make(map[string]bool, len(after))
	for _, t := range after {
		present[t.Tag] = true
	}
	var lost []string
	for _, name := range keep {
		if !present[name] {
			lost = append(lost, name)
		}
	}
	return lost
}

// impactMismatch is the finding for the tags SWR deleted although the
// simulation kept them.
func impactMismatch(ns, repo string, lost []string) report.Finding {
	return report.Finding{
		Code: plan.CodeImpactMismatch, Severity: report.SeverityCritical,
		Namespace: ns, Repository: repo,
		Message: fmt.Sprintf("after the retention rule was written, %d tag(s) the simulation kept are gone: %s "+
			"(the tags changed between the listing and the write, or SWR executed the rule otherwise than simulated)",
			len(lost), strings.Join(lost, ", ")),
		Remediation: "push the deleted tags again from their source if they are still needed",
	}
}
