// Command retentionsweep is the sweep function: on a tick, or a
// continuation or shard event from its queue, it sweeps the repositories of
// every target (or those the event names) through the retention engine and
// the audits, handing on what its deadline leaves. Lambda or HTTP receiver.
package main

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

func main() { function.Start(events.KindSweepRequested, newJob) }

func newJob(ctx context.Context, s function.Setup[config.Sweep]) (function.Job, error) {
	pol, err := function.LoadPolicy(ctx, s.Config.Policy)
	if err != nil {
		return nil, err
	}
	cont, err := sweep.ContinueTo(s.Config.QueueURL, s.Config.SinkURL())
	if err != nil {
		return nil, err
	}
	return multitarget.EngineJobs(sweep.JobName, s.Registries, pol, autopilot.Options{Logger: s.Logger},
		func(e *autopilot.Engine, reg multitarget.Registry) multitarget.Job {
			return sweep.New(e, reg.Client, sweep.Config{DryRun: s.Config.DryRun, Concurrency: s.Config.Concurrency, FanOut: s.Config.FanOut,
				DeadlineMargin: s.Config.Margin, MaxImpactTags: s.Config.MaxImpactTags, Continue: cont, Target: reg.Target.Name})
		})
}
