// Command swr-autopilot is the people's entry point to swr-autopilot: it runs
// the same jobs as the Lambda functions (plan, apply, sweep, grants), the
// demo, policy validation and the SWR emulator.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"syscall"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// command is one subcommand. run returns the process exit code.
type command struct {
	summary string
	run     func(ctx context.Context, args []string, stdout, stderr io.Writer) int
}

func commands() map[string]command {
	return map[string]command{
		"demo":     {"run the three functions on the embedded SWR emulator (no credentials)", runDemo},
		"diff":     {"preview a policy change: what OLD.yaml and NEW.yaml would each delete (read-only)", runDiff},
		"emulator": {"run the in-memory SWR emulator as a process", runEmulator},
		"grants":   {"bring SWR grants in line with the team directory", runGrants},
		"plan":     {"show what the policy would change in one repository (dry run)", runPlan},
		"apply":    {"bring one repository in line with the policy", runApply},
		"sweep":    {"sweep every repository: retention and audits, fixed or reported", runSweep},
		"validate": {"check a policy or team directory file", runValidate},
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := dispatch(ctx, os.Args[1:], os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

// dispatch runs the command args name. Everything it prints goes through
// the redactor: a URL in an error or a report loses its user information
// and query, which may carry credentials.
func dispatch(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	out, errOut := redact.Writer(stdout), redact.Writer(stderr)
	defer errOut.Flush()
	defer out.Flush()
	return run(ctx, args, out, errOut)
}

func run(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	cmds := commands()
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		usage(stderr, cmds)
		if len(args) == 0 {
			return 2
		}
		return 0
	}
	c, ok := cmds[args[0]]
	if !ok {
		fmt.Fprintf(stderr, "swr-autopilot: unknown command %q\n\n", args[0])
		usage(stderr, cmds)
		return 2
	}
	return c.run(ctx, args[1:], stdout, stderr)
}

func usage(w io.Writer, cmds map[string]command) {
	fmt.Fprintln(w, "usage: swr-autopilot <command> [flags]\n\ncommands:")
	names := make([]string, 0, len(cmds))
	for n := range cmds {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		fmt.Fprintf(w, "  %-10s %s\n", n, cmds[n].summary)
	}
	fmt.Fprintln(w, "\nRun 'swr-autopilot <command> -h' for a command's flags.")
	fmt.Fprintln(w, "\nenvironment (credentials are read only from here; AUTOPILOT_POLICY and")
	fmt.Fprintln(w, "AUTOPILOT_DIRECTORY give the -policy and -directory defaults):")
	if err := config.Usage(w, &config.SWR{}); err != nil {
		fmt.Fprintln(w, err)
	}
}

// parseFlags parses args with fs, mapping -h to exit code 0 and bad flags to 2.
// It returns ok=false with the exit code when the caller should stop.
func parseFlags(fs *flag.FlagSet, args []string) (code int, ok bool) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return 0, false
		}
		return 2, false
	}
	return 0, true
}
