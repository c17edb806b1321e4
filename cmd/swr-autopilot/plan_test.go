package main

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/pem"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// repoPolicy keeps the 3 newest tags of every repository, and latest.
const repoPolicy = `mode: enforce
retention:
  - match: "**"
    keep_last: 3
    protect: [latest]
`

// repoEmulator starts an emulator holding team/web/app with six tags
// (keep_last 3 with latest protected deletes v1 and v2) and points the SWR
// environment of the process at it.
func repoEmulator(t *testing.T) *swrtest.Server {
	t.Helper()
	tags := []swrtest.SeedTag{{Name: "latest", Age: "60d"}, {Name: "v1", Age: "50d"}, {Name: "v2", Age: "40d"},
		{Name: "v3", Age: "30d"}, {Name: "v4", Age: "20d"}, {Name: "v5", Age: "10d"}}
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team", Repositories: []swrtest.SeedRepository{{Name: "web/app", Tags: tags}}}}}
	srv := swrtest.NewServer(swrtest.WithCredentials("REPOCMDAK", "repo-cmd-secret"), swrtest.WithSeed(&seed))
	t.Cleanup(srv.Close)
	pointAt(t, srv)
	return srv
}

// pointAt points the SWR environment of the process at srv.
func pointAt(t *testing.T, srv *swrtest.Server) {
	t.Helper()
	for k, v := range map[string]string{
		"HUAWEICLOUD_SDK_AK": srv.AK, "HUAWEICLOUD_SDK_SK": srv.SK, "SWR_ENDPOINT": srv.URL,
		"HUAWEICLOUD_SDK_SECURITY_TOKEN": "", "HUAWEICLOUD_SDK_REGION": "", "SWR_AUTH_TOKEN": "",
		"SWR_IAM_DOMAIN": "", "SWR_IAM_USER": "", "SWR_IAM_PASSWORD": "", "AUTOPILOT_POLICY": "",
	} {
		t.Setenv(k, v)
	}
}

func repoCommand(args ...string) (code int, stdout, stderr string) {
	var out, errOut bytes.Buffer
	code = dispatch(context.Background(), args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func tagNames(t *testing.T, srv *swrtest.Server) []string {
	t.Helper()
	r, ok := srv.State().Repository("team", "web/app")
	require.True(t, ok)
	return r.TagNames()
}

func TestPlanShowsTheImpactAndWritesNothing(t *testing.T) {
	srv := repoEmulator(t)
	policyFile := writeFile(t, "policy.yaml", repoPolicy)
	htmlFile := filepath.Join(t.TempDir(), "plan.html")

	code, out, errOut := repoCommand("plan", "-repo", "team/web/app", "-policy", policyFile, "-json", "-html", htmlFile)

	require.Equal(t, 0, code, errOut)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, "plan", rep.Job)
	assert.True(t, rep.DryRun)
	require.Len(t, rep.Changes, 1)
	ch := rep.Changes[0]
	assert.Equal(t, report.OpCreate, ch.Op)
	assert.Equal(t, report.StatusPlanned, ch.Status)
	assert.Equal(t, []string{"v1", "v2"}, ch.Impact.Delete)
	assert.EqualValues(t, 2, rep.APICalls, "list rules, list tags")

	assert.Zero(t, srv.Writes())
	assert.Len(t, tagNames(t, srv), 6)
	page, err := os.ReadFile(htmlFile)
	require.NoError(t, err)
	assert.Contains(t, string(page), "team/web/app")
}

func TestPlanTableWithPolicyFromTheEnvironment(t *testing.T) {
	srv := repoEmulator(t)
	t.Setenv("AUTOPILOT_POLICY", writeFile(t, "policy.yaml", repoPolicy))

	code, out, errOut := repoCommand("plan", "--repo", "team/web/app")

	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "plan (dry run)")
	assert.Contains(t, out, "retention  create  team/web/app  planned  deletes 2 of 6 tags")
	assert.Zero(t, srv.Writes())
}

func TestRepositoryCommandUsageAndFailures(t *testing.T) {
	repoEmulator(t)
	good := writeFile(t, "policy.yaml", repoPolicy)
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"no repository", []string{"plan", "-policy", good}, 2, "-repo: missing"},
		{"no namespace", []string{"plan", "-repo", "app", "-policy", good}, 2, `"app" is not NAMESPACE/REPOSITORY`},
		{"no policy", []string{"plan", "-repo", "team/web/app"}, 2, "no policy file"},
		{"stray argument", []string{"apply", "-repo", "team/web/app", "-policy", good, "extra"}, 2, `unexpected argument "extra"`},
		{"bad policy", []string{"plan", "-repo", "team/web/app", "-policy", writeFile(t, "bad.yaml", badPolicy)}, 1, "keep_days must be between 1 and 365"},
		{"missing repository", []string{"plan", "-repo", "team/gone", "-policy", good}, 1, ""},
		{"help", []string{"apply", "-h"}, 0, "usage: swr-autopilot apply"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, out, errOut := repoCommand(tc.args...)
			assert.Equal(t, tc.code, code, "stdout: %s\nstderr: %s", out, errOut)
			assert.Contains(t, errOut, tc.want)
		})
	}

	code, out, _ := repoCommand("plan", "-repo", "team/gone", "-policy", good)
	assert.Equal(t, 1, code)
	assert.Contains(t, out, swrtest.CodeRepositoryNotFound, "the report names SWR's error code")
}

// TestPlanLoadsAnHTTPSPolicyWithoutPrintingCredentials reads the policy
// from an https URL that carries a password and a signed query, as the
// functions do: the plan runs, and neither its output nor the error of a
// policy the server does not have repeats the secrets.
func TestPlanLoadsAnHTTPSPolicyWithoutPrintingCredentials(t *testing.T) {
	srv := repoEmulator(t)
	files := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/policy.yaml" || r.URL.Query().Get("X-Amz-Signature") != "SIGPLANTED" {
			http.NotFound(w, r)
			return
		}
		io.WriteString(w, repoPolicy)
	}))
	defer files.Close()
	ca := filepath.Join(t.TempDir(), "ca.pem")
	require.NoError(t, os.WriteFile(ca, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: files.Certificate().Raw}), 0o600))
	t.Setenv("SSL_CERT_FILE", ca)
	base := "https://deploy:PWPLANTED@" + strings.TrimPrefix(files.URL, "https://")

	t.Setenv("AUTOPILOT_POLICY", base+"/policy.yaml?X-Amz-Signature=SIGPLANTED")
	code, out, errOut := repoCommand("plan", "-repo", "team/web/app")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "retention  create  team/web/app  planned  deletes 2 of 6 tags")
	assert.Zero(t, srv.Writes())

	code, out2, errOut2 := repoCommand("plan", "-repo", "team/web/app", "-policy", base+"/missing.yaml?X-Amz-Signature=SIGPLANTED")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut2, "/missing.yaml?redacted: HTTP 404")
	for _, secret := range []string{"PWPLANTED", "SIGPLANTED"} {
		assert.NotContains(t, out+errOut+out2+errOut2, secret)
	}
}

// TestPlanLoadsAnS3PolicyWithoutPrintingCredentials reads the policy from
// s3://bucket/key with the AWS environment the functions read (keys,
// region, AWS_ENDPOINT_URL_S3), through a stand-in that checks the
// signature: the plan runs, and a missing object is reported without the
// secret key.
func TestPlanLoadsAnS3PolicyWithoutPrintingCredentials(t *testing.T) {
	srv := repoEmulator(t)
	s3 := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		secret := func(ak string) (string, bool) { return "S3SECRETPLANTED", ak == "AKIDCLI" }
		if err := sigv4.Verify(r, nil, "eu-west-1", "s3", secret, time.Now(), 15*time.Minute); err != nil {
			http.Error(w, "<Error><Code>SignatureDoesNotMatch</Code></Error>", http.StatusForbidden)
			return
		}
		if r.URL.Path != "/team-config/swr/policy.yaml" {
			http.Error(w, "<Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>", http.StatusNotFound)
			return
		}
		io.WriteString(w, repoPolicy)
	}))
	defer s3.Close()
	for k, v := range map[string]string{"AWS_ACCESS_KEY_ID": "AKIDCLI", "AWS_SECRET_ACCESS_KEY": "S3SECRETPLANTED",
		"AWS_SESSION_TOKEN": "", "AWS_REGION": "eu-west-1", "AWS_ENDPOINT_URL_S3": s3.URL} {
		t.Setenv(k, v)
	}

	code, out, errOut := repoCommand("plan", "-repo", "team/web/app", "-policy", "s3://team-config/swr/policy.yaml")
	require.Equal(t, 0, code, errOut)
	assert.Contains(t, out, "retention  create  team/web/app  planned  deletes 2 of 6 tags")

	code, out2, errOut2 := repoCommand("plan", "-repo", "team/web/app", "-policy", "s3://team-config/swr/missing.yaml")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut2, "s3://team-config/swr/missing.yaml: S3 NoSuchKey (HTTP 404)")
	assert.NotContains(t, out+errOut+out2+errOut2, "S3SECRETPLANTED")
	assert.Zero(t, srv.Writes())
}
