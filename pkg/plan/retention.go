package plan

import (
	"cmp"
	"slices"
	"strconv"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// DesiredRetention returns the SWR retention request that enforces rule:
// a date_rule for keep_days, a tag_rule for keep_last, with the rule's
// protected tags as tag selectors (never nil). It returns nil for an
// unmanaged rule, whose repositories keep whatever they have.
func DesiredRetention(rule policy.RetentionRule) *swr.RetentionRequest {
	r := swr.Rule{TagSelectors: append(make([]swr.TagSelector, 0, len(rule.Protect)), rule.Protect...)}
	switch {
	case rule.Unmanaged:
		return nil
	case rule.KeepDays > 0:
		r.Template = swr.TemplateDateRule
		r.Params = map[string]string{"days": strconv.Itoa(rule.KeepDays)}
	case rule.KeepLast > 0:
		r.Template = swr.TemplateTagRule
		r.Params = map[string]string{"num": strconv.Itoa(rule.KeepLast)}
	default:
		return nil
	}
	return &swr.RetentionRequest{Algorithm: "or", Rules: []swr.Rule{r}}
}

// RetentionAction is the main thing a retention plan does.
type RetentionAction string

// Retention actions.
const (
	RetentionNoop    RetentionAction = "noop"    // the repository already has the desired rule
	RetentionCreate  RetentionAction = "create"  // POST the desired rule
	RetentionUpdate  RetentionAction = "update"  // PATCH the current rule (same template)
	RetentionReplace RetentionAction = "replace" // DELETE the current rule, then POST (template changed)
)

// RetentionStep is one write of a retention plan and all it needs to be
// applied:
//   - report.OpCreate: POST Request.
//   - report.OpUpdate: PATCH RetentionID with Request.
//   - report.OpReplace: DELETE RetentionID, then POST Request.
//   - report.OpDelete: DELETE RetentionID (an extra rule).
type RetentionStep struct {
	Op          report.Op
	RetentionID int
	Request     *swr.RetentionRequest
	Change      report.Change
}

// WritesRule reports whether the step writes a rule, which SWR executes at
// once: such a step deletes images and must be simulated and guarded.
func (s RetentionStep) WritesRule() bool { return s.Request != nil }

// RetentionPlan is what it takes to bring one repository's retention in
// line with the policy.
type RetentionPlan struct {
	Namespace  string
	Repository string
	Action     RetentionAction
	// Unmanaged is set when no rule was desired; such a plan is a no-op
	// whatever the repository has.
	Unmanaged bool
	Desired   *swr.RetentionRequest
	// Current is the existing rule the plan keeps, updates or replaces.
	Current *swr.Retention
	// Steps are the writes in apply order: deletes of extra rules first
	// (a repository holds one rule), then the main write, if any.
	Steps []RetentionStep
}

// Rule returns the rule that the plan writes, the one to simulate, and
// whether the plan writes one at all.
func (p RetentionPlan) Rule() (swr.Rule, bool) {
	for _, s := range p.Steps {
		if s.WritesRule() {
			return s.Request.Rules[0], true
		}
	}
	return swr.Rule{}, false
}

// Changes returns the steps' changes in apply order.
func (p RetentionPlan) Changes() []report.Change {
	out := make([]report.Change, len(p.Steps))
	for i, s := range p.Steps {
		out[i] = s.Change
	}
	return out
}

// SetImpact attaches a simulated impact to the step that writes a rule.
func (p *RetentionPlan) SetImpact(impact report.Impact) {
	for i := range p.Steps {
		if p.Steps[i].WritesRule() {
			p.Steps[i].Change.Impact = &impact
		}
	}
}

// Refuse marks every step refused with reason: nothing of the plan may be
// written.
func (p *RetentionPlan) Refuse(reason string) {
	for i := range p.Steps {
		p.Steps[i].Change.Status = report.StatusRefused
		p.Steps[i].Change.Reason = reason
	}
}

// Retention plans the retention of repository ns/repo: desired is the rule
// it should have (nil when it is unmanaged) and current its rules as
// listed by SWR. Rules compare by template, by params numerically ("030"
// equals "30") and by tag selectors as a set. Among several current rules
// the plan keeps, in order of preference, one equal to desired, one with
// the same template, or the one with the lowest id; the others are deleted.
func Retention(ns, repo string, desired *swr.RetentionRequest, current []swr.Retention) RetentionPlan {
	p := RetentionPlan{Namespace: ns, Repository: repo, Action: RetentionNoop, Desired: desired}
	if desired == nil || len(desired.Rules) == 0 {
		p.Unmanaged = true
		p.Desired = nil
		return p
	}
	rules := slices.Clone(current)
	slices.SortStableFunc(rules, func(a, b swr.Retention) int { return cmp.Compare(a.ID, b.ID) })

	keep := slices.IndexFunc(rules, func(r swr.Retention) bool { return sameRetention(r, *desired) })
	switch {
	case keep >= 0:
		p.Action = RetentionNoop
	case len(rules) == 0:
		p.Action = RetentionCreate
	default:
		keep = slices.IndexFunc(rules, func(r swr.Retention) bool {
			return len(r.Rules) > 0 && r.Rules[0].Template == desired.Rules[0].Template
		})
		p.Action = RetentionUpdate
		if keep < 0 {
			keep, p.Action = 0, RetentionReplace
		}
	}
	if keep >= 0 {
		p.Current = &rules[keep]
	}
	for i, r := range rules {
		if i != keep {
			p.Steps = append(p.Steps, p.step(report.OpDelete, &rules[i], nil, r.ID))
		}
	}
	switch p.Action {
	case RetentionCreate:
		p.Steps = append(p.Steps, p.step(report.OpCreate, nil, desired, 0))
	case RetentionUpdate:
		p.Steps = append(p.Steps, p.step(report.OpUpdate, p.Current, desired, p.Current.ID))
	case RetentionReplace:
		p.Steps = append(p.Steps, p.step(report.OpReplace, p.Current, desired, p.Current.ID))
	}
	return p
}

func (p RetentionPlan) step(op report.Op, before *swr.Retention, req *swr.RetentionRequest, id int) RetentionStep {
	c := report.Change{Kind: KindRetention, Op: op, Namespace: p.Namespace, Repository: p.Repository, Status: report.StatusPlanned}
	if before != nil {
		c.Before = *before
		c.Subject = strconv.Itoa(id)
	}
	if req != nil {
		c.After = *req
	}
	return RetentionStep{Op: op, RetentionID: id, Request: req, Change: c}
}

// sameRetention reports whether an existing rule already is the desired one.
func sameRetention(cur swr.Retention, want swr.RetentionRequest) bool {
	if cur.Algorithm != want.Algorithm || len(cur.Rules) != len(want.Rules) {
		return false
	}
	for i := range cur.Rules {
		if !SameRule(cur.Rules[i], want.Rules[i]) {
			return false
		}
	}
	return true
}

// SameRule reports whether two rules are equivalent: same template, params
// with the same keys and numerically equal values (string-equal when not
// numbers), and the same set of tag selectors, in any order.
func SameRule(a, b swr.Rule) bool {
	return a.Template == b.Template && sameParams(a.Params, b.Params) && sameSelectors(a.TagSelectors, b.TagSelectors)
}

func sameParams(a, b map[string]string) bool {
	if len(a) != len(b) {
		return false
	}
	for k, av := range a {
		bv, ok := b[k]
		if !ok {
			return false
		}
		an, aerr := strconv.Atoi(av)
		bn, berr := strconv.Atoi(bv)
		if aerr == nil && berr == nil {
			if an != bn {
				return false
			}
		} else if av != bv {
			return false
		}
	}
	return true
}

func sameSelectors(a, b []swr.TagSelector) bool {
	as, bs := selectorSet(a), selectorSet(b)
	if len(as) != len(bs) {
		return false
	}
	for s := range as {
		if !bs[s] {
			return false
		}
	}
	return true
}

func selectorSet(sels []swr.TagSelector) map[swr.TagSelector]bool {
	set := make(map[swr.TagSelector]bool, len(sels))
	for _, s := range sels {
		set[s] = true
	}
	return set
}
