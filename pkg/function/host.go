package function

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/swr-autopilot/swr-autopilot/pkg/deadline"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Options tune a Function. The zero value is usable.
type Options struct {
	// Logger receives the runner's summary line of every invocation.
	Logger *slog.Logger
	// Metrics, when set, receives one EMF line per invocation.
	Metrics io.Writer
	// MetricsNamespace is the CloudWatch namespace of the EMF metrics
	// (default "SWRAutopilot").
	MetricsNamespace string
	// Sink, when its URL is set, receives the report as CloudEvents.
	Sink report.Sink
	// Margin is how long before the invocation deadline the job's context
	// ends, to leave time to answer (default deadline.DefaultMargin).
	Margin time.Duration
	// Now is the clock of the reports and the metrics (default time.Now).
	Now func() time.Time
	// DedupeSize is how many event keys are remembered to skip
	// redeliveries (events.DefaultDedupeSize when not positive).
	DedupeSize int
	// Client, when set, is the job's SWR client, whose request counter
	// gives each report's APICalls.
	Client *swr.Client
	// OnReport, when set, receives every full report (before callers get
	// their bounded answer), e.g. for a CLI that renders it.
	OnReport func(*report.Report)
}

// Function serves one job in every hosting mode: it decodes whatever
// invoked the function (pkg/events), hands the typed events to the job's
// Runner, and answers in the shape the caller expects — a Function URL
// response, an SQS partial batch response, a plain report, or an HTTP
// reply in receiver mode. It also writes the report's metrics in
// CloudWatch Embedded Metric Format and publishes it to a CloudEvents sink
// when one is configured.
type Function struct {
	job  *Runner
	dec  *events.Decoder
	opts Options
}

// New returns a Function that decodes inputs with dec and runs job.
func New(job Job, dec *events.Decoder, opts Options) *Function {
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	if opts.MetricsNamespace == "" {
		opts.MetricsNamespace = "SWRAutopilot"
	}
	if opts.Margin <= 0 {
		opts.Margin = deadline.DefaultMargin
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	runner := NewRunner(job, RunnerOptions{DedupeSize: opts.DedupeSize, Client: opts.Client, Logger: opts.Logger, Now: opts.Now})
	return &Function{job: runner, dec: dec, opts: opts}
}

// App returns the App that runs f as a Lambda function or an HTTP
// receiver.
func (f *Function) App() App {
	return App{Name: f.job.Name(), Lambda: f.Lambda, HTTP: f, Logger: f.opts.Logger}
}

// errorBody is what callers get for input that cannot be handled. A 5xx
// carries a generic message and the request id under which the log holds
// the detail.
type errorBody struct {
	Error     string `json:"error"`
	RequestID string `json:"request_id,omitempty"`
}

// failedText is the whole of what a caller learns about a failure on our
// side: the detail (hosts, paths, SWR's messages) goes to the log only.
const failedText = "the request failed on our side; it may be retried"

// errorFor is the body answering err with status.
func errorFor(ctx context.Context, status int, err error) errorBody {
	if status >= http.StatusInternalServerError {
		return errorBody{Error: failedText, RequestID: RequestID(ctx)}
	}
	return errorBody{Error: publicText(err)}
}

// Lambda handles one Lambda invocation.
func (f *Function) Lambda(ctx context.Context, payload json.RawMessage) (any, error) {
	batch, err := f.dec.DecodeLambda(ctx, payload)
	if err != nil {
		f.opts.Logger.WarnContext(ctx, "input refused", "job", f.job.Name(), "status", events.HTTPStatus(err), "error", err.Error())
		if batch != nil && batch.Origin == events.OriginFunctionURL {
			status := events.HTTPStatus(err)
			return urlResponse(status, errorFor(ctx, status, err)), nil
		}
		return nil, err
	}
	switch batch.Origin {
	case events.OriginSQS:
		return f.sqs(ctx, batch), nil
	case events.OriginFunctionURL:
		rep, err := f.run(ctx, batch.Events)
		if err != nil {
			f.dec.Release(batch) // the sender may retry the same signed request
			return urlResponse(http.StatusServiceUnavailable, errorFor(ctx, http.StatusServiceUnavailable, err)), nil
		}
		return urlResponse(http.StatusOK, rep.Summary()), nil
	default:
		rep, err := f.run(ctx, batch.Events)
		if err != nil {
			return nil, err
		}
		return rep.Compact(MaxResponseItems, MaxResponseTags), nil
	}
}

// sqs runs each record's events on their own and reports the records that
// failed, so that SQS redelivers only those.
func (f *Function) sqs(ctx context.Context, batch *events.Batch) awsevents.SQSEventResponse {
	byMessage := map[string][]events.Event{}
	for _, e := range batch.Events {
		byMessage[e.MessageID] = append(byMessage[e.MessageID], e)
	}
	var failed []string
	for _, rec := range batch.Records {
		evs := byMessage[rec.MessageID]
		if rec.Err != nil || len(evs) == 0 {
			continue // decode failures are already failed records
		}
		if _, err := f.run(ctx, evs); err != nil {
			failed = append(failed, rec.MessageID)
		}
	}
	return batch.SQSResponse(failed...)
}

// ServeHTTP handles one request in receiver mode.
func (f *Function) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		w.Header().Set("Allow", http.MethodPost)
		writeJSON(w, http.StatusMethodNotAllowed, errorBody{Error: "POST a CloudEvent or a webhook"})
		return
	}
	batch, err := f.dec.DecodeHTTP(r)
	if err != nil {
		status := events.HTTPStatus(err)
		f.opts.Logger.WarnContext(r.Context(), "input refused", "job", f.job.Name(), "status", status, "error", err.Error())
		if status == http.StatusUnauthorized || status == http.StatusRequestEntityTooLarge {
			// The body was not read: close rather than drain it.
			w.Header().Set("Connection", "close")
		}
		writeJSON(w, status, errorFor(r.Context(), status, err))
		return
	}
	rep, err := f.run(r.Context(), batch.Events)
	if err != nil {
		f.dec.Release(batch) // the sender may retry the same signed request
		writeJSON(w, http.StatusServiceUnavailable, errorFor(r.Context(), http.StatusServiceUnavailable, err))
		return
	}
	writeJSON(w, http.StatusOK, rep.Summary())
}

// run hands events to the job's runner under a context that ends Margin
// before the invocation deadline, then measures and publishes the report.
// It returns an error only when the input is to be delivered again.
func (f *Function) run(ctx context.Context, evs []events.Event) (*report.Report, error) {
	if len(evs) == 1 {
		ctx = WithEventID(ctx, evs[0].ID)
	}
	work, cancel := deadline.Work(ctx, f.opts.Margin)
	defer cancel()
	rep, err := f.job.Handle(work, evs)
	if err != nil && !events.IsTerminal(err) {
		return nil, err
	}
	if f.opts.OnReport != nil {
		f.opts.OnReport(rep)
	}
	if f.opts.Metrics != nil {
		if err := EMF(f.opts.Metrics, f.opts.MetricsNamespace, map[string]string{"Job": rep.Job}, Metrics(rep), f.opts.Now()); err != nil {
			f.opts.Logger.WarnContext(ctx, "metrics not written", "error", err.Error())
		}
	}
	if f.opts.Sink.URL != "" && (len(rep.Changes) > 0 || len(rep.Findings) > 0) {
		// Publishing gets what is left of the job's time, never more: an
		// invocation that overran its deadline would be retried.
		if err := f.opts.Sink.Publish(work, rep); err != nil {
			f.opts.Logger.WarnContext(ctx, "report not published", "error", err.Error())
		}
	}
	return rep, nil
}

// Bounds of what a direct invocation answers with: a Lambda response is
// at most 6 MB. The full report goes to the log's summary line, the sink
// and the metrics; HTTP callers get only the summary.
const (
	MaxResponseItems = 1000 // changes, findings and errors each
	MaxResponseTags  = 20   // tag names per impact list
)

// Metrics returns the report's counts as EMF metric values, with one
// "Findings.<code>" metric per finding code.
func Metrics(r *report.Report) map[string]float64 {
	c := r.Counts
	m := map[string]float64{
		"Scanned":    float64(c.Scanned),
		"Conformant": float64(c.Conformant),
		"Changed":    float64(c.Changed),
		"Refused":    float64(c.Refused),
		"Unmanaged":  float64(c.Unmanaged),
		"Errors":     float64(c.Errors),
		"Findings":   float64(len(r.Findings)),
		"APICalls":   float64(r.APICalls),
		"DurationMs": float64(time.Duration(r.Duration).Milliseconds()),
	}
	for code, n := range c.Findings {
		m["Findings."+code] = float64(n)
	}
	return m
}

// publicText is what a caller may be told about a refused input: the
// reason for malformed input, nothing for a failed authentication.
func publicText(err error) string {
	var e *events.Error
	if errors.As(err, &e) {
		if e.Status == http.StatusUnauthorized {
			return e.Message()
		}
		return e.Error()
	}
	return "internal error"
}

func urlResponse(status int, body any) awsevents.LambdaFunctionURLResponse {
	b, err := json.Marshal(body)
	if err != nil {
		status, b = http.StatusInternalServerError, []byte(`{"error":"internal error"}`)
	}
	return awsevents.LambdaFunctionURLResponse{
		StatusCode: status,
		Headers:    map[string]string{"Content-Type": "application/json"},
		Body:       string(b),
	}
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(body)
}
