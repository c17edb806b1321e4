package main

import (
	"context"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// swrFlags are the flags every command that talks to SWR shares. Credentials
// always come from the environment (HUAWEICLOUD_SDK_*), never from flags, so
// they do not show up in process listings or shell history.
type swrFlags struct {
	endpoint string
	targets  string // a targets file, for the commands that run over targets
}

func (f *swrFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&f.endpoint, "endpoint", "", "SWR API endpoint (overrides SWR_ENDPOINT and the regional default)")
}

// registerTargets adds -targets, for commands that run over every target.
func (f *swrFlags) registerTargets(fs *flag.FlagSet) {
	fs.StringVar(&f.targets, "targets", targetsDefault(), "targets `FILE` (path, https:// or s3://) listing the regions and projects to cover (default $AUTOPILOT_TARGETS; none: the one registry of the environment)")
}

// client builds the SWR client from the environment and the flags.
func (f *swrFlags) client() (*swr.Client, error) {
	cfg, err := config.Read()
	if err != nil {
		return nil, err
	}
	if f.endpoint != "" {
		cfg.EndpointURL = f.endpoint
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	c, err := cfg.NewClient()
	if err != nil {
		return nil, fmt.Errorf("swr client: %w", err)
	}
	return c, nil
}

// policyEnv names the policy source when -policy is not given.
const policyEnv = "AUTOPILOT_POLICY"

// orEnv returns flagValue, or the variable name when the flag was not
// given. Flags never take such defaults themselves: -h would print them,
// credentials in a URL included.
func orEnv(flagValue, name string) string {
	if flagValue != "" {
		return flagValue
	}
	return os.Getenv(name)
}

// loadPolicy reads and validates the policy at src (a path, an https URL
// or s3://bucket/key) with the functions' own loader and size limit.
func loadPolicy(ctx context.Context, src string) (*policy.Policy, error) {
	if src == "" {
		return nil, fmt.Errorf("no policy file: pass -policy FILE or set %s", policyEnv)
	}
	return function.LoadPolicy(ctx, src)
}

// runJob runs job once for the request events, through the runner the
// functions use, and returns its report. The CLI renders the report
// itself, so the runner's log lines are dropped. With one registry its
// client counts the API calls; a job over several counts its own.
func runJob(ctx context.Context, job function.Job, regs []multitarget.Registry, evs ...events.Event) (*report.Report, error) {
	opts := function.RunnerOptions{Logger: slog.New(slog.DiscardHandler)}
	if len(regs) == 1 {
		opts.Client = regs[0].Client
	}
	return function.NewRunner(job, opts).Handle(ctx, evs)
}

// request is an event of the CLI's own asking for p.
func request(p events.Payload) events.Event {
	return events.Event{ID: "cli", Source: "swr-autopilot", Time: time.Now(), Kind: p.Kind(), Payload: p}
}
