package main

import "github.com/swr-autopilot/swr-autopilot/pkg/report"

// Exit codes of the commands that run a job (plan, apply, sweep, grants).
// They let a CI gate tell a failed run from a refused one.
const (
	// exitOK: the run finished; nothing failed and no guard refused.
	exitOK = 0
	// exitError: the run failed, the report holds errors, or an input
	// file (policy, directory) is invalid, empty or truncated.
	exitError = 1
	// exitUsage: the command line is wrong.
	exitUsage = 2
	// exitCritical: the run finished without errors, but the report
	// holds a critical finding: a guard refused or deferred a write, or
	// what SWR did differs from what was planned.
	exitCritical = 3
)

// reportExitCode is the exit code for a finished run's report: errors
// first, then critical findings.
func reportExitCode(rep *report.Report) int {
	if len(rep.Errors) > 0 {
		return exitError
	}
	for _, f := range rep.Findings {
		if f.Severity == report.SeverityCritical {
			return exitCritical
		}
	}
	return exitOK
}
