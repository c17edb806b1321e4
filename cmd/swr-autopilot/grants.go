package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// grantsDirectoryEnv names the team directory source when -directory is not given.
const grantsDirectoryEnv = "AUTOPILOT_DIRECTORY"

// runGrants reconciles SWR grants with the team directory:
// "swr-autopilot grants [-dry-run] -directory SRC [-policy SRC] [-namespace NS] [-json] [-html FILE]".
// It prints the report and exits with grantsExitCode: 1 when the run
// failed, reported errors, or the directory is invalid, empty or
// truncated; 3 when removals were refused; 2 on a usage error.
func runGrants(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("grants", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var sf swrFlags
	sf.register(fs)
	sf.registerTargets(fs)
	dryRun := fs.Bool("dry-run", false, "plan and report without writing anything to SWR")
	src := fs.String("directory", "", "team directory: a path, an https:// URL or s3://bucket/key (default $"+grantsDirectoryEnv+")")
	policySrc := fs.String("policy", "", "policy `FILE` whose default_grants count as desired grants (default $"+policyEnv+"; optional)")
	namespace := fs.String("namespace", "", "reconcile only this namespace and the repositories the directory names in it")
	asJSON := fs.Bool("json", false, "print the report as JSON instead of a table")
	htmlFile := fs.String("html", "", "also write the report as HTML to `FILE`")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: swr-autopilot grants [-dry-run] -directory SRC [-policy SRC] [-namespace NS] [-json] [-html FILE]\n\n"+
			"Brings SWR namespace and repository grants in line with the team directory: adds and raises\n"+
			"grants everywhere, removes and lowers them only in the directory's managed namespaces, and\n"+
			"refuses every removal when the directory is empty or invalid or the removals exceed its guard.\n"+
			"With -namespace it only adds and raises: removals wait for a run over everything.\n"+
			"SWR credentials come from the environment (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK, …).\n"+
			"Exit status: 0 done, 1 the run failed or reported errors, or the directory is invalid, empty\n"+
			"or truncated, 2 usage error, 3 removals were refused (guard, or a -namespace run).\n\nflags:")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(stderr, "grants: unexpected argument %q\n", fs.Arg(0))
		return 2
	}
	*src = orEnv(*src, grantsDirectoryEnv)
	if *src == "" {
		fmt.Fprintln(stderr, "grants: no team directory: pass -directory SRC or set "+grantsDirectoryEnv)
		return 2
	}

	regs, err := sf.registries(ctx, "")
	if err != nil {
		fmt.Fprintf(stderr, "grants: %v\n", err)
		return 1
	}
	cfg := grantsync.Config{
		Directory: *src,
		Logger:    slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn})),
	}
	*policySrc = orEnv(*policySrc, policyEnv)
	if *policySrc != "" {
		if cfg.Policy, err = loadPolicy(ctx, *policySrc); err != nil {
			fmt.Fprintf(stderr, "grants: %v\n", err)
			return exitError
		}
	}
	var scope []grantsync.Target
	if *namespace != "" {
		scope = append(scope, grantsync.Target{Namespace: *namespace})
	}
	rep, runErr := perTarget(grantsync.JobName, regs, func(_ int, reg multitarget.Registry) (*report.Report, error) {
		tc := cfg
		if tc.Policy != nil {
			tc.Policy = tc.Policy.ForTarget(reg.Target.Name)
		}
		return grantsync.New(reg.Client, tc).Reconcile(ctx, *dryRun, scope...)
	})

	if err := writeGrantsReport(rep, stdout, *asJSON, *htmlFile); err != nil {
		fmt.Fprintf(stderr, "grants: %v\n", err)
		return 1
	}
	if runErr != nil {
		fmt.Fprintf(stderr, "grants: %v\n", runErr)
		return 1
	}
	return grantsExitCode(rep)
}

// grantsExitCode is reportExitCode for a grant sync report, which also
// exits 1 when the directory is invalid, empty or truncated (a CI gate
// must not pass on it), and 3 when any removal was refused.
func grantsExitCode(rep *report.Report) int {
	for _, f := range rep.Findings {
		if f.Code == grantplan.CodeInvalidDirectory || f.Code == grantplan.CodeEmptyDirectory {
			return exitError
		}
	}
	code := reportExitCode(rep)
	if code != exitOK {
		return code
	}
	for _, c := range rep.Changes {
		if c.Status == report.StatusRefused {
			return exitCritical
		}
	}
	return exitOK
}

// writeGrantsReport writes rep to stdout as a table or JSON, and as HTML to
// htmlFile when one is given.
func writeGrantsReport(rep *report.Report, stdout io.Writer, asJSON bool, htmlFile string) error {
	var err error
	if asJSON {
		err = rep.WriteJSON(stdout)
	} else {
		err = rep.WriteTable(stdout)
	}
	if err != nil {
		return fmt.Errorf("write report: %w", err)
	}
	if htmlFile == "" {
		return nil
	}
	f, err := os.Create(htmlFile)
	if err != nil {
		return fmt.Errorf("write HTML report: %w", err)
	}
	if err := rep.WriteHTML(f); err != nil {
		f.Close()
		return fmt.Errorf("write HTML report %s: %w", htmlFile, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write HTML report %s: %w", htmlFile, err)
	}
	return nil
}
