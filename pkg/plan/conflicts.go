package plan

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// ConflictInput is what AuditConflicts looks at in one repository.
type ConflictInput struct {
	Namespace  string
	Repository string
	Tags       []swr.Tag
	Triggers   []swr.Trigger
	// Protect holds the protect entries of the policy rule that governs
	// the repository (none when no rule does).
	Protect []swr.TagSelector
	// Current is the rule SWR holds, Planned the one the policy would
	// write instead; nil when there is none.
	Current, Planned *swr.Rule
	Now              time.Time
}

// AuditConflicts finds where retention and the other features of one
// repository work against each other. Each finding names the trigger or
// protect entry as its subject:
//   - conflict.trigger_tag_deleted (warning): the current or planned rule
//     would delete (or may, under some reading of SWR's semantics) a tag that a trigger of trigger_type "tag" names in
//     its condition, so that pushing that tag again redeploys what
//     retention deletes;
//   - conflict.last_deployed_deleted (warning): the current or planned
//     rule would delete the tag a trigger last deployed successfully:
//     the workload runs it, and could not pull it again;
//   - conflict.deployed_tag_missing (warning): the tag a trigger last
//     deployed successfully is already gone from the repository;
//   - conflict.protect_unmatched (info): a protect entry matches no tag
//     of the repository (checked only when it has tags): a misspelt
//     entry protects nothing.
//
// Findings are ordered by code, then subject.
func AuditConflicts(in ConflictInput) []report.Finding {
	var out []report.Finding
	finding := func(code string, sev report.Severity, subject, msg, fix string) {
		out = append(out, report.Finding{Code: code, Severity: sev, Namespace: in.Namespace, Repository: in.Repository,
			Subject: subject, Message: msg, Remediation: fix})
	}
	present := map[string]bool{}
	for _, t := range in.Tags {
		present[t.Tag] = true
	}
	// Each rule in force says, tag by tag, whether it deletes the tag
	// under every reading ("would") or under some ("may"). A rule that
	// cannot be simulated (a tag time that does not parse) says nothing:
	// its write is refused with its own finding.
	type ruleInForce struct {
		name     string
		verdicts map[string]string
	}
	var rules []ruleInForce
	simulate := func(name string, r *swr.Rule) {
		impact, err := Simulate(*r, in.Tags, in.Now)
		if err != nil {
			return
		}
		v := map[string]string{}
		for _, t := range impact.Delete {
			v[t] = "would"
		}
		for _, u := range impact.Uncertain {
			v[u.Tag] = "may"
		}
		rules = append(rules, ruleInForce{name, v})
	}
	if in.Current != nil {
		simulate("current", in.Current)
	}
	if in.Planned != nil && (in.Current == nil || !SameRule(*in.Current, *in.Planned)) {
		simulate("planned", in.Planned)
	}
	// deleters says which rules would (or may, under some reading of
	// SWR's semantics) delete tag: "the current and the planned retention
	// rule would delete"; "" when none does.
	deleters := func(tag string) string {
		var names []string
		verb := "may"
		for _, r := range rules {
			if v := r.verdicts[tag]; v != "" {
				names = append(names, "the "+r.name)
				if v == "would" {
					verb = "would"
				}
			}
		}
		if len(names) == 0 {
			return ""
		}
		return strings.Join(names, " and ") + " retention rule " + verb + " delete"
	}

	for _, t := range in.Triggers {
		if t.TriggerType == "tag" {
			for _, name := range strings.Split(t.Condition, ";") {
				if by := deleters(name); by != "" {
					finding(CodeConflictTriggerTagDeleted, report.SeverityWarning, t.Name,
						fmt.Sprintf("%s tag %q, which trigger %q deploys whenever it is pushed", by, name, t.Name),
						fmt.Sprintf("add %q to the retention rule's protect list, or set protect_deployed on it", name))
				}
			}
		}
		last, ok := lastDeployed(t)
		if !ok {
			continue
		}
		switch by := deleters(last.Tag); {
		case !present[last.Tag]:
			finding(CodeConflictDeployedTagMissing, report.SeverityWarning, t.Name,
				fmt.Sprintf("tag %q, which trigger %q last deployed successfully (at %s), is gone from the repository: the workload cannot pull its image again", last.Tag, t.Name, last.CreatedAt),
				"push the tag again or deploy a tag the repository holds; set protect_deployed on the retention rule so that it keeps deployed tags")
		case by != "":
			finding(CodeConflictLastDeployedDeleted, report.SeverityWarning, t.Name,
				fmt.Sprintf("%s tag %q, which trigger %q last deployed successfully (at %s): the workload could not pull its image again", by, last.Tag, t.Name, last.CreatedAt),
				"set protect_deployed on the retention rule (for example last: 1), or add the tag to its protect list")
		}
	}

	if len(in.Tags) > 0 {
		for _, sel := range in.Protect {
			matches := protectedMatcher([]swr.TagSelector{sel}) // under either anchoring
			if !slices.ContainsFunc(in.Tags, func(t swr.Tag) bool { return matches(t.Tag) }) {
				entry := sel.Pattern
				if sel.Kind == swr.SelectorRegexp {
					entry = "/" + sel.Pattern + "/"
				}
				finding(CodeConflictProtectUnmatched, report.SeverityInfo, entry,
					fmt.Sprintf("protect entry \"%s\" matches none of the repository's %d tags", entry, len(in.Tags)),
					"check the entry for a typo, or remove it")
			}
		}
	}
	slices.SortStableFunc(out, func(a, b report.Finding) int {
		return cmp.Or(cmp.Compare(a.Code, b.Code), cmp.Compare(a.Subject, b.Subject))
	})
	return out
}

// lastDeployed returns the latest successful run of t.
func lastDeployed(t swr.Trigger) (swr.TriggerHistory, bool) {
	var last swr.TriggerHistory
	found := false
	for _, h := range t.TriggerHistory {
		if h.Result == "success" && (!found || compareTimes(h.CreatedAt, last.CreatedAt) > 0) {
			last, found = h, true
		}
	}
	return last, found
}
