package report

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	cloudevents "github.com/cloudevents/sdk-go/v2"
	cehttp "github.com/cloudevents/sdk-go/v2/protocol/http"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// CloudEvent types the reports emit. They share the project's prefix.
const (
	EventTypeChange  = "io.swrautopilot.change"
	EventTypeFinding = "io.swrautopilot.finding"
	EventTypeReport  = "io.swrautopilot.report"
)

// Sink sends a report's changes and findings as CloudEvents (binary HTTP
// mode) to one URL, following Knative's K_SINK convention.
type Sink struct {
	URL    string
	Source string       // CloudEvent source; defaults to "swr-autopilot"
	Client *http.Client // defaults to a client with a 10 s timeout
	// MaxEvents bounds the change and finding events one Publish sends
	// (default DefaultMaxSinkEvents); the summary event counts the rest.
	MaxEvents int
}

// DefaultMaxSinkEvents is the default bound of Sink.MaxEvents.
const DefaultMaxSinkEvents = 1000

// Publish sends one event per finding (most severe first) and per change,
// at most MaxEvents in all, then a summary event with the counts. It stops at the first failure and
// says how many were sent. Bound ctx so that publishing cannot outlive the
// invocation.
func (s Sink) Publish(ctx context.Context, r *Report) error {
	// The transport's errors quote the URL, which may carry a token.
	return redact.Error(s.publish(ctx, r))
}

func (s Sink) publish(ctx context.Context, r *Report) error {
	c, err := s.client()
	if err != nil {
		return err
	}
	source := s.Source
	if source == "" {
		source = "swr-autopilot"
	}
	sent := 0
	send := func(typ, subject string, data any) error {
		e := cloudevents.NewEvent()
		e.SetType(typ)
		e.SetSource(source + "/" + r.Job)
		e.SetSubject(subject)
		if err := e.SetData(cloudevents.ApplicationJSON, data); err != nil {
			return err
		}
		if res := c.Send(ctx, e); !cloudevents.IsACK(res) {
			return fmt.Errorf("report sink: sent %d events, then %s %s: %w", sent, typ, subject, res)
		}
		sent++
		return nil
	}
	limit := s.MaxEvents
	if limit <= 0 {
		limit = DefaultMaxSinkEvents
	}
	omitted := 0
	// Findings go first, most severe first, so that a bound on events
	// never hides a critical finding behind routine changes.
	for _, f := range sortedFindings(r.Findings) {
		if sent >= limit {
			omitted++
			continue
		}
		if err := send(EventTypeFinding, resource(f.Namespace, f.Repository, f.Subject), f); err != nil {
			return err
		}
	}
	for _, ch := range r.Changes {
		if sent >= limit {
			omitted++
			continue
		}
		if err := send(EventTypeChange, ch.Resource(), ch); err != nil {
			return err
		}
	}
	summary := struct {
		Job      string   `json:"job"`
		DryRun   bool     `json:"dry_run"`
		Counts   Counts   `json:"counts"`
		Duration Duration `json:"duration"`
		APICalls int64    `json:"api_calls"`
		Cursor   string   `json:"cursor,omitempty"`
		Omitted  int      `json:"omitted_events,omitempty"`
	}{r.Job, r.DryRun, r.Counts, r.Duration, r.APICalls, r.Cursor, omitted}
	return send(EventTypeReport, r.Job, summary)
}

// client is a CloudEvents client that sends to s.URL.
func (s Sink) client() (cloudevents.Client, error) {
	if s.URL == "" {
		return nil, errors.New("report sink: no URL")
	}
	hc := s.Client
	if hc == nil {
		hc = &http.Client{Timeout: 10 * time.Second}
	}
	p, err := cehttp.New(cehttp.WithTarget(s.URL), cehttp.WithClient(*hc))
	if err != nil {
		return nil, fmt.Errorf("report sink: %w", err)
	}
	c, err := cloudevents.NewClient(p, cloudevents.WithUUIDs(), cloudevents.WithTimeNow())
	if err != nil {
		return nil, fmt.Errorf("report sink: %w", err)
	}
	return c, nil
}

// Enqueue sends evs to the sink as they are, in order, stopping at the
// first the sink does not acknowledge. It lets a sink (a Knative broker)
// carry a sweep's continuation back to the function, where no queue does.
func (s Sink) Enqueue(ctx context.Context, evs []cloudevents.Event) error {
	c, err := s.client()
	if err != nil {
		return redact.Error(err)
	}
	for i, e := range evs {
		if res := c.Send(ctx, e); !cloudevents.IsACK(res) {
			return redact.Error(fmt.Errorf("sink: sent %d of %d events, then %s %s: %w", i, len(evs), e.Type(), e.ID(), res))
		}
	}
	return nil
}
