package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// runDiff previews a policy change over the live registry, read-only:
// "swr-autopilot diff [-namespace NS]... [-json] [-html FILE] OLD.yaml NEW.yaml".
// It exits exitCritical when NEW would trip a guard, so that it can gate
// a pull request.
func runDiff(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("diff", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var (
		namespaces namespaceList
		asJSON     bool
		htmlPath   string
		sf         swrFlags
	)
	fs.Var(&namespaces, "namespace", "compare only namespace `NS`; repeat for several (default: every namespace)")
	fs.BoolVar(&asJSON, "json", false, "print the diff as JSON instead of a table")
	fs.StringVar(&htmlPath, "html", "", "also write the diff as self-contained HTML to `FILE`")
	sf.register(fs)
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: swr-autopilot diff [-namespace NS]... [-json] [-html FILE] OLD.yaml NEW.yaml\n\n"+
			"Compares what two policies would do to the registry as it is, and writes nothing:\n"+
			"per repository the rule each puts in force, the tags that become deleted, kept or\n"+
			"uncertain (deleted under some readings of SWR's semantics),\n"+
			"the bytes freed and the guards NEW would trip.\n"+
			"Credentials come from the environment (HUAWEICLOUD_SDK_*, SWR_ENDPOINT).\n"+
			"Exit status: 0 NEW trips no guard, 3 NEW would trip a guard, 1 the comparison\n"+
			"failed or a policy is invalid, 2 usage error.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if fs.NArg() != 2 {
		fmt.Fprintln(stderr, "diff: give two policy files, OLD.yaml and NEW.yaml")
		fs.Usage()
		return exitUsage
	}
	oldPath, newPath := fs.Arg(0), fs.Arg(1)
	oldPol, err := loadPolicy(ctx, oldPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	newPol, err := loadPolicy(ctx, newPath)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return exitError
	}
	client, err := sf.client()
	if err != nil {
		fmt.Fprintf(stderr, "diff: %v\n", err)
		return exitError
	}
	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	// The engine follows NEW but is only asked to read.
	engine := autopilot.NewEngine(client, newPol, autopilot.Options{Logger: logger})
	d := engine.DiffFrom(ctx, oldPol, namespaces)
	d.Old, d.New = oldPath, newPath
	if err := writeReport(d, repositoryFlags{json: asJSON, html: htmlPath}, stdout); err != nil {
		fmt.Fprintf(stderr, "diff: %v\n", err)
		return exitError
	}
	return diffExitCode(d)
}

// diffExitCode: errors first, then a guard NEW trips.
func diffExitCode(d *report.PolicyDiff) int {
	switch {
	case len(d.Errors) > 0:
		return exitError
	case len(d.Findings) > 0:
		return exitCritical
	}
	return exitOK
}
