package main

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

func TestApplyWritesOnceAndIsIdempotent(t *testing.T) {
	srv := repoEmulator(t)
	policyFile := writeFile(t, "policy.yaml", repoPolicy)

	code, out, errOut := repoCommand("apply", "-repo", "team/web/app", "-policy", policyFile)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "apply (apply)")
	assert.Contains(t, out, "retention  create  team/web/app  applied  deletes 2 of 6 tags")
	assert.Equal(t, 1, srv.Writes())
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, tagNames(t, srv))

	srv.ResetLog()
	code, out, errOut = repoCommand("apply", "-repo", "team/web/app", "-policy", policyFile, "-json")
	require.Equal(t, 0, code, errOut)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Empty(t, rep.Changes)
	assert.Equal(t, 1, rep.Counts.Conformant)
	assert.Zero(t, srv.Writes(), "the second apply writes nothing")
}

func TestApplyRefusesAuditMode(t *testing.T) {
	srv := repoEmulator(t)
	policyFile := writeFile(t, "policy.yaml", strings.Replace(repoPolicy, "mode: enforce", "mode: audit", 1))

	code, out, errOut := repoCommand("apply", "-repo", "team/web/app", "-policy", policyFile)

	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Contains(t, errOut, "is in audit mode")
	assert.Empty(t, srv.Requests(), "not a single call")

	code, _, errOut = repoCommand("plan", "-repo", "team/web/app", "-policy", policyFile)
	assert.Equal(t, 0, code, "plan works in audit mode: %s", errOut)
}

func TestApplyReportsAGuardRefusal(t *testing.T) {
	srv := repoEmulator(t)
	policyFile := writeFile(t, "policy.yaml", "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1\n")

	code, out, errOut := repoCommand("apply", "-repo", "team/web/app", "-policy", policyFile)

	assert.Equal(t, exitCritical, code, "a refusal is a critical finding, not an error: %s", errOut)
	assert.Contains(t, out, "refused")
	assert.Contains(t, out, "retention.guard.max_fraction")
	assert.Zero(t, srv.Writes())
	assert.Len(t, tagNames(t, srv), 6)
}
