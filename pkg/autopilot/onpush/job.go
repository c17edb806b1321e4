// Package onpush is the job that brings one repository in line with the
// policy the moment something happens to it. A created repository or a
// pushed image gets its retention rule (observe → plan → simulate →
// guard → apply, through autopilot.Engine) and, when created, the
// policy's default grants; a changed trigger is audited when the policy
// audits triggers.
//
// A Job lives as long as its warm instance. It remembers the event keys it
// handled, so redeliveries do no work twice, and the repositories it
// observed conformant, so that a burst of pushes to one repository costs
// one read: such a repository is not read again until Config.CacheTTL has
// passed, and any write to it forgets it at once.
package onpush

import (
	"context"
	"fmt"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/internal/keylock"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Name is the job's name, in reports and logs.
const Name = "onpush"

// Job handles repository and push events. It is safe for concurrent use.
type Job struct {
	engine *autopilot.Engine
	client *swr.Client
	cfg    Config
	dedupe *events.Deduper
	cache  *conformantCache
	locks  keylock.Map // one repository at a time, so its cache entry is checked and set atomically
}

// New returns a Job that works through engine. client is the engine's SWR
// client; its request counter gives each report's APICalls (requests of
// other work sharing the client at the same time are counted too).
func New(engine *autopilot.Engine, client *swr.Client, cfg Config) *Job {
	cfg = cfg.withDefaults()
	return &Job{
		engine: engine,
		client: client,
		cfg:    cfg,
		dedupe: events.NewDeduper(cfg.DedupeSize),
		cache:  newConformantCache(cfg.CacheTTL, cfg.CacheSize, cfg.Now),
	}
}

// Name returns "onpush".
func (j *Job) Name() string { return Name }

// Handle handles the events of one invocation, one after the other, and
// reports what it observed, planned, refused and applied. Events of other
// kinds, NamespaceCreated, trigger changes when the policy does not audit
// triggers, and events already handled are acknowledged without work and
// counted in Report.Skipped. Errors met on a repository are reported, and
// the event is forgotten by the de-duplication so that a redelivery is
// handled.
//
// Handle returns an error, asking for the input to be delivered again,
// only when no event was handled and every failure may pass by itself
// (SWR unreachable, throttling, 5xx, or ctx ending before the work).
func (j *Job) Handle(ctx context.Context, evs []events.Event) (*report.Report, error) {
	started := j.cfg.Now()
	callsBefore := j.client.Stats().Requests
	rep := &report.Report{Job: Name, DryRun: j.cfg.DryRun, Started: started}

	handled, failed, retryable := 0, 0, 0
	for _, ev := range evs {
		rep.EventIDs = append(rep.EventIDs, ev.ID)
		ns, repo, _ := target(ev)
		if err := ctx.Err(); err != nil {
			rep.Errors = append(rep.Errors, report.RepoError{Namespace: ns, Repository: repo, Op: "handle " + string(ev.Kind),
				Error: fmt.Sprintf("event %s not handled: %v", ev.ID, err)})
			failed++
			retryable++
			continue
		}
		if j.dedupe.Seen(ev.Key()) {
			rep.Skipped++
			continue
		}
		res, ok := j.handle(ctx, ev)
		if !ok {
			rep.Skipped++
			continue
		}
		res.AddTo(rep)
		if len(res.Errors) == 0 {
			handled++
			continue
		}
		j.dedupe.Forget(ev.Key())
		failed++
		if res.Retryable() {
			retryable++
		}
	}

	rep.Tally()
	rep.Duration = report.Duration(j.cfg.Now().Sub(started))
	rep.APICalls = j.client.Stats().Requests - callsBefore
	j.log(ctx, rep)
	if handled == 0 && failed > 0 && failed == retryable {
		return rep, fmt.Errorf("%s: none of %d events handled; first error: %s", Name, failed, rep.Errors[0].Error)
	}
	return rep, nil
}

// handle does the work one event asks for; ok is false for events the job
// acknowledges without work.
func (j *Job) handle(ctx context.Context, ev events.Event) (res autopilot.RepoResult, ok bool) {
	ns, repo, ok := target(ev)
	if !ok {
		return res, false
	}
	var work func() autopilot.RepoResult
	switch ev.Kind {
	case events.KindImagePushed, events.KindRepositoryCreated:
		created := ev.Kind == events.KindRepositoryCreated
		work = func() autopilot.RepoResult { return j.repository(ctx, ns, repo, created) }
	case events.KindTriggerChanged:
		if j.engine.Policy().Audits.Triggers == nil {
			return res, false
		}
		work = func() autopilot.RepoResult { return j.engine.AuditTriggers(ctx, ns, repo, j.cfg.DryRun) }
	default:
		return res, false
	}
	if err := checkSWRNames(ns, repo); err != nil {
		return autopilot.Failed(ns, repo, "check names", err), true
	}
	return work(), true
}

// checkSWRNames reports a namespace or repository name SWR cannot hold.
// Decoding accepts the wider names of SWR Enterprise / Harbor (a namespace
// starting with a digit, names of up to 255 characters); such a name
// reaches no repository through the SWR API, so the event is reported,
// naming the rule it breaks, instead of being sent there.
func checkSWRNames(ns, repo string) error {
	if err := swr.CheckNamespaceName(ns); err != nil {
		return fmt.Errorf("namespace %q is not an SWR namespace name: it %w", ns, err)
	}
	if err := swr.CheckRepositoryName(repo); err != nil {
		return fmt.Errorf("repository %q is not an SWR repository name: it %w", repo, err)
	}
	return nil
}

// repository brings ns/repo's retention in line, and its default grants
// when it was just created, unless it was observed conformant within the
// cache TTL (and its rule does not protect deployed tags).
func (j *Job) repository(ctx context.Context, ns, repo string, created bool) autopilot.RepoResult {
	key := ns + "/" + repo
	unlock, err := j.locks.Lock(ctx, key)
	if err != nil {
		return autopilot.Failed(ns, repo, "wait for repository", fmt.Errorf("wait for other work on %s: %w", key, err))
	}
	defer unlock()

	// A push may fire a trigger, whose deployment moves what a rule with
	// deployed-image protection keeps: such a repository is observed on
	// every event, whatever the cache says.
	rule, _ := j.engine.Policy().RetentionFor(ns, repo)
	if created || rule.ProtectDeployed.Enabled() {
		// A repository created anew (perhaps under a name seen before)
		// holds no rule yet, whatever was observed.
		j.cache.forget(key)
	} else if j.cache.fresh(key) {
		return autopilot.RepoResult{Namespace: ns, Repository: repo, Conformant: true}
	}
	res := j.engine.Retention(ctx, ns, repo, j.cfg.DryRun, nil)
	if created {
		res.Merge(j.engine.DefaultGrants(ctx, ns, repo, j.cfg.DryRun))
	}
	switch {
	case res.Wrote:
		j.cache.forget(key)
	case res.Conformant && !res.Unmanaged && len(res.Errors) == 0:
		j.cache.confirm(key)
	}
	return res
}

// target returns the repository an event is about.
func target(ev events.Event) (ns, repo string, ok bool) {
	switch p := ev.Payload.(type) {
	case events.ImagePushed:
		return p.Namespace, p.Repository, true
	case *events.ImagePushed:
		return p.Namespace, p.Repository, true
	case events.RepositoryCreated:
		return p.Namespace, p.Repository, true
	case *events.RepositoryCreated:
		return p.Namespace, p.Repository, true
	case events.TriggerChanged:
		return p.Namespace, p.Repository, true
	case *events.TriggerChanged:
		return p.Namespace, p.Repository, true
	}
	return "", "", false
}

// log writes the report's summary, and one line per change that was
// applied, refused or failed.
func (j *Job) log(ctx context.Context, rep *report.Report) {
	for _, ch := range rep.Changes {
		if ch.Status == report.StatusPlanned {
			continue
		}
		j.cfg.Logger.InfoContext(ctx, "change "+string(ch.Status), "job", Name, "kind", ch.Kind, "op", ch.Op,
			"resource", ch.Resource(), "detail", ch.Detail())
	}
	byStatus := map[report.Status]int{}
	for _, ch := range rep.Changes {
		byStatus[ch.Status]++
	}
	c := rep.Counts
	j.cfg.Logger.InfoContext(ctx, "onpush report", "job", Name, "dry_run", rep.DryRun, "events", len(rep.EventIDs),
		"event_ids", rep.EventIDs, "skipped", rep.Skipped, "scanned", c.Scanned, "conformant", c.Conformant,
		"unmanaged", c.Unmanaged, "planned", byStatus[report.StatusPlanned], "refused", byStatus[report.StatusRefused],
		"applied", byStatus[report.StatusApplied], "failed", byStatus[report.StatusFailed], "errors", c.Errors,
		"findings", c.Findings, "api_calls", rep.APICalls, "duration", time.Duration(rep.Duration))
}
