package grantplan

import (
	"errors"
	"fmt"
	"math"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// Finding codes raised by GuardRemovals and GuardScopedRemovals when they
// refuse a run's removals.
const (
	CodeEmptyDirectory   = "grants.guard.empty_directory"
	CodeInvalidDirectory = "grants.guard.invalid_directory"
	CodeMaxRemovals      = "grants.guard.max_removals"
	CodeMaxFraction      = "grants.guard.max_fraction"
	CodeScopedRemovals   = "grants.guard.scoped_run"
)

// GuardRemovals decides whether a run over everything the directory
// governs may remove or lower any access. It looks at the whole run: plans
// are every plan of the run and currentTotal the number of grants observed
// (the sum of the plans' Observed). It refuses when the directory failed
// validation (validationErr non-nil), grants nobody anything, or when the
// removals (deletions plus downgrades) exceed the directory's
// guard.max_removals or guard.max_removal_fraction of currentTotal. Each
// reason is a finding with a stable code.
//
// A refusal covers all removals of the run; additions and upgrades still
// apply (see Plan.WithoutRemovals).
func GuardRemovals(plans []Plan, currentTotal int, d *directory.Directory, validationErr error) (allowed bool, findings []report.Finding) {
	return guardRemovals(plans, currentTotal, d, validationErr)
}

// GuardScopedRemovals guards a run that observed only part of what the
// directory governs (the namespace or repository an event names). Such a
// run never removes or lowers anything: it always refuses, and its
// removals are left to the next full run, which GuardRemovals holds to the
// caps over everything. Any sequence of scoped runs thus removes nothing,
// however many events arrive, and never more than one full run may. An
// invalid or empty directory is reported as in GuardRemovals; a scoped run
// with removals also gets a CodeScopedRemovals finding (info).
func GuardScopedRemovals(plans []Plan, d *directory.Directory, validationErr error) (allowed bool, findings []report.Finding) {
	_, findings = guardRemovals(nil, 0, d, validationErr)
	removals := 0
	for _, p := range plans {
		removals += p.Removals()
	}
	if removals > 0 {
		findings = append(findings, report.Finding{
			Code:     CodeScopedRemovals,
			Severity: report.SeverityInfo,
			Message: fmt.Sprintf("%d removal(s) left to the next full grant sync: a run scoped to what an event names only adds and raises; additions and upgrades still apply",
				removals),
			Remediation: "run a full grant sync (a tick, a directory change, or swr-autopilot grants without -namespace)",
		})
	}
	return removals == 0 && len(findings) == 0, findings
}

func guardRemovals(plans []Plan, currentTotal int, d *directory.Directory, validationErr error) (allowed bool, findings []report.Finding) {
	removals := 0
	for _, p := range plans {
		removals += p.Removals()
	}
	withheld := fmt.Sprintf("%d removal(s) withheld; additions and upgrades still apply", removals)

	if validationErr != nil {
		findings = append(findings, report.Finding{
			Code:        CodeInvalidDirectory,
			Severity:    report.SeverityCritical,
			Message:     fmt.Sprintf("the team directory failed validation (%s); %s", summarize(validationErr), withheld),
			Remediation: "fix the directory file; run swr-autopilot validate -kind directory on it",
		})
	}
	if d.Empty() {
		findings = append(findings, report.Finding{
			Code:        CodeEmptyDirectory,
			Severity:    report.SeverityCritical,
			Message:     "the team directory grants nobody anything (empty, truncated or missing teams); " + withheld,
			Remediation: "check that the full directory file was published",
		})
	}
	if len(findings) > 0 || removals == 0 {
		return len(findings) == 0, findings
	}

	if removals > d.Guard.MaxRemovals {
		findings = append(findings, report.Finding{
			Code:        CodeMaxRemovals,
			Severity:    report.SeverityWarning,
			Message:     fmt.Sprintf("the run would remove or lower %d grants, more than guard.max_removals (%d); %s", removals, d.Guard.MaxRemovals, withheld),
			Remediation: "raise guard.max_removals in the directory for this run, or remove access in smaller steps",
		})
	}
	// With no grants observed, any removal is out of proportion.
	fraction, share := math.Inf(1), "all"
	if currentTotal > 0 {
		fraction = float64(removals) / float64(currentTotal)
		share = fmt.Sprintf("%.0f%%", 100*fraction)
	}
	if fraction > d.Guard.MaxRemovalFraction {
		findings = append(findings, report.Finding{
			Code:     CodeMaxFraction,
			Severity: report.SeverityWarning,
			Message: fmt.Sprintf("the run would remove or lower %d of %d grants (%s), more than guard.max_removal_fraction (%.0f%%); %s",
				removals, currentTotal, share, 100*d.Guard.MaxRemovalFraction, withheld),
			Remediation: "raise guard.max_removal_fraction in the directory for this run, or remove access in smaller steps",
		})
	}
	return len(findings) == 0, findings
}

// summarize names the first validation problem and how many there are.
func summarize(err error) string {
	var list directory.ErrorList
	if errors.As(err, &list) && len(list) > 1 {
		return fmt.Sprintf("%s, and %d more", list[0], len(list)-1)
	}
	return err.Error()
}
