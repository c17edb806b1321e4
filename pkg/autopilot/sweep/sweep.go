package sweep

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"sync"

	cloudevents "github.com/cloudevents/sdk-go/v2/event"
	"golang.org/x/sync/errgroup"
	"golang.org/x/sync/semaphore"

	"github.com/swr-autopilot/swr-autopilot/pkg/deadline"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Repositories are listed by name, ascending, so that offsets stay put
// while tags are pushed (the default order may follow update times).
const (
	listOrderColumn = "name"
	listOrderType   = "asc"
)

// sweep carries out one sweep request into rep. parent is the key of the
// event that asked for it (empty for none): the events it hands on derive
// their ids from it, so that a retried invocation hands on the same ids.
// When the sweep runs out of time, it sets rep.Cursor and, with a queue,
// passes its continuation to handOn at once, before the repositories in
// flight finish; without one, it reports a warning finding that says how
// to resume.
func (j *Job) sweep(ctx context.Context, req events.SweepRequested, parent string, rep *report.Report,
	handOn func(cloudevents.Event) error) error {
	dryRun := j.cfg.DryRun || req.DryRun
	if req.Target != "" && req.Target != j.cfg.Target {
		return events.Terminal(fmt.Errorf("sweep of target %s: this sweep covers %s", quoteShort(req.Target), targetLabel(j.cfg.Target)))
	}
	var start Cursor
	if req.Cursor != "" {
		c, err := ParseCursor(req.Cursor)
		if err != nil {
			return events.Terminal(err)
		}
		start = c
	}
	for _, ns := range req.Namespaces {
		// Decoding accepts the wider names of SWR Enterprise / Harbor;
		// this sweep lists and writes through the SWR API, which holds
		// none that breaks SWR's rule.
		if err := swr.CheckNamespaceName(ns); err != nil {
			return events.Terminal(fmt.Errorf("sweep namespace %s: not an SWR namespace name: it %w", quoteShort(ns), err))
		}
	}
	namespaces, err := j.namespaces(ctx, req.Namespaces)
	if err != nil {
		return err
	}
	if j.cfg.FanOut && j.cfg.Continue != nil && len(req.Namespaces) == 0 && req.Cursor == "" {
		return j.fanOut(ctx, parent, namespaces, dryRun)
	}

	first := 0
	if req.Cursor != "" {
		first, _ = slices.BinarySearch(namespaces, start.Namespace)
		found := first < len(namespaces) && namespaces[first] == start.Namespace
		if !found && len(req.Namespaces) > 0 {
			return events.Terminal(fmt.Errorf("cursor %s names namespace %q, which the sweep does not cover", req.Cursor, start.Namespace))
		}
		if !found {
			// The namespace is gone; carry on with the next one.
			start = Cursor{}
		}
	}
	namespaces = namespaces[first:]

	s := &sweeper{job: j, dryRun: dryRun, rep: rep, slots: semaphore.NewWeighted(int64(j.cfg.Concurrency))}
	work, cancel := deadline.Work(ctx, j.cfg.DeadlineMargin)
	defer cancel()
	if j.cfg.Progress != nil {
		s.total = j.count(work, namespaces, len(req.Namespaces) == 0 && req.Cursor == "", start)
	}
	stop := s.run(ctx, work, namespaces, start)
	if stop == nil {
		s.wait()
		return nil
	}
	if s.started == 0 {
		s.wait()
		return fmt.Errorf("sweep: nothing started: %v left before the deadline, within the margin of %v (%w)",
			deadline.Remaining(ctx), j.cfg.DeadlineMargin, work.Err())
	}
	rep.Cursor = stop.String()
	if j.cfg.Continue == nil {
		s.wait()
		rep.Findings = append(rep.Findings, incomplete(rep.Cursor, req))
		return nil
	}
	err = handOn(events.NewTargetSweepContinuation(parent, j.cfg.Target, rep.Cursor, req.Namespaces, dryRun))
	s.wait()
	if err != nil {
		return fmt.Errorf("hand on the sweep at cursor %s: %w", rep.Cursor, err)
	}
	return nil
}

// CodeIncomplete is the finding of a sweep that stopped at its deadline
// with no queue to hand the rest on to.
const CodeIncomplete = "sweep.incomplete"

// incomplete is the finding of a sweep stopped at cursor with no queue:
// the repositories from there on, and their audits, were not visited.
func incomplete(cursor string, req events.SweepRequested) report.Finding {
	return report.Finding{Code: CodeIncomplete, Severity: report.SeverityWarning, Subject: cursor,
		Message: "the sweep stopped at its deadline at cursor " + cursor + ": the repositories from there on were not swept " +
			"and their audits not run; there is no queue (AUTOPILOT_SWEEP_QUEUE_URL) to hand them on to",
		Remediation: resumeHint(cursor, req.Namespaces)}
}

// notStarted is the finding of a sweep request that a sweep stopped at
// its deadline left unstarted, with no queue.
func notStarted(req events.SweepRequested) report.Finding {
	return report.Finding{Code: CodeIncomplete, Severity: report.SeverityWarning, Subject: req.Cursor,
		Message:     "a sweep request of this invocation was not started: an earlier one ran out of time",
		Remediation: resumeHint(req.Cursor, req.Namespaces)}
}

// resumeHint says how to carry a sweep on from cursor.
func resumeHint(cursor string, namespaces []string) string {
	cli := "swr-autopilot sweep"
	for _, ns := range namespaces {
		cli += " -namespace " + ns
	}
	if cursor != "" {
		cli += " -cursor " + cursor
	}
	data, _ := json.Marshal(struct {
		Namespaces []string `json:"namespaces,omitempty"`
		Cursor     string   `json:"cursor,omitempty"`
	}{namespaces, cursor})
	return "resume with `" + cli + "`, or send the function an " + events.TypeSweepRequested + " CloudEvent with data " + string(data)
}

// namespaces returns the namespaces to sweep, sorted and each once: those
// asked for, or every namespace the caller may see (one list call).
func (j *Job) namespaces(ctx context.Context, asked []string) ([]string, error) {
	var names []string
	if len(asked) > 0 {
		names = slices.Clone(asked)
	} else {
		list, err := j.client.Namespaces.List(ctx)
		if err != nil {
			return nil, fmt.Errorf("sweep: list namespaces: %w", err)
		}
		names = make([]string, len(list))
		for i, ns := range list {
			names[i] = ns.Name
		}
	}
	slices.Sort(names)
	return slices.Compact(names), nil
}

// fanOut enqueues one shard event per namespace, as children of parent.
func (j *Job) fanOut(ctx context.Context, parent string, namespaces []string, dryRun bool) error {
	if len(namespaces) == 0 {
		return nil
	}
	evs := make([]cloudevents.Event, len(namespaces))
	for i, ns := range namespaces {
		evs[i] = events.NewTargetSweepShard(parent, j.cfg.Target, ns, "", dryRun)
	}
	if err := j.enqueue(ctx, evs); err != nil {
		return fmt.Errorf("sweep: fan out %d namespaces: %w", len(namespaces), err)
	}
	return nil
}

// count returns how many repositories the sweep will visit, or 0 when SWR
// does not say: one list call for the whole registry, else a listing of
// each namespace (one call per 1000 repositories) that counts the
// repositories the sweep has still to visit there, those of other
// namespaces a loose filter lists left out.
func (j *Job) count(ctx context.Context, namespaces []string, whole bool, from Cursor) int {
	if whole {
		_, page, err := j.client.Repositories.List(ctx, &swr.ListReposOptions{Limit: 1})
		if err != nil || page.Total < 0 {
			return 0
		}
		return page.Total
	}
	sum := 0
	for _, ns := range namespaces {
		for _, err := range j.pending(ctx, ns, from) {
			if err != nil {
				return 0
			}
			sum++
		}
	}
	return sum
}

// sweeper is the state of one sweep request: the worker pool and the
// report it fills.
type sweeper struct {
	job     *Job
	dryRun  bool
	slots   *semaphore.Weighted // one slot per repository in flight
	workers errgroup.Group      // the repositories in flight

	mu      sync.Mutex // guards what follows
	rep     *report.Report
	started int
	done    int
	total   int
}

// run sweeps namespaces in order, the first from where from says,
// starting repositories until work ends. It returns where it stopped, or
// nil when it finished; the caller waits for the repositories in flight
// (s.wait). Repositories run under ctx, so that the ones started finish
// after work has ended.
func (s *sweeper) run(ctx, work context.Context, namespaces []string, from Cursor) *Cursor {
	for _, ns := range namespaces {
		if stop := s.namespace(ctx, work, ns, from); stop != nil {
			return stop
		}
	}
	return nil
}

// namespace streams the repositories of ns still to visit after from
// (Job.pending) into the worker pool. It returns where it stopped because
// work ended, or nil when it got through the namespace. A listing failure
// is reported and ends the namespace, not the sweep.
func (s *sweeper) namespace(ctx, work context.Context, ns string, from Cursor) *Cursor {
	stop := Cursor{Namespace: ns}
	if from.Namespace == ns {
		// Until a repository starts, a stop resumes as from would.
		stop.Last = from.Last
	}
	for repo, err := range s.job.pending(work, ns, from) {
		if err != nil {
			if work.Err() != nil {
				stop.Offset = repo.at
				return &stop
			}
			s.fail(report.RepoError{Namespace: ns, Op: "list repositories",
				Error: fmt.Sprintf("list repositories of %s from offset %d (the rest of the namespace was not swept): %v", ns, repo.at, err)})
			return nil
		}
		if !s.acquire(work) {
			stop.Offset = repo.at
			return &stop
		}
		stop.Last = repo.Name
		s.workers.Go(func() error {
			defer s.slots.Release(1)
			s.check(ctx, repo.Repository)
			return nil
		})
	}
	return nil
}

// acquire waits for a free worker slot. It reports false, holding no
// slot, once work has ended.
func (s *sweeper) acquire(work context.Context) bool {
	if work.Err() != nil {
		return false
	}
	if s.slots.Acquire(work, 1) != nil {
		return false
	}
	if work.Err() != nil {
		s.slots.Release(1)
		return false
	}
	s.mu.Lock()
	s.started++
	s.mu.Unlock()
	return true
}

// wait waits for the repositories in flight.
func (s *sweeper) wait() { _ = s.workers.Wait() }

// check runs every check on one repository and records the result.
func (s *sweeper) check(ctx context.Context, repo swr.Repository) {
	res := s.job.engine.Retention(ctx, repo.Namespace, repo.Name, s.dryRun, nil)
	res.Merge(s.job.engine.Audit(ctx, repo, s.dryRun))
	if n := s.job.cfg.MaxImpactTags; n > 0 {
		cutImpacts(res.Changes, n)
	}

	s.mu.Lock()
	defer s.mu.Unlock()
	res.AddTo(s.rep)
	s.done++
	if s.job.cfg.Progress != nil {
		total := s.total
		if total > 0 && total < s.done {
			total = s.done // repositories appeared while sweeping
		}
		s.job.cfg.Progress(s.done, total)
	}
}

// cutImpacts keeps at most n tag names in each list of the changes'
// impacts. The names kept are copied, so that the full lists can be
// collected.
func cutImpacts(changes []report.Change, n int) {
	for _, c := range changes {
		if c.Impact == nil {
			continue
		}
		c.Impact.Truncate(n)
		c.Impact.Keep = slices.Clone(c.Impact.Keep)
		c.Impact.Delete = slices.Clone(c.Impact.Delete)
	}
}

// fail records an error that belongs to no single repository.
func (s *sweeper) fail(e report.RepoError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.rep.Errors = append(s.rep.Errors, e)
}

// targetLabel names the target a job sweeps, in messages.
func targetLabel(name string) string {
	if name == "" {
		return "no named target (there is no targets file)"
	}
	return "target " + quoteShort(name)
}
