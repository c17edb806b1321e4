//go:build linux

package e2e_test

import (
	"encoding/json"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestSamLocalInvokeWithEnvJSON does what
//
//	sam build && sam local invoke <Function> -e events/<sample> --env-vars env.json
//
// does, without Docker: each function's build target bundles its files
// into an artifacts directory (standing in for /var/task), and the
// bootstrap runs under the emulator with exactly env.json's variables,
// SWR_ENDPOINT aside, which points at an emulated SWR accepting env.json's
// credentials. env.json runs dry and the bundled example policy audits, so
// nothing may be written.
func TestSamLocalInvokeWithEnvJSON(t *testing.T) {
	mk, err := exec.LookPath("make")
	if err != nil {
		t.Skip("make is not on PATH: the build targets that bundle the policy and directory cannot run")
	}
	data, err := os.ReadFile("../../env.json")
	require.NoError(t, err)
	var envJSON map[string]map[string]string
	require.NoError(t, json.Unmarshal(data, &envJSON))

	for _, c := range []struct {
		id, pkg, sample string
	}{
		{"OnPushFunction", onpushPkg, "eventgrid-create-repository.json"},
		{"RetentionSweepFunction", sweepPkg, "eventbridge-scheduled.json"},
		{"GrantSyncFunction", grantsyncPkg, "cloudevent-grantsync.json"},
	} {
		t.Run(c.id, func(t *testing.T) {
			vars, ok := envJSON[c.id]
			require.True(t, ok, "env.json has %s", c.id)
			seed := onpushSeed()
			srv := swrtest.NewServer(swrtest.WithCredentials(vars["HUAWEICLOUD_SDK_AK"], vars["HUAWEICLOUD_SDK_SK"]), swrtest.WithSeed(&seed))
			t.Cleanup(srv.Close)

			artifacts := t.TempDir()
			build := exec.Command(mk, "--no-print-directory", "build-"+c.id, "ARTIFACTS_DIR="+artifacts, "LAMBDA_BUILD=true")
			build.Dir = "../.."
			build.Env = slices.DeleteFunc(os.Environ(), func(kv string) bool {
				name, _, _ := strings.Cut(kv, "=")
				return slices.Contains([]string{"POLICY_FILE", "DIRECTORY_FILE", "MAKEFLAGS", "MFLAGS", "MAKELEVEL"}, name)
			})
			out, err := build.CombinedOutput()
			require.NoError(t, err, "make build-%s:\n%s", c.id, out)

			var env []string
			for name, value := range vars {
				if name == "SWR_ENDPOINT" {
					value = srv.URL
				}
				if rest, ok := strings.CutPrefix(value, "/var/task/"); ok {
					value = filepath.Join(artifacts, rest)
				}
				env = append(env, name+"="+value)
			}
			emu := lambdatest.Start(t, lambdatest.BuildBootstrap(t, c.pkg), env)

			status, body, err := emu.Invoke(t.Context(), sample(t, c.sample))
			require.NoError(t, err, "answered %d: %s", status, body)
			// The fields a report and a report summary share, and those of
			// a Function URL response that carries a summary.
			var answer struct {
				DryRun     bool          `json:"dry_run"`
				Counts     report.Counts `json:"counts"`
				APICalls   int64         `json:"api_calls"`
				StatusCode int           `json:"statusCode"`
				Body       string        `json:"body"`
			}
			require.NoError(t, json.Unmarshal(body, &answer))
			if answer.StatusCode != 0 {
				require.Equal(t, http.StatusOK, answer.StatusCode, "body %s", answer.Body)
				require.NoError(t, json.Unmarshal([]byte(answer.Body), &answer))
			}
			assert.True(t, answer.DryRun, "env.json runs dry")
			assert.Zero(t, answer.Counts.Errors)
			assert.Positive(t, answer.APICalls, "the function reached SWR with env.json's credentials")
			assert.Zero(t, srv.Writes())
		})
	}
}
