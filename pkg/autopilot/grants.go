package autopilot

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/internal/grantwrite"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// DefaultGrants gives a new repository the grants the policy's
// default_grants section asks for. It plans with grantplan, the planner
// grant sync uses, outside any managed namespace: it adds and raises,
// never removes or lowers, and never changes the caller. It writes through
// the grant writer grant sync uses (package grantwrite): a grant that
// appears between the read and the write (SWR then refuses the whole
// create as a conflict) makes it read the grants again and apply only what
// is still missing. It costs no call when no rule matches, else one read
// plus the writes.
func (e *Engine) DefaultGrants(ctx context.Context, ns, repo string, dryRun bool) RepoResult {
	res := RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	desired := e.policy.GrantsFor(ns, repo)
	if len(desired) == 0 {
		return res
	}
	current, err := e.client.RepositoryAccess.Get(ctx, ns, repo)
	if err != nil {
		res.fail("get repository access", err)
		return res
	}
	p := grantplan.Repository(ns, repo, grantplan.ByUser(desired), *current, "", nil)
	res.Findings = append(res.Findings, p.Findings...)
	if p.Empty() {
		return res
	}
	res.Conformant = false
	if !e.Writes(dryRun) {
		res.Changes = p.Changes
		return res
	}
	res.Wrote = true
	g := grantwrite.Grants{Client: e.client, NS: ns, Repo: repo}
	var createErr, updateErr error
	if len(p.Create) > 0 {
		// A user granted a higher level meanwhile is left as it is.
		_, createErr = g.Add(ctx, p.Create)
	}
	updateReason := ""
	switch {
	case createErr != nil:
		res.fail("grant repository access", createErr)
		updateReason = "not attempted: " + createErr.Error()
	case len(p.Update) > 0:
		if updateErr = g.Change(ctx, p.Update); updateErr != nil {
			res.fail("upgrade repository access", updateErr)
			updateReason = updateErr.Error()
		}
	}
	changes := withStatus(p.Changes, report.StatusApplied, report.OpCreate, errText(createErr))
	res.Changes = withStatus(changes, report.StatusApplied, report.OpUpdate, updateReason)
	return res
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
	return fmt.Sprint(err)
}
