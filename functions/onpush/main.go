// Command onpush is the onpush function: when a repository is created or an
// image is pushed, it brings that one repository in line with the policy
// (retention rule, default grants). It runs as an AWS Lambda function when
// AWS_LAMBDA_RUNTIME_API is set and as a CloudEvents HTTP receiver on PORT
// otherwise. Configuration: see the README's table of environment variables.
package main

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

func main() { function.Start(events.KindSweepRequested, newJob) }

func newJob(ctx context.Context, s function.Setup[config.OnPush]) (function.Job, error) {
	pol, err := function.LoadPolicy(ctx, s.Config.Policy)
	if err != nil {
		return nil, err
	}
	return multitarget.EngineJobs(onpush.Name, s.Registries, pol, autopilot.Options{Logger: s.Logger},
		func(e *autopilot.Engine, _ multitarget.Registry) multitarget.Job {
			return onpush.New(e, onpush.Config{DryRun: s.Config.DryRun, CacheTTL: s.Config.ConformantCacheTTL()})
		})
}
