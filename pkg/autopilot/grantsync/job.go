package grantsync

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// JobName is what Name returns and what reports carry in Report.Job.
const JobName = "grantsync"

// Config configures a Job.
type Config struct {
	// Directory is where the team directory file is read from on every
	// run: a local path (or file:// URL), an https:// URL or an
	// s3://bucket/key object (see source.Fetch). Required.
	Directory string
	// DirectoryOptions tune the fetch: HTTP client, size limit, timeout,
	// S3 settings.
	DirectoryOptions source.Options
	// Policy, when set, is the policy whose default_grants give every new
	// repository its grants (the onpush function's). Grant sync counts
	// them as desired on every repository it plans, so that in a managed
	// namespace it neither removes them nor lowers them: the directory and
	// the default grants form one desired state.
	Policy *policy.Policy
	// DryRun plans and reports without writing anything to SWR. An event
	// can also ask for a dry run (GrantSyncRequested.DryRun).
	DryRun bool
	// DedupeSize is how many event keys the job remembers to skip
	// redeliveries (events.DefaultDedupeSize when 0).
	DedupeSize int
	// Now is the clock of the report's start time and duration; defaults
	// to time.Now.
	Now func() time.Time
	// Logger receives one line per run; defaults to slog.Default().
	Logger *slog.Logger
}

// Job reconciles SWR grants with the team directory. It is safe for
// concurrent use; its runs are serialised, so that two events arriving
// together on a warm instance never write the same grant twice.
type Job struct {
	client *swr.Client
	cfg    Config
	dedupe *events.Deduper
	now    func() time.Time
	log    *slog.Logger
	sem    chan struct{} // holds one token while a run is in progress
}

// New returns the grant-sync job, talking to SWR through client.
func New(client *swr.Client, cfg Config) *Job {
	j := &Job{
		client: client,
		cfg:    cfg,
		dedupe: events.NewDeduper(cfg.DedupeSize),
		now:    cfg.Now,
		log:    cfg.Logger,
		sem:    make(chan struct{}, 1),
	}
	if j.now == nil {
		j.now = time.Now
	}
	if j.log == nil {
		j.log = slog.Default()
	}
	return j
}

// Name returns "grantsync".
func (j *Job) Name() string { return JobName }

// Target narrows a run to one namespace (Repository empty) or to one
// repository of it.
type Target struct {
	Namespace  string
	Repository string
}

// Handle runs the grant sync the events ask for, as one run with one
// report. A GrantSyncRequested (a tick, a directory change) reconciles
// everything; GrantsChanged events reconcile only their namespaces or
// repositories. Other kinds and redelivered events are counted in
// Report.Skipped. The run is a dry run when the job is configured so or a
// GrantSyncRequested asks for one.
//
// The error is non-nil only when nothing useful was done (the directory
// could not be fetched, or no grant at all could be read from SWR); the
// events are then forgotten by the de-duplicator so that their redelivery
// is handled.
func (j *Job) Handle(ctx context.Context, evs []events.Event) (*report.Report, error) {
	started := j.now()
	before := j.client.Stats()

	var (
		acted   []events.Event
		targets []Target
		all     bool
		dryRun  = j.cfg.DryRun
		skipped int
	)
	for _, ev := range evs {
		switch p := ev.Payload.(type) {
		case events.GrantSyncRequested:
			if j.dedupe.Seen(ev.Key()) {
				skipped++
				continue
			}
			all, dryRun = true, dryRun || p.DryRun
		case events.GrantsChanged:
			if p.Namespace == "" {
				j.log.WarnContext(ctx, "grants-changed event names no namespace; ignored", "event_id", ev.ID)
				skipped++
				continue
			}
			if j.dedupe.Seen(ev.Key()) {
				skipped++
				continue
			}
			targets = append(targets, Target{Namespace: p.Namespace, Repository: p.Repository})
		default:
			skipped++
			continue
		}
		acted = append(acted, ev)
	}
	if all {
		targets = nil
	}

	rep := j.newReport(started, dryRun)
	rep.Skipped = skipped
	var err error
	if len(acted) > 0 {
		err = j.reconcile(ctx, rep, dryRun, newScope(all, targets))
	}
	for _, ev := range acted {
		rep.EventIDs = append(rep.EventIDs, ev.ID)
		if err != nil {
			j.dedupe.Forget(ev.Key())
		}
	}
	j.finish(rep, started, before)
	return rep, err
}

// Reconcile runs one grant sync outside any event, as the CLI does: of
// everything when targets is empty, otherwise only of the targets. Its
// error has the meaning of Handle's.
func (j *Job) Reconcile(ctx context.Context, dryRun bool, targets ...Target) (*report.Report, error) {
	started := j.now()
	before := j.client.Stats()
	dryRun = dryRun || j.cfg.DryRun
	rep := j.newReport(started, dryRun)
	for _, t := range targets {
		if t.Namespace == "" {
			j.finish(rep, started, before)
			return rep, errors.New("grant sync: a target must name a namespace")
		}
	}
	err := j.reconcile(ctx, rep, dryRun, newScope(len(targets) == 0, targets))
	j.finish(rep, started, before)
	return rep, err
}

func (j *Job) newReport(started time.Time, dryRun bool) *report.Report {
	return &report.Report{Job: JobName, DryRun: dryRun, Started: started}
}

// finish completes the report: duration, API calls and counts.
func (j *Job) finish(rep *report.Report, started time.Time, before swr.Stats) {
	rep.Duration = report.Duration(j.now().Sub(started))
	rep.APICalls = j.client.Stats().Requests - before.Requests
	rep.Tally()
}

// lock waits for the job's previous run to end, or for ctx.
func (j *Job) lock(ctx context.Context) (unlock func(), err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case j.sem <- struct{}{}:
		return func() { <-j.sem }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// CheckDirectory loads and validates the team directory as a run would,
// and reports why it cannot be used: a function calls it at start-up, so
// that an unreachable or invalid directory stops it there rather than at
// its first event.
func (j *Job) CheckDirectory(ctx context.Context) error {
	if j.cfg.Directory == "" {
		return errors.New("grant sync: no team directory source configured")
	}
	if _, _, err := directory.Load(ctx, j.cfg.Directory, j.cfg.DirectoryOptions); err != nil {
		return fmt.Errorf("grant sync: team directory: %w", err)
	}
	return nil
}
