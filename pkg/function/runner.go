package function

import (
	"context"
	"log/slog"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Job is one of swr-autopilot's jobs (onpush, sweep, grantsync). It knows
// which events are its own and how to do the work they ask for; the Runner
// does the rest.
type Job interface {
	// Name is the job's name, in logs, metrics and reports.
	Name() string
	// Mine reports whether the job acts on ev. Other events are
	// acknowledged without work and counted in Report.Skipped.
	Mine(ev events.Event) bool
	// Do does the work evs (all its own, none handled before) ask for and
	// adds what it observed, planned, refused and applied to rep; failures
	// of single repositories go into rep.Errors. A returned error asks for
	// the input to be delivered again, unless it is marked terminal
	// (events.Terminal).
	Do(ctx context.Context, evs []events.Event, rep *report.Report) error
}

// RunnerOptions tune a Runner. The zero value is usable.
type RunnerOptions struct {
	// DedupeSize is how many event keys are remembered to skip
	// redeliveries (events.DefaultDedupeSize when not positive).
	DedupeSize int
	// Client, when set, is the job's SWR client: its request counter
	// gives each report's APICalls (requests of other work sharing the
	// client at the same time are counted too), added to any the job
	// counted itself (a job working through several clients).
	Client *swr.Client
	// Logger receives the summary line of every run (default
	// slog.Default()).
	Logger *slog.Logger
	// Now is the clock of the reports' Started and Duration (default
	// time.Now).
	Now func() time.Time
}

// Runner is the one job runner. It skips events that are not the job's
// or that it handled before, hands the rest to the job, stamps the report
// and logs its summary, and decides what a failure means for redelivery:
// the events of a run whose error is not terminal are forgotten, so that
// their redelivery is handled; those of a terminal error stay handled. A
// Runner lives as long as its warm instance and is safe for concurrent
// use.
type Runner struct {
	job    Job
	seen   *events.Deduper
	client *swr.Client
	log    *slog.Logger
	now    func() time.Time
}

// NewRunner returns a Runner for job.
func NewRunner(job Job, opts RunnerOptions) *Runner {
	r := &Runner{job: job, seen: events.NewDeduper(opts.DedupeSize), client: opts.Client, log: opts.Logger, now: opts.Now}
	if r.log == nil {
		r.log = slog.Default()
	}
	if r.now == nil {
		r.now = time.Now
	}
	return r
}

// Name returns the job's name.
func (r *Runner) Name() string { return r.job.Name() }

// Handle runs the job for the events of one invocation and returns its
// report, with the job's error. The error asks for redelivery unless
// events.IsTerminal says otherwise; the report comes with it either way.
func (r *Runner) Handle(ctx context.Context, evs []events.Event) (*report.Report, error) {
	started := r.now()
	calls := r.calls()
	rep := &report.Report{Job: r.job.Name(), Started: started}
	var todo []events.Event
	for _, ev := range evs {
		if !r.job.Mine(ev) || r.seen.Seen(ev.Key()) {
			rep.Skipped++
			continue
		}
		todo = append(todo, ev)
		rep.EventIDs = append(rep.EventIDs, ev.ID)
	}
	var err error
	if len(todo) > 0 {
		err = r.job.Do(ctx, todo, rep)
	}
	if err != nil && !events.IsTerminal(err) {
		for _, ev := range todo {
			r.seen.Forget(ev.Key())
		}
	}
	rep.Tally()
	rep.Duration = report.Duration(r.now().Sub(started))
	rep.APICalls += r.calls() - calls // on top of any the job counted itself
	r.logReport(ctx, rep, err)
	return rep, err
}

func (r *Runner) calls() int64 {
	if r.client == nil {
		return 0
	}
	return r.client.Stats().Requests
}

// logReport writes one line per change that was applied, refused or
// failed, one per repository error, and the run's one summary line.
func (r *Runner) logReport(ctx context.Context, rep *report.Report, err error) {
	byStatus := map[report.Status]int{}
	for _, ch := range rep.Changes {
		byStatus[ch.Status]++
		if ch.Status != report.StatusPlanned {
			r.log.InfoContext(ctx, "change "+string(ch.Status), "job", rep.Job, "kind", ch.Kind, "op", ch.Op,
				"resource", ch.Resource(), "detail", ch.Detail())
		}
	}
	for _, e := range rep.Errors {
		r.log.WarnContext(ctx, "repository error", "job", rep.Job, "namespace", e.Namespace, "repository", e.Repository, "op", e.Op, "error", e.Error)
	}
	c := rep.Counts
	attrs := []any{"job", rep.Job, "dry_run", rep.DryRun, "events", len(rep.EventIDs), "event_ids", rep.EventIDs,
		"skipped", rep.Skipped, "scanned", c.Scanned, "conformant", c.Conformant, "unmanaged", c.Unmanaged,
		"changed", c.Changed, "refused", c.Refused, "planned", byStatus[report.StatusPlanned],
		"applied", byStatus[report.StatusApplied], "failed", byStatus[report.StatusFailed], "errors", c.Errors,
		"findings", len(rep.Findings), "api_calls", rep.APICalls, "cursor", rep.Cursor,
		"duration", time.Duration(rep.Duration).String()}
	switch {
	case err == nil:
		r.log.InfoContext(ctx, "job done", attrs...)
	case events.IsTerminal(err):
		r.log.ErrorContext(ctx, "job failed; not redelivered", append(attrs, "error", err.Error())...)
	default:
		r.log.ErrorContext(ctx, "job failed; redelivery asked", append(attrs, "error", err.Error())...)
	}
}
