package plan

import (
	"fmt"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Guard decides whether a retention write with the given impact on
// repository ns/repo may go ahead. Tags the write may delete under some
// reading of SWR's semantics (impact.Uncertain) count as deleted. It
// refuses when the write would delete more than g.MaxDeleteFraction of the
// tags, more than g.MaxDeleteTags tags, or any tag matched by protect (the
// policy's protected tags; they are also sent to SWR as selectors, and the
// guard checks again) unless that tag is kept under every reading. A
// refusal is reported as critical findings, one per broken limit and one
// per protected tag, never as an error.
func Guard(ns, repo string, impact report.Impact, g policy.Guard, protect []swr.TagSelector) (ok bool, findings []report.Finding) {
	finding := func(code, subject, msg, fix string) report.Finding {
		return report.Finding{Code: code, Severity: report.SeverityCritical, Namespace: ns, Repository: repo, Subject: subject, Message: msg, Remediation: fix}
	}
	atRisk := impact.AtRisk()
	what := fmt.Sprintf("%d", atRisk)
	if n := impact.Uncertains(); n > 0 {
		what = fmt.Sprintf("%d (%d of them uncertain)", atRisk, n)
	}
	// Written so that a NaN limit refuses.
	if frac := impact.AtRiskFraction(); !(frac <= g.MaxDeleteFraction) {
		findings = append(findings, finding(CodeGuardMaxFraction, "",
			fmt.Sprintf("retention write refused: it would delete %s of %d tags (%.1f%%), above max_delete_fraction %g",
				what, impact.TotalTags, 100*frac, g.MaxDeleteFraction),
			"review the deletions, then raise the rule's guard.max_delete_fraction or delete the tags by hand"))
	}
	if atRisk > g.MaxDeleteTags {
		findings = append(findings, finding(CodeGuardMaxTags, "",
			fmt.Sprintf("retention write refused: it would delete %s tags, above max_delete_tags %d", what, g.MaxDeleteTags),
			"review the deletions, then raise the rule's guard.max_delete_tags or delete the tags by hand"))
	}
	isProtected := protectedMatcher(protect)
	for _, tag := range impact.Delete {
		if isProtected(tag) {
			findings = append(findings, finding(CodeGuardProtectedTag, tag,
				fmt.Sprintf("retention write refused: it would delete protected tag %q", tag),
				"make sure the rule sent to SWR carries the policy's protect entries as tag selectors"))
		}
	}
	for _, u := range impact.Uncertain {
		if isProtected(u.Tag) {
			findings = append(findings, finding(CodeGuardProtectedTag, u.Tag,
				fmt.Sprintf("retention write refused: it may delete protected tag %q (%s)", u.Tag, u.Reason),
				"write the protect entry so that it means the same under every reading (an exact tag, or a regexp bound at both ends)"))
		}
	}
	return len(findings) == 0, findings
}

// protectedMatcher reports whether a tag is protected by sels under any
// anchoring of their regexps.
func protectedMatcher(sels []swr.TagSelector) func(string) bool {
	sub, whole := selectorMatcher(sels, swr.AnchorSubstring), selectorMatcher(sels, swr.AnchorWhole)
	return func(tag string) bool { return sub(tag) || whole(tag) }
}

// Racing pushes. SWR executes a rule some time after the tags were listed;
// under tag_rule every tag pushed in between pushes one more old tag out.
// The pushes expected in that window are derived from the repository's
// recent push rate, read from the tags' push (updated) times:
//
//	expected = max(pushes in the last WriteWindow,
//	               ⌈pushes in the last PushLookback × WriteWindow / PushLookback⌉)
//
// so a repository pushed to at all in the last PushLookback expects at
// least one. A quiet repository expects none.
const (
	PushLookback = time.Hour
	WriteWindow  = 5 * time.Minute
)

// ExpectedPushes is how many pushes may land on a repository holding tags
// while a rule written at now is executed. Times that do not parse count
// as recent.
func ExpectedPushes(tags []swr.Tag, now time.Time) int {
	inLookback, inWindow := 0, 0
	for _, t := range tags {
		at, err := t.Time(swr.TimeUpdated)
		age := now.Sub(at)
		if err != nil || age <= PushLookback {
			inLookback++
		}
		if err != nil || age <= WriteWindow {
			inWindow++
		}
	}
	scaled := (inLookback*int(WriteWindow/time.Second) + int(PushLookback/time.Second) - 1) / int(PushLookback/time.Second)
	return max(inWindow, scaled)
}

// PushHeadroom is how many pushes, up to limit, a tag_rule write with
// impact can absorb before it breaks g: each push adds a tag and deletes
// one more old one. It is -1 when the write breaks g as it is.
func PushHeadroom(impact report.Impact, g policy.Guard, limit int) int {
	fits := func(k int) bool {
		del, total := impact.AtRisk()+k, impact.TotalTags+k
		return del <= g.MaxDeleteTags && (total == 0 || float64(del) <= g.MaxDeleteFraction*float64(total))
	}
	k := -1
	for k < limit && fits(k+1) {
		k++
	}
	return k
}

// GuardPushRace decides whether a rule write with impact on ns/repo may go
// ahead although pushes may land before SWR executes it: under tag_rule
// the write is deferred to a later run, with a critical finding, when the
// pushes expected in the write window exceed the guard's headroom. Other
// templates delete nothing more when a tag is pushed.
func GuardPushRace(ns, repo string, rule swr.Rule, tags []swr.Tag, impact report.Impact, g policy.Guard, now time.Time) (ok bool, findings []report.Finding) {
	if rule.Template != swr.TemplateTagRule {
		return true, nil
	}
	expected := ExpectedPushes(tags, now)
	headroom := PushHeadroom(impact, g, expected)
	if expected <= headroom {
		return true, nil
	}
	return false, []report.Finding{{
		Code: CodeGuardPushRace, Severity: report.SeverityCritical, Namespace: ns, Repository: repo,
		Message: fmt.Sprintf("retention write deferred to a later run: the repository's recent pushes suggest %d push(es) "+
			"within the %s write window, each deleting one more old tag, but the guard leaves room for %d",
			expected, WriteWindow, max(headroom, 0)),
		Remediation: "the next run tries again once pushes slow down; or raise the rule's guard limits, or keep_last",
	}}
}
