// Package multitarget runs one job per target of a targets file: it
// connects a client to each target and routes every event to the target
// it belongs to, merging the targets' reports into one grouped by target.
//
// Routing: a sweep or grant-sync request naming a target goes to that
// target, one naming none to every target; a repository event goes to
// the target of its region (EventGrid events carry it; among several
// targets of one region, the one of the event's project), of its
// registry host (webhooks), or, naming neither, of its project. An event that matches no target is reported
// as an error and acknowledged: delivering it again would not help.
//
// Without a targets file there is one unnamed target and Jobs returns
// its job as it is, so that nothing changes.
package multitarget

import (
	"context"
	"errors"
	"fmt"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// Registry is one target and the client that reaches it.
type Registry struct {
	Target targets.Target
	Client *swr.Client
}

// Connect builds the client of every target of set, in set order, with
// r (which reads each target's credentials). opts apply to every client.
func Connect(ctx context.Context, set *targets.Set, r targets.Resolver, opts ...swr.Option) ([]Registry, error) {
	out := make([]Registry, 0, len(set.Targets))
	for _, t := range set.Targets {
		c, err := r.Client(ctx, t, opts...)
		if err != nil {
			return nil, err
		}
		out = append(out, Registry{Target: t, Client: c})
	}
	return out, nil
}

// Replicas returns the lookup an engine's replica verification uses: the
// client of the first target (in set order) in a region, or nil.
func Replicas(regs []Registry) func(region string) *swr.Client {
	byRegion := map[string]*swr.Client{}
	for _, r := range regs {
		if _, ok := byRegion[r.Target.Region]; !ok {
			byRegion[r.Target.Region] = r.Client
		}
	}
	return func(region string) *swr.Client { return byRegion[region] }
}

// Job is one target's job, as the function's runner (pkg/function) runs
// it: it says which events are its own and does their work.
type Job interface {
	Name() string
	Mine(ev events.Event) bool
	Do(ctx context.Context, evs []events.Event, rep *report.Report) error
}

// Member is one target's job and the client that reaches the target.
type Member struct {
	Target targets.Target
	Job    Job
	// Client, when set, is the job's client: its request counter gives
	// the target's share of the report's APICalls.
	Client *swr.Client
}

// Jobs returns one job that runs members, one per target, in order. With
// one unnamed member (no targets file) it returns that member's job.
func Jobs(name string, members []Member) Job {
	if len(members) == 1 && members[0].Target.Name == "" {
		return members[0].Job
	}
	set := &targets.Set{}
	for _, m := range members {
		set.Targets = append(set.Targets, m.Target)
	}
	return &router{name: name, members: members, set: set}
}

type router struct {
	name    string
	members []Member
	set     *targets.Set
}

func (r *router) Name() string { return r.name }

// Mine reports whether any target's job acts on ev.
func (r *router) Mine(ev events.Event) bool {
	for _, m := range r.members {
		if m.Job.Mine(ev) {
			return true
		}
	}
	return false
}

// Do routes evs to the members and runs each member that has events, in
// order, merging each target's report into rep. An event that matches no
// target is reported and acknowledged. Do asks for redelivery when a
// member does; the members that finished then do their events' work again
// on the redelivery, which writes nothing twice.
func (r *router) Do(ctx context.Context, evs []events.Event, rep *report.Report) error {
	routed := make([][]events.Event, len(r.members))
	for _, ev := range evs {
		idx, err := r.route(ev)
		if err != nil {
			rep.Errors = append(rep.Errors, report.RepoError{Op: "route event " + ev.ID, Error: err.Error()})
			rep.Skipped++
			continue
		}
		for _, i := range idx {
			if r.members[i].Job.Mine(ev) {
				routed[i] = append(routed[i], ev)
			}
		}
	}
	var failed, refused []error
	for i, m := range r.members {
		if len(routed[i]) == 0 {
			continue
		}
		mr := &report.Report{Job: r.name, Started: rep.Started}
		calls := requests(m.Client)
		err := m.Job.Do(ctx, routed[i], mr)
		mr.APICalls = requests(m.Client) - calls
		switch {
		case events.IsTerminal(err):
			refused = append(refused, fmt.Errorf("target %s: %w", m.Target.Name, err))
		case err != nil:
			failed = append(failed, fmt.Errorf("target %s: %w", m.Target.Name, err))
		}
		rep.AddTarget(m.Target.Name, mr)
	}
	if len(failed) > 0 {
		return errors.Join(failed...)
	}
	return events.Terminal(errors.Join(refused...))
}

func requests(c *swr.Client) int64 {
	if c == nil {
		return 0
	}
	return c.Stats().Requests
}

// route returns the members ev goes to.
func (r *router) route(ev events.Event) ([]int, error) {
	all := func() []int {
		idx := make([]int, len(r.members))
		for i := range idx {
			idx[i] = i
		}
		return idx
	}
	named := func(name string) ([]int, error) {
		for i, m := range r.members {
			if m.Target.Name == name {
				return []int{i}, nil
			}
		}
		return nil, fmt.Errorf("no target is called %q (targets: %v)", name, r.set.Names())
	}
	switch p := ev.Payload.(type) {
	case events.SweepRequested:
		if p.Target != "" {
			return named(p.Target)
		}
		return all(), nil
	case events.GrantSyncRequested:
		if p.Target != "" {
			return named(p.Target)
		}
		return all(), nil
	case events.Unknown:
		// Acknowledged and counted by one member, as without targets.
		return []int{0}, nil
	}
	var candidates []targets.Target
	loc := ev.Location
	switch {
	case loc.Region != "":
		candidates = r.set.ByRegion(loc.Region)
		if len(candidates) > 1 && loc.ProjectID != "" {
			var same []targets.Target
			for _, t := range candidates {
				if t.ProjectID == loc.ProjectID {
					same = append(same, t)
				}
			}
			candidates = same
		}
	case loc.RegistryHost != "":
		candidates = r.set.ByHost(loc.RegistryHost)
	case loc.ProjectID != "":
		for _, t := range r.set.Targets {
			if t.ProjectID == loc.ProjectID {
				candidates = append(candidates, t)
			}
		}
	case len(r.members) == 1:
		return []int{0}, nil
	default:
		return nil, fmt.Errorf("%s names no region, project or registry host: it cannot be routed to one of the targets %v", ev.Kind, r.set.Names())
	}
	switch len(candidates) {
	case 0:
		return nil, fmt.Errorf("%s from %s: no target covers it (targets: %v)", ev.Kind, where(loc), r.set.Names())
	case 1:
		return named(candidates[0].Name)
	}
	return nil, fmt.Errorf("%s from %s: several targets cover it and the event names no project that tells them apart", ev.Kind, where(loc))
}

func where(loc events.Location) string {
	switch {
	case loc.Region != "" && loc.ProjectID != "":
		return "region " + loc.Region + ", project " + loc.ProjectID
	case loc.Region != "":
		return "region " + loc.Region
	case loc.RegistryHost != "":
		return "registry " + loc.RegistryHost
	}
	return "project " + loc.ProjectID
}

// CheckPolicy fails when pol scopes a rule to a target the registries do
// not have.
func CheckPolicy(regs []Registry, pol *policy.Policy) error {
	names := make([]string, len(regs))
	for i, r := range regs {
		names[i] = r.Target.Name
	}
	for _, t := range pol.Targets() {
		if !slices.Contains(names, t) {
			return fmt.Errorf("the policy scopes rules to target %q, which is not in the targets file (targets: %v)", t, names)
		}
	}
	return nil
}

// Engines builds one engine per registry, following pol as it applies in
// the registry's target, with the other registries' clients for the
// replica verification. opts.Target and opts.Replicas are set here. It
// fails when pol scopes a rule to a target the registries do not have.
func Engines(regs []Registry, pol *policy.Policy, opts autopilot.Options) ([]*autopilot.Engine, error) {
	if err := CheckPolicy(regs, pol); err != nil {
		return nil, err
	}
	replicas := Replicas(regs)
	out := make([]*autopilot.Engine, len(regs))
	for i, r := range regs {
		o := opts
		o.Target, o.Replicas = r.Target.Name, replicas
		out[i] = autopilot.NewEngine(r.Client, pol, o)
	}
	return out, nil
}

// PerTarget returns the job called name over regs: job builds the job of
// each target (Jobs joins them).
func PerTarget(name string, regs []Registry, job func(i int, reg Registry) Job) Job {
	members := make([]Member, len(regs))
	for i, reg := range regs {
		members[i] = Member{Target: reg.Target, Client: reg.Client, Job: job(i, reg)}
	}
	return Jobs(name, members)
}

// EngineJobs returns the job called name over regs, each target's built
// by job around an engine that follows pol as it applies in that target
// (Engines).
func EngineJobs(name string, regs []Registry, pol *policy.Policy, opts autopilot.Options, job func(e *autopilot.Engine, reg Registry) Job) (Job, error) {
	engines, err := Engines(regs, pol, opts)
	if err != nil {
		return nil, err
	}
	return PerTarget(name, regs, func(i int, reg Registry) Job { return job(engines[i], reg) }), nil
}
