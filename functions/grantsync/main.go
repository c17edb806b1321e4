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

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

func main() { function.Start(events.KindGrantSyncRequested, newJob) }

func newJob(ctx context.Context, s function.Setup[config.GrantSync]) (function.Job, error) {
	cfg := grantsync.Config{Directory: s.Config.Directory, DryRun: s.Config.DryRun, Logger: s.Logger}
	if s.Config.Policy != "" {
		var err error
		if cfg.Policy, err = function.LoadPolicy(ctx, s.Config.Policy); err != nil {
			return nil, err
		}
	}
	job := grantsync.New(s.Client, cfg)
	return job, job.CheckDirectory(ctx)
}
