package main

import (
	"bytes"
	"context"
	"encoding/pem"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// Distinctive secrets planted in every secret-bearing setting and URL the
// CLI reads.
const (
	cliAK        = "AKCLIPLANTEDz1"
	cliSK        = "SKCLIPLANTEDz2"
	cliSTS       = "STSCLIPLANTEDz3"
	cliPolicySig = "POLSIGCLIPLANTEDz4"
	cliDirSig    = "DIRSIGCLIPLANTEDz5"
	cliEndpoint  = "EPPWCLIPLANTEDz6"
	cliToken     = "TOKCLIPLANTEDz7"
)

var cliPlanted = []string{cliAK, cliSK, cliSTS, cliPolicySig, cliDirSig, cliEndpoint, cliToken}

// closedURL is an http URL on a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := ln.Addr().String()
	require.NoError(t, ln.Close())
	return "http://" + addr
}

// TestCLIOutputCarriesNoSecret plants secrets in the CLI's environment
// and drives every command through its failure modes: -h, invalid
// configuration, a policy or directory URL that refuses the connection or
// answers 401 or 500, an SWR that refuses the connection, answers 401 (the
// credentials are wrong) or 500. Nothing the CLI prints holds a secret.
func TestCLIOutputCarriesNoSecret(t *testing.T) {
	files := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/401") {
			http.Error(w, "token "+r.URL.RawQuery+" rejected", http.StatusUnauthorized)
			return
		}
		http.Error(w, "backend failed for "+r.URL.String(), http.StatusInternalServerError)
	}))
	defer files.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: files.Certificate().Raw}), 0o600))
	swr500 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
		io.WriteString(w, `{"errorCode":"SVCSTG.SWR.5000001","errorMessage":"database 10.9.8.7 unavailable"}`)
	}))
	defer swr500.Close()
	emu := swrtest.NewServer()
	defer emu.Close()
	policyFile := filepath.Join(t.TempDir(), "policy.yaml")
	require.NoError(t, os.WriteFile(policyFile, []byte(sweepPolicy), 0o644))
	dirFile := filepath.Join(t.TempDir(), "directory.yaml")
	require.NoError(t, os.WriteFile(dirFile, []byte("teams: []\nmanaged_namespaces: []\n"), 0o644))

	base := map[string]string{
		"HUAWEICLOUD_SDK_AK": cliAK, "HUAWEICLOUD_SDK_SK": cliSK, "HUAWEICLOUD_SDK_SECURITY_TOKEN": cliSTS,
		"HUAWEICLOUD_SDK_REGION": "cn-north-4", "SWR_AUTH_TOKEN": "", "SWR_IAM_DOMAIN": "", "SWR_IAM_USER": "",
		"SWR_IAM_PASSWORD": "", "SWR_RETRY_MAX_ATTEMPTS": "2", "SWR_RETRY_BASE_DELAY": "1ms", "SWR_RETRY_MAX_DELAY": "2ms",
		"SSL_CERT_FILE": ca, "SWR_ENDPOINT": emu.URL,
		"AUTOPILOT_POLICY":    files.URL + "/500/policy.yaml?X-Amz-Signature=" + cliPolicySig,
		"AUTOPILOT_DIRECTORY": files.URL + "/500/directory.yaml?sig=" + cliDirSig,
	}
	sources := map[string]string{
		"refused": "https://" + strings.TrimPrefix(closedURL(t), "http://") + "/f.yaml?sig=",
		"401":     files.URL + "/401/f.yaml?sig=",
		"500":     files.URL + "/500/f.yaml?sig=",
	}
	type run struct {
		name string
		env  map[string]string
		args []string
	}
	var runs []run
	for _, cmd := range []string{"sweep", "plan", "apply", "grants", "validate"} {
		runs = append(runs, run{cmd + " -h", nil, []string{cmd, "-h"}})
	}
	runs = append(runs, run{"help", nil, []string{"-h"}})
	for mode, src := range sources {
		runs = append(runs,
			run{"sweep, policy " + mode, map[string]string{"AUTOPILOT_POLICY": src + cliPolicySig}, []string{"sweep"}},
			run{"plan, policy " + mode, map[string]string{"AUTOPILOT_POLICY": src + cliPolicySig}, []string{"plan", "-repo", "a/b"}},
			run{"validate, policy " + mode, nil, []string{"validate", src + cliPolicySig}},
			run{"validate, directory " + mode, nil, []string{"validate", "-kind", "directory", src + cliDirSig}},
			run{"grants, directory " + mode, map[string]string{"AUTOPILOT_DIRECTORY": src + cliDirSig}, []string{"grants", "-dry-run"}},
		)
	}
	for mode, endpoint := range map[string]string{"refused": closedURL(t), "401": emu.URL, "500": swr500.URL} {
		env := map[string]string{"SWR_ENDPOINT": endpoint, "AUTOPILOT_DIRECTORY": dirFile}
		runs = append(runs,
			run{"sweep, SWR " + mode, env, []string{"sweep", "-policy", policyFile}},
			run{"apply, SWR " + mode, env, []string{"apply", "-repo", "a/b", "-policy", policyFile}},
			run{"grants, SWR " + mode, env, []string{"grants"}},
		)
	}
	invalid := map[string]string{"SWR_ENDPOINT": "https://u:" + cliEndpoint + "@swr.example.com/?t=" + cliToken,
		"SWR_RATE_LIMIT": "NaN", "SWR_HTTP_TIMEOUT": "0", "SWR_AUTH_TOKEN": cliToken}
	runs = append(runs,
		run{"sweep, invalid config", invalid, []string{"sweep", "-policy", policyFile}},
		run{"grants, invalid config", invalid, []string{"grants", "-directory", dirFile}},
		run{"plan, endpoint flag with credentials", nil, []string{"plan", "-repo", "a/b", "-policy", policyFile,
			"-endpoint", "https://u:" + cliEndpoint + "@127.0.0.1:1/?sig=" + cliToken}},
	)

	for _, r := range runs {
		t.Run(r.name, func(t *testing.T) {
			for k, v := range base {
				t.Setenv(k, v)
			}
			for k, v := range r.env {
				t.Setenv(k, v)
			}
			var out, errOut bytes.Buffer
			code := dispatch(context.Background(), r.args, &out, &errOut)
			all := out.String() + errOut.String()
			if !strings.HasSuffix(r.name, "-h") && r.name != "help" {
				assert.NotEqual(t, 0, code, "the run fails: %s", all)
				assert.NotEmpty(t, all, "the failure is explained")
			}
			for _, s := range cliPlanted {
				assert.NotContains(t, all, s)
			}
		})
	}
}
