package function

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// Setup is what Start hands a job's constructor: the function's
// configuration, read from the environment and checked, the registries it
// governs with their clients (one unnamed registry without a targets
// file), and the function's logger.
type Setup[C config.Spec] struct {
	Config     C
	Registries []multitarget.Registry
	Logger     *slog.Logger
}

// NewJobFunc builds a function's job from its Setup.
type NewJobFunc[C config.Spec] func(ctx context.Context, s Setup[C]) (Job, error)

// Start is a function binary's whole main, in the manner of lambda.Start:
// it reads the configuration C from the environment, builds the SWR
// clients of the registries it governs, hands both to newJob, and hosts
// the job — as an AWS Lambda
// function when AWS_LAMBDA_RUNTIME_API is set, as an HTTP receiver on PORT
// otherwise — until the process is asked to stop. scheduled is what a bare
// scheduled event means to this function. A function that cannot start
// logs why and exits with status 1.
func Start[C config.Spec](scheduled events.Kind, newJob NewJobFunc[C]) {
	log := LoggerFromEnv(os.Stdout, os.Getenv)
	fn, step, err := setUp(context.Background(), log, scheduled, newJob)
	if err == nil {
		step, err = "run", Run(context.Background(), fn.App())
	}
	if err != nil {
		log.Error("function stopped", "step", step, "error", err.Error())
		os.Exit(1)
	}
}

// setUp builds the Function Start hosts; step names what failed.
func setUp[C config.Spec](ctx context.Context, log *slog.Logger, scheduled events.Kind, newJob NewJobFunc[C]) (fn *Function, step string, err error) {
	var cfg C
	if err := config.LoadFunction(&cfg); err != nil {
		return nil, "config", err
	}
	common, err := config.Common(&cfg)
	if err != nil {
		return nil, "config", err
	}
	regs, err := registries(ctx, *common)
	if err != nil {
		return nil, "swr client", err
	}
	var client *swr.Client // counts the API calls of one registry; a job over several counts its own
	if len(regs) == 1 {
		client = regs[0].Client
	}
	dec, err := events.NewDecoder(common.DecoderConfig(scheduled))
	if err != nil {
		return nil, "decoder", err
	}
	job, err := newJob(ctx, Setup[C]{Config: cfg, Registries: regs, Logger: log})
	if err != nil {
		return nil, "job", err
	}
	return New(job, dec, OptionsFrom(*common, client, log, os.Stdout)), "", nil
}

// OptionsFrom maps the shared function configuration and the job's SWR
// client onto Options; metrics, when enabled, go to w.
func OptionsFrom(cfg config.Function, client *swr.Client, log *slog.Logger, w io.Writer) Options {
	opts := Options{
		Logger:           log,
		MetricsNamespace: cfg.MetricsNamespace,
		Sink:             report.Sink{URL: cfg.SinkURL()},
		Margin:           cfg.DeadlineMargin,
		DedupeSize:       cfg.DedupeSize,
		Client:           client,
	}
	if cfg.Metrics {
		opts.Metrics = w
	}
	return opts
}

// registries connects to every target the function governs: those of the
// targets file AUTOPILOT_TARGETS names (credentials from prefixed
// variables, or from Secrets Manager through the Lambda extension), or
// the one registry the SWR variables describe.
func registries(ctx context.Context, cfg config.Function) ([]multitarget.Registry, error) {
	set, err := targets.LoadOrDefault(ctx, cfg.Targets, cfg.SWR, source.Options{})
	if err != nil {
		return nil, err
	}
	r := targets.Resolver{Base: cfg.SWR, Secrets: targets.SecretsExtensionFromEnv(nil)}
	return multitarget.Connect(ctx, set, r)
}

// LoadPolicy reads the policy from a path, an https URL or s3://bucket/key
// (the same sources the team directory accepts) and validates it.
func LoadPolicy(ctx context.Context, src string) (*policy.Policy, error) {
	return policy.Load(ctx, src, source.Options{})
}
