package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// diffEmulator holds what examples/policy.yaml and policy-next.yaml
// disagree on:
//   - team-a/web: 40 tags, one a day. policy.yaml keeps 30 (and latest);
//     policy-next.yaml keeps 10, deleting 30 of 41: above
//     max_delete_fraction 0.5, so NEW trips a guard.
//   - prod/api: tags 10 to 200 days old, deployed by a trigger.
//     policy.yaml keeps 180 days; policy-next.yaml 90 days, but keeps the
//     last tag the trigger deployed (r150, 150 days old): r100 is newly
//     deleted.
//   - team/web/app (repoEmulator): 6 tags; both rules keep them all, but
//     the rule changes.
func diffEmulator(t *testing.T) *swrtest.Server {
	t.Helper()
	var web []swrtest.SeedTag
	for i := 1; i <= 40; i++ {
		web = append(web, swrtest.SeedTag{Name: fmt.Sprintf("b%02d", i), Age: fmt.Sprintf("%dd", 41-i), Size: 10 << 20})
	}
	web = append(web, swrtest.SeedTag{Name: "latest", Age: "1h", Size: 10 << 20})
	var api []swrtest.SeedTag
	for _, age := range []int{10, 50, 100, 150, 190, 200} {
		api = append(api, swrtest.SeedTag{Name: fmt.Sprintf("r%d", age), Age: fmt.Sprintf("%dd", age), Size: 100 << 20})
	}
	srv := repoEmulator(t)
	deployed := srv.Now().Add(-150 * 24 * time.Hour)
	require.NoError(t, srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "team-a", Repositories: []swrtest.SeedRepository{{Name: "web", Tags: web}}},
		{Name: "prod", Repositories: []swrtest.SeedRepository{{Name: "api", Tags: api, Triggers: []swrtest.SeedTrigger{{
			Name: "deploy-api", AppType: "deployments", Application: "api", ClusterName: "prod-cce", ClusterNs: "default",
			Condition: ".*", TriggerType: "all", Enable: "true",
			History: []swrtest.SeedTriggerHistory{{Tag: "r150", Result: "success", At: deployed}},
		}}}}},
	}}))
	return srv
}

func examplePolicy(name string) string { return filepath.Join("..", "..", "examples", name) }

func TestDiffExamplePoliciesTripsAGuard(t *testing.T) {
	srv := diffEmulator(t)
	htmlFile := filepath.Join(t.TempDir(), "diff.html")
	code, out, errOut := repoCommand("diff", "-html", htmlFile, examplePolicy("policy.yaml"), examplePolicy("policy-next.yaml"))

	assert.Equal(t, exitCritical, code, "NEW trips a guard: stderr %s\n%s", errOut, out)
	assert.Zero(t, srv.Writes(), "diff only reads")
	assert.Contains(t, out, "would trip 1 guard(s)")
	assert.Regexp(t, `team-a/web\s+keep_last 30, protect latest\s+keep_last 10, protect latest\s+create \(refused\)\s+20\s+0\s+0\s+100\.0 MiB → 300\.0 MiB`, out)
	assert.Regexp(t, `prod/api\s+keep_days 180, protect latest stable /\S+/\s+keep_days 90, protect latest r150 stable /\S+/\s+create\s+1\s+0\s+0\s+200\.0 MiB → 300\.0 MiB`, out)
	assert.Regexp(t, `team/web/app\s+keep_last 30, protect latest\s+keep_last 10, protect latest\s+create\s+0\s+0\s+0\s+0 B → 0 B`, out)
	assert.Contains(t, out, "prod/api\n  newly deleted:   r100\n", "90 days instead of 180")
	assert.Contains(t, out, "  kept because deployed: r150 (deployed by trigger deploy-api at ")
	assert.Contains(t, out, "team-a/web\n  newly deleted:   b11, b12, b13, b14, b15, b16, b17, b18, b19, b20, b21, b22, b23, b24, b25, b26, b27, b28, b29, b30\n")
	assert.Regexp(t, `retention.guard.max_fraction\s+critical\s+team-a/web\s+retention write refused: it would delete 30 of 41 tags`, out)
	assert.Contains(t, out, "3 of 3 repositories change: 21 tags newly deleted, 0 newly kept, 0 newly uncertain; storage freed at most 300.0 MiB → 600.0 MiB")

	page, err := os.ReadFile(htmlFile)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<svg")
	assert.Contains(t, string(page), "would trip 1 guard(s)")
	assert.Contains(t, string(page), "<code>b30</code>")
}

func TestDiffWithinTheGuardsExitsZero(t *testing.T) {
	srv := diffEmulator(t)
	old := examplePolicy("policy.yaml")
	data, err := os.ReadFile(old)
	require.NoError(t, err)
	// Keep 25 instead of 30: 5 more deletions of 41 tags, within the guard.
	next := writeFile(t, "next.yaml", strings.Replace(string(data), "keep_last: 30", "keep_last: 25", 1))

	code, out, errOut := repoCommand("diff", "-json", old, next)
	require.Equal(t, exitOK, code, "stderr %s\n%s", errOut, out)
	var d report.PolicyDiff
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Equal(t, 3, d.Scanned)
	require.Len(t, d.Repositories, 2, "team-a/web and team/web/app")
	rd := d.Repositories[0]
	assert.Equal(t, "team-a/web", rd.Namespace+"/"+rd.Repository)
	assert.Equal(t, []string{"b11", "b12", "b13", "b14", "b15"}, rd.NewlyDeleted)
	assert.Equal(t, []string{}, rd.NewlyKept)
	assert.Equal(t, report.OpCreate, rd.New.Write)
	assert.False(t, rd.Tripped)
	assert.Empty(t, d.Findings)
	assert.Equal(t, int64(100<<20), rd.Old.Impact.FreedBytes, "10 tags of 10 MiB")
	assert.Equal(t, int64(150<<20), rd.New.Impact.FreedBytes, "15 tags of 10 MiB")
	require.NotNil(t, d.NewStorage)
	assert.Equal(t, int64(150<<20), d.NewStorage.Total.FreedBytes)
	assert.Zero(t, srv.Writes())

	// The reverse direction keeps those tags again.
	code, out, _ = repoCommand("diff", "-json", next, old)
	require.Equal(t, exitOK, code)
	require.NoError(t, json.Unmarshal([]byte(out), &d))
	assert.Equal(t, []string{"b11", "b12", "b13", "b14", "b15"}, d.Repositories[0].NewlyKept)
}

func TestDiffUsage(t *testing.T) {
	repoEmulator(t)
	code, _, errOut := repoCommand("diff", examplePolicy("policy.yaml"))
	assert.Equal(t, exitUsage, code)
	assert.Contains(t, errOut, "give two policy files")
	bad := writeFile(t, "bad.yaml", "retention: [{match: '**', keep_last: 0}]\n")
	code, _, errOut = repoCommand("diff", examplePolicy("policy.yaml"), bad)
	assert.Equal(t, exitError, code)
	assert.Contains(t, errOut, "keep_last must be between 1 and 1000")
}
