package sweep

import (
	"cmp"
	"context"
	"errors"
	"slices"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Defaults applied by New to zero Config fields.
const (
	DefaultConcurrency    = 16
	DefaultDeadlineMargin = 2 * time.Second
)

// JobName is the name of the job, in reports and logs.
const JobName = "sweep"

// Enqueuer hands events on to a later invocation of the function, e.g. by
// sending them to the SQS queue the function consumes.
type Enqueuer interface {
	Enqueue(ctx context.Context, evs []cloudevents.Event) error
}

// Config tunes a Job. The zero value is usable.
type Config struct {
	// DryRun plans and reports without writing, whatever the events say.
	DryRun bool
	// Concurrency is how many repositories are swept at once (default
	// DefaultConcurrency). The client's rate limiter bounds the request
	// rate; this bounds the requests in flight.
	Concurrency int
	// DeadlineMargin is how long before the invocation deadline the sweep
	// stops starting repositories (default DefaultDeadlineMargin); the
	// repositories in flight then still have that long to finish.
	DeadlineMargin time.Duration
	// Continue receives the continuation event of a sweep that ran out of
	// time and, with FanOut, the shard events of a tick. Nil hands nothing
	// on: an unfinished sweep then only reports where it stopped, in
	// Report.Cursor, and the caller resumes it by sending a SweepRequested
	// that carries that cursor.
	Continue Enqueuer
	// FanOut makes a tick that names no namespace (and carries no cursor)
	// enqueue one shard event per namespace through Continue instead of
	// sweeping. It has no effect without Continue.
	FanOut bool
	// Progress, when set, is called after each repository with the number
	// done and the total to do (0 when unknown). Calls never overlap.
	// Counting the total costs one extra list call for the whole
	// registry; when the sweep names namespaces or resumes a cursor, it
	// costs a listing of each namespace (one call per 1000 repositories)
	// that counts only the namespace's own repositories, since SWR may
	// match the namespace filter loosely.
	Progress func(done, total int)
	// Now is the clock of the report's Started and Duration (default
	// time.Now).
	Now func() time.Time
	// MaxImpactTags, when positive, cuts the tag names each change's
	// Impact lists to at most that many in Keep and in Delete as the
	// sweep collects the changes (report.Impact.Truncate: TotalTags and
	// the counts stay whole), so that the report of a large registry stays
	// small: tag names are most of the 1.2 MB of JSON that 2,000 drifting
	// repositories of 40 tags make. 0 keeps every name, for a report meant
	// to show each tag.
	MaxImpactTags int
	// Target is the name of the target (of a targets file) the job
	// sweeps; the events it hands on name it. A request naming another
	// target is refused. Empty for a deployment without targets.
	Target string
}

// Job is the sweep job. It is safe for concurrent use.
type Job struct {
	engine *autopilot.Engine
	client *swr.Client
	cfg    Config
	seen   *events.Deduper
}

// New returns the sweep job: engine checks each repository, client lists
// namespaces and repositories (normally engine's client), cfg tunes it.
func New(engine *autopilot.Engine, client *swr.Client, cfg Config) *Job {
	if cfg.Concurrency <= 0 {
		cfg.Concurrency = DefaultConcurrency
	}
	if cfg.DeadlineMargin <= 0 {
		cfg.DeadlineMargin = DefaultDeadlineMargin
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Job{engine: engine, client: client, cfg: cfg, seen: events.NewDeduper(0)}
}

// Name returns "sweep".
func (j *Job) Name() string { return JobName }

// Handle sweeps for each SweepRequested event of one invocation, in order,
// and returns one report for all of them. Other kinds and events seen
// before are acknowledged without work and counted in Report.Skipped.
//
// Per-repository failures, and a request that cannot be carried out (a
// malformed cursor), go into Report.Errors. Handle returns an error,
// alongside the report, only when the input should be delivered again: SWR could not even list the namespaces, the
// deadline was too close to start anything, or the continuation or shard
// events could not be enqueued (the redelivered sweep resumes from the
// same place; repositories already fixed cost one read each and no
// write).
func (j *Job) Handle(ctx context.Context, evs []events.Event) (*report.Report, error) {
	started := j.cfg.Now()
	calls := j.client.Stats().Requests
	rep := &report.Report{Job: JobName, Started: started}

	type request struct {
		req events.SweepRequested
		key string
	}
	var reqs []request
	allDry := true
	for _, ev := range evs {
		req, ok := ev.Payload.(events.SweepRequested)
		if !ok || j.seen.Seen(ev.Key()) {
			rep.Skipped++
			continue
		}
		rep.EventIDs = append(rep.EventIDs, ev.ID)
		reqs = append(reqs, request{req, ev.Key()})
		allDry = allDry && req.DryRun
	}
	var failures []error
	for i, r := range reqs {
		rest := reqs[i+1:]
		// A sweep that runs out of time hands on its continuation and the
		// requests not started yet, all at once.
		handOn := func(cont cloudevents.Event) error {
			evs := []cloudevents.Event{cont}
			for _, p := range rest {
				evs = append(evs, events.NewTargetSweepContinuation(p.key, j.cfg.Target, p.req.Cursor, p.req.Namespaces, j.cfg.DryRun || p.req.DryRun))
			}
			return j.enqueue(ctx, evs)
		}
		err := j.sweep(ctx, r.req, r.key, rep, handOn)
		if err != nil {
			var bad *inputError
			if !errors.As(err, &bad) {
				j.seen.Forget(r.key)
				failures = append(failures, err)
			} else {
				rep.Errors = append(rep.Errors, report.RepoError{Op: "sweep request", Error: err.Error()})
			}
		}
		if rep.Cursor == "" {
			continue
		}
		// This sweep stopped at its deadline: the rest went with its
		// continuation, or, without a queue, is reported not started.
		for _, p := range rest {
			if err != nil {
				j.seen.Forget(p.key)
			} else if j.cfg.Continue == nil {
				rep.Findings = append(rep.Findings, notStarted(p.req))
			}
		}
		break
	}
	rep.DryRun = j.cfg.DryRun || (len(reqs) > 0 && allDry)
	j.finish(rep, started, calls)
	return rep, errors.Join(failures...)
}

// Run sweeps the namespaces req names (every namespace when it names
// none) from req.Cursor on, as one invocation would, and returns the
// report. It neither de-duplicates nor fans out; it does hand an
// unfinished sweep on through Config.Continue. The CLI calls it. The
// error is one Handle would return, or a malformed cursor (wrapping
// ErrMalformedCursor).
func (j *Job) Run(ctx context.Context, req events.SweepRequested) (*report.Report, error) {
	started := j.cfg.Now()
	calls := j.client.Stats().Requests
	rep := &report.Report{Job: JobName, Started: started, DryRun: j.cfg.DryRun || req.DryRun}
	err := j.sweep(ctx, req, "", rep, func(cont cloudevents.Event) error {
		return j.enqueue(ctx, []cloudevents.Event{cont})
	})
	j.finish(rep, started, calls)
	return rep, err
}

// finish tallies rep, orders its entries by repository and stamps the cost.
func (j *Job) finish(rep *report.Report, started time.Time, calls int64) {
	byRepo := func(ns1, r1, ns2, r2 string) int {
		return cmp.Or(cmp.Compare(ns1, ns2), cmp.Compare(r1, r2))
	}
	slices.SortStableFunc(rep.Changes, func(a, b report.Change) int {
		return byRepo(a.Namespace, a.Repository, b.Namespace, b.Repository)
	})
	slices.SortStableFunc(rep.Findings, func(a, b report.Finding) int {
		return byRepo(a.Namespace, a.Repository, b.Namespace, b.Repository)
	})
	slices.SortStableFunc(rep.Errors, func(a, b report.RepoError) int {
		return byRepo(a.Namespace, a.Repository, b.Namespace, b.Repository)
	})
	rep.Tally()
	rep.Duration = report.Duration(j.cfg.Now().Sub(started))
	rep.APICalls = j.client.Stats().Requests - calls
}

// enqueue hands evs on through Config.Continue. Without one the events
// are lost, which is an error.
func (j *Job) enqueue(ctx context.Context, evs []cloudevents.Event) error {
	if j.cfg.Continue == nil {
		return errors.New("no queue to hand the work on to (Config.Continue is nil)")
	}
	ctx, cancel := handOnContext(ctx, j.cfg.DeadlineMargin)
	defer cancel()
	return j.cfg.Continue.Enqueue(ctx, evs)
}

// handOnContext returns the context to hand work on under. It survives
// the cancellation of parent, since the work handed on was done, but ends
// after margin (the time kept before the deadline for this) and never
// after parent's deadline, past which the invocation is gone. A sweep
// hands on the moment it stops starting repositories, margin before the
// deadline, while the repositories in flight finish: their time is not
// taken from the hand-on.
func handOnContext(parent context.Context, margin time.Duration) (context.Context, context.CancelFunc) {
	end := time.Now().Add(margin)
	if deadline, ok := parent.Deadline(); ok && deadline.Before(end) {
		end = deadline
	}
	return context.WithDeadline(context.WithoutCancel(parent), end)
}
