package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
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
	return policy.Load(ctx, src, source.Options{})
}
