package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// validators returns the file kinds that validate checks, each with the
// function that checks one file and returns every problem in it.
func validators() map[string]func(path string) error {
	return map[string]func(path string) error{
		"directory": func(path string) error {
			data, err := os.ReadFile(path)
			if err != nil {
				return fmt.Errorf("read directory: %w", err)
			}
			return directory.Validate(data, path)
		},
		"policy": func(path string) error {
			_, err := policy.Load(path)
			return err
		},
		"targets": func(path string) error {
			_, err := targets.Load(context.Background(), path, directory.Options{})
			return err
		},
	}
}

// runValidate checks policy, team directory and targets files: "swr-autopilot validate [-kind K] FILE...".
// It prints "FILE: ok" for each good file and every problem of each bad
// one, and exits 1 when a file is bad, 2 on a usage error.
func runValidate(_ context.Context, args []string, stdout, stderr io.Writer) int {
	checks := validators()
	kinds := make([]string, 0, len(checks))
	for k := range checks {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)

	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "policy", "kind of file: "+strings.Join(kinds, ", "))
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: swr-autopilot validate [-kind KIND] FILE...\n\nChecks each FILE and prints \"FILE: ok\" or every problem found, as file:line:col: message.\nExit status: 0 all good, 1 a file has problems, 2 usage error.\n\nflags:")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	check, ok := checks[*kind]
	if !ok {
		fmt.Fprintf(stderr, "validate: unknown kind %q (known: %s)\n", *kind, strings.Join(kinds, ", "))
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "validate: no file given")
		fs.Usage()
		return 2
	}
	code := 0
	for _, path := range fs.Args() {
		if err := check(path); err != nil {
			fmt.Fprintln(stderr, err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", path)
	}
	return code
}
