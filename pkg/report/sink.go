package report

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
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
	// Whatever an error quotes of the URL loses its credentials.
	return redact.Error(s.publish(ctx, r))
}

func (s Sink) publish(ctx context.Context, r *Report) error {
	hc, err := s.client()
	if err != nil {
		return err
	}
	source := s.Source
	if source == "" {
		source = "swr-autopilot"
	}
	sent := 0
	send := func(typ, subject string, data any) error {
		e := event.New()
		e.SetID(uuid.NewString())
		e.SetTime(time.Now())
		e.SetType(typ)
		e.SetSource(source + "/" + r.Job)
		e.SetSubject(subject)
		if err := e.SetData(event.ApplicationJSON, data); err != nil {
			return err
		}
		if err := post(ctx, hc, s.URL, &e); err != nil {
			return fmt.Errorf("report sink: sent %d events, then %s %s: %w", sent, typ, subject, err)
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

// client is the HTTP client to send with.
func (s Sink) client() (*http.Client, error) {
	if s.URL == "" {
		return nil, errors.New("report sink: no URL")
	}
	if s.Client != nil {
		return s.Client, nil
	}
	return &http.Client{Timeout: 10 * time.Second}, nil
}

// Enqueue sends evs to the sink as they are, in order, stopping at the
// first the sink does not acknowledge. It lets a sink (a Knative broker)
// carry a sweep's continuation back to the function, where no queue does.
func (s Sink) Enqueue(ctx context.Context, evs []event.Event) error {
	hc, err := s.client()
	if err != nil {
		return err
	}
	for i := range evs {
		if err := post(ctx, hc, s.URL, &evs[i]); err != nil {
			return redact.Error(fmt.Errorf("sink: sent %d of %d events, then %s %s: %w", i, len(evs), evs[i].Type(), evs[i].ID(), err))
		}
	}
	return nil
}

// post sends one event in binary HTTP mode, as the CloudEvents SDK's HTTP
// client would, and takes any 2xx answer for an acknowledgement. Errors
// leave out the URL, which may carry credentials.
func post(ctx context.Context, hc *http.Client, target string, e *event.Event) error {
	if err := e.Validate(); err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, nil)
	if err != nil {
		return errors.New("malformed sink URL")
	}
	if err := events.WriteHTTPRequest(ctx, e, req); err != nil {
		return err
	}
	resp, err := hc.Do(req)
	if err != nil {
		var uerr *url.Error
		if errors.As(err, &uerr) {
			err = uerr.Err
		}
		return err
	}
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	resp.Body.Close()
	if resp.StatusCode/100 != 2 {
		return fmt.Errorf("HTTP %s", resp.Status)
	}
	return nil
}
