package main

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// sweepEmulator starts an emulator with namespaces a and b, two
// repositories each with four tags and no retention rule, and points the
// SWR environment of the process at it.
func sweepEmulator(t *testing.T, opts ...swrtest.Option) *swrtest.Server {
	t.Helper()
	tags := []swrtest.SeedTag{{Name: "v1", Age: "4d"}, {Name: "v2", Age: "3d"}, {Name: "v3", Age: "2d"}, {Name: "v4", Age: "1d"}}
	repos := []swrtest.SeedRepository{{Name: "api", Tags: tags}, {Name: "web/app", Tags: tags}}
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "a", Repositories: repos}, {Name: "b", Repositories: repos}}}
	srv := swrtest.NewServer(append([]swrtest.Option{swrtest.WithSeed(&seed)}, opts...)...)
	t.Cleanup(srv.Close)
	for k, v := range map[string]string{
		"HUAWEICLOUD_SDK_AK": srv.AK, "HUAWEICLOUD_SDK_SK": srv.SK, "SWR_ENDPOINT": srv.URL,
		"HUAWEICLOUD_SDK_SECURITY_TOKEN": "", "HUAWEICLOUD_SDK_REGION": "", "SWR_AUTH_TOKEN": "",
		"SWR_IAM_DOMAIN": "", "SWR_IAM_USER": "", "SWR_IAM_PASSWORD": "", "AUTOPILOT_POLICY": "",
		"SWR_RETRY_MAX_ATTEMPTS": "2", "SWR_RETRY_BASE_DELAY": "1ms", "SWR_RETRY_MAX_DELAY": "2ms",
	} {
		t.Setenv(k, v)
	}
	return srv
}

const sweepPolicy = `mode: enforce
retention:
  - match: "**"
    keep_last: 3
`

func sweepJSON(t *testing.T, out string) report.Report {
	t.Helper()
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), out)
	return rep
}

func TestSweepCommandFixesEveryRepository(t *testing.T) {
	srv := sweepEmulator(t)
	policyFile := writeFile(t, "policy.yaml", sweepPolicy)
	htmlFile := filepath.Join(t.TempDir(), "sweep.html")

	code, out, errOut := repoCommand("sweep", "-policy", policyFile, "-json", "-html", htmlFile, "-concurrency", "2")
	require.Equal(t, 0, code, errOut)
	assert.Empty(t, errOut, "no progress line when stderr is not a terminal")
	rep := sweepJSON(t, out)
	assert.Equal(t, "sweep", rep.Job)
	assert.False(t, rep.DryRun)
	assert.Equal(t, 4, rep.Counts.Scanned)
	assert.Equal(t, 4, rep.Counts.Changed)
	assert.Positive(t, rep.APICalls)
	for _, c := range rep.Changes {
		assert.Equal(t, report.StatusApplied, c.Status)
		assert.Equal(t, []string{"v1"}, c.Impact.Delete)
	}
	for _, ns := range srv.State().Namespaces {
		for _, r := range ns.Repositories {
			assert.Equal(t, []string{"v2", "v3", "v4"}, r.TagNames(), "%s/%s", ns.Name, r.Name)
		}
	}
	page, err := os.ReadFile(htmlFile)
	require.NoError(t, err)
	assert.Contains(t, string(page), "<html")
	assert.Contains(t, string(page), "web/app")

	srv.ResetLog()
	code, out, errOut = repoCommand("sweep", "-policy", policyFile)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "sweep", "a table by default")
	assert.Zero(t, srv.Writes(), "the second sweep has nothing to write")
}

func TestSweepCommandDryRunOfOneNamespace(t *testing.T) {
	srv := sweepEmulator(t)
	t.Setenv("AUTOPILOT_POLICY", writeFile(t, "policy.yaml", sweepPolicy))

	code, out, errOut := repoCommand("sweep", "-dry-run", "-namespace", "b", "-json")
	require.Equal(t, 0, code, errOut)
	rep := sweepJSON(t, out)
	assert.True(t, rep.DryRun)
	assert.Equal(t, 2, rep.Counts.Scanned)
	for _, c := range rep.Changes {
		assert.Equal(t, "b", c.Namespace)
		assert.Equal(t, report.StatusPlanned, c.Status)
	}
	assert.Zero(t, srv.Writes())
}

func TestSweepCommandResumesFromACursor(t *testing.T) {
	srv := sweepEmulator(t)
	policyFile := writeFile(t, "policy.yaml", sweepPolicy)
	// Namespace b, from its second repository on: a/* and b/api stay untouched.
	code, out, errOut := repoCommand("sweep", "-policy", policyFile, "-json", "-cursor", "v2:b:1:api")
	require.Equal(t, 0, code, errOut)
	rep := sweepJSON(t, out)
	require.Equal(t, 1, rep.Counts.Scanned)
	assert.Equal(t, "b", rep.Changes[0].Namespace)
	assert.Equal(t, "web/app", rep.Changes[0].Repository)
	st := srv.State()
	for repo, want := range map[[2]string]int{{"b", "web/app"}: 3, {"b", "api"}: 4, {"a", "api"}: 4, {"a", "web/app"}: 4} {
		r, ok := st.Repository(repo[0], repo[1])
		require.True(t, ok)
		assert.Len(t, r.TagNames(), want, "%s/%s", repo[0], repo[1])
	}
}

func TestSweepCommandFailsWhenSWRFails(t *testing.T) {
	sweepEmulator(t, swrtest.WithFaults(swrtest.Faults{Rate500: 1}))
	code, _, errOut := repoCommand("sweep", "-policy", writeFile(t, "policy.yaml", sweepPolicy), "-json")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "list namespaces")
}

func TestSweepCommandUsageErrors(t *testing.T) {
	sweepEmulator(t)
	policyFile := writeFile(t, "policy.yaml", sweepPolicy)
	for name, args := range map[string][]string{
		"no policy":         {"sweep"},
		"bad concurrency":   {"sweep", "-policy", policyFile, "-concurrency", "0"},
		"stray argument":    {"sweep", "-policy", policyFile, "extra"},
		"unknown flag":      {"sweep", "-policy", policyFile, "-fast"},
		"empty namespace":   {"sweep", "-policy", policyFile, "-namespace", ""},
		"missing flag arg.": {"sweep", "-policy"},
		"malformed cursor":  {"sweep", "-policy", policyFile, "-cursor", "not-a-cursor"},
	} {
		code, _, errOut := repoCommand(args...)
		assert.Equal(t, 2, code, name)
		assert.NotEmpty(t, errOut, name)
	}
	code, _, _ := repoCommand("sweep", "-h")
	assert.Equal(t, 0, code)
}

func TestSweepProgressLine(t *testing.T) {
	assert.Equal(t, "swept 1200/5000 repositories (24%), 100.0/s, ETA 38s",
		sweepProgressLine(1200, 5000, 12*time.Second))
	assert.Equal(t, "swept 0/10 repositories (0%), 0.0/s, ETA --", sweepProgressLine(0, 10, 0))
	assert.Equal(t, "swept 30 repositories, 15.0/s", sweepProgressLine(30, 0, 2*time.Second))
	assert.Equal(t, "swept 10/10 repositories (100%), 5.0/s, ETA 0s", sweepProgressLine(10, 10, 2*time.Second))
}

func TestSweepProgressRedrawsInPlaceAtMostEveryTenthOfASecond(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	clock := func() time.Time { return now }
	var buf bytes.Buffer
	p := newSweepProgress(&buf, clock)
	now = now.Add(time.Second)
	p.update(1, 4)
	now = now.Add(10 * time.Millisecond)
	p.update(2, 4) // too soon: skipped
	now = now.Add(200 * time.Millisecond)
	p.update(3, 4)
	p.update(4, 4) // the last is always drawn
	p.clear()
	assert.Equal(t, "\rswept 1/4 repositories (25%), 1.0/s, ETA 3s\x1b[K"+
		"\rswept 3/4 repositories (75%), 2.5/s, ETA 1s\x1b[K"+
		"\rswept 4/4 repositories (100%), 3.3/s, ETA 0s\x1b[K"+
		"\r\x1b[K", buf.String())
	assert.False(t, writerIsTerminal(&buf))
}
