package function

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/aws/aws-lambda-go/lambda"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// Environment variables that select and configure the hosting mode.
const (
	// EnvRuntimeAPI is set by AWS Lambda (and the Runtime Interface
	// Emulator) to the address of the runtime API; its presence selects
	// Lambda mode.
	EnvRuntimeAPI = "AWS_LAMBDA_RUNTIME_API"
	// EnvPort is the TCP port of the HTTP receiver (default DefaultPort).
	EnvPort = "PORT"
	// EnvListen is the receiver's whole listen address, host and port
	// ("127.0.0.1:8080" listens on loopback only); it overrides PORT. By
	// default the receiver listens on every interface.
	EnvListen = "AUTOPILOT_LISTEN"
)

// Defaults of the HTTP receiver.
const (
	// DefaultPort is the HTTP receiver's port when PORT is unset.
	DefaultPort = "8080"
	// DefaultRequestTimeout bounds one HTTP request when App.RequestTimeout
	// is zero. Handlers see it as their context deadline, as they would see
	// the invocation deadline under Lambda.
	DefaultRequestTimeout = 5 * time.Minute
	// DefaultShutdownTimeout bounds the drain of in-flight HTTP requests
	// when App.ShutdownTimeout is zero.
	DefaultShutdownTimeout = 10 * time.Second
)

// LambdaFunc handles one Lambda invocation: it receives the raw payload and
// returns a JSON-encodable response. A returned error becomes a Lambda
// function error (errorType/errorMessage); HTTP-shaped failures should be
// returned as responses with a nil error instead.
type LambdaFunc func(ctx context.Context, payload json.RawMessage) (any, error)

// App describes one function binary to Run.
type App struct {
	// Name identifies the function in logs and on /healthz.
	Name string
	// Lambda handles invocations in Lambda mode. Required in that mode.
	Lambda LambdaFunc
	// HTTP serves every path but /healthz in receiver mode. Required in
	// that mode. Request body limits are its own business.
	HTTP http.Handler
	// Logger receives the host's own lines. Nil means LoggerFromEnv on
	// standard output.
	Logger *slog.Logger
	// Getenv reads the environment. Nil means os.Getenv. It selects the
	// mode and the port; in Lambda mode the aws-lambda-go library still
	// reads the process environment itself.
	Getenv func(string) string
	// RequestTimeout bounds each HTTP request (default
	// DefaultRequestTimeout).
	RequestTimeout time.Duration
	// ShutdownTimeout bounds the drain of in-flight HTTP requests on
	// shutdown (default DefaultShutdownTimeout); requests still running
	// then are cancelled.
	ShutdownTimeout time.Duration
	// MaxConnections caps the connections served at once (default
	// DefaultMaxConnections).
	MaxConnections int
	// OnShutdown, when set, runs once when the process is asked to stop:
	// on SIGTERM in Lambda mode, after the drain in HTTP mode. Use it to
	// flush buffered metrics.
	OnShutdown func()
}

// Mode is the way a binary is hosted.
type Mode int

// The hosting modes.
const (
	// ModeHTTP serves CloudEvents and webhooks over HTTP on PORT.
	ModeHTTP Mode = iota
	// ModeLambda runs the AWS Lambda runtime API loop.
	ModeLambda
)

// String returns "http" or "lambda".
func (m Mode) String() string {
	if m == ModeLambda {
		return "lambda"
	}
	return "http"
}

// DetectMode reports ModeLambda when AWS_LAMBDA_RUNTIME_API is set and
// ModeHTTP otherwise.
func DetectMode(getenv func(string) string) Mode {
	if getenv(EnvRuntimeAPI) != "" {
		return ModeLambda
	}
	return ModeHTTP
}

// Run hosts app until ctx ends or the process is asked to stop.
//
// When AWS_LAMBDA_RUNTIME_API is set it hands app.Lambda to lambda.Start
// with SIGTERM handling enabled; that loop does not return (the library ends
// the process when the runtime API fails). Otherwise it serves HTTP on PORT
// (default 8080) with GET /healthz, and on SIGTERM, interrupt or ctx
// cancellation stops accepting requests, drains the in-flight ones for at
// most app.ShutdownTimeout and returns nil.
func Run(ctx context.Context, app App) error {
	getenv := app.getenv()
	logger := app.logger()
	switch DetectMode(getenv) {
	case ModeLambda:
		if app.Lambda == nil {
			return fmt.Errorf("run %s: %s is set but App.Lambda is nil", app.Name, EnvRuntimeAPI)
		}
		logger.Debug("starting Lambda runtime loop", "function", app.Name)
		lambda.StartWithOptions(LambdaHandler(app), lambda.WithContext(ctx),
			lambda.WithEnableSIGTERM(func() {
				logger.Info("SIGTERM received, shutting down", "function", app.Name)
				if app.OnShutdown != nil {
					app.OnShutdown()
				}
			}))
		return fmt.Errorf("run %s: Lambda runtime loop returned", app.Name)
	default:
		if app.HTTP == nil {
			return fmt.Errorf("run %s: %s is unset (HTTP mode) but App.HTTP is nil", app.Name, EnvRuntimeAPI)
		}
		addr, err := listenAddress(getenv)
		if err != nil {
			return fmt.Errorf("run %s: %w", app.Name, err)
		}
		ctx, stop := signal.NotifyContext(ctx, syscall.SIGTERM, os.Interrupt)
		defer stop()
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			return fmt.Errorf("run %s: listen: %w", app.Name, err)
		}
		return Serve(ctx, ln, app)
	}
}

// LambdaHandler adapts app.Lambda to the aws-lambda-go handler interface,
// logging failed invocations with their request id. lambda.NewHandler's
// Invoke on the result gives the exact JSON round trip of a real
// invocation.
func LambdaHandler(app App) lambda.Handler {
	logger := app.logger()
	fn := app.Lambda
	return lambda.NewHandler(func(ctx context.Context, payload json.RawMessage) (any, error) {
		if fn == nil {
			return nil, errors.New("no Lambda handler configured")
		}
		resp, err := fn(ctx, payload)
		if err != nil {
			// The error becomes the invocation's errorMessage, which the
			// caller and the platform's logs see.
			err = redact.Error(err)
			logger.ErrorContext(ctx, "invocation failed", "function", app.Name, "error", err)
		}
		return resp, err
	})
}

// listenAddress is AUTOPILOT_LISTEN when set, else every interface on
// PORT (default DefaultPort).
func listenAddress(getenv func(string) string) (string, error) {
	if a := getenv(EnvListen); a != "" {
		host, port, err := net.SplitHostPort(a)
		if err != nil {
			return "", fmt.Errorf("%s %q is not a listen address: expected host:port, such as 127.0.0.1:8080", EnvListen, a)
		}
		if _, err := parsePort(port); err != nil || port == "" {
			return "", fmt.Errorf("%s %q has no port number (0-65535): expected host:port, such as 127.0.0.1:8080", EnvListen, a)
		}
		return net.JoinHostPort(host, port), nil
	}
	port, err := parsePort(getenv(EnvPort))
	if err != nil {
		return "", err
	}
	return net.JoinHostPort("", port), nil
}

func parsePort(s string) (string, error) {
	if s == "" {
		return DefaultPort, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("%s %q is not a port number (0-65535)", EnvPort, s)
	}
	return s, nil
}

func (app App) getenv() func(string) string {
	if app.Getenv != nil {
		return app.Getenv
	}
	return os.Getenv
}

func (app App) logger() *slog.Logger {
	if app.Logger != nil {
		return app.Logger
	}
	return LoggerFromEnv(os.Stdout, app.getenv())
}

func (app App) requestTimeout() time.Duration {
	if app.RequestTimeout > 0 {
		return app.RequestTimeout
	}
	return DefaultRequestTimeout
}

func (app App) maxConnections() int {
	if app.MaxConnections > 0 {
		return app.MaxConnections
	}
	return DefaultMaxConnections
}

func (app App) shutdownTimeout() time.Duration {
	if app.ShutdownTimeout > 0 {
		return app.ShutdownTimeout
	}
	return DefaultShutdownTimeout
}
