// Package wire holds the few steps every function's main shares: reading
// the policy from wherever it lives, building the SWR client, the decoder
// and the handler options from the configuration, and running the app.
package wire

import (
	"context"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/handler"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/runtime"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// LoadPolicy reads the policy from a path, an https URL or s3://bucket/key
// (the same sources the team directory accepts) and validates it.
func LoadPolicy(ctx context.Context, src string) (*policy.Policy, error) {
	return policy.Load(ctx, src, source.Options{})
}

// Logger is the functions' logger: JSON or text per AWS_LAMBDA_LOG_FORMAT,
// with the Lambda request id and CloudEvent id on every line.
func Logger() *slog.Logger { return runtime.LoggerFromEnv(os.Stdout, os.Getenv) }

// HandlerOptions maps the shared function configuration onto handler
// options.
func HandlerOptions(cfg config.Function, log *slog.Logger, metrics io.Writer) handler.Options {
	opts := handler.Options{
		Logger:           log,
		MetricsNamespace: cfg.MetricsNamespace,
		Sink:             report.Sink{URL: cfg.SinkURL()},
		Margin:           cfg.DeadlineMargin,
	}
	if cfg.Metrics {
		opts.Metrics = metrics
	}
	return opts
}

// Decoder builds the event decoder for a function whose bare scheduled
// events mean defaultKind.
func Decoder(cfg config.Function, defaultKind events.Kind) (*events.Decoder, error) {
	return events.NewDecoder(cfg.DecoderConfig(defaultKind))
}

// Run runs the function until SIGTERM or SIGINT, and exits the process
// with status 1 when it fails.
func Run(log *slog.Logger, fn *handler.Function) {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := runtime.Run(ctx, fn.App()); err != nil {
		Exit(log, "run", err)
	}
}

// Exit logs why the function cannot start or run, and exits with status 1.
func Exit(log *slog.Logger, step string, err error) {
	log.Error("function stopped", "step", step, "error", err.Error())
	os.Exit(1)
}
