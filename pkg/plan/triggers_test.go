package plan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func trigger(name, cluster, typ, enable string, history ...swr.TriggerHistory) swr.Trigger {
	return swr.Trigger{
		Name: name, Action: "update", AppType: "deployments", Application: "web", ClusterNs: "default",
		ClusterName: cluster, ClusterID: "id-" + cluster, TriggerType: typ, TriggerMode: "cce",
		Condition: ".*", Enable: enable, TriggerHistory: history,
	}
}

func run(at, result string) swr.TriggerHistory {
	return swr.TriggerHistory{CreatedAt: at, Result: result, Tag: "t-" + at[len(at)-3:len(at)-1], Detail: "detail " + at}
}

func triggerAudit() policy.TriggerAudit {
	return policy.TriggerAudit{
		AllowedClusters: []string{"prod-cce", "id-staging"},
		Protected:       []policy.Glob{policy.MustParseGlob("prod/**")},
		FlagDisabled:    true,
		FlagFailures:    true,
		FailureLookback: 3,
		Remedy:          policy.RemedyDisable,
	}
}

func TestAuditTriggersCodes(t *testing.T) {
	cases := []struct {
		name    string
		ns      string
		trigger swr.Trigger
		codes   []string
		fixed   bool
	}{
		{"conformant", "prod", trigger("ok", "prod-cce", "tag", "true"), nil, false},
		{"allowed by id", "prod", trigger("ok", "staging", "tag", "true"), nil, false},
		{"cluster not allowed", "prod", trigger("t", "rogue", "tag", "true"), []string{CodeTriggerClusterNotAllowed}, true},
		{"type all in protected scope", "prod", trigger("t", "prod-cce", "all", "true"), []string{CodeTriggerTypeAllInProtected}, true},
		{"type all outside protected scope", "dev", trigger("t", "prod-cce", "all", "true"), nil, false},
		{"both, one fix", "prod", trigger("t", "rogue", "all", "true"), []string{CodeTriggerClusterNotAllowed, CodeTriggerTypeAllInProtected}, true},
		{"already disabled is not fixed again", "prod", trigger("t", "rogue", "tag", "false"), []string{CodeTriggerClusterNotAllowed, CodeTriggerDisabled}, false},
		{"disabled", "prod", trigger("t", "prod-cce", "tag", "false"), []string{CodeTriggerDisabled}, false},
		{"cci not allowed", "dev", swr.Trigger{Name: "c", TriggerMode: "cci", TriggerType: "tag", Enable: "true"}, []string{CodeTriggerClusterNotAllowed}, true},
		{"recent failure", "prod", trigger("t", "prod-cce", "tag", "true",
			run("2025-05-01T00:00:01Z", "failed"), run("2025-05-02T00:00:02Z", "success")), []string{CodeTriggerRecentFailures}, false},
		{"old failure outside lookback", "prod", trigger("t", "prod-cce", "tag", "true",
			run("2025-05-01T00:00:01Z", "failed"), run("2025-05-04T00:00:04Z", "success"),
			run("2025-05-02T00:00:02Z", "success"), run("2025-05-03T00:00:03Z", "success")), nil, false},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			findings, fixes := AuditTriggers(c.ns, "web", []swr.Trigger{c.trigger}, triggerAudit())
			assert.Equal(t, c.codes, codes(findings))
			for _, f := range findings {
				assert.Equal(t, c.trigger.Name, f.Subject)
				assert.NotEmpty(t, f.Remediation)
			}
			if !c.fixed {
				assert.Empty(t, fixes)
				return
			}
			require.Len(t, fixes, 1)
			assert.Equal(t, TriggerFix{
				Name:    c.trigger.Name,
				Request: swr.UpdateTriggerRequest{Enable: "false"},
				Change: report.Change{Kind: KindTrigger, Op: report.OpUpdate, Namespace: c.ns, Repository: "web", Subject: c.trigger.Name,
					Before: swr.UpdateTriggerRequest{Enable: "true"}, After: swr.UpdateTriggerRequest{Enable: "false"}, Status: report.StatusPlanned},
			}, fixes[0])
		})
	}
}

func TestAuditTriggersSwitches(t *testing.T) {
	bad := []swr.Trigger{trigger("t", "rogue", "all", "false", run("2025-05-01T00:00:01Z", "failed"))}
	cfg := policy.TriggerAudit{Remedy: policy.RemedyNone, FailureLookback: 10}
	findings, fixes := AuditTriggers("prod", "web", bad, cfg)
	assert.Empty(t, findings, "no allow-list, no protected scope, flags off: nothing to report")
	assert.Empty(t, fixes)

	enabled := []swr.Trigger{trigger("t", "rogue", "tag", "true")}
	cfg.AllowedClusters = []string{"prod-cce"}
	findings, fixes = AuditTriggers("prod", "web", enabled, cfg)
	assert.Equal(t, []string{CodeTriggerClusterNotAllowed}, codes(findings))
	assert.Empty(t, fixes, "remedy none plans no write")
}

func TestAuditTriggersFailureMessageNamesLatestFailure(t *testing.T) {
	tr := trigger("deploy", "prod-cce", "tag", "true",
		run("2025-05-01T00:00:01Z", "failed"),
		run("2025-05-03T00:00:03Z", "failed"),
		run("2025-05-02T00:00:02Z", "success"),
	)
	findings, _ := AuditTriggers("prod", "web", []swr.Trigger{tr}, triggerAudit())
	require.Len(t, findings, 1)
	assert.Equal(t, report.SeverityWarning, findings[0].Severity)
	assert.Equal(t, `trigger "deploy": 2 of the last 3 runs failed; latest failure at 2025-05-03T00:00:03Z for tag "t-03": detail 2025-05-03T00:00:03Z`, findings[0].Message)
}

func TestAuditTriggersOrdersByName(t *testing.T) {
	ts := []swr.Trigger{trigger("b", "rogue", "tag", "true"), trigger("a", "rogue", "tag", "true")}
	findings, fixes := AuditTriggers("prod", "web", ts, triggerAudit())
	require.Len(t, findings, 2)
	assert.Equal(t, "a", findings[0].Subject)
	assert.Equal(t, "b", findings[1].Subject)
	require.Len(t, fixes, 2)
	assert.Equal(t, "a", fixes[0].Name)
	assert.Equal(t, report.SeverityCritical, findings[0].Severity)
	assert.Equal(t, `trigger "a" deploys to cluster "rogue" (id-rogue), which is not in allowed_clusters`, findings[0].Message)
}
