// Command grantsync is the grant-sync function: on a schedule, when the
// team directory changes, or when grants are edited in the console, it
// brings SWR's grants in every target in line with the team directory
// (checked at start-up, read on every run), refusing unsafe removals. It
// runs on Lambda, or as a CloudEvents HTTP receiver on PORT.
package main

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

func main() { function.Start(events.KindGrantSyncRequested, newJob) }

func newJob(ctx context.Context, s function.Setup[config.GrantSync]) (function.Job, error) {
	cfg := grantsync.Config{Directory: s.Config.Directory, DryRun: s.Config.DryRun, Logger: s.Logger}
	var err error
	if s.Config.Policy != "" {
		if cfg.Policy, err = function.LoadPolicy(ctx, s.Config.Policy); err == nil {
			err = multitarget.CheckPolicy(s.Registries, cfg.Policy)
		}
	}
	if err == nil { // the targets share the directory: one check is enough
		err = grantsync.New(nil, cfg).CheckDirectory(ctx)
	}
	return multitarget.PerTarget(grantsync.JobName, s.Registries, func(_ int, reg multitarget.Registry) multitarget.Job {
		return grantsync.New(reg.Client, cfg.ForTarget(reg.Target.Name))
	}), err
}
