//go:build linux

package e2e_test

import (
	"context"
	"encoding/pem"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// Distinctive secrets, one per secret-bearing setting or URL part. No
// output of any function, in any failure, may contain one of them.
const (
	plantedAK        = "AKPLANTEDq7w1"
	plantedSK        = "SKPLANTEDq7w2"
	plantedSTS       = "STSPLANTEDq7w3"
	plantedHeader    = "Bearer HDRPLANTEDq7w4"
	plantedHMAC      = "HMACPLANTEDq7w5"
	plantedEndpoint  = "EPPWPLANTEDq7w6"
	plantedSinkPW    = "SINKPWPLANTEDq7w7"
	plantedSinkSig   = "SINKSIGPLANTEDq7w8"
	plantedPolicySig = "POLSIGPLANTEDq7w9"
	plantedDirSig    = "DIRSIGPLANTEDq7wa"
	plantedQueueSig  = "QUEUESIGPLANTEDq7wb"
	plantedIAMPW     = "IAMPWPLANTEDq7wc"
)

var planted = []string{plantedAK, plantedSK, plantedSTS, strings.TrimPrefix(plantedHeader, "Bearer "), plantedHMAC,
	plantedEndpoint, plantedSinkPW, plantedSinkSig, plantedPolicySig, plantedDirSig, plantedQueueSig, plantedIAMPW}

// assertNoSecrets fails when out holds a planted secret.
func assertNoSecrets(t *testing.T, where, out string) {
	t.Helper()
	for _, s := range planted {
		if strings.Contains(out, s) {
			t.Errorf("%s leaks %s:\n%s", where, s, out)
		}
	}
}

// closedAddr is a loopback address nothing listens on: connections to it
// are refused.
func closedAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return addr
}

// failingServers are the sources and SWR stand-ins of the failure modes:
// an https file server that answers 401 or 500 (its certificate in
// caFile, for SSL_CERT_FILE), and an SWR that answers 500 with internal
// detail.
type failingServers struct {
	files  *httptest.Server
	caFile string
	swr500 *httptest.Server
}

func newFailingServers(t *testing.T) failingServers {
	t.Helper()
	files := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasPrefix(r.URL.Path, "/401"):
			http.Error(w, "token "+r.URL.RawQuery+" rejected", http.StatusUnauthorized)
		default:
			http.Error(w, "storage backend 10.1.2.3 failed for "+r.URL.String(), http.StatusInternalServerError)
		}
	}))
	t.Cleanup(files.Close)
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: files.Certificate().Raw}), 0o600))
	swr500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errorCode":"SVCSTG.SWR.5000001","errorMessage":"database 10.9.8.7 unavailable"}`)
	}))
	t.Cleanup(swr500.Close)
	return failingServers{files: files, caFile: ca, swr500: swr500}
}

// secretEnv is a function environment with every secret planted: AK/SK
// with a security token, both webhook credentials, a sink that is down
// behind a password and a signature. extra entries override it.
func secretEnv(t *testing.T, endpoint, policy, dir, caFile string, extra ...string) []string {
	sink := "http://sink:" + plantedSinkPW + "@" + closedAddr(t) + "/events?sig=" + plantedSinkSig
	env := []string{
		"HUAWEICLOUD_SDK_AK=" + plantedAK, "HUAWEICLOUD_SDK_SK=" + plantedSK, "HUAWEICLOUD_SDK_SECURITY_TOKEN=" + plantedSTS,
		"HUAWEICLOUD_SDK_REGION=cn-north-4", "SWR_ENDPOINT=" + endpoint,
		"SWR_RATE_LIMIT=0", "SWR_RETRY_MAX_ATTEMPTS=2", "SWR_RETRY_BASE_DELAY=1ms", "SWR_RETRY_MAX_DELAY=5ms",
		"AUTOPILOT_POLICY=" + policy, "AUTOPILOT_DIRECTORY=" + dir,
		"AUTOPILOT_WEBHOOK_AUTH_HEADER=" + plantedHeader, "AUTOPILOT_WEBHOOK_HMAC_SECRET=" + plantedHMAC,
		"AUTOPILOT_SINK=" + sink, "AUTOPILOT_LOG_LEVEL=DEBUG", "SSL_CERT_FILE=" + caFile,
		function.EnvLambdaLogFormat + "=JSON",
	}
	return append(env, extra...)
}

// startFails runs bootstrap in receiver mode with env, expects it to exit
// with status 1 before serving, and returns its output.
func startFails(t *testing.T, bootstrap string, env []string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bootstrap)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=" + strings.Split(closedAddr(t), ":")[1]}, env...)
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the function must refuse to start; output:\n%s", out)
	assert.Equal(t, 1, exit.ExitCode())
	assert.Contains(t, string(out), "function stopped")
	return string(out)
}

// postEvent posts an events/ sample as a structured CloudEvent with the
// given Authorization and returns the answer's status and body.
func postEvent(t *testing.T, url, sampleName, authorization string) string {
	t.Helper()
	status, body := post(t, url, string(sample(t, sampleName)), authorization)
	return fmt.Sprintf("%d %s", status, body)
}

// secretRegistry is a registry the samples name, out of line with the
// policy and the team directory: acme/web, and payments.
func secretRegistry(t *testing.T) *swrtest.Server {
	return newRegistry(t, swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "acme", Repositories: []swrtest.SeedRepository{{Name: "web", Tags: tags("1.0.0", "1.0.1", "1.0.2", "1.0.3", "latest")}}},
		{Name: "payments", Repositories: []swrtest.SeedRepository{{Name: "ledger", Tags: tags("r1")}}},
	}})
}

// TestNoOutputCarriesASecret plants distinctive secrets in every
// secret-bearing setting and URL and drives each function, as a bootstrap,
// through its failure modes: invalid configuration, a policy or directory
// source that refuses the connection, answers 401 or 500, an SWR that
// refuses the connection, answers 401 (the planted credentials are wrong)
// or 500, a sink that is down, an unreachable queue, and unauthenticated
// input; in receiver mode and under the Lambda Runtime Interface Emulator.
// No response and no line of output contains a secret.
func TestNoOutputCarriesASecret(t *testing.T) {
	fs := newFailingServers(t)
	reg := secretRegistry(t)
	policy := writeFile(t, "policy.yaml", onpushPolicy)
	dir := writeFile(t, "directory.yaml", grantsDirectory)
	refusedSWR := "http://" + closedAddr(t)
	sourceURLs := func(sig string) map[string]string {
		return map[string]string{
			"refused": "https://" + closedAddr(t) + "/file.yaml?X-Amz-Signature=" + sig,
			"401":     fs.files.URL + "/401/file.yaml?sig=" + sig,
			"500":     fs.files.URL + "/500/file.yaml?sig=" + sig,
		}
	}

	functions := []struct {
		name, pkg, event string
		policy, dir      string
		sourceVar        string
		sourceSig        string
	}{
		{"onpush", onpushPkg, "cloudevent-image-pushed.json", policy, "", "AUTOPILOT_POLICY", plantedPolicySig},
		{"retentionsweep", sweepPkg, "cloudevent-sweep.json", policy, "", "AUTOPILOT_POLICY", plantedPolicySig},
		{"grantsync", grantsyncPkg, "cloudevent-grantsync.json", "", dir, "AUTOPILOT_DIRECTORY", plantedDirSig},
	}
	for _, fn := range functions {
		t.Run(fn.name, func(t *testing.T) {
			bootstrap := lambdatest.BuildBootstrap(t, fn.pkg)

			t.Run("invalid config", func(t *testing.T) {
				out := startFails(t, bootstrap, secretEnv(t, "https://user:"+plantedEndpoint+"@swr.example.com", fn.policy, fn.dir, fs.caFile,
					"SWR_RATE_LIMIT=NaN", "SWR_HTTP_TIMEOUT=0", "SWR_IAM_PASSWORD="+plantedIAMPW,
					"AUTOPILOT_SWEEP_QUEUE_URL=https://sqs.example.com/1/q?sig="+plantedQueueSig))
				assert.Contains(t, out, "SWR_RATE_LIMIT is NaN")
				assert.Contains(t, out, "SWR_HTTP_TIMEOUT is 0s")
				assertNoSecrets(t, "start-up error", out)
			})
			for mode, src := range sourceURLs(fn.sourceSig) {
				t.Run(fn.sourceVar+" "+mode, func(t *testing.T) {
					out := startFails(t, bootstrap, secretEnv(t, reg.URL, fn.policy, fn.dir, fs.caFile, fn.sourceVar+"="+src))
					assert.Contains(t, out, map[string]string{"refused": "connection refused", "401": "HTTP 401", "500": "HTTP 500"}[mode])
					assertNoSecrets(t, "start-up error", out)
				})
			}

			for mode, endpoint := range map[string]string{"SWR refuses": refusedSWR, "SWR 401": reg.URL, "SWR 500": fs.swr500.URL} {
				t.Run(mode, func(t *testing.T) {
					rcv := lambdatest.StartReceiver(t, bootstrap, secretEnv(t, endpoint, fn.policy, fn.dir, fs.caFile))
					assertNoSecrets(t, "answer", postEvent(t, rcv.URL, fn.event, plantedHeader))
					assertNoSecrets(t, "answer to a wrong credential", postEvent(t, rcv.URL, fn.event, "Bearer guess"))
					require.NoError(t, rcv.Stop(30*time.Second))
					assertNoSecrets(t, "log", rcv.Log())
				})
			}

			t.Run("sink down", func(t *testing.T) {
				reg := secretRegistry(t) // the policy has work to do there
				env := secretEnv(t, reg.URL, fn.policy, fn.dir, fs.caFile,
					"HUAWEICLOUD_SDK_AK="+reg.AK, "HUAWEICLOUD_SDK_SK="+reg.SK, "HUAWEICLOUD_SDK_SECURITY_TOKEN=",
					"HUAWEICLOUD_SDK_PROJECT_ID="+reg.ProjectID)
				rcv := lambdatest.StartReceiver(t, bootstrap, env)
				out := postEvent(t, rcv.URL, fn.event, plantedHeader)
				require.NoError(t, rcv.Stop(30*time.Second))
				assertNoSecrets(t, "answer", out)
				assertNoSecrets(t, "log", rcv.Log())
				if fn.name != "grantsync" { // the policy changes something, so the sink is tried
					assert.Contains(t, rcv.Log(), "report not published")
				}
			})

			t.Run("lambda, SWR refuses", func(t *testing.T) {
				emu := lambdatest.Start(t, bootstrap, secretEnv(t, refusedSWR, fn.policy, fn.dir, fs.caFile))
				_, body, _ := emu.Invoke(t.Context(), sample(t, fn.event))
				assertNoSecrets(t, "invocation answer", string(body))
				emu.Close()
				assertNoSecrets(t, "log", emu.Log())
			})
		})
	}

	t.Run("retentionsweep queue unreachable", func(t *testing.T) {
		bootstrap := lambdatest.BuildBootstrap(t, sweepPkg)
		env := secretEnv(t, reg.URL, policy, "", fs.caFile,
			"HUAWEICLOUD_SDK_AK="+reg.AK, "HUAWEICLOUD_SDK_SK="+reg.SK, "HUAWEICLOUD_SDK_SECURITY_TOKEN=",
			"AUTOPILOT_SWEEP_QUEUE_URL=https://"+closedAddr(t)+"/123456789012/sweep?sig="+plantedQueueSig,
			"AUTOPILOT_SWEEP_FANOUT=true", "AWS_REGION=eu-west-1", "AWS_ACCESS_KEY_ID=AKIDEXAMPLE",
			"AWS_SECRET_ACCESS_KEY=example")
		rcv := lambdatest.StartReceiver(t, bootstrap, env)
		tick := strings.Replace(string(sample(t, "cloudevent-sweep.json")), `"namespaces": [
      "acme"
    ],`, "", 1)
		status, body := post(t, rcv.URL, tick, plantedHeader)
		assert.Equal(t, http.StatusServiceUnavailable, status, "the fan-out cannot be enqueued: %s", body)
		require.NoError(t, rcv.Stop(30*time.Second))
		assertNoSecrets(t, "answer", body)
		assertNoSecrets(t, "log", rcv.Log())
		assert.Contains(t, rcv.Log(), "job failed")
	})
}
