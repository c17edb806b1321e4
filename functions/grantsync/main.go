// Command grantsync is the grant-sync function: on a schedule, when the
// team directory changes, or when grants are edited in the console, it
// brings SWR's namespace and repository grants in line with the team
// directory, refusing unsafe removals. It loads and validates the team
// directory at start-up, and reads it again on every run. It runs as an AWS Lambda function
// when AWS_LAMBDA_RUNTIME_API is set and as a CloudEvents HTTP receiver on
// PORT otherwise. Configuration: see the README's table of environment
// variables.
package main

import (
	"context"
	"os"

	"github.com/swr-autopilot/swr-autopilot/internal/wire"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/handler"
)

func main() {
	log := wire.Logger()
	var cfg config.GrantSync
	if err := config.LoadFunction(&cfg); err != nil {
		wire.Exit(log, "config", err)
	}
	regs, err := wire.Registries(context.Background(), cfg.Function)
	if err != nil {
		wire.Exit(log, "swr client", err)
	}
	dec, err := wire.Decoder(cfg.Function, events.KindGrantSyncRequested)
	if err != nil {
		wire.Exit(log, "decoder", err)
	}
	gcfg := grantsync.Config{Directory: cfg.Directory, DryRun: cfg.DryRun, DedupeSize: cfg.DedupeSize, Logger: log}
	if cfg.Policy != "" {
		if gcfg.Policy, err = wire.LoadPolicy(context.Background(), cfg.Policy); err != nil {
			wire.Exit(log, "policy", err)
		}
		if err := multitarget.CheckPolicy(regs, gcfg.Policy); err != nil {
			wire.Exit(log, "policy", err)
		}
	}
	members := make([]multitarget.Member, len(regs))
	for i, reg := range regs {
		tc := gcfg
		if tc.Policy != nil {
			tc.Policy = tc.Policy.ForTarget(reg.Target.Name)
		}
		job := grantsync.New(reg.Client, tc)
		if i == 0 {
			// The targets share the directory: checking it once is enough.
			if err := job.CheckDirectory(context.Background()); err != nil {
				wire.Exit(log, "team directory", err)
			}
		}
		members[i] = multitarget.Member{Target: reg.Target, Job: job}
	}
	job := multitarget.Jobs(grantsync.JobName, members)
	wire.Run(log, handler.New(job, dec, wire.HandlerOptions(cfg.Function, log, os.Stdout)))
}
