// Command retentionsweep is the sweep function: on a schedule tick, or a
// continuation or shard event from its SQS queue, it sweeps every
// repository (or the namespaces the event names) through the retention
// engine and the policy's audits, stops before its deadline and hands the
// rest on (to its SQS queue, else to the sink, else it reports where it
// stopped). It runs as an AWS Lambda function when AWS_LAMBDA_RUNTIME_API is
// set and as a CloudEvents HTTP receiver on PORT otherwise.
package main

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
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
	engine := autopilot.NewEngine(s.Client, pol, autopilot.Options{Logger: s.Logger})
	return sweep.New(engine, s.Client, sweep.Config{DryRun: s.Config.DryRun, Concurrency: s.Config.Concurrency, FanOut: s.Config.FanOut,
		DeadlineMargin: s.Config.Margin, MaxImpactTags: s.Config.MaxImpactTags, Continue: cont}), nil
}
