package wire

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// Registries connects to every target the function governs: those of the
// targets file AUTOPILOT_TARGETS names (credentials from prefixed
// variables, or from Secrets Manager through the Lambda extension), or
// the one registry the SWR variables describe.
func Registries(ctx context.Context, cfg config.Function) ([]multitarget.Registry, error) {
	set, err := targets.LoadOrDefault(ctx, cfg.Targets, cfg.SWR, source.Options{})
	if err != nil {
		return nil, err
	}
	r := targets.Resolver{Base: cfg.SWR, Secrets: targets.SecretsExtensionFromEnv(nil)}
	return multitarget.Connect(ctx, set, r)
}
