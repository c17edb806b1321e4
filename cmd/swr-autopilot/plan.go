package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// runPlan shows what the policy would change in one repository, with the
// tags each retention write would delete, and writes nothing:
// "swr-autopilot plan -repo NS/REPO [-policy FILE] [-json] [-html FILE]".
func runPlan(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRepository(ctx, "plan", args, stdout, stderr)
}

// repositoryFlags are the flags of plan and apply.
type repositoryFlags struct {
	repo   string
	policy string
	json   bool
	html   string
	swr    swrFlags
}

// runRepository runs plan (a dry run) or apply on one repository through
// the engine the functions use (autopilot.Engine.Reconcile): its retention
// rule, simulated tag by tag and guarded, then the audits the policy
// switches on. It prints the report and exits 1 when the report has
// errors, 2 on a usage error.
func runRepository(ctx context.Context, name string, args []string, stdout, stderr io.Writer) int {
	dryRun := name == "plan"
	var f repositoryFlags
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.StringVar(&f.repo, "repo", "", "the repository, as `NAMESPACE/REPOSITORY` (required)")
	fs.StringVar(&f.policy, "policy", "", "policy: a `FILE`, an https URL or s3://bucket/key (default $AUTOPILOT_POLICY)")
	fs.BoolVar(&f.json, "json", false, "print the report as JSON instead of a table")
	fs.StringVar(&f.html, "html", "", "also write the report as self-contained HTML to `FILE`")
	f.swr.register(fs)
	fs.Usage = func() {
		what := "Shows what the policy would change in one repository, with the tags each retention\nwrite would delete; writes nothing."
		if !dryRun {
			what = "Brings one repository in line with the policy: writes the changes the guards allow.\nThe policy must be in enforce mode."
		}
		fmt.Fprintf(stderr, "usage: swr-autopilot %s -repo NAMESPACE/REPOSITORY [-policy FILE] [-json] [-html FILE]\n\n%s\nCredentials come from the environment (HUAWEICLOUD_SDK_*, SWR_ENDPOINT).\nExit status: 0 done, 1 the report has errors or the run failed, 2 usage error.\n\nflags:\n", name, what)
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "%s: unexpected argument %q\n", name, fs.Arg(0))
		fs.Usage()
		return 2
	}
	ns, repo, err := splitRepository(f.repo)
	if err != nil {
		fmt.Fprintf(stderr, "%s: -repo: %v\n", name, err)
		return 2
	}
	f.policy = orEnv(f.policy, policyEnv)
	if f.policy == "" {
		fmt.Fprintf(stderr, "%s: no policy file: pass -policy FILE or set AUTOPILOT_POLICY\n", name)
		return 2
	}
	pol, err := loadPolicy(ctx, f.policy)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	if !dryRun && pol.Mode != policy.ModeEnforce {
		fmt.Fprintf(stderr, "%s: policy %s is in audit mode, which never writes; set \"mode: enforce\" in it to apply, or run \"swr-autopilot plan\" to see the plan\n", name, f.policy)
		return 1
	}
	client, err := f.swr.client()
	if err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	engine := autopilot.NewEngine(client, pol, autopilot.Options{Logger: logger})
	started := time.Now()
	callsBefore := client.Stats().Requests
	res := engine.Reconcile(ctx, ns, repo, dryRun)
	rep := &report.Report{Job: name, DryRun: dryRun, Started: started}
	res.AddTo(rep)
	rep.Tally()
	rep.Duration = report.Duration(time.Since(started))
	rep.APICalls = client.Stats().Requests - callsBefore

	if err := writeReport(rep, f, stdout); err != nil {
		fmt.Fprintf(stderr, "%s: %v\n", name, err)
		return 1
	}
	return reportExitCode(rep)
}

// splitRepository splits "NAMESPACE/REPOSITORY"; the repository name may
// itself hold "/".
func splitRepository(s string) (ns, repo string, err error) {
	if s == "" {
		return "", "", fmt.Errorf("missing: give the repository as NAMESPACE/REPOSITORY")
	}
	ns, repo, ok := strings.Cut(s, "/")
	if !ok || ns == "" || repo == "" {
		return "", "", fmt.Errorf("%q is not NAMESPACE/REPOSITORY", s)
	}
	return ns, repo, nil
}

// renderer is what a command prints: a report or a policy diff.
type renderer interface {
	WriteTable(io.Writer) error
	WriteJSON(io.Writer) error
	WriteHTML(io.Writer) error
}

// writeReport prints rep as a table or JSON, and as HTML to the -html file.
func writeReport(rep renderer, f repositoryFlags, stdout io.Writer) error {
	if f.html != "" {
		out, err := os.Create(f.html)
		if err != nil {
			return fmt.Errorf("html report: %w", err)
		}
		werr := rep.WriteHTML(out)
		if cerr := out.Close(); werr == nil {
			werr = cerr
		}
		if werr != nil {
			return fmt.Errorf("html report %s: %w", f.html, werr)
		}
	}
	if f.json {
		return rep.WriteJSON(stdout)
	}
	return rep.WriteTable(stdout)
}
