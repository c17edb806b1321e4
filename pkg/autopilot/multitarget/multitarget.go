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
	"time"

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

// Job is what handler.Function runs.
type Job interface {
	Name() string
	Handle(ctx context.Context, evs []events.Event) (*report.Report, error)
}

// Member is one target's job.
type Member struct {
	Target targets.Target
	Job    Job
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
	return &router{name: name, members: members, set: set, now: time.Now}
}

type router struct {
	name    string
	members []Member
	set     *targets.Set
	now     func() time.Time
}

func (r *router) Name() string { return r.name }

// Handle routes evs to the members and runs each member that has events,
// in order. It returns an error when a member does, so that the input is
// delivered again; members that finished skip their events then as seen.
func (r *router) Handle(ctx context.Context, evs []events.Event) (*report.Report, error) {
	rep := &report.Report{Job: r.name, Started: r.now()}
	routed := make([][]events.Event, len(r.members))
	for _, ev := range evs {
		idx, err := r.route(ev)
		if err != nil {
			rep.Errors = append(rep.Errors, report.RepoError{Op: "route event " + ev.ID, Error: err.Error()})
			rep.EventIDs = append(rep.EventIDs, ev.ID)
			rep.Skipped++
			continue
		}
		for _, i := range idx {
			routed[i] = append(routed[i], ev)
		}
	}
	var errs []error
	for i, m := range r.members {
		if len(routed[i]) == 0 {
			continue
		}
		mr, err := m.Job.Handle(ctx, routed[i])
		if err != nil {
			errs = append(errs, fmt.Errorf("target %s: %w", m.Target.Name, err))
		}
		if mr != nil {
			mr.EventIDs = nil // the router lists each event once
			rep.AddTarget(m.Target.Name, mr)
		}
	}
	for _, ev := range evs {
		if !slices.Contains(rep.EventIDs, ev.ID) {
			rep.EventIDs = append(rep.EventIDs, ev.ID)
		}
	}
	rep.Tally()
	rep.Duration = report.Duration(r.now().Sub(rep.Started))
	return rep, errors.Join(errs...)
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
