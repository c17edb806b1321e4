package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDemoRunsEveryFunctionAndConverges(t *testing.T) {
	html := filepath.Join(t.TempDir(), "report.html")
	var out, errOut bytes.Buffer
	code := dispatch(context.Background(), []string{"demo", "-html", html}, &out, &errOut)
	require.Equal(t, 0, code, "stderr: %s\nstdout: %s", errOut.String(), out.String())
	s := out.String()
	for _, want := range []string{
		"retention          create  primary:acme/payments",     // the created repository got its rule
		"repository_access  create  primary:acme/payments",     // and its default grants
		"retention.guard.max_fraction",                         // the unsafe rule was refused
		"trigger.cluster_not_allowed",                          // audits ran
		"namespace_access   delete  primary:prod#5a6b7c8d9e0f", // the stray grant was removed
		"deletes 8 of 31 tags; 2 uncertain",                    // a tie at the keep_last boundary (and build-5 is deployed)
		"build-10       primary:acme/web#1  deleted if ties=desc, kept if ties=asc",
		// Two regions: the sweep covers both, finds the replica gap and
		// closes it.
		"Replica gap before: prod/api lacks 17 of 17 tags in cn-east-3; prod/payments/ledger lacks 4 of 9 tags in cn-east-3",
		"sync.replica_missing_tags",
		"sync_images  create  primary:prod/payments/ledger#cn-east-3/prod  applied",
		"Replica gap after: prod/api lacks 0 of 17 tags in cn-east-3; prod/payments/ledger lacks 0 of 9 tags in cn-east-3",
	} {
		assert.Contains(t, s, want)
	}
	sweep := s[strings.Index(s, "== 2."):strings.Index(s, "== 3.")]
	assert.Regexp(t, `\n\s*dr\s+\d+`, sweep, "the sweep covers the dr target")
	assert.Regexp(t, `\n\s*primary\s+\d+`, sweep, "and the primary")
	// The last step is a second sweep: it must write nothing.
	last := s[strings.LastIndex(s, "== 4."):]
	assert.Contains(t, last, "SWR writes: 0")
	page, err := os.ReadFile(html)
	require.NoError(t, err)
	assert.Contains(t, string(page), "acme/tools/ci-cache")
	assert.Contains(t, string(page), `<div class="uncertain">uncertain (counted as deleted by the guards): <code>build-10</code> <span class="reason">(deleted if ties=desc, kept if ties=asc)</span>`)
}

// The demo registry exercises deployed-image protection, the conflict
// audit and the storage figures, and report.html draws the chart.
func TestDemoShowsDeployedTagsStorageAndTheChart(t *testing.T) {
	html := filepath.Join(t.TempDir(), "report.html")
	var out, errOut bytes.Buffer
	require.Equal(t, 0, dispatch(context.Background(), []string{"demo", "-html", html}, &out, &errOut), errOut.String())
	s := out.String()
	assert.Contains(t, s, "keeps build-5 (deployed by trigger deploy-web at 2026-10-20T09:30:00Z)")
	assert.Contains(t, s, "conflict.protect_unmatched")
	assert.Regexp(t, `storage: retention deletes \d+ of \d+ tags in \d+ repositories and may delete 2 more \(uncertain\), freeing at most [0-9.]+ [KMG]iB \(\+[0-9.]+ [KMG]iB if the uncertain tags go too\)`, s)

	raw, err := os.ReadFile(html)
	require.NoError(t, err)
	page := string(raw)
	start, end := strings.Index(page, "<svg"), strings.Index(page, "</svg>")
	require.True(t, start >= 0 && end > start, "report.html holds the inline SVG chart")
	svg := page[start:end]
	for _, ns := range []string{"primary:acme</text>", "primary:prod</text>", "dr:prod</text>"} {
		assert.Contains(t, svg, ns, "per target and namespace")
	}
	assert.Regexp(t, `<title>primary:acme: [1-9]\d* tags deleted</title>`, svg, "the chart has something to show")
	assert.Contains(t, svg, "<title>primary:acme: 2 tags uncertain</title>", "and the tie at the keep_last boundary")
	assert.Regexp(t, `≤ [0-9.]+ [KMG]iB freed`, svg)
	assert.NotContains(t, page, "<script")
	assert.NotRegexp(t, `(src|href)=`, page, "no external assets")
	assert.Contains(t, page, "kept because deployed: <code>build-5</code>")
}

func TestDemoEventsAreTheSamples(t *testing.T) {
	for _, name := range []string{"eventgrid-create-repository.json", "eventbridge-scheduled.json", "cloudevent-grantsync.json"} {
		sample, err := os.ReadFile(filepath.Join("..", "..", "events", name))
		require.NoError(t, err)
		embedded, err := demoData.ReadFile("demodata/" + name)
		require.NoError(t, err)
		assert.Equal(t, string(sample), string(embedded), "demodata/%s must stay a copy of events/%s", name, name)
	}
}
