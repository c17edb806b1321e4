package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const grantsDirectory = `teams:
  - name: payments
    members:
      - {id: u-alice, name: alice}
    namespaces:
      payments: manage
      shared: read
guard: {max_removal_fraction: 0.5}
managed_namespaces: [payments]
`

// grantsEmulator starts an emulator holding two namespaces and points the
// SWR environment of the process at it.
func grantsEmulator(t *testing.T) *swrtest.Server {
	t.Helper()
	srv := swrtest.NewServer(swrtest.WithCredentials("GRANTSAK", "grants-secret"))
	t.Cleanup(srv.Close)
	require.NoError(t, srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "payments", Grants: []swrtest.SeedGrant{
			{UserID: "u-alice", UserName: "alice", Auth: 1}, {UserID: "u-mallory", UserName: "mallory", Auth: 3},
		}},
		{Name: "shared"},
	}}))
	for k, v := range map[string]string{
		"HUAWEICLOUD_SDK_AK": srv.AK, "HUAWEICLOUD_SDK_SK": srv.SK, "SWR_ENDPOINT": srv.URL,
		"HUAWEICLOUD_SDK_SECURITY_TOKEN": "", "HUAWEICLOUD_SDK_REGION": "", "SWR_AUTH_TOKEN": "",
		"SWR_IAM_DOMAIN": "", "SWR_IAM_USER": "", "SWR_IAM_PASSWORD": "", grantsDirectoryEnv: "", policyEnv: "",
	} {
		t.Setenv(k, v)
	}
	return srv
}

func grants(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), append([]string{"grants"}, args...), &out, &errOut)
	return code, out.String(), errOut.String()
}

func namespaceGrants(t *testing.T, srv *swrtest.Server, ns string) map[string]int {
	t.Helper()
	n, ok := srv.State().Namespace(ns)
	require.True(t, ok)
	out := map[string]int{}
	for _, g := range n.Grants {
		out[g.UserName] = g.Auth
	}
	return out
}

func TestGrantsDryRunThenApply(t *testing.T) {
	srv := grantsEmulator(t)
	dir := writeFile(t, "directory.yaml", grantsDirectory)

	code, out, errOut := grants("-dry-run", "-directory", dir)
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "grantsync (dry run)")
	assert.Contains(t, out, "namespace_access  update  payments#u-alice")
	assert.Contains(t, out, "namespace_access  delete  payments#u-mallory")
	assert.Zero(t, srv.Writes())

	htmlFile := filepath.Join(t.TempDir(), "grants.html")
	code, out, errOut = grants("-directory", dir, "-json", "-html", htmlFile)
	require.Equal(t, 0, code, errOut)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "grantsync", rep.Job)
	assert.False(t, rep.DryRun)
	assert.Equal(t, 3, rep.Counts.Changed, "alice raised on payments, mallory removed, alice added on shared")
	assert.Equal(t, 3, srv.Writes())
	assert.Equal(t, map[string]int{"alice": 7}, namespaceGrants(t, srv, "payments"))
	assert.Equal(t, map[string]int{"alice": 1}, namespaceGrants(t, srv, "shared"))
	html, err := os.ReadFile(htmlFile)
	require.NoError(t, err)
	assert.Contains(t, string(html), "grantsync")
}

func TestGrantsOneNamespaceFromTheEnvironment(t *testing.T) {
	srv := grantsEmulator(t)
	t.Setenv(grantsDirectoryEnv, writeFile(t, "directory.yaml", grantsDirectory))

	code, _, errOut := grants("-namespace", "shared")
	require.Equal(t, 0, code, errOut)
	for _, r := range srv.Requests() {
		assert.True(t, strings.HasPrefix(r.Path, "/v2/manage/namespaces/shared/"), r.Path)
	}
	assert.Equal(t, map[string]int{"alice": 1}, namespaceGrants(t, srv, "shared"))
	assert.Equal(t, map[string]int{"alice": 1, "mallory": 3}, namespaceGrants(t, srv, "payments"))
}

func TestGrantsFailures(t *testing.T) {
	srv := grantsEmulator(t)

	code, _, errOut := grants()
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, "no team directory: pass -directory SRC or set AUTOPILOT_DIRECTORY")

	code, _, errOut = grants("-directory", "d.yaml", "extra")
	assert.Equal(t, 2, code)
	assert.Contains(t, errOut, `unexpected argument "extra"`)

	code, _, errOut = grants("-h")
	assert.Equal(t, 0, code)
	assert.Contains(t, errOut, "usage: swr-autopilot grants")

	code, out, errOut := grants("-directory", filepath.Join(t.TempDir(), "absent.yaml"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "load team directory")
	assert.Contains(t, out, "load directory", "the report lists the error too")
	assert.Empty(t, srv.Requests())
	assert.NotContains(t, out+errOut, srv.SK)

	t.Setenv("SWR_ENDPOINT", "")
	code, _, errOut = grants("-directory", writeFile(t, "d.yaml", grantsDirectory))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "SWR_ENDPOINT")
}

func TestGrantsExitCodes(t *testing.T) {
	full := grantsDirectory
	for name, tc := range map[string]struct {
		dir  string
		args []string
		code int
	}{
		"in line after the run": {dir: full, code: exitOK},
		"invalid directory":     {dir: strings.Replace(full, "payments: manage", "payments: admin", 1), code: exitError},
		"empty directory":       {dir: "teams: []\nmanaged_namespaces: [payments]\n", code: exitError},
		"empty file":            {dir: "", code: exitError},
		"truncated directory":   {dir: full[:len(full)-1], code: exitError},
		"removals over the guard are refused": {
			dir: strings.Replace(full, "guard: {max_removal_fraction: 0.5}", "guard: {max_removals: 0}", 1), code: exitCritical,
		},
		"a namespace run leaves removals to a full run": {dir: full, args: []string{"-namespace", "payments"}, code: exitCritical},
	} {
		t.Run(name, func(t *testing.T) {
			srv := grantsEmulator(t)
			code, out, errOut := grants(append([]string{"-directory", writeFile(t, "d.yaml", tc.dir)}, tc.args...)...)
			assert.Equal(t, tc.code, code, "%s\n%s", out, errOut)
			if tc.code == exitError {
				assert.Equal(t, 3, namespaceGrants(t, srv, "payments")["mallory"], "nothing removed")
			}
		})
	}
}

func TestGrantsPolicyDefaultGrantsAreDesired(t *testing.T) {
	srv := grantsEmulator(t)
	require.NoError(t, srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "payments",
		Repositories: []swrtest.SeedRepository{{Name: "api", Grants: []swrtest.SeedGrant{{UserID: "u-auditor", UserName: "auditor", Auth: 1}}}}}}}))
	dir := writeFile(t, "d.yaml", grantsDirectory)
	pol := writeFile(t, "policy.yaml", "version: 1\ndefault_grants:\n  - match: \"**\"\n    users: [{user_id: u-auditor, user_name: auditor, level: read}]\n")

	code, out, errOut := grants("-dry-run", "-directory", dir, "-policy", pol)
	require.Equal(t, exitOK, code, errOut)
	assert.NotContains(t, out, "payments/api#u-auditor", "the default grant is desired")

	_, out, _ = grants("-dry-run", "-directory", dir)
	assert.Contains(t, out, "payments/api#u-auditor", "without the policy the directory alone is desired")
}
