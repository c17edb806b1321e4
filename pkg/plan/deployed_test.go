package plan

import (
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func deployRun(tag, result string, at time.Time) swr.TriggerHistory {
	return swr.TriggerHistory{Tag: tag, Result: result, CreatedAt: at.Format(time.RFC3339Nano)}
}

func deployTrigger(name string, runs ...swr.TriggerHistory) swr.Trigger {
	return swr.Trigger{Name: name, TriggerType: "all", Condition: ".*", Enable: "true", TriggerHistory: runs}
}

func deployedNames(ds []report.DeployedTag) []string {
	out := make([]string, len(ds))
	for i, d := range ds {
		out[i] = d.Tag
	}
	return out
}

func TestDeployedLastPerTrigger(t *testing.T) {
	triggers := []swr.Trigger{
		deployTrigger("web",
			deployRun("v1", "success", daysAgo(40)),
			deployRun("v3", "success", daysAgo(20)),
			deployRun("v2", "success", daysAgo(30)),
			deployRun("v4", "failed", daysAgo(1)), // failed runs protect nothing
			deployRun("v3", "success", daysAgo(10)),
		),
		deployTrigger("canary", deployRun("v9", "success", daysAgo(100))),
	}
	got := Deployed(policy.DeployedProtection{Last: 2}, triggers, now)
	// web: the two most recent distinct tags are v3 (twice) and v2.
	assert.Equal(t, []string{"v2", "v3", "v9"}, deployedNames(got))
	assert.Equal(t, report.DeployedTag{Tag: "v3", Trigger: "web", At: daysAgo(10).Format(time.RFC3339Nano)}, got[1], "the latest run is named")
	assert.Nil(t, Deployed(policy.DeployedProtection{}, triggers, now), "off")
}

func TestDeployedWithinDays(t *testing.T) {
	triggers := []swr.Trigger{deployTrigger("web",
		deployRun("old", "success", daysAgo(31)),
		deployRun("edge", "success", now.Add(-30*24*time.Hour)), // exactly D days ago: within
		deployRun("new", "success", daysAgo(2)),
		deployRun("bad", "failed", daysAgo(1)),
		swr.TriggerHistory{Tag: "garbled", Result: "success", CreatedAt: "yesterday"},
	)}
	assert.Equal(t, []string{"edge", "new"}, deployedNames(Deployed(policy.DeployedProtection{Days: 30}, triggers, now)))
	// Both: the union.
	assert.Equal(t, []string{"edge", "garbled", "new"}, deployedNames(Deployed(policy.DeployedProtection{Last: 1, Days: 30}, triggers, now)),
		"an unparsable time orders by its text (\"yesterday\" sorts last), so it is the last run")
}

func TestDeployedSameTagTwoTriggersNamesTheLatest(t *testing.T) {
	triggers := []swr.Trigger{
		deployTrigger("a", deployRun("v1", "success", daysAgo(5))),
		deployTrigger("b", deployRun("v1", "success", daysAgo(3))),
	}
	got := Deployed(policy.DeployedProtection{Last: 1}, triggers, now)
	require.Len(t, got, 1)
	assert.Equal(t, "b", got[0].Trigger)
}

func TestWithDeployedAddsLabelsOnce(t *testing.T) {
	base := DesiredRetention(policy.RetentionRule{KeepLast: 2, Protect: []swr.TagSelector{{Kind: swr.SelectorLabel, Pattern: "latest"}}})
	deployed := []report.DeployedTag{{Tag: "latest"}, {Tag: "v1"}, {Tag: "v2"}}
	got := WithDeployed(base, deployed)
	assert.Equal(t, []swr.TagSelector{
		{Kind: swr.SelectorLabel, Pattern: "latest"},
		{Kind: swr.SelectorLabel, Pattern: "v1"},
		{Kind: swr.SelectorLabel, Pattern: "v2"},
	}, got.Rules[0].TagSelectors)
	assert.Len(t, base.Rules[0].TagSelectors, 1, "the base request is not changed")
	assert.Same(t, base, WithDeployed(base, nil))
	assert.Nil(t, WithDeployed(nil, deployed))
}

func TestTooManyDeployed(t *testing.T) {
	base := DesiredRetention(policy.RetentionRule{KeepLast: 2, Protect: []swr.TagSelector{}})
	var deployed []report.DeployedTag
	for i := range MaxDeployedSelectors {
		deployed = append(deployed, report.DeployedTag{Tag: fmt.Sprintf("t%d", i)})
	}
	_, tooMany := TooManyDeployed("ns", "repo", base, deployed)
	assert.False(t, tooMany, "exactly the bound is allowed")
	deployed = append(deployed, report.DeployedTag{Tag: "one-more"})
	f, tooMany := TooManyDeployed("ns", "repo", base, deployed)
	require.True(t, tooMany)
	assert.Equal(t, CodeDeployedTooMany, f.Code)
	assert.Contains(t, f.Message, "51 label selectors")
	assert.NotEmpty(t, f.Remediation)
}

func TestKeptBecauseDeployed(t *testing.T) {
	tags := []swr.Tag{tag("v1", daysAgo(5)), tag("v2", daysAgo(4)), tag("v3", daysAgo(3)), tag("v4", daysAgo(2))}
	deployed := []report.DeployedTag{{Tag: "v1", Trigger: "web", At: "t1"}, {Tag: "v4", Trigger: "web", At: "t4"}, {Tag: "gone"}}
	base := DesiredRetention(policy.RetentionRule{KeepLast: 2, Protect: []swr.TagSelector{}})
	with := WithDeployed(base, deployed)
	got := KeptBecauseDeployed(base.Rules[0], with.Rules[0], deployed, tags, now)
	// v4 is kept anyway (newest); v1 only because it is deployed.
	assert.Equal(t, []report.DeployedTag{{Tag: "v1", Trigger: "web", At: "t1"}}, got)
}
