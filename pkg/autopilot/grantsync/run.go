package grantsync

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/internal/grantwrite"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// run is one reconcile in progress: load → observe and plan → guard →
// apply → report.
type run struct {
	j        *Job
	rep      *report.Report
	dryRun   bool
	scoped   bool // the run covers only what events name, not everything
	dir      *directory.Directory
	invalid  error // why the directory failed validation; nil when it passed
	noGroups bool  // an IAM group of the directory could not be read
	source   source.Content
	want     grantplan.Grants
	steps    []step // the plans that change something
	reads    int    // grant lists read successfully
	observed int    // grants observed, over every list read
	readErr  error  // the first failed read
	quota    string
}

// step is the plan for one namespace's or one repository's grants.
type step struct {
	grants grantwrite.Grants
	plan   grantplan.Plan
}

// Do runs the grant sync the events ask for, as one run into rep. A
// GrantSyncRequested reconciles everything; GrantsChanged events
// reconcile only their namespaces or repositories. The run is a dry run
// when the job is configured so or a GrantSyncRequested asks for one.
//
// The error, asking for redelivery, is non-nil only when nothing useful
// was done (the directory could not be fetched, or no grant at all could
// be read from SWR).
func (j *Job) Do(ctx context.Context, evs []events.Event, rep *report.Report) error {
	var (
		targets []Target
		all     bool
		dryRun  = j.cfg.DryRun
	)
	for _, ev := range evs {
		switch p := ev.Payload.(type) {
		case events.GrantSyncRequested:
			all, dryRun = true, dryRun || p.DryRun
		case events.GrantsChanged:
			targets = append(targets, Target{Namespace: p.Namespace, Repository: p.Repository})
		}
	}
	if all {
		targets = nil
	}
	rep.DryRun = dryRun
	return j.reconcile(ctx, rep, dryRun, newScope(all, targets))
}

// reconcile runs the grant sync of scope s into rep. It returns an error
// only when nothing useful could be done.
func (j *Job) reconcile(ctx context.Context, rep *report.Report, dryRun bool, s scope) error {
	unlock, err := j.lock(ctx)
	if err != nil {
		err = fmt.Errorf("grant sync not started: %w", err)
		rep.Errors = append(rep.Errors, report.RepoError{Op: "grant sync", Error: err.Error()})
		return err
	}
	defer unlock()

	r := &run{j: j, rep: rep, dryRun: dryRun, scoped: !s.all}
	if err := r.load(ctx); err != nil {
		return err
	}
	todo := s.resolve(r.dir, r.want)
	for i, w := range todo {
		if ctx.Err() != nil {
			r.fail(w.namespace, "", "grant sync", fmt.Errorf("stopped at the deadline: %d of %d namespaces not observed: %w", len(todo)-i, len(todo), ctx.Err()))
			break
		}
		r.observe(ctx, w)
	}
	if r.reads == 0 && len(todo) > 0 {
		if cause := cmp.Or(r.readErr, ctx.Err()); cause != nil {
			return fmt.Errorf("grant sync: no grants could be read from SWR: %w", cause)
		}
	}
	r.guard()
	r.apply(ctx)

	j.log.DebugContext(ctx, "grant sync",
		"scope", s.describe(), "dry_run", dryRun, "directory", r.source.Source, "directory_sha256", r.source.SHA256,
		"observed", r.reads, "changes", len(rep.Changes), "findings", len(rep.Findings), "errors", len(rep.Errors))
	return nil
}

// load fetches and parses the directory. A directory that fails
// validation is kept (its valid part may add access, never remove it); one
// that cannot be fetched stops the run.
func (r *run) load(ctx context.Context) error {
	src := r.j.cfg.Directory
	if src == "" {
		err := errors.New("grant sync: no team directory source configured")
		r.fail("", "", "load directory", err)
		return err
	}
	d, content, err := directory.Load(ctx, src, r.j.cfg.DirectoryOptions)
	if d == nil {
		err = fmt.Errorf("grant sync: load team directory: %w", err)
		r.fail("", "", "load directory", err)
		return err
	}
	r.invalid, r.source = err, content
	r.dir, r.noGroups = r.resolveNames(ctx, d)
	r.want = grantplan.Desired(r.dir)
	return nil
}

// guard applies the run-wide removal guard: GuardRemovals for a full run,
// GuardScopedRemovals (no removal at all) for a run that covers only what
// events name. When it refuses, every plan keeps its additions and
// upgrades and has its removals refused.
func (r *run) guard() {
	plans := make([]grantplan.Plan, len(r.steps))
	for i, s := range r.steps {
		plans[i] = s.plan
	}
	var allowed bool
	var findings []report.Finding
	if r.scoped {
		allowed, findings = grantplan.GuardScopedRemovals(plans, r.dir, r.invalid)
	} else {
		allowed, findings = grantplan.GuardRemovals(plans, r.observed, r.dir, r.invalid)
	}
	r.rep.Findings = append(r.rep.Findings, findings...)
	if allowed && !r.noGroups {
		return
	}
	codes := make([]string, 0, len(findings)+1)
	for _, f := range findings {
		codes = append(codes, f.Code)
	}
	if r.noGroups {
		codes = append(codes, CodeUnknownGroup)
	}
	reason := "removal refused by " + strings.Join(codes, ", ")
	for i := range r.steps {
		r.steps[i].plan = r.steps[i].plan.WithoutRemovals(reason)
	}
}

// apply writes every plan (unless this is a dry run) and reports it.
func (r *run) apply(ctx context.Context) {
	stopped := false
	for i := range r.steps {
		s := &r.steps[i]
		switch {
		case r.dryRun || s.plan.Empty():
		case ctx.Err() != nil:
			if !stopped {
				stopped = true
				r.fail(s.grants.NS, s.grants.Repo, "grant sync", fmt.Errorf("stopped at the deadline before writing: %w", ctx.Err()))
			}
			s.notAttempted()
		default:
			r.write(ctx, s)
		}
		r.rep.Changes = append(r.rep.Changes, s.plan.Changes...)
	}
}

// write executes one plan: POST the additions, PATCH the level changes,
// DELETE the removals. Each write is idempotent (see grants).
func (r *run) write(ctx context.Context, s *step) {
	p := s.plan
	if len(p.Create) > 0 {
		higher, err := s.grants.Add(ctx, p.Create)
		r.settle(s, report.OpCreate, "create", err)
		for _, h := range higher {
			r.rep.Findings = append(r.rep.Findings, report.Finding{
				Code: CodeConcurrentGrant, Severity: report.SeverityInfo,
				Namespace: s.grants.NS, Repository: s.grants.Repo, Subject: h.UserID,
				Message: fmt.Sprintf("%s was granted %s on %s while this run added the grant; left as it is",
					h.UserName, directory.Level(h.Auth), s.grants),
			})
		}
	}
	if len(p.Update) > 0 {
		r.settle(s, report.OpUpdate, "update", s.grants.Change(ctx, p.Update))
	}
	if len(p.Delete) > 0 {
		r.settle(s, report.OpDelete, "delete", s.grants.Remove(ctx, p.Delete))
	}
}

// settle records the outcome of the write of op on the step's planned
// changes of that op (refused ones stay refused).
func (r *run) settle(s *step, op report.Op, verb string, err error) {
	for i := range s.plan.Changes {
		c := &s.plan.Changes[i]
		if c.Op != op || c.Status != report.StatusPlanned {
			continue
		}
		c.Status = report.StatusApplied
		if err != nil {
			c.Status, c.Reason = report.StatusFailed, err.Error()
		}
	}
	if err != nil {
		r.fail(s.grants.NS, s.grants.Repo, verb+" "+s.grants.What(), err)
	}
}

// notAttempted marks the step's planned changes failed: the run ran out
// of time before writing them.
func (s *step) notAttempted() {
	for i := range s.plan.Changes {
		if c := &s.plan.Changes[i]; c.Status == report.StatusPlanned {
			c.Status, c.Reason = report.StatusFailed, "not attempted: the run reached its deadline"
		}
	}
}

func (r *run) fail(ns, repo, op string, err error) {
	r.rep.Errors = append(r.rep.Errors, report.RepoError{Namespace: ns, Repository: repo, Op: op, Error: err.Error()})
}
