// Package autopilot runs swr-autopilot's jobs as plain Go: for each
// repository it observes the current state through the SWR client, plans
// the change with pkg/plan, guards it, applies exactly the plan and
// reports. The Lambda functions, the HTTP receivers and the CLI all share
// it.
package autopilot

import (
	"log/slog"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/internal/keylock"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Engine brings single repositories in line with a policy. It is safe for
// concurrent use; retention work on one repository is serialised so that
// concurrent events for it write at most once.
type Engine struct {
	client   *swr.Client
	policy   *policy.Policy
	now      func() time.Time
	log      *slog.Logger
	locks    keylock.Map
	replicas func(region string) *swr.Client
}

// Options tune an Engine. The zero value is usable.
type Options struct {
	Now    func() time.Time // clock for retention simulation; defaults to time.Now
	Logger *slog.Logger     // defaults to slog.Default()
	// Target is the name of the target (of a targets file) the engine
	// governs: the policy's rules scoped to other targets do not apply.
	// Empty for a deployment without targets.
	Target string
	// Replicas returns the client of the target in a region, for the
	// replica verification (audits.sync.verify); nil, or a nil client,
	// when no target covers the region.
	Replicas func(region string) *swr.Client
}

// NewEngine returns an Engine that talks to SWR through c and follows p as
// it applies in opts.Target.
func NewEngine(c *swr.Client, p *policy.Policy, opts Options) *Engine {
	e := &Engine{client: c, policy: p.ForTarget(opts.Target), now: opts.Now, log: opts.Logger, replicas: opts.Replicas}
	if e.now == nil {
		e.now = time.Now
	}
	if e.log == nil {
		e.log = slog.Default()
	}
	return e
}

// Policy returns the policy the engine follows (as it applies in its
// target).
func (e *Engine) Policy() *policy.Policy { return e.policy }

// Client returns the SWR client the engine uses.
func (e *Engine) Client() *swr.Client { return e.client }

// Writes reports whether a run with the given dry-run setting writes to
// SWR: only when it is not a dry run and the policy is in enforce mode.
func (e *Engine) Writes(dryRun bool) bool {
	return !dryRun && e.policy.Mode == policy.ModeEnforce
}
