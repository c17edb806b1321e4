package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// DiffInput is what DiffRetention compares: two policies and one
// repository as SWR holds it.
type DiffInput struct {
	Namespace  string
	Repository string
	Old, New   *policy.Policy
	Current    []swr.Retention // the repository's rules
	Triggers   []swr.Trigger   // for deployed-image protection
	Tags       []swr.Tag
	Now        time.Time
}

// DiffRetention compares what the two policies do to one repository. For
// each, the rule in force is the one its retention rule asks for (with
// the deployed tags it protects), or the repository's current rule when
// the policy leaves it alone; the impact is what that rule deletes now
// (Simulate). The guards are those of New's write, when New writes: the
// guard limits, the protected tags and the bound on deployed tags. The
// findings are the guards New trips.
func DiffRetention(in DiffInput) (report.RepoDiff, []report.Finding) {
	d := report.RepoDiff{Namespace: in.Namespace, Repository: in.Repository}
	d.Old, _ = effect(in, in.Old, false)
	var findings []report.Finding
	d.New, findings = effect(in, in.New, true)
	d.Tripped = len(findings) > 0
	oldDel, newDel := nameSet(d.Old.Impact.Delete), nameSet(d.New.Impact.Delete)
	d.NewlyDeleted, d.NewlyKept = []string{}, []string{}
	for _, t := range d.New.Impact.Delete {
		if !oldDel[t] {
			d.NewlyDeleted = append(d.NewlyDeleted, t)
		}
	}
	for _, t := range d.Old.Impact.Delete {
		if !newDel[t] {
			d.NewlyKept = append(d.NewlyKept, t)
		}
	}
	return d, findings
}

// effect is what p does to the repository of in; with guard set, the
// findings of the guards its write trips.
func effect(in DiffInput, p *policy.Policy, guard bool) (report.PolicyEffect, []report.Finding) {
	var e report.PolicyEffect
	rule, matched := p.RetentionFor(in.Namespace, in.Repository)
	if !matched || rule.Unmanaged {
		current := CurrentRule(in.Current)
		e.Rule = DescribeRule(current)
		e.Impact = ruleImpact(current, in.Tags, in.Now)
		return e, nil
	}
	base := DesiredRetention(rule)
	deployed := Deployed(rule.ProtectDeployed, in.Triggers, in.Now)
	desired := WithDeployed(base, deployed)
	r := desired.Rules[0]
	e.Rule = DescribeRule(&r)
	e.Impact = Simulate(r, in.Tags, in.Now)
	SetFreedBytes(&e.Impact, in.Tags)
	e.Impact.Deployed = KeptBecauseDeployed(base.Rules[0], r, deployed, in.Tags, in.Now)
	pl := Retention(in.Namespace, in.Repository, desired, in.Current)
	for _, s := range pl.Steps {
		if s.WritesRule() {
			e.Write = s.Op
		}
	}
	if !guard || e.Write == "" {
		return e, nil
	}
	var findings []report.Finding
	if f, tooMany := TooManyDeployed(in.Namespace, in.Repository, base, deployed); tooMany {
		findings = append(findings, f)
	}
	if ok, fs := Guard(in.Namespace, in.Repository, e.Impact, rule.Guard, r.TagSelectors); !ok {
		findings = append(findings, fs...)
	}
	return e, findings
}

// CurrentRule is the rule SWR holds (of several, the lowest id's), or nil.
func CurrentRule(current []swr.Retention) *swr.Rule {
	if len(current) == 0 {
		return nil
	}
	first := slices.MinFunc(current, func(a, b swr.Retention) int { return cmp.Compare(a.ID, b.ID) })
	if len(first.Rules) == 0 {
		return nil
	}
	return &first.Rules[0]
}

// ruleImpact simulates r, when there is one; no rule deletes nothing.
func ruleImpact(r *swr.Rule, tags []swr.Tag, now time.Time) report.Impact {
	if r == nil {
		keep := make([]string, len(tags))
		for i, t := range tags {
			keep[i] = t.Tag
		}
		slices.Sort(keep)
		return report.Impact{TotalTags: len(tags), Keep: keep, Delete: []string{}}
	}
	impact := Simulate(*r, tags, now)
	SetFreedBytes(&impact, tags)
	return impact
}

// DescribeRule renders a rule in the policy's words: "keep_last 20,
// protect latest, /^v/"; "none" for nil. Label selectors that name more
// than three tags are summarised by their count.
func DescribeRule(r *swr.Rule) string {
	if r == nil {
		return "none"
	}
	var s string
	switch r.Template {
	case swr.TemplateTagRule:
		s = fmt.Sprintf("keep_last %d", r.Num())
	case swr.TemplateDateRule:
		s = fmt.Sprintf("keep_days %d", r.Days())
	default:
		s = r.Template
	}
	var labels, regexps []string
	for _, sel := range r.TagSelectors {
		if sel.Kind == swr.SelectorRegexp {
			regexps = append(regexps, "/"+sel.Pattern+"/")
		} else {
			labels = append(labels, sel.Pattern)
		}
	}
	slices.Sort(labels)
	if len(labels) > 3 {
		labels = []string{fmt.Sprintf("%d tags", len(labels))}
	}
	if protect := append(labels, regexps...); len(protect) > 0 {
		s += ", protect " + strings.Join(protect, " ")
	}
	return s
}
