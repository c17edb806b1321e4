package autopilot

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Retention brings the retention rule of ns/repo in line with the policy:
// list the current rules (one read), plan, and when the plan writes a rule
// list the tags, simulate what the rule will delete tag by tag and guard
// it. Nothing is written when a guard refuses, in a dry run, or in audit
// mode; the changes are reported all the same. Once SWR has accepted a
// rule, the tags are listed again (one more read) and any tag the
// simulation kept that is gone is reported as a critical finding,
// plan.CodeImpactMismatch. current, when not nil,
// replaces the read of the current rules (a cached observation).
//
// When the policy switches audits.conflicts on, the conflict audit
// (AuditConflicts) runs first, so that a conflict with the rule about to
// be written is reported before SWR executes it.
//
// Concurrent calls for one repository run one after the other (unless
// ctx comes from LockRepository for it, whose holder goes on), each
// observing what the previous one wrote, so that they write at most once.
// When a create fails because another writer gave the repository a rule
// in the meantime, the run converges: it is done if that rule is the one
// wanted, else it plans (and simulates and guards) once more against it.
func (e *Engine) Retention(ctx context.Context, ns, repo string, dryRun bool, current []swr.Retention) RepoResult {
	var conflicts RepoResult
	if e.policy.Audits.Conflicts != nil {
		conflicts = e.AuditConflicts(ctx, ns, repo)
	}
	res := e.governRetention(ctx, ns, repo, dryRun, current)
	if e.policy.Audits.Conflicts != nil {
		conflicts.Merge(res)
		conflicts.Unmanaged = res.Unmanaged
		conflicts.Wrote = res.Wrote
		return conflicts
	}
	return res
}

// governRetention is Retention without the conflict audit.
func (e *Engine) governRetention(ctx context.Context, ns, repo string, dryRun bool, current []swr.Retention) RepoResult {
	rule, matched := e.policy.RetentionFor(ns, repo)
	if !matched || rule.Unmanaged {
		return RepoResult{Namespace: ns, Repository: repo, Unmanaged: true, Conformant: true}
	}
	ctx, unlock, err := e.LockRepository(ctx, ns, repo)
	if err != nil {
		return Failed(ns, repo, "wait for repository", err)
	}
	defer unlock()

	res, raced := e.retention(ctx, ns, repo, rule, dryRun, current)
	if raced != nil {
		e.log.InfoContext(ctx, "retention create lost a race to another rule; planning again", "namespace", ns, "repository", repo)
		again, _ := e.retention(ctx, ns, repo, rule, dryRun, raced)
		again.Wrote = true
		res = again
	}
	return res
}

// retention is one observe → plan → simulate → guard → apply round. raced
// is set when a create lost a race to a different rule: it holds the rules
// the repository has now.
func (e *Engine) retention(ctx context.Context, ns, repo string, rule policy.RetentionRule, dryRun bool, current []swr.Retention) (res RepoResult, raced []swr.Retention) {
	res = RepoResult{Namespace: ns, Repository: repo}
	if current == nil {
		var err error
		if current, err = e.client.Retentions.List(ctx, ns, repo); err != nil {
			res.fail("list retentions", err)
			return res, nil
		}
	}
	now := e.now()
	base := plan.DesiredRetention(rule)
	deployed, err := e.deployed(ctx, ns, repo, rule, now)
	if err != nil {
		res.fail("list triggers", err)
		return res, nil
	}
	p := plan.Retention(ns, repo, plan.WithDeployed(base, deployed), current)
	if len(p.Steps) == 0 {
		res.Conformant = true
		return res, nil
	}
	if f, tooMany := plan.TooManyDeployed(ns, repo, base, deployed); tooMany {
		p.Refuse(f.Message)
		res.Findings = append(res.Findings, f)
		res.Changes = p.Changes()
		return res, nil
	}
	var impact report.Impact
	if r, writesRule := p.Rule(); writesRule {
		tags, err := e.tags(ctx, ns, repo)
		if err != nil {
			res.fail("list tags", err)
			return res, nil
		}
		impact, err = plan.Simulate(r, tags, now)
		if err != nil {
			findings := []report.Finding{plan.TagTimeFinding(ns, repo, err)}
			p.Refuse(refusal(findings))
			res.Findings = append(res.Findings, findings...)
			res.Changes = p.Changes()
			return res, nil
		}
		plan.SetFreedBytes(&impact, tags)
		impact.Deployed = plan.KeptBecauseDeployed(base.Rules[0], r, deployed, tags, now)
		p.SetImpact(impact)
		// The guard checks the protect entries and the deployed tags:
		// every selector of the rule written.
		ok, findings := plan.Guard(ns, repo, impact, rule.Guard, r.TagSelectors)
		if ok {
			ok, findings = plan.GuardPushRace(ns, repo, r, tags, impact, rule.Guard, now)
		}
		if !ok {
			p.Refuse(refusal(findings))
			res.Findings = append(res.Findings, findings...)
			res.Changes = p.Changes()
			return res, nil
		}
	}
	if !e.Writes(dryRun) {
		res.Changes = p.Changes()
		return res, nil
	}
	res.Changes, raced = e.applyRetention(ctx, &res, p)
	if wroteRule(p, res.Changes) {
		e.verifyImpact(ctx, &res, impact)
	}
	return res, raced
}

// deployed reads the triggers of ns/repo (triggersWithHistory) and
// returns the tags that rule's deployed-image protection keeps; none,
// without a read, when the rule does not protect deployed tags.
func (e *Engine) deployed(ctx context.Context, ns, repo string, rule policy.RetentionRule, now time.Time) ([]report.DeployedTag, error) {
	if !rule.ProtectDeployed.Enabled() {
		return nil, nil
	}
	triggers, err := e.triggersWithHistory(ctx, ns, repo)
	if err != nil {
		return nil, err
	}
	return plan.Deployed(rule.ProtectDeployed, triggers, now), nil
}

// triggersWithHistory lists the triggers of ns/repo with their runs. The
// show call documents trigger_history (swr-api.md §7); whether the list
// carries it too, no source says. So a trigger the list shows without
// runs is read once more on its own, and what that says counts: either
// reading gives every run, at one read per trigger that has none.
func (e *Engine) triggersWithHistory(ctx context.Context, ns, repo string) ([]swr.Trigger, error) {
	triggers, err := e.client.Triggers.List(ctx, ns, repo)
	if err != nil {
		return nil, err
	}
	for i, t := range triggers {
		if len(t.TriggerHistory) > 0 {
			continue
		}
		full, err := e.client.Triggers.Get(ctx, ns, repo, t.Name)
		switch {
		case swr.IsNotFound(err):
			continue // deleted since the list: it deploys nothing more
		case err != nil:
			return nil, err
		}
		triggers[i].TriggerHistory = full.TriggerHistory
	}
	return triggers, nil
}

// wroteRule reports whether SWR accepted the step of p that writes a
// rule; changes are the applied steps' changes, in step order.
func wroteRule(p plan.RetentionPlan, changes []report.Change) bool {
	for i, s := range p.Steps {
		if s.WritesRule() && changes[i].Status == report.StatusApplied {
			return true
		}
	}
	return false
}

// Tags are listed oldest push first (swr-api.md §4.6), a thousand per
// request. SWR has no snapshot listing: a tag pushed again, or deleted,
// while the pages are read shifts the pages not yet read, so that one tag
// is listed twice and another not at all. A simulation over such a
// listing could let SWR delete a tag the report says it keeps, so a torn
// listing is read again, and refused after listAttempts tries.
const (
	tagOrderColumn = "updated_at"
	tagOrderType   = "asc"
	listAttempts   = 3
)

// errTornListing says that the tags kept changing while they were listed.
var errTornListing = errors.New("the tags changed while they were listed")

// tags lists every tag of ns/repo from one consistent listing: the tag
// before each page after the first, read again once that page is in, must
// still be the one the previous page ended with, no tag is seen twice,
// and there are as many tags as SWR's total said at the first and at the
// last page. A one-page repository is always consistent.
func (e *Engine) tags(ctx context.Context, ns, repo string) ([]swr.Tag, error) {
	for range listAttempts {
		tags, err := e.listTagsOnce(ctx, ns, repo)
		if !errors.Is(err, errTornListing) {
			return tags, err
		}
	}
	return nil, fmt.Errorf("list tags of %s/%s: %w (%d tries); not simulated, nothing written", ns, repo, errTornListing, listAttempts)
}

func (e *Engine) listTagsOnce(ctx context.Context, ns, repo string) ([]swr.Tag, error) {
	var tags []swr.Tag
	seen := map[string]bool{}
	firstTotal := -1
	for pages := 0; ; pages++ {
		// Pages are read at offsets that are multiples of the page size,
		// the only ones SWR is sure to take (swr-api.md §1.7): every page
		// before this one was full, so len(tags) is such a multiple.
		opts := &swr.ListTagsOptions{OrderColumn: tagOrderColumn, OrderType: tagOrderType, Offset: len(tags), Limit: swr.MaxPageSize}
		page, info, err := e.client.Repositories.ListTags(ctx, ns, repo, opts)
		if err != nil {
			return nil, err
		}
		if pages == 0 {
			firstTotal = info.Total
		} else if err := e.checkTagBefore(ctx, ns, repo, tags[len(tags)-1], len(tags)-1); err != nil {
			return nil, err
		}
		for _, t := range page {
			if seen[t.Tag] {
				return nil, errTornListing
			}
			seen[t.Tag] = true
			tags = append(tags, t)
		}
		if len(page) < info.Limit || (info.Total >= 0 && len(tags) >= info.Total) {
			if pages > 0 && (info.Total != firstTotal || (info.Total >= 0 && len(tags) != info.Total)) {
				return nil, errTornListing
			}
			return tags, nil
		}
	}
}

// checkTagBefore reads the one tag at offset at (a page of one, so that
// the offset stays a multiple of the page size) after the page that
// follows it was read, and reports a torn listing unless it is still
// last. In push order tags only move towards the start (a tag deleted, or
// pushed again and so moved to the end), so a tag that moved between the
// two pages has not come back by now, and no tag was passed over when it
// is still there.
func (e *Engine) checkTagBefore(ctx context.Context, ns, repo string, last swr.Tag, at int) error {
	opts := &swr.ListTagsOptions{OrderColumn: tagOrderColumn, OrderType: tagOrderType, Offset: at, Limit: 1}
	got, _, err := e.client.Repositories.ListTags(ctx, ns, repo, opts)
	if err != nil {
		return err
	}
	if len(got) != 1 || got[0].Tag != last.Tag || got[0].Updated != last.Updated {
		return errTornListing
	}
	return nil
}

// applyRetention executes the plan's steps in order and stops at the first
// failure; the steps not reached stay planned. raced is set as for
// retention.
func (e *Engine) applyRetention(ctx context.Context, res *RepoResult, p plan.RetentionPlan) (changes []report.Change, raced []swr.Retention) {
	ns, repo := p.Namespace, p.Repository
	changes = make([]report.Change, 0, len(p.Steps))
	failed := false
	for _, s := range p.Steps {
		ch := s.Change
		if failed {
			changes = append(changes, ch)
			continue
		}
		res.Wrote = true
		var err error
		switch s.Op {
		case report.OpDelete:
			err = e.deleteRetention(ctx, ns, repo, s.RetentionID)
		case report.OpUpdate:
			err = e.client.Retentions.Update(ctx, ns, repo, s.RetentionID, *s.Request)
		case report.OpReplace:
			if err = e.deleteRetention(ctx, ns, repo, s.RetentionID); err == nil {
				raced, err = e.createRetention(ctx, ns, repo, *s.Request)
			}
		case report.OpCreate:
			raced, err = e.createRetention(ctx, ns, repo, *s.Request)
		default:
			err = fmt.Errorf("unknown retention step %q for %s/%s", s.Op, ns, repo)
		}
		if err != nil {
			failed = true
			ch.Status, ch.Reason = report.StatusFailed, err.Error()
			res.fail(string(s.Op)+" retention", err)
		} else {
			ch.Status = report.StatusApplied
		}
		changes = append(changes, ch)
	}
	return changes, raced
}

// deleteRetention deletes a rule; a rule that is already gone counts as deleted.
func (e *Engine) deleteRetention(ctx context.Context, ns, repo string, id int) error {
	if err := e.client.Retentions.Delete(ctx, ns, repo, id); err != nil && !swr.IsNotFound(err) {
		return err
	}
	return nil
}

// createRetention creates a rule (createConfirmed): the rule wanted
// found after a failed create counts as created; other rules found are
// returned as raced, with the error.
func (e *Engine) createRetention(ctx context.Context, ns, repo string, req swr.RetentionRequest) (raced []swr.Retention, err error) {
	err = e.createConfirmed(ctx, "retention", ns, repo, func() error {
		_, err := e.client.Retentions.Create(ctx, ns, repo, req)
		return err
	}, func() (presence, error) {
		raced = nil
		current, err := e.client.Retentions.List(ctx, ns, repo)
		if err != nil || len(current) == 0 {
			return absent, err
		}
		for _, r := range current {
			if len(r.Rules) == 1 && len(req.Rules) == 1 && plan.SameRule(r.Rules[0], req.Rules[0]) {
				return present, nil
			}
		}
		raced = current
		return conflicting, nil
	})
	return raced, err
}

// refusal summarises guard findings as one reason.
func refusal(findings []report.Finding) string {
	if len(findings) == 0 {
		return "refused by a guard"
	}
	s := findings[0].Message
	if len(findings) > 1 {
		s += fmt.Sprintf(" (and %d more)", len(findings)-1)
	}
	return s
}

// LockRepository locks ns/repo for the caller's work on it, waiting for
// other work on the repository (Retention's included) to end. Engine calls
// made under the returned context do not wait for the caller's own lock.
// Call unlock exactly once when done.
func (e *Engine) LockRepository(ctx context.Context, ns, repo string) (held context.Context, unlock func(), err error) {
	held, unlock, err = e.locks.Hold(ctx, ns+"/"+repo)
	if err != nil {
		return ctx, nil, fmt.Errorf("wait for other work on %s/%s: %w", ns, repo, err)
	}
	return held, unlock, nil
}

// createAttempts bounds how often createConfirmed sends one create.
const createAttempts = 4

// presence is what a read after a failed create found.
type presence int

const (
	absent      presence = iota // nothing of the kind: SWR did not act
	present                     // the object wanted
	conflicting                 // another object holds its place
)

// createConfirmed sends a create and, when it fails in any way, reads the
// resource again with look and decides from what is there, never from
// the error: SWR's answers to a duplicate or a lost response are not
// documented (swr-api.md §12), and a response lost after SWR acted looks
// like a failure. The object wanted being present (another instance won
// a race, SWR answered a duplicate with an error, or the answer was lost)
// counts as created. Something else in its place, or a read that fails,
// leaves the create's error. When nothing is there, SWR did not act, and
// a create that failed in a way that may pass (a 5xx, a cut connection)
// is sent again, up to createAttempts in all: the client does not re-send
// a POST itself, since it cannot know whether SWR acted. The caller holds
// the repository's lock, so no other create of this engine interleaves.
func (e *Engine) createConfirmed(ctx context.Context, kind, ns, repo string, create func() error, look func() (presence, error)) error {
	for attempt := 1; ; attempt++ {
		err := create()
		if err == nil {
			return nil
		}
		found, lerr := look()
		switch {
		case lerr != nil || found == conflicting:
			return err
		case found == present:
			e.log.InfoContext(ctx, kind+" create failed, yet SWR holds what was asked: it counts as created",
				"namespace", ns, "repository", repo, "error", err.Error())
			return nil
		}
		if attempt >= createAttempts || !swr.IsTransient(err) || ctx.Err() != nil {
			return err
		}
		e.log.InfoContext(ctx, kind+" create failed and SWR holds none; sending it again",
			"namespace", ns, "repository", repo, "attempt", attempt, "error", err.Error())
	}
}
