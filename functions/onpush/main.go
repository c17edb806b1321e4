// Command onpush is the onpush function: when a repository is created or an
// image is pushed, it brings that one repository in line with the policy
// (retention rule, default grants). It runs as an AWS Lambda function when
// AWS_LAMBDA_RUNTIME_API is set and as a CloudEvents HTTP receiver on PORT
// otherwise. Configuration: see the README's table of environment variables.
package main

import (
	"context"
	"os"

	"github.com/swr-autopilot/swr-autopilot/internal/wire"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/handler"
)

func main() {
	log := wire.Logger()
	var cfg config.OnPush
	if err := config.LoadFunction(&cfg); err != nil {
		wire.Exit(log, "config", err)
	}
	ctx := context.Background()
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
	engines, err := multitarget.Engines(regs, pol, autopilot.Options{Logger: log})
	if err != nil {
		wire.Exit(log, "policy", err)
	}
	members := make([]multitarget.Member, len(regs))
	for i, reg := range regs {
		members[i] = multitarget.Member{Target: reg.Target, Job: onpush.New(engines[i], reg.Client,
			onpush.Config{DryRun: cfg.DryRun, CacheTTL: cfg.ConformantCacheTTL(), DedupeSize: cfg.DedupeSize, Logger: log})}
	}
	job := multitarget.Jobs("onpush", members)
	wire.Run(log, handler.New(job, dec, wire.HandlerOptions(cfg.Function, log, os.Stdout)))
}
