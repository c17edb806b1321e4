package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// validators returns the file kinds that validate checks, each with the
// function that checks one file and returns what it parsed (for the
// check across files) and every problem in it. Files are read as the
// functions read them, with the same loader and size limit: a file the
// functions would refuse does not pass.
func validators() map[string]func(ctx context.Context, src string) (any, error) {
	return map[string]func(ctx context.Context, src string) (any, error){
		"directory": func(ctx context.Context, src string) (any, error) {
			c, err := source.Fetch(ctx, src, source.Options{})
			if err != nil {
				return nil, fmt.Errorf("team directory: %w", err)
			}
			if err := directory.Validate(c.Data, c.Source); err != nil {
				return nil, err
			}
			return directory.Parse(c.Data, c.Source)
		},
		"policy": func(ctx context.Context, src string) (any, error) {
			return function.LoadPolicy(ctx, src)
		},
		"targets": func(ctx context.Context, src string) (any, error) {
			return targets.Load(ctx, src, source.Options{})
		},
	}
}

// detectKind tells a team directory or a targets file from a policy by
// its top-level keys; anything else, unreadable files included, is
// checked as a policy.
func detectKind(path string) string {
	data, err := os.ReadFile(path)
	if err != nil {
		return "policy"
	}
	var top map[string]any
	if yaml.Unmarshal(data, &top) != nil {
		return "policy"
	}
	for _, k := range []string{"teams", "keep", "managed_namespaces", "create_missing_namespaces"} {
		if _, ok := top[k]; ok {
			return "directory"
		}
	}
	if _, ok := top["targets"]; ok {
		return "targets"
	}
	return "policy"
}

// runValidate checks policy, team directory and targets files: "swr-autopilot validate [-kind K] FILE...".
// It prints "FILE: ok" for each good file and every problem of each bad
// one. Without -kind each file's kind is told from its keys; when the
// files include a policy and a directory, the policy's default grants are
// also checked against the directory (grantplan.CrossCheck), conflicts as
// problems and notes on standard output; given a policy and a targets
// file, every target the policy's globs name must be in the file. It
// exits 1 when a file is bad or the files conflict, 2 on a usage error.
func runValidate(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	checks := validators()
	kinds := make([]string, 0, len(checks))
	for k := range checks {
		kinds = append(kinds, k)
	}
	slices.Sort(kinds)

	fs := flag.NewFlagSet("validate", flag.ContinueOnError)
	fs.SetOutput(stderr)
	kind := fs.String("kind", "", "kind of every file: "+strings.Join(kinds, ", ")+" (default: told from each file's keys)")
	fs.Usage = func() {
		fmt.Fprintln(stderr, "usage: swr-autopilot validate [-kind KIND] FILE...\n\n"+
			"Checks each FILE and prints \"FILE: ok\" or every problem found, as file:line:col: message.\n"+
			"Given a policy and a team directory (e.g. validate policy.yaml directory.yaml), also checks\n"+
			"the policy's default_grants against the directory; given a policy and a targets file, that\n"+
			"every target the policy names is in the file.\n"+
			"Exit status: 0 all good, 1 a file has problems or the files conflict, 2 usage error.\n\nflags:")
		fs.PrintDefaults()
	}
	if code, ok := parseFlags(fs, args); !ok {
		return code
	}
	if _, ok := checks[*kind]; !ok && *kind != "" {
		fmt.Fprintf(stderr, "validate: unknown kind %q (known: %s)\n", *kind, strings.Join(kinds, ", "))
		return 2
	}
	if fs.NArg() == 0 {
		fmt.Fprintln(stderr, "validate: no file given")
		fs.Usage()
		return 2
	}
	code := 0
	type parsedPolicy struct {
		path string
		p    *policy.Policy
	}
	var policies []parsedPolicy
	var dirs []*directory.Directory
	var sets []*targets.Set
	for _, path := range fs.Args() {
		k := *kind
		if k == "" {
			k = detectKind(path)
		}
		parsed, err := checks[k](ctx, path)
		if err != nil {
			fmt.Fprintln(stderr, err)
			code = 1
			continue
		}
		fmt.Fprintf(stdout, "%s: ok\n", path)
		switch v := parsed.(type) {
		case *policy.Policy:
			policies = append(policies, parsedPolicy{path, v})
		case *directory.Directory:
			dirs = append(dirs, v)
		case *targets.Set:
			sets = append(sets, v)
		}
	}
	for _, p := range policies {
		for _, set := range sets {
			for _, name := range p.p.Targets() {
				if _, ok := set.ByName(name); !ok {
					fmt.Fprintf(stderr, "%s: the policy scopes rules to target %q, which %s does not list (targets: %v)\n", p.path, name, set.File, set.Names())
					code = 1
				}
			}
		}
		for _, d := range dirs {
			for _, issue := range grantplan.CrossCheck(p.p, p.path, d) {
				if issue.Note {
					fmt.Fprintln(stdout, issue)
					continue
				}
				fmt.Fprintln(stderr, issue)
				code = 1
			}
		}
	}
	return code
}
