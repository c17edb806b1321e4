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
	"strings"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/handler"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
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
		fmt.Fprintln(stderr, "usage: swr-autopilot demo [-html FILE] [-v]\n\nRuns the three functions against the embedded SWR emulator serving two\nregions (a primary and its disaster-recovery replica), seeded with a\nrealistic registry: no credentials, no network.")
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
	title  string
	fn     *handler.Function
	event  string // file in demodata
	newID  string // replaces the event's id, so a repeated tick is not a redelivery
	region string // the region EventGrid names in the event ("region" attribute)
	check  bool   // a check that nothing is left to do: not part of the combined report
}

// The demo's two regions, governed as two targets.
const (
	demoPrimaryRegion = "cn-north-4"
	demoDRRegion      = "cn-east-3"
)

func demo(ctx context.Context, stdout, stderr io.Writer, htmlPath string, verbose bool) error {
	cloud := swrtest.NewCloud([]string{demoPrimaryRegion, demoDRRegion})
	defer cloud.Close()
	set := &targets.Set{}
	for _, t := range []struct{ name, region, seed string }{
		{"primary", demoPrimaryRegion, "seed.yaml"},
		{"dr", demoDRRegion, "seed-dr.yaml"},
	} {
		srv := cloud.Region(t.region)
		seedYAML, err := demoData.ReadFile("demodata/" + t.seed)
		if err != nil {
			return err
		}
		seed, err := swrtest.ParseSeed(seedYAML)
		if err == nil {
			err = srv.Seed(seed)
		}
		if err != nil {
			return fmt.Errorf("seed %s: %w", t.seed, err)
		}
		set.Targets = append(set.Targets, targets.Target{Name: t.name, Region: t.region, ProjectID: srv.ProjectID, Endpoint: srv.URL})
		fmt.Fprintf(stdout, "SWR emulator of %s (target %s) at %s, seeded with %d namespaces\n", t.region, t.name, srv.URL, len(seed.Namespaces))
	}
	fmt.Fprintln(stdout)
	primary := cloud.Region(demoPrimaryRegion)
	// AK/SK are global to a user: both targets use the same pair.
	base := config.SWR{AK: primary.AK, SK: primary.SK, MaxAttempts: 1, Timeout: 30 * time.Second}
	regs, err := multitarget.Connect(ctx, set, targets.Resolver{Base: base})
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
	engines, err := multitarget.Engines(regs, pol, autopilot.Options{Logger: logger})
	if err != nil {
		return err
	}
	var onpushJobs, sweepJobs, grantJobs []multitarget.Member
	for i, reg := range regs {
		onpushJobs = append(onpushJobs, multitarget.Member{Target: reg.Target, Job: onpush.New(engines[i], reg.Client, onpush.Config{Logger: logger})})
		sweepJobs = append(sweepJobs, multitarget.Member{Target: reg.Target, Job: sweep.New(engines[i], reg.Client, sweep.Config{Target: reg.Target.Name})})
		grantJobs = append(grantJobs, multitarget.Member{Target: reg.Target, Job: grantsync.New(reg.Client, grantsync.Config{Directory: directoryPath, Policy: pol.ForTarget(reg.Target.Name), Logger: logger})})
	}
	onpushFn, err := newFn(multitarget.Jobs("onpush", onpushJobs), events.KindSweepRequested)
	if err != nil {
		return err
	}
	sweepFn, err := newFn(multitarget.Jobs(sweep.JobName, sweepJobs), events.KindSweepRequested)
	if err != nil {
		return err
	}
	grantFn, err := newFn(multitarget.Jobs(grantsync.JobName, grantJobs), events.KindGrantSyncRequested)
	if err != nil {
		return err
	}

	steps := []demoStep{
		{title: "1. EventGrid (" + demoPrimaryRegion + "): repository acme/payments created (Function URL → onpush)", fn: onpushFn, event: "eventgrid-create-repository.json", region: demoPrimaryRegion},
		{title: "2. Nightly sweep tick over both regions: retention, audits, replica verification (EventBridge Scheduled Event → retentionsweep)", fn: sweepFn, event: "eventbridge-scheduled.json"},
		{title: "3. Grant sync tick over both regions (CloudEvent → grantsync)", fn: grantFn, event: "cloudevent-grantsync.json"},
		{title: "4. The next sweep tick: everything conforms, the replica is whole, nothing to write", fn: sweepFn, event: "eventbridge-scheduled.json", newID: "demo-second-sweep", check: true},
	}
	fmt.Fprintf(stdout, "Replica gap before: %s\n\n", replicaGap(cloud))
	total := &report.Report{Job: "demo", Started: time.Now()}
	for _, s := range steps {
		writesBefore := cloud.Writes()
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
		fmt.Fprintf(stdout, "SWR writes: %d\n\n", cloud.Writes()-writesBefore)
		if !s.check {
			total.Merge(rep)
		}
	}
	total.Duration = report.Duration(time.Since(total.Started))
	total.APICalls = 0
	for _, reg := range regs {
		total.APICalls += reg.Client.Stats().Requests
	}

	fmt.Fprintf(stdout, "Done: %d SWR API calls, %d writes; steps 1–3 made %d changes, refused %d, found %d things and met %d errors.\n",
		total.APICalls, cloud.Writes(), total.Counts.Changed, total.Counts.Refused, len(total.Findings), total.Counts.Errors)
	fmt.Fprintf(stdout, "The registries now hold %d repositories in %s and %d in %s.\n",
		primary.State().RepositoryCount(), demoPrimaryRegion, cloud.Region(demoDRRegion).State().RepositoryCount(), demoDRRegion)
	fmt.Fprintf(stdout, "Replica gap after: %s\n", replicaGap(cloud))
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
	if s.region != "" {
		if payload, err = withRegion(payload, s.region); err != nil {
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

// withRegion sets the "region" attribute of the CloudEvent in the body of
// a Function URL request, as EventGrid names the region of its events.
func withRegion(payload []byte, region string) ([]byte, error) {
	var req map[string]any
	if err := json.Unmarshal(payload, &req); err != nil {
		return nil, err
	}
	body, _ := req["body"].(string)
	var ce map[string]any
	if err := json.Unmarshal([]byte(body), &ce); err != nil {
		return nil, fmt.Errorf("the event's body is not a CloudEvent: %w", err)
	}
	ce["region"] = region
	b, err := json.Marshal(ce)
	if err != nil {
		return nil, err
	}
	req["body"] = string(b)
	if h, ok := req["headers"].(map[string]any); ok {
		delete(h, "content-length")
	}
	return json.Marshal(req)
}

// replicaGap describes how many tags of each replicated prod repository
// of the primary region its replica in the dr region lacks.
func replicaGap(cloud *swrtest.Cloud) string {
	source, replica := cloud.Region(demoPrimaryRegion).State(), cloud.Region(demoDRRegion).State()
	ns, ok := source.Namespace("prod")
	if !ok {
		return "no prod namespace"
	}
	var parts []string
	for _, r := range ns.Repositories {
		have := map[string]bool{}
		if rr, ok := replica.Repository("prod", r.Name); ok {
			for _, t := range rr.Tags {
				have[t.Name] = true
			}
		}
		missing := 0
		for _, t := range r.Tags {
			if !have[t.Name] {
				missing++
			}
		}
		parts = append(parts, fmt.Sprintf("prod/%s lacks %d of %d tags in %s", r.Name, missing, len(r.Tags), demoDRRegion))
	}
	return strings.Join(parts, "; ")
}
