package plan

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// MaxDeployedSelectors bounds the label selectors that deployed-image
// protection adds to one rule. A repository whose deployed set is larger
// gets no rule write: the write is refused with a
// retention.deployed.too_many finding, so that a rule is never written
// that protects only part of what runs.
const MaxDeployedSelectors = 50

// Deployed returns the tags that p protects among the runs recorded in
// the triggers' trigger_history (swr-api.md §7): of each trigger's
// successful runs, the p.Last most recent distinct tags, and every tag
// deployed successfully within p.Days×24h before now. Failed runs never
// count. A tag appears once, with its latest successful run (the trigger
// name breaks ties); the result is ordered by tag and is nil when p is
// off. Runs whose time does not parse order by their text and are never
// within Days.
func Deployed(p policy.DeployedProtection, triggers []swr.Trigger, now time.Time) []report.DeployedTag {
	if !p.Enabled() {
		return nil
	}
	cutoff := now.Add(-time.Duration(p.Days) * 24 * time.Hour)
	byTag := map[string]report.DeployedTag{}
	keep := func(d report.DeployedTag) {
		cur, ok := byTag[d.Tag]
		if !ok || compareTimes(d.At, cur.At) > 0 || (compareTimes(d.At, cur.At) == 0 && d.Trigger < cur.Trigger) {
			byTag[d.Tag] = d
		}
	}
	for _, t := range triggers {
		runs := make([]swr.TriggerHistory, 0, len(t.TriggerHistory))
		for _, h := range t.TriggerHistory {
			if h.Result == "success" && swr.CheckTagName(h.Tag) == nil {
				runs = append(runs, h)
			}
		}
		slices.SortStableFunc(runs, func(a, b swr.TriggerHistory) int { return compareTimes(b.CreatedAt, a.CreatedAt) })
		distinct := map[string]bool{}
		for _, h := range runs {
			d := report.DeployedTag{Tag: h.Tag, Trigger: t.Name, At: h.CreatedAt}
			if !distinct[h.Tag] && len(distinct) < p.Last {
				distinct[h.Tag] = true
				keep(d)
			}
			if at, err := time.Parse(time.RFC3339Nano, h.CreatedAt); p.Days > 0 && err == nil && !at.Before(cutoff) {
				keep(d)
			}
		}
	}
	if len(byTag) == 0 {
		return nil
	}
	return slices.SortedFunc(maps.Values(byTag), func(a, b report.DeployedTag) int { return cmp.Compare(a.Tag, b.Tag) })
}

// WithDeployed returns a copy of req whose rule also keeps the deployed
// tags: one exact label selector per tag that no label selector of req
// names yet, in tag order, after req's own selectors. It returns req
// itself when there is nothing to add (or req is nil).
func WithDeployed(req *swr.RetentionRequest, deployed []report.DeployedTag) *swr.RetentionRequest {
	labels := deployedLabels(req, deployed)
	if len(labels) == 0 {
		return req
	}
	r := req.Rules[0]
	r.TagSelectors = append(slices.Clone(r.TagSelectors), labels...)
	out := *req
	out.Rules = append([]swr.Rule{r}, req.Rules[1:]...)
	return &out
}

// deployedLabels returns the label selectors WithDeployed adds.
func deployedLabels(req *swr.RetentionRequest, deployed []report.DeployedTag) []swr.TagSelector {
	if req == nil || len(req.Rules) == 0 {
		return nil
	}
	have := selectorSet(req.Rules[0].TagSelectors)
	var out []swr.TagSelector
	for _, d := range deployed {
		sel := swr.TagSelector{Kind: swr.SelectorLabel, Pattern: d.Tag}
		if !have[sel] {
			have[sel] = true
			out = append(out, sel)
		}
	}
	return out
}

// TooManyDeployed returns the finding that refuses a rule write for
// ns/repo when deployed protection would add more label selectors to base
// than MaxDeployedSelectors, and false when it would not.
func TooManyDeployed(ns, repo string, base *swr.RetentionRequest, deployed []report.DeployedTag) (report.Finding, bool) {
	n := len(deployedLabels(base, deployed))
	if n <= MaxDeployedSelectors {
		return report.Finding{}, false
	}
	return report.Finding{Code: CodeDeployedTooMany, Severity: report.SeverityWarning, Namespace: ns, Repository: repo,
		Message:     fmt.Sprintf("retention write refused: deployed-image protection would add %d label selectors, above the bound of %d", n, MaxDeployedSelectors),
		Remediation: "lower the rule's protect_deployed.last or protect_deployed.days, or protect the deployed tags with a regular expression",
	}, true
}

// KeptBecauseDeployed returns the deployed tags that the rule base (the
// rule without the deployed labels) would or may delete from tags at now
// and that the rule withDeployed keeps under every reading: the tags kept
// only because they are deployed. None when the tags cannot be simulated.
func KeptBecauseDeployed(base, withDeployed swr.Rule, deployed []report.DeployedTag, tags []swr.Tag, now time.Time) []report.DeployedTag {
	if len(deployed) == 0 {
		return nil
	}
	without, err := Simulate(base, tags, now)
	if err != nil {
		return nil
	}
	with, err := Simulate(withDeployed, tags, now)
	if err != nil {
		return nil
	}
	// At risk without the labels: deleted under every reading or some.
	deletedWithout, keptWith := nameSet(without.Delete), nameSet(with.Keep)
	for _, u := range without.Uncertain {
		deletedWithout[u.Tag] = true
	}
	var out []report.DeployedTag
	for _, d := range deployed {
		if deletedWithout[d.Tag] && keptWith[d.Tag] {
			out = append(out, d)
		}
	}
	return out
}

func nameSet(names []string) map[string]bool {
	set := make(map[string]bool, len(names))
	for _, n := range names {
		set[n] = true
	}
	return set
}
