// Command retentionsweep is the sweep function: on a schedule tick, or a
// continuation or shard event from its SQS queue, it sweeps every
// repository (or the namespaces the event names) through the retention
// engine and the audits the policy enables, stops before its deadline and
// hands the rest on: to its SQS queue, else to the sink, else it reports
// where it stopped. It runs as an AWS Lambda function when
// AWS_LAMBDA_RUNTIME_API is set and as a CloudEvents HTTP receiver on PORT
// otherwise. Configuration: see the README's table of environment variables.
package main

import (
	"context"
	"os"

	"github.com/swr-autopilot/swr-autopilot/internal/wire"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/handler"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout"
)

func main() {
	log := wire.Logger()
	ctx := context.Background()
	var cfg config.Sweep
	if err := config.LoadFunction(&cfg); err != nil {
		wire.Exit(log, "config", err)
	}
	regs, err := wire.Registries(ctx, cfg.Function)
	if err != nil {
		wire.Exit(log, "swr client", err)
	}
	pol, err := wire.LoadPolicy(ctx, cfg.Policy)
	if err != nil {
		wire.Exit(log, "policy", err)
	}
	dec, err := wire.Decoder(cfg.Function, events.KindSweepRequested)
	if err != nil {
		wire.Exit(log, "decoder", err)
	}
	sc := sweep.Config{DryRun: cfg.DryRun, Concurrency: cfg.Concurrency, FanOut: cfg.FanOut,
		DeadlineMargin: cfg.Margin, MaxImpactTags: cfg.MaxImpactTags}
	if cfg.QueueURL != "" {
		queue, err := sqsout.New(cfg.QueueURL, sqsout.Options{})
		if err != nil {
			wire.Exit(log, "sqs queue", err)
		}
		sc.Continue = queue
	} else if sink := cfg.SinkURL(); sink != "" {
		// No queue, as in HTTP receiver mode: the continuation goes to the
		// sink, e.g. a Knative broker whose trigger routes
		// io.swrautopilot.sweep.requested back to this function.
		sc.Continue = report.Sink{URL: sink}
	}
	engines, err := multitarget.Engines(regs, pol, autopilot.Options{Logger: log})
	if err != nil {
		wire.Exit(log, "policy", err)
	}
	members := make([]multitarget.Member, len(regs))
	for i, reg := range regs {
		tc := sc
		tc.Target = reg.Target.Name
		members[i] = multitarget.Member{Target: reg.Target, Job: sweep.New(engines[i], reg.Client, tc)}
	}
	job := multitarget.Jobs(sweep.JobName, members)
	wire.Run(log, handler.New(job, dec, wire.HandlerOptions(cfg.Function, log, os.Stdout)))
}
