package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// namespaceList collects repeated -namespace flags.
type namespaceList []string

func (l *namespaceList) String() string { return strings.Join(*l, ",") }

func (l *namespaceList) Set(v string) error {
	if v == "" {
		return errors.New("empty namespace")
	}
	*l = append(*l, v)
	return nil
}

// runSweep sweeps the registry, or the namespaces named, through the job
// the scheduled function runs: "swr-autopilot sweep [-dry-run]
// [-namespace NS]... -policy FILE [-json] [-html FILE] [-concurrency N]".
// On a terminal it shows progress on stderr. It prints the report and
// exits 1 when the report has errors or the sweep failed, 2 on a usage
// error.
func runSweep(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	var (
		out        repositoryFlags
		dryRun     bool
		namespaces namespaceList
		workers    int
		cursor     string
		only       string
	)
	fs := flag.NewFlagSet("sweep", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.BoolVar(&dryRun, "dry-run", false, "plan and report only; write nothing")
	fs.Var(&namespaces, "namespace", "sweep only namespace `NS`; repeat for several (default: every namespace)")
	fs.StringVar(&out.policy, "policy", "", "policy: a `FILE`, an https URL or s3://bucket/key (default $AUTOPILOT_POLICY)")
	fs.BoolVar(&out.json, "json", false, "print the report as JSON instead of a table")
	fs.StringVar(&out.html, "html", "", "also write the report as self-contained HTML to `FILE`")
	fs.StringVar(&cursor, "cursor", "", "resume an unfinished sweep from the `CURSOR` its report printed")
	fs.IntVar(&workers, "concurrency", sweep.DefaultConcurrency, "repositories swept at once (`N`); SWR_RATE_LIMIT bounds the request rate")
	out.swr.register(fs)
	out.swr.registerTargets(fs)
	fs.StringVar(&only, "target", "", "sweep only the target `NAME` of the targets file (a -cursor belongs to one target)")
	fs.Usage = func() {
		fmt.Fprint(stderr, "usage: swr-autopilot sweep [-dry-run] [-namespace NS]... [-cursor CURSOR] -policy FILE [-targets FILE [-target NAME]] [-json] [-html FILE] [-concurrency N]\n\n"+
			"Sweeps every repository (or those of the namespaces named): retention rules simulated,\n"+
			"guarded and fixed, and the trigger, sync and visibility audits the policy switches on.\n"+
			"Writes only when the policy is in enforce mode and -dry-run is not given.\n"+
			"Credentials come from the environment (HUAWEICLOUD_SDK_*, SWR_ENDPOINT).\n"+
			"Exit status: 0 done, 1 the report has errors or the sweep failed, 2 usage error.\n\nflags:\n")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	out.policy = orEnv(out.policy, policyEnv)
	switch {
	case fs.NArg() > 0:
		fmt.Fprintf(stderr, "sweep: unexpected argument %q\n", fs.Arg(0))
		fs.Usage()
		return 2
	case workers < 1:
		fmt.Fprintf(stderr, "sweep: -concurrency must be at least 1, not %d\n", workers)
		return 2
	case out.policy == "":
		fmt.Fprintln(stderr, "sweep: no policy file: pass -policy FILE or set AUTOPILOT_POLICY")
		return 2
	}
	if cursor != "" {
		if _, err := sweep.ParseCursor(cursor); err != nil {
			fmt.Fprintf(stderr, "sweep: -cursor: %v\n", err)
			return 2
		}
	}
	pol, err := loadPolicy(ctx, out.policy)
	if err != nil {
		fmt.Fprintln(stderr, err)
		return 1
	}
	regs, err := out.swr.registries(ctx, only)
	if err == nil && cursor != "" && len(regs) > 1 {
		err = errors.New("-cursor belongs to one target: name it with -target")
	}
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return 1
	}

	logger := slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))
	engines, err := multitarget.Engines(regs, pol, autopilot.Options{Logger: logger})
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
		return 1
	}
	var progress *sweepProgress
	rep, err := perTarget(sweep.JobName, regs, func(i int, reg multitarget.Registry) (*report.Report, error) {
		cfg := sweep.Config{DryRun: dryRun, Concurrency: workers, Target: reg.Target.Name}
		if writerIsTerminal(stderr) {
			progress = newSweepProgress(stderr, time.Now)
			cfg.Progress = progress.update
		}
		rep, err := sweep.New(engines[i], reg.Client, cfg).Run(ctx, events.SweepRequested{Namespaces: namespaces, DryRun: dryRun, Cursor: cursor})
		progress.clear()
		return rep, err
	})
	if err != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", err)
	}
	if werr := writeReport(rep, out, stdout); werr != nil {
		fmt.Fprintf(stderr, "sweep: %v\n", werr)
		return 1
	}
	if err != nil {
		return exitError
	}
	if rep.Cursor != "" {
		fmt.Fprintf(stderr, "sweep: interrupted; repositories from %s on were not swept\n", rep.Cursor)
		return exitError
	}
	return reportExitCode(rep)
}

// writerIsTerminal reports whether w is a character device such as a
// terminal.
func writerIsTerminal(w io.Writer) bool {
	for {
		u, ok := w.(interface{ Unwrap() io.Writer })
		if !ok {
			break
		}
		w = u.Unwrap()
	}
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeCharDevice != 0
}

// sweepProgress redraws one status line in place on a terminal.
type sweepProgress struct {
	w     io.Writer
	now   func() time.Time
	start time.Time
	drawn time.Time
}

// progressEvery is the least time between two redraws.
const progressEvery = 100 * time.Millisecond

func newSweepProgress(w io.Writer, now func() time.Time) *sweepProgress {
	return &sweepProgress{w: w, now: now, start: now()}
}

// update redraws the line, at most every progressEvery and always for the
// last repository. It is a sweep.Config.Progress function.
func (p *sweepProgress) update(done, total int) {
	now := p.now()
	if done != total && now.Sub(p.drawn) < progressEvery {
		return
	}
	p.drawn = now
	fmt.Fprintf(p.w, "\r%s\x1b[K", sweepProgressLine(done, total, now.Sub(p.start)))
}

// clear erases the line; nil does nothing.
func (p *sweepProgress) clear() {
	if p != nil && !p.drawn.IsZero() {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// sweepProgressLine describes progress: done of total (0: unknown),
// the rate and the estimated time left.
func sweepProgressLine(done, total int, elapsed time.Duration) string {
	rate := 0.0
	if s := elapsed.Seconds(); s > 0 {
		rate = float64(done) / s
	}
	if total <= 0 {
		return fmt.Sprintf("swept %d repositories, %.1f/s", done, rate)
	}
	eta := "--"
	if rate > 0 {
		left := time.Duration(math.Ceil(float64(total-done)/rate)) * time.Second
		eta = left.String()
	}
	return fmt.Sprintf("swept %d/%d repositories (%d%%), %.1f/s, ETA %s", done, total, done*100/total, rate, eta)
}
