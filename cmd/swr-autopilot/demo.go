package main

import (
	"bytes"
	"context"
	"embed"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/handler"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// demoData holds the demo registry (seed), its policy and team directory,
// and copies of the sample events in events/ that the demo feeds to the
// functions.
//
//go:embed demodata
var demoData embed.FS

// demoWebhookAuth is the Authorization value the sample HTTP events carry.
const demoWebhookAuth = "Bearer sample-webhook-token"

func runDemo(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("demo", flag.ContinueOnError)
	fs.SetOutput(stderr)
	htmlPath := fs.String("html", "report.html", "write the combined HTML report here (empty: none)")
	verbose := fs.Bool("v", false, "log what the functions do")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: swr-autopilot demo [-html FILE] [-v]\n\nRuns the three functions against the embedded SWR emulator, seeded with a\nrealistic registry: no credentials, no network.")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if err := demo(ctx, stdout, stderr, *htmlPath, *verbose); err != nil {
		fmt.Fprintf(stderr, "demo: %v\n", err)
		return 1
	}
	return 0
}

// demoStep is one invocation the demo makes.
type demoStep struct {
	title string
	fn    *handler.Function
	event string // file in demodata
	newID string // replaces the event's id, so a repeated tick is not a redelivery
	check bool   // a check that nothing is left to do: not part of the combined report
}

func demo(ctx context.Context, stdout, stderr io.Writer, htmlPath string, verbose bool) error {
	seedYAML, err := demoData.ReadFile("demodata/seed.yaml")
	if err != nil {
		return err
	}
	seed, err := swrtest.ParseSeed(seedYAML)
	if err != nil {
		return fmt.Errorf("seed: %w", err)
	}
	srv := swrtest.NewServer(swrtest.WithSeed(&seed))
	defer srv.Close()
	fmt.Fprintf(stdout, "SWR emulator at %s, seeded with %d namespaces\n\n", srv.URL, len(seed.Namespaces))

	client, err := swr.NewClient(srv.URL, swr.AKSK{AK: srv.AK, SK: srv.SK, ProjectID: srv.ProjectID})
	if err != nil {
		return err
	}
	policyYAML, err := demoData.ReadFile("demodata/policy.yaml")
	if err != nil {
		return err
	}
	pol, err := policy.Parse(policyYAML, "policy.yaml")
	if err != nil {
		return err
	}
	dir, err := os.MkdirTemp("", "swr-autopilot-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	directoryYAML, err := demoData.ReadFile("demodata/directory.yaml")
	if err != nil {
		return err
	}
	directoryPath := filepath.Join(dir, "directory.yaml")
	if err := os.WriteFile(directoryPath, directoryYAML, 0o600); err != nil {
		return err
	}

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if verbose {
		logger = slog.New(slog.NewTextHandler(stderr, nil))
	}
	// The functions answer HTTP callers with a summary; the demo shows
	// each full report, as the log and the sink receive it.
	var last *report.Report
	newFn := func(job handler.Job, scheduled events.Kind) (*handler.Function, error) {
		dec, err := events.NewDecoder(events.Config{ScheduledKind: scheduled, Auth: events.AuthConfig{AuthHeader: demoWebhookAuth}})
		if err != nil {
			return nil, err
		}
		return handler.New(job, dec, handler.Options{Logger: logger, OnReport: func(r *report.Report) { last = r }}), nil
	}
	engine := autopilot.NewEngine(client, pol, autopilot.Options{Logger: logger})
	onpushFn, err := newFn(onpush.New(engine, client, onpush.Config{Logger: logger}), events.KindSweepRequested)
	if err != nil {
		return err
	}
	sweepFn, err := newFn(sweep.New(engine, client, sweep.Config{}), events.KindSweepRequested)
	if err != nil {
		return err
	}
	grantFn, err := newFn(grantsync.New(client, grantsync.Config{Directory: directoryPath, Policy: pol, Logger: logger}), events.KindGrantSyncRequested)
	if err != nil {
		return err
	}

	steps := []demoStep{
		{title: "1. EventGrid: repository acme/payments created (Function URL → onpush)", fn: onpushFn, event: "eventgrid-create-repository.json"},
		{title: "2. Nightly sweep tick (EventBridge Scheduled Event → retentionsweep)", fn: sweepFn, event: "eventbridge-scheduled.json"},
		{title: "3. Grant sync tick (CloudEvent → grantsync)", fn: grantFn, event: "cloudevent-grantsync.json"},
		{title: "4. The next sweep tick: everything conforms, nothing to write", fn: sweepFn, event: "eventbridge-scheduled.json", newID: "demo-second-sweep", check: true},
	}
	total := &report.Report{Job: "demo", Started: time.Now()}
	for _, s := range steps {
		writesBefore := srv.Writes()
		last = nil
		if err := invoke(ctx, s); err != nil {
			return fmt.Errorf("%s: %w", s.title, err)
		}
		rep := last
		if rep == nil {
			return fmt.Errorf("%s: the function made no report", s.title)
		}
		fmt.Fprintf(stdout, "== %s\n", s.title)
		if err := rep.WriteTable(stdout); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "SWR writes: %d\n\n", srv.Writes()-writesBefore)
		if !s.check {
			total.Merge(rep)
		}
	}
	total.Duration = report.Duration(time.Since(total.Started))
	total.APICalls = client.Stats().Requests

	fmt.Fprintf(stdout, "Done: %d SWR API calls, %d writes; steps 1–3 made %d changes, refused %d, found %d things and met %d errors.\n",
		total.APICalls, srv.Writes(), total.Counts.Changed, total.Counts.Refused, len(total.Findings), total.Counts.Errors)
	fmt.Fprintf(stdout, "The registry now holds %d repositories.\n", srv.State().RepositoryCount())
	if htmlPath != "" {
		var buf bytes.Buffer
		if err := total.WriteHTML(&buf); err != nil {
			return err
		}
		if err := os.WriteFile(htmlPath, buf.Bytes(), 0o644); err != nil {
			return err
		}
		fmt.Fprintf(stdout, "Report: %s\n", htmlPath)
	}
	if total.Counts.Errors > 0 {
		return fmt.Errorf("%d errors (see above)", total.Counts.Errors)
	}
	return nil
}

// invoke feeds one sample event to a function the way Lambda would and
// checks that it answered with success.
func invoke(ctx context.Context, s demoStep) error {
	payload, err := demoData.ReadFile("demodata/" + s.event)
	if err != nil {
		return err
	}
	if s.newID != "" {
		var m map[string]any
		if err := json.Unmarshal(payload, &m); err != nil {
			return err
		}
		m["id"] = s.newID
		if payload, err = json.Marshal(m); err != nil {
			return err
		}
	}
	out, err := s.fn.Lambda(ctx, payload)
	if err != nil {
		return err
	}
	if v, ok := out.(awsevents.LambdaFunctionURLResponse); ok && v.StatusCode != 200 {
		return fmt.Errorf("HTTP %d: %s", v.StatusCode, v.Body)
	}
	return nil
}
