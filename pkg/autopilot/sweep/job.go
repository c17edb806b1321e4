package sweep

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout"
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
	return &Job{engine: engine, client: client, cfg: cfg}
}

// Name returns "sweep".
func (j *Job) Name() string { return JobName }

// Mine reports whether ev is a SweepRequested: a tick, a continuation or
// a shard.
func (j *Job) Mine(ev events.Event) bool {
	_, ok := ev.Payload.(events.SweepRequested)
	return ok
}

// Do sweeps for each SweepRequested event of one invocation, in order,
// adding everything to rep.
//
// Per-repository failures go into Report.Errors. A request that cannot be
// carried out (a malformed cursor, a name SWR cannot hold) goes there too,
// and its error is terminal. Do asks for redelivery (an error not
// terminal) only when SWR could not even list the namespaces, the
// deadline was too close to start anything, or the continuation or shard
// events could not be enqueued (the redelivered sweep resumes from the
// same place; repositories already fixed cost one read each and no
// write).
func (j *Job) Do(ctx context.Context, evs []events.Event, rep *report.Report) error {
	type request struct {
		req events.SweepRequested
		key string
	}
	var reqs []request
	allDry := true
	for _, ev := range evs {
		req := ev.Payload.(events.SweepRequested)
		reqs = append(reqs, request{req, ev.Key()})
		allDry = allDry && req.DryRun
	}
	rep.DryRun = j.cfg.DryRun || allDry
	var failures, refused []error
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
		switch {
		case events.IsTerminal(err):
			rep.Errors = append(rep.Errors, report.RepoError{Op: "sweep request", Error: err.Error()})
			refused = append(refused, err)
		case err != nil:
			failures = append(failures, err)
		}
		if rep.Cursor == "" {
			continue
		}
		// This sweep stopped at its deadline: the rest went with its
		// continuation, or, without a queue, is reported not started.
		if err == nil && j.cfg.Continue == nil {
			for _, p := range rest {
				rep.Findings = append(rep.Findings, notStarted(p.req))
			}
		}
		break
	}
	j.sort(rep)
	if len(failures) > 0 {
		return errors.Join(failures...)
	}
	return events.Terminal(errors.Join(refused...))
}

// sort orders rep's entries by repository.
func (j *Job) sort(rep *report.Report) {
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

// ContinueTo returns where a sweep function hands unfinished work on: the
// SQS queue at queueURL when set, else the CloudEvents sink at sinkURL
// (e.g. a Knative broker whose trigger routes
// io.swrautopilot.sweep.requested back to the function, as in HTTP
// receiver mode), else nowhere (nil).
func ContinueTo(queueURL, sinkURL string) (Enqueuer, error) {
	switch {
	case queueURL != "":
		queue, err := sqsout.New(queueURL, sqsout.Options{})
		if err != nil {
			return nil, fmt.Errorf("sqs queue: %w", err)
		}
		return queue, nil
	case sinkURL != "":
		return report.Sink{URL: sinkURL}, nil
	}
	return nil, nil
}
