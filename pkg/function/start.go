package function

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Setup is what Start hands a job's constructor: the function's
// configuration, read from the environment and checked, the SWR client
// built from it, and the function's logger.
type Setup[C config.Spec] struct {
	Config C
	Client *swr.Client
	Logger *slog.Logger
}

// NewJobFunc builds a function's job from its Setup.
type NewJobFunc[C config.Spec] func(ctx context.Context, s Setup[C]) (Job, error)

// Start is a function binary's whole main, in the manner of lambda.Start:
// it reads the configuration C from the environment, builds the SWR
// client, hands both to newJob, and hosts the job — as an AWS Lambda
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
	client, err := common.NewClient()
	if err != nil {
		return nil, "swr client", err
	}
	dec, err := events.NewDecoder(common.DecoderConfig(scheduled))
	if err != nil {
		return nil, "decoder", err
	}
	job, err := newJob(ctx, Setup[C]{Config: cfg, Client: client, Logger: log})
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

// LoadPolicy reads the policy from a path, an https URL or s3://bucket/key
// (the same sources the team directory accepts) and validates it.
func LoadPolicy(ctx context.Context, src string) (*policy.Policy, error) {
	content, err := directory.Fetch(ctx, src, directory.Options{})
	if err != nil {
		return nil, fmt.Errorf("policy file: %w", err)
	}
	return policy.Parse(content.Data, content.Source)
}
