package plan

import (
	"cmp"
	"fmt"
	"maps"
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
// under every reading of SWR's semantics (Simulate). A tag then becomes
// newly deleted, newly kept or newly uncertain when New puts it in that
// state and Old did not. The guards are those of New's write, when New
// writes: the guard limits, protected tags, racing pushes, the bound on
// deployed tags, and tag times that must parse. The findings are the
// guards New trips.
func DiffRetention(in DiffInput) (report.RepoDiff, []report.Finding) {
	d := report.RepoDiff{Namespace: in.Namespace, Repository: in.Repository}
	d.Old, _ = effect(in, in.Old, false)
	var findings []report.Finding
	d.New, findings = effect(in, in.New, true)
	d.Tripped = len(findings) > 0
	oldState, newState := tagStates(d.Old.Impact), tagStates(d.New.Impact)
	d.NewlyDeleted, d.NewlyKept, d.NewlyUncertain = []string{}, []string{}, []string{}
	for _, t := range slices.Sorted(maps.Keys(newState)) {
		if newState[t] == oldState[t] {
			continue
		}
		switch newState[t] {
		case stateDeleted:
			d.NewlyDeleted = append(d.NewlyDeleted, t)
		case stateKept:
			d.NewlyKept = append(d.NewlyKept, t)
		case stateUncertain:
			d.NewlyUncertain = append(d.NewlyUncertain, t)
		}
	}
	return d, findings
}

// What a rule does to a tag.
const (
	stateKept = iota + 1
	stateDeleted
	stateUncertain
)

func tagStates(i report.Impact) map[string]int {
	m := make(map[string]int, len(i.Keep)+len(i.Delete)+len(i.Uncertain))
	for _, t := range i.Keep {
		m[t] = stateKept
	}
	for _, t := range i.Delete {
		m[t] = stateDeleted
	}
	for _, u := range i.Uncertain {
		m[u.Tag] = stateUncertain
	}
	return m
}

// effect is what p does to the repository of in; with guard set, the
// findings of the guards its write trips.
func effect(in DiffInput, p *policy.Policy, guard bool) (report.PolicyEffect, []report.Finding) {
	var e report.PolicyEffect
	rule, matched := p.RetentionFor(in.Namespace, in.Repository)
	if !matched || rule.Unmanaged {
		current := CurrentRule(in.Current)
		e.Rule = DescribeRule(current)
		e.Impact, _ = ruleImpact(current, in.Tags, in.Now)
		return e, nil
	}
	base := DesiredRetention(rule)
	deployed := Deployed(rule.ProtectDeployed, in.Triggers, in.Now)
	desired := WithDeployed(base, deployed)
	r := desired.Rules[0]
	e.Rule = DescribeRule(&r)
	impact, err := ruleImpact(&r, in.Tags, in.Now)
	e.Impact = impact
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
	if err != nil {
		return e, []report.Finding{TagTimeFinding(in.Namespace, in.Repository, err)}
	}
	var findings []report.Finding
	if f, tooMany := TooManyDeployed(in.Namespace, in.Repository, base, deployed); tooMany {
		findings = append(findings, f)
	}
	ok, fs := Guard(in.Namespace, in.Repository, e.Impact, rule.Guard, r.TagSelectors)
	if ok {
		ok, fs = GuardPushRace(in.Namespace, in.Repository, r, in.Tags, e.Impact, rule.Guard, in.Now)
	}
	if !ok {
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

// ruleImpact simulates r, when there is one, with the bytes it frees; no
// rule deletes nothing. When a tag time does not parse, nothing is known:
// the impact lists no tag, and the error says why.
func ruleImpact(r *swr.Rule, tags []swr.Tag, now time.Time) (report.Impact, error) {
	if r == nil {
		keep := make([]string, len(tags))
		for i, t := range tags {
			keep[i] = t.Tag
		}
		slices.Sort(keep)
		return report.Impact{TotalTags: len(tags), Keep: keep, Delete: []string{}}, nil
	}
	impact, err := Simulate(*r, tags, now)
	if err != nil {
		return report.Impact{TotalTags: len(tags), Keep: []string{}, Delete: []string{}}, err
	}
	SetFreedBytes(&impact, tags)
	return impact, nil
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
