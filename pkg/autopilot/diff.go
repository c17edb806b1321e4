package autopilot

import (
	"context"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// DiffFrom compares what the engine's policy (the new one) would do to
// the registry with what old does, and writes nothing. It lists the
// repositories (of namespaces, or all that the caller sees) by name and,
// for each that either policy governs, reads its retention rules, its
// triggers when a rule protects deployed tags, and its tags; then
// plan.DiffRetention compares. The result lists the repositories where
// the policies differ in effect or the new one trips a guard; a read
// that fails is reported as an error and the repository is skipped.
func (e *Engine) DiffFrom(ctx context.Context, old *policy.Policy, namespaces []string) *report.PolicyDiff {
	d := &report.PolicyDiff{Started: time.Now(), Repositories: []report.RepoDiff{}}
	callsBefore := e.client.Stats().Requests
	defer func() { d.APICalls = e.client.Stats().Requests - callsBefore }()
	scopes := namespaces
	if len(scopes) == 0 {
		scopes = []string{""} // every namespace
	}
	for _, ns := range scopes {
		opts := &swr.ListReposOptions{Namespace: ns, OrderColumn: "name", OrderType: "asc", Limit: swr.MaxPageSize}
		for repo, err := range e.client.Repositories.All(ctx, opts) {
			if err != nil {
				d.Errors = append(d.Errors, report.RepoError{Namespace: ns, Op: "list repositories", Error: err.Error()})
				break
			}
			if ns != "" && repo.Namespace != ns {
				continue // SWR's namespace filter is loose
			}
			e.diffRepository(ctx, old, repo.Namespace, repo.Name, d)
		}
	}
	d.Tally()
	return d
}

// diffRepository compares the policies on one repository into d.
func (e *Engine) diffRepository(ctx context.Context, old *policy.Policy, ns, repo string, d *report.PolicyDiff) {
	oldRule, oldOK := old.RetentionFor(ns, repo)
	newRule, newOK := e.policy.RetentionFor(ns, repo)
	d.Scanned++
	if (!oldOK || oldRule.Unmanaged) && (!newOK || newRule.Unmanaged) {
		return // both leave the repository's rule alone: the same effect
	}
	fail := func(op string, err error) {
		d.Errors = append(d.Errors, report.RepoError{Namespace: ns, Repository: repo, Op: op, Error: err.Error()})
	}
	in := plan.DiffInput{Namespace: ns, Repository: repo, Old: old, New: e.policy, Now: e.now()}
	var err error
	if in.Current, err = e.client.Retentions.List(ctx, ns, repo); err != nil {
		fail("list retentions", err)
		return
	}
	if oldRule.ProtectDeployed.Enabled() || newRule.ProtectDeployed.Enabled() {
		if in.Triggers, err = e.triggersWithHistory(ctx, ns, repo); err != nil {
			fail("list triggers", err)
			return
		}
	}
	if in.Tags, err = e.tags(ctx, ns, repo); err != nil {
		fail("list tags", err)
		return
	}
	rd, findings := plan.DiffRetention(in)
	d.Findings = append(d.Findings, findings...)
	if rd.Changed() || rd.Tripped {
		d.Repositories = append(d.Repositories, rd)
	}
}
