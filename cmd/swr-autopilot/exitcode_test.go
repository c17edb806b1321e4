package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

func TestReportExitCode(t *testing.T) {
	critical := report.Finding{Severity: report.SeverityCritical, Code: "retention.guard_refused"}
	warning := report.Finding{Severity: report.SeverityWarning, Code: "trigger.unhealthy"}
	for _, tc := range []struct {
		name string
		rep  report.Report
		want int
	}{
		{"clean", report.Report{}, exitOK},
		{"warning only", report.Report{Findings: []report.Finding{warning}}, exitOK},
		{"critical finding", report.Report{Findings: []report.Finding{warning, critical}}, exitCritical},
		{"errors win over findings", report.Report{Findings: []report.Finding{critical}, Errors: []report.RepoError{{}}}, exitError},
	} {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, reportExitCode(&tc.rep))
		})
	}
}
