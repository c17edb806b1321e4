package autopilot

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// DefaultGrants gives a new repository the grants the policy's
// default_grants section asks for. It adds and upgrades, never removes.
// It costs no call when no rule matches, else one read plus the writes.
// When a grant appears between the read and the write (SWR then refuses
// the whole create as a conflict), the grants are read and planned once
// more and what is still missing is applied; the changes reported are
// those of that second plan, what this call applied, and none when the
// other writer granted everything.
func (e *Engine) DefaultGrants(ctx context.Context, ns, repo string, dryRun bool) RepoResult {
	res := RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	desired := e.policy.GrantsFor(ns, repo)
	if len(desired) == 0 {
		return res
	}
	p, err := e.grantPlan(ctx, ns, repo, desired)
	if err != nil {
		res.fail("get repository access", err)
		return res
	}
	if p.Empty() {
		return res
	}
	res.Conformant = false
	if !e.Writes(dryRun) {
		res.Changes = withStatus(p.Changes, report.StatusPlanned, "", "")
		return res
	}
	res.Wrote = true
	createErr, updateErr := e.applyGrants(ctx, p)
	if swr.IsConflict(createErr) {
		again, err := e.grantPlan(ctx, ns, repo, desired)
		if err != nil {
			res.fail("get repository access", err)
			res.Changes = withStatus(p.Changes, report.StatusFailed, "",
				"not applied: another writer changed the grants and reading them again failed: "+err.Error())
			return res
		}
		// What the other writer granted is done; apply what is left.
		p = again
		res.Conformant = p.Empty()
		createErr, updateErr = e.applyGrants(ctx, p)
	}
	updateReason := errText(updateErr)
	if createErr != nil {
		res.fail("grant repository access", createErr)
		updateReason = "not attempted: " + createErr.Error()
	}
	if updateErr != nil {
		res.fail("upgrade repository access", updateErr)
	}
	changes := withStatus(p.Changes, report.StatusApplied, report.OpCreate, errText(createErr))
	res.Changes = withStatus(changes, report.StatusApplied, report.OpUpdate, updateReason)
	return res
}

// grantPlan reads the grants of ns/repo and plans the missing ones.
func (e *Engine) grantPlan(ctx context.Context, ns, repo string, desired []swr.UserAuth) (plan.GrantPlan, error) {
	current, err := e.client.RepositoryAccess.Get(ctx, ns, repo)
	if err != nil {
		return plan.GrantPlan{}, err
	}
	return plan.Grants(ns, repo, desired, *current), nil
}

// applyGrants creates the missing grants, then upgrades the low ones. The
// upgrade is not attempted when the create failed.
func (e *Engine) applyGrants(ctx context.Context, p plan.GrantPlan) (createErr, updateErr error) {
	if len(p.Create) > 0 {
		if createErr = e.client.RepositoryAccess.Create(ctx, p.Namespace, p.Repository, p.Create); createErr != nil {
			return createErr, nil
		}
	}
	if len(p.Update) > 0 {
		updateErr = e.client.RepositoryAccess.Update(ctx, p.Namespace, p.Repository, p.Update)
	}
	return nil, updateErr
}

// withStatus returns changes with the status of those with operation op
// (all when op is empty) set to status, or to failed with reason when
// reason is not empty.
func withStatus(changes []report.Change, status report.Status, op report.Op, reason string) []report.Change {
	out := make([]report.Change, len(changes))
	for i, ch := range changes {
		if op == "" || ch.Op == op {
			ch.Status, ch.Reason = status, ""
			if reason != "" {
				ch.Status, ch.Reason = report.StatusFailed, reason
			}
		}
		out[i] = ch
	}
	return out
}

func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}
