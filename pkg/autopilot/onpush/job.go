// Package onpush is the job that brings one repository in line with the
// policy the moment something happens to it. A created repository or a
// pushed image gets its retention rule (observe → plan → simulate →
// guard → apply, through autopilot.Engine) and, when created, the
// policy's default grants; a changed trigger is audited when the policy
// audits triggers.
//
// A Job lives as long as its warm instance. It remembers the repositories
// it observed conformant, so that a burst of pushes to one repository costs
// one read: such a repository is not read again until Config.CacheTTL has
// passed, and any write to it forgets it at once.
package onpush

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Name is the job's name, in reports and logs.
const Name = "onpush"

// Job handles repository and push events. It is safe for concurrent use.
type Job struct {
	engine *autopilot.Engine
	cfg    Config
	cache  *conformantCache
}

// New returns a Job that works through engine.
func New(engine *autopilot.Engine, cfg Config) *Job {
	cfg = cfg.withDefaults()
	return &Job{
		engine: engine,
		cfg:    cfg,
		cache:  newConformantCache(cfg.CacheTTL, cfg.CacheSize, cfg.Now),
	}
}

// Name returns "onpush".
func (j *Job) Name() string { return Name }

// Mine reports whether the job acts on ev: a created repository or a
// pushed image, and a changed trigger when the policy audits triggers.
func (j *Job) Mine(ev events.Event) bool {
	if _, _, ok := target(ev); !ok {
		return false
	}
	switch ev.Kind {
	case events.KindImagePushed, events.KindRepositoryCreated:
		return true
	case events.KindTriggerChanged:
		return j.engine.Policy().Audits.Triggers != nil
	}
	return false
}

// Do handles the events of one invocation, one after the other, and adds
// what it observed, planned, refused and applied to rep. Errors met on a
// repository are reported.
//
// Do asks for redelivery only when no event was handled and every failure
// may pass by itself (SWR unreachable, throttling, 5xx, or ctx ending
// before the work); other failures are in the report only.
func (j *Job) Do(ctx context.Context, evs []events.Event, rep *report.Report) error {
	rep.DryRun = j.cfg.DryRun
	handled, failed, retryable := 0, 0, 0
	for _, ev := range evs {
		if err := ctx.Err(); err != nil {
			ns, repo, _ := target(ev)
			rep.Errors = append(rep.Errors, report.RepoError{Namespace: ns, Repository: repo, Op: "handle " + string(ev.Kind),
				Error: fmt.Sprintf("event %s not handled: %v", ev.ID, err)})
			failed++
			retryable++
			continue
		}
		res := j.handle(ctx, ev)
		res.AddTo(rep)
		if len(res.Errors) == 0 {
			handled++
			continue
		}
		failed++
		if res.Retryable() {
			retryable++
		}
	}
	if handled == 0 && failed > 0 && failed == retryable {
		return fmt.Errorf("%s: none of %d events handled; first error: %s", Name, failed, rep.Errors[0].Error)
	}
	return nil
}

// handle does the work one event asks for.
func (j *Job) handle(ctx context.Context, ev events.Event) autopilot.RepoResult {
	ns, repo, _ := target(ev)
	if err := checkSWRNames(ns, repo); err != nil {
		return autopilot.Failed(ns, repo, "check names", err)
	}
	if ev.Kind == events.KindTriggerChanged {
		return j.engine.AuditTriggers(ctx, ns, repo, j.cfg.DryRun)
	}
	return j.repository(ctx, ns, repo, ev.Kind == events.KindRepositoryCreated)
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
	// Holding the repository's lock checks and sets its cache entry atomically.
	ctx, unlock, err := j.engine.LockRepository(ctx, ns, repo)
	if err != nil {
		return autopilot.Failed(ns, repo, "wait for repository", err)
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
