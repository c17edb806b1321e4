package function

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"

	"github.com/aws/aws-lambda-go/lambdacontext"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// Environment variables that configure logging.
const (
	// EnvLambdaLogFormat is set by Lambda to JSON or Text; JSON is the
	// default here.
	EnvLambdaLogFormat = "AWS_LAMBDA_LOG_FORMAT"
	// EnvLambdaLogLevel is set by Lambda's advanced logging controls and
	// wins over EnvLogLevel, since Lambda drops lines below it anyway.
	EnvLambdaLogLevel = "AWS_LAMBDA_LOG_LEVEL"
	// EnvLogLevel is the project's own level setting (DEBUG, INFO, WARN,
	// ERROR; default INFO).
	EnvLogLevel = "AUTOPILOT_LOG_LEVEL"
)

// Log record keys added from the context, spelled as Lambda's own JSON
// log format spells them.
const (
	RequestIDKey = "requestId"
	EventIDKey   = "eventId"
)

type eventIDKey struct{}

type requestIDKey struct{}

// WithEventID returns a context carrying the id of the CloudEvent being
// handled; loggers from NewLogger add it to every line logged with the
// context.
func WithEventID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, eventIDKey{}, id)
}

// EventID returns the CloudEvent id carried by ctx, or "".
func EventID(ctx context.Context) string {
	id, _ := ctx.Value(eventIDKey{}).(string)
	return id
}

// WithRequestID returns a context carrying a request id, used when there is
// no Lambda context (HTTP mode, CLI).
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey{}, id)
}

// RequestID returns the Lambda request id carried by ctx, or else the one
// set with WithRequestID, or "".
func RequestID(ctx context.Context) string {
	if lc, ok := lambdacontext.FromContext(ctx); ok && lc.AwsRequestID != "" {
		return lc.AwsRequestID
	}
	id, _ := ctx.Value(requestIDKey{}).(string)
	return id
}

// NewLogger returns a JSON logger writing to w at level whose lines carry
// Lambda's key names (timestamp, level, message), the request id and event
// id of the context they are logged with, and no secrets (see redact.Attr).
func NewLogger(w io.Writer, level slog.Leveler) *slog.Logger {
	return slog.New(NewContextHandler(slog.NewJSONHandler(w, handlerOptions(level))))
}

// LoggerFromEnv is NewLogger configured from the environment: the format
// from AWS_LAMBDA_LOG_FORMAT (JSON unless it says Text) and the level from
// AWS_LAMBDA_LOG_LEVEL, else AUTOPILOT_LOG_LEVEL, else INFO. An unknown level
// falls back to INFO with a warning line.
func LoggerFromEnv(w io.Writer, getenv func(string) string) *slog.Logger {
	name, raw := EnvLambdaLogLevel, getenv(EnvLambdaLogLevel)
	if raw == "" {
		name, raw = EnvLogLevel, getenv(EnvLogLevel)
	}
	level, levelErr := ParseLevel(raw)
	var h slog.Handler
	if strings.EqualFold(getenv(EnvLambdaLogFormat), "text") {
		h = slog.NewTextHandler(w, handlerOptions(level))
	} else {
		h = slog.NewJSONHandler(w, handlerOptions(level))
	}
	logger := slog.New(NewContextHandler(h))
	if levelErr != nil {
		logger.Warn("ignoring log level setting", "variable", name, "error", levelErr.Error())
	}
	return logger
}

// ParseLevel parses a Lambda or slog level name, case-insensitively:
// TRACE, DEBUG, INFO, WARN or WARNING, ERROR, FATAL. The empty string is
// INFO.
func ParseLevel(s string) (slog.Level, error) {
	switch strings.ToUpper(strings.TrimSpace(s)) {
	case "", "INFO":
		return slog.LevelInfo, nil
	case "TRACE":
		return slog.LevelDebug - 4, nil
	case "DEBUG":
		return slog.LevelDebug, nil
	case "WARN", "WARNING":
		return slog.LevelWarn, nil
	case "ERROR":
		return slog.LevelError, nil
	case "FATAL":
		return slog.LevelError + 4, nil
	}
	return slog.LevelInfo, fmt.Errorf("unknown log level %q (want TRACE, DEBUG, INFO, WARN, ERROR or FATAL)", s)
}

func handlerOptions(level slog.Leveler) *slog.HandlerOptions {
	return &slog.HandlerOptions{Level: level, ReplaceAttr: replaceAttr}
}

// replaceAttr renames slog's time and message keys to Lambda's and masks
// secrets.
func replaceAttr(groups []string, a slog.Attr) slog.Attr {
	return redact.Attr(groups, lambdacontext.ReplaceAttr(groups, a))
}

// NewContextHandler wraps h so that every record logged with a context
// gains the context's request id (RequestIDKey) and CloudEvent id
// (EventIDKey) when they are set. The ids stay at the top level of the line
// even under a logger's WithGroup.
func NewContextHandler(h slog.Handler) slog.Handler {
	return &contextHandler{root: h, inner: h}
}

// contextHandler remembers how inner was derived from root so that it can
// place the context ids before any group.
type contextHandler struct {
	root     slog.Handler
	inner    slog.Handler
	derive   []func(slog.Handler) slog.Handler
	hasGroup bool
}

func (h *contextHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.inner.Enabled(ctx, level)
}

func (h *contextHandler) Handle(ctx context.Context, r slog.Record) error {
	var ids []slog.Attr
	if id := RequestID(ctx); id != "" {
		ids = append(ids, slog.String(RequestIDKey, id))
	}
	if id := EventID(ctx); id != "" {
		ids = append(ids, slog.String(EventIDKey, id))
	}
	if len(ids) == 0 {
		return h.inner.Handle(ctx, r)
	}
	if !h.hasGroup {
		r.AddAttrs(ids...)
		return h.inner.Handle(ctx, r)
	}
	inner := h.root.WithAttrs(ids)
	for _, d := range h.derive {
		inner = d(inner)
	}
	return inner.Handle(ctx, r)
}

func (h *contextHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	if len(attrs) == 0 {
		return h
	}
	return h.with(func(in slog.Handler) slog.Handler { return in.WithAttrs(attrs) }, false)
}

func (h *contextHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return h.with(func(in slog.Handler) slog.Handler { return in.WithGroup(name) }, true)
}

func (h *contextHandler) with(d func(slog.Handler) slog.Handler, group bool) *contextHandler {
	return &contextHandler{
		root:     h.root,
		inner:    d(h.inner),
		derive:   append(h.derive[:len(h.derive):len(h.derive)], d),
		hasGroup: h.hasGroup || group,
	}
}
