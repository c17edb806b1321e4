package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// registries connects to the targets of the targets file (-targets, default
// $AUTOPILOT_TARGETS), or to the one registry the environment and
// -endpoint describe. only, when set, keeps the target of that name.
func (f *swrFlags) registries(ctx context.Context, only string) ([]multitarget.Registry, error) {
	if f.targets == "" {
		if only != "" {
			return nil, errors.New("-target needs a targets file (-targets or AUTOPILOT_TARGETS)")
		}
		c, err := f.client()
		if err != nil {
			return nil, err
		}
		return []multitarget.Registry{{Client: c}}, nil
	}
	if f.endpoint != "" {
		return nil, errors.New("-endpoint and a targets file exclude each other: give each target its endpoint in the file")
	}
	base, err := config.Read()
	if err != nil {
		return nil, err
	}
	set, err := targets.Load(ctx, f.targets, source.Options{})
	if err != nil {
		return nil, err
	}
	if only != "" {
		t, ok := set.ByName(only)
		if !ok {
			return nil, fmt.Errorf("-target %q is not in %s (targets: %v)", only, set.File, set.Names())
		}
		set = &targets.Set{File: set.File, Targets: []targets.Target{t}}
	}
	return multitarget.Connect(ctx, set, targets.Resolver{Base: base, Secrets: targets.SecretsExtensionFromEnv(nil)})
}

// targetsDefault is the -targets default: $AUTOPILOT_TARGETS.
func targetsDefault() string { return os.Getenv("AUTOPILOT_TARGETS") }
