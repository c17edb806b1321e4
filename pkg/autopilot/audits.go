package autopilot

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Audit runs the audits the policy switches on for one repository, an item
// of the repository list: triggers (one read), sync tasks (one read, only
// when a requirement matches the repository; with verify, the replicas
// too) and visibility (no read: the list item says it). Fixes are applied only when the engine writes
// (enforce mode, not a dry run) and the audit's remedy allows one.
func (e *Engine) Audit(ctx context.Context, repo swr.Repository, dryRun bool) RepoResult {
	res := RepoResult{Namespace: repo.Namespace, Repository: repo.Name, Conformant: true}
	if e.policy.Audits.Triggers != nil {
		res.Merge(e.AuditTriggers(ctx, repo.Namespace, repo.Name, dryRun))
	}
	if e.policy.Audits.Sync != nil {
		res.Merge(e.auditSync(ctx, repo.Namespace, repo.Name, dryRun))
		if reqs := e.policy.Audits.Sync.RequirementsFor(repo.Namespace, repo.Name); len(reqs) > 0 && e.policy.Audits.Sync.Verify != nil {
			res.Merge(e.verifyReplicas(ctx, repo.Namespace, repo.Name, reqs, dryRun))
		}
	}
	if e.policy.Audits.Visibility != nil {
		res.Merge(e.auditVisibility(ctx, repo, dryRun))
	}
	return res
}

// AuditConflicts runs the cross-feature conflict audit on ns/repo
// (plan.AuditConflicts): three reads (retention rules, triggers, tags),
// and one per trigger the list shows without runs.
// The planned rule is the one the policy would write, deployed tags
// included; the audit writes nothing. Retention runs it first when the
// policy switches audits.conflicts on, so that a conflict with the rule
// about to be written is reported before SWR executes it.
func (e *Engine) AuditConflicts(ctx context.Context, ns, repo string) RepoResult {
	res := RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	current, err := e.client.Retentions.List(ctx, ns, repo)
	if err != nil {
		res.fail("list retentions", err)
		return res
	}
	triggers, err := e.triggersWithHistory(ctx, ns, repo)
	if err != nil {
		res.fail("list triggers", err)
		return res
	}
	tags, err := e.tags(ctx, ns, repo)
	if err != nil {
		res.fail("list tags", err)
		return res
	}
	now := e.now()
	in := plan.ConflictInput{Namespace: ns, Repository: repo, Tags: tags, Triggers: triggers, Now: now}
	if rule, ok := e.policy.RetentionFor(ns, repo); ok && !rule.Unmanaged {
		in.Protect = rule.Protect
		desired := plan.WithDeployed(plan.DesiredRetention(rule), plan.Deployed(rule.ProtectDeployed, triggers, now))
		p := plan.Retention(ns, repo, desired, current)
		if p.Current != nil && len(p.Current.Rules) > 0 {
			in.Current = &p.Current.Rules[0]
		}
		if r, writes := p.Rule(); writes {
			in.Planned = &r
		}
	} else {
		in.Current = plan.CurrentRule(current)
	}
	res.note(plan.AuditConflicts(in))
	return res
}

// AuditTriggers runs the trigger audit on ns/repo, when the policy
// switches it on: one read, plus one write per trigger to disable when
// the engine writes and the remedy is "disable".
func (e *Engine) AuditTriggers(ctx context.Context, ns, repo string, dryRun bool) RepoResult {
	res := RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	cfg := e.policy.Audits.Triggers
	if cfg == nil {
		return res
	}
	triggers, err := e.client.Triggers.List(ctx, ns, repo)
	if err != nil {
		res.fail("list triggers", err)
		return res
	}
	findings, fixes := plan.AuditTriggers(ns, repo, triggers, *cfg)
	res.note(findings)
	write := e.Writes(dryRun)
	for _, f := range fixes {
		res.apply(write, f.Change, func() error {
			return e.client.Triggers.Update(ctx, ns, repo, f.Name, f.Request.Enable == "true")
		})
	}
	return res
}

// auditSync checks the sync tasks of ns/repo against the requirements that
// match it and creates the missing ones when allowed.
func (e *Engine) auditSync(ctx context.Context, ns, repo string, dryRun bool) RepoResult {
	res := RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	cfg := e.policy.Audits.Sync
	if len(cfg.RequirementsFor(ns, repo)) == 0 {
		return res
	}
	tasks, err := e.client.Sync.List(ctx, ns, repo)
	if err != nil {
		res.fail("list sync tasks", err)
		return res
	}
	findings, fixes := plan.AuditSync(ns, repo, tasks, *cfg)
	res.note(findings)
	write := e.Writes(dryRun)
	for _, f := range fixes {
		res.apply(write, f.Change, func() error {
			if err := e.createSync(ctx, ns, repo, f.Request); err != nil {
				return fmt.Errorf("sync %s/%s to %s/%s: %w", ns, repo, f.Request.RemoteRegionID, f.Request.RemoteNamespace, err)
			}
			return nil
		})
	}
	return res
}

// createSync creates a sync task (createConfirmed). A task to the same
// (region, namespace) found after a failed create is the one wanted: the
// pair identifies it. That covers a duplicate, whatever SWR answers to
// it (409, 400 or 2xx: no source says), and a lost response.
func (e *Engine) createSync(ctx context.Context, ns, repo string, req swr.CreateSyncRepoRequest) error {
	return e.createConfirmed(ctx, "sync task", ns, repo, func() error {
		return e.client.Sync.Create(ctx, ns, repo, req)
	}, func() (presence, error) {
		tasks, err := e.client.Sync.List(ctx, ns, repo)
		if err != nil {
			return absent, err
		}
		for _, t := range tasks {
			if t.RemoteRegionID == req.RemoteRegionID && t.RemoteNamespace == req.RemoteNamespace {
				return present, nil
			}
		}
		return absent, nil
	})
}

// auditVisibility checks that repo is public only when allowed and makes
// it private when allowed, keeping its category and description.
func (e *Engine) auditVisibility(ctx context.Context, repo swr.Repository, dryRun bool) RepoResult {
	ns, name := repo.Namespace, repo.Name
	res := RepoResult{Namespace: ns, Repository: name, Conformant: true}
	finding, fix := plan.AuditVisibility(repo, *e.policy.Audits.Visibility)
	if finding != nil {
		res.note([]report.Finding{*finding})
	}
	if fix != nil {
		res.apply(e.Writes(dryRun), fix.Change, func() error {
			return e.client.Repositories.Update(ctx, ns, name, fix.Request)
		})
	}
	return res
}
