package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func conflictTags() []swr.Tag {
	return []swr.Tag{tag("v1", daysAgo(5)), tag("v2", daysAgo(4)), tag("v3", daysAgo(3)), tag("stable", daysAgo(6))}
}

func onlyCode(t *testing.T, fs []report.Finding, code string) report.Finding {
	t.Helper()
	var got []report.Finding
	for _, f := range fs {
		if f.Code == code {
			got = append(got, f)
		}
	}
	require.Len(t, got, 1, "findings: %+v", fs)
	return got[0]
}

func TestConflictTriggerTagDeleted(t *testing.T) {
	tr := swr.Trigger{Name: "deploy-stable", TriggerType: "tag", Condition: "stable;v9"}
	planned := tagRule("2")
	fs := AuditConflicts(ConflictInput{Namespace: "ns", Repository: "web", Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Planned: &planned, Now: now})
	f := onlyCode(t, fs, CodeConflictTriggerTagDeleted)
	assert.Equal(t, report.SeverityWarning, f.Severity)
	assert.Equal(t, "deploy-stable", f.Subject)
	assert.Contains(t, f.Message, `the planned retention rule would delete tag "stable"`)
	assert.Contains(t, f.Remediation, `add "stable" to the retention rule's protect list`)

	// The same conflict in the rule SWR holds, when the plan keeps it.
	fs = AuditConflicts(ConflictInput{Namespace: "ns", Repository: "web", Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Current: &planned, Planned: &planned, Now: now})
	assert.Contains(t, onlyCode(t, fs, CodeConflictTriggerTagDeleted).Message, "the current retention rule would delete")

	// Protected: no conflict.
	safe := tagRule("2", swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "stable"})
	assert.Empty(t, AuditConflicts(ConflictInput{Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Planned: &safe, Now: now}))
}

func TestConflictProtectUnmatched(t *testing.T) {
	protect := []swr.TagSelector{
		{Kind: swr.SelectorLabel, Pattern: "latest"}, // no such tag
		{Kind: swr.SelectorLabel, Pattern: "stable"},
		{Kind: swr.SelectorRegexp, Pattern: "^release-"}, // matches nothing
		{Kind: swr.SelectorRegexp, Pattern: "^v\\d$"},
	}
	fs := AuditConflicts(ConflictInput{Namespace: "ns", Repository: "web", Tags: conflictTags(), Protect: protect, Now: now})
	require.Len(t, fs, 2)
	assert.Equal(t, []string{CodeConflictProtectUnmatched, CodeConflictProtectUnmatched}, codes(fs))
	assert.Equal(t, "/^release-/", fs[0].Subject)
	assert.Equal(t, "latest", fs[1].Subject)
	assert.Equal(t, report.SeverityInfo, fs[1].Severity)
	assert.Contains(t, fs[1].Message, `protect entry "latest" matches none of the repository's 4 tags`)
	assert.Empty(t, AuditConflicts(ConflictInput{Protect: protect, Now: now}), "an empty repository is not checked")
}

func TestConflictLastDeployedDeleted(t *testing.T) {
	tr := deployTrigger("deploy-web", deployRun("v1", "success", daysAgo(4)), deployRun("v3", "failed", daysAgo(1)))
	current := tagRule("2")
	fs := AuditConflicts(ConflictInput{Namespace: "ns", Repository: "web", Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Current: &current, Now: now})
	f := onlyCode(t, fs, CodeConflictLastDeployedDeleted)
	assert.Equal(t, "deploy-web", f.Subject)
	assert.Contains(t, f.Message, `the current retention rule would delete tag "v1", which trigger "deploy-web" last deployed successfully`)
	assert.Contains(t, f.Remediation, "protect_deployed")

	// A planned rule that keeps it still leaves the current one named.
	planned := tagRule("2", swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "v1"})
	fs = AuditConflicts(ConflictInput{Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Current: &current, Planned: &planned, Now: now})
	assert.Contains(t, onlyCode(t, fs, CodeConflictLastDeployedDeleted).Message, "the current retention rule would")
	fs = AuditConflicts(ConflictInput{Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Planned: &planned, Now: now})
	assert.Empty(t, fs)
}

func TestConflictDeployedTagMissing(t *testing.T) {
	tr := deployTrigger("deploy-web", deployRun("v0", "success", daysAgo(9)))
	fs := AuditConflicts(ConflictInput{Namespace: "ns", Repository: "web", Tags: conflictTags(), Triggers: []swr.Trigger{tr}, Now: now})
	f := onlyCode(t, fs, CodeConflictDeployedTagMissing)
	assert.Equal(t, "deploy-web", f.Subject)
	assert.Contains(t, f.Message, `tag "v0", which trigger "deploy-web" last deployed successfully`)
}

// A tag the rule may delete under some reading conflicts as well.
func TestConflictUnderSomeReadings(t *testing.T) {
	tie := daysAgo(3)
	tags := []swr.Tag{tag("v1", tie), tag("v2", tie), tag("v3", daysAgo(1))}
	tr := swr.Trigger{Name: "deploy-v1", TriggerType: "tag", Condition: "v1"}
	planned := tagRule("2")
	fs := AuditConflicts(ConflictInput{Namespace: "ns", Repository: "web", Tags: tags, Triggers: []swr.Trigger{tr}, Planned: &planned, Now: now})
	assert.Contains(t, onlyCode(t, fs, CodeConflictTriggerTagDeleted).Message, `the planned retention rule may delete tag "v1"`)
}
