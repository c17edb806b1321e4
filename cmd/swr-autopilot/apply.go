package main

import (
	"context"
	"io"
)

// runApply brings one repository in line with the policy, writing what the
// guards allow: "swr-autopilot apply -repo NS/REPO [-policy FILE] [-json]
// [-html FILE]". It refuses (exit 1) a policy in audit mode. It runs the
// same path as plan, which is the same path as the functions.
func runApply(ctx context.Context, args []string, stdout, stderr io.Writer) int {
	return runRepository(ctx, "apply", args, stdout, stderr)
}
