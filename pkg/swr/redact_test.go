package swr

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var secrets = []string{testAK, testSK, testSTS, testPassword, "TOKENLEAKCHECK0005"}

func assertNoSecret(t *testing.T, s string) {
	t.Helper()
	for _, secret := range secrets {
		assert.NotContains(t, s, secret)
	}
}

// formats renders v with every verb a caller might use.
func formats(v any) []string {
	var out []string
	for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x", "%d"} {
		out = append(out, fmt.Sprintf(f, v))
	}
	return append(out, fmt.Sprint(v), fmt.Sprintln(v))
}

func TestCredentialsNeverPrintSecrets(t *testing.T) {
	creds := []Credentials{
		AKSK{AK: testAK, SK: testSK, SecurityToken: testSTS, ProjectID: testProject},
		StaticToken{Token: "TOKENLEAKCHECK0005", ProjectID: testProject},
		IAMPassword{IAMEndpoint: "https://iam.example", DomainName: "acme", UserName: "bob", Password: testPassword, ProjectName: "cn-north-4"},
	}
	for _, cr := range creds {
		t.Run(fmt.Sprintf("%T", cr), func(t *testing.T) {
			wrapped := struct {
				Creds Credentials
				Ptr   any
			}{cr, &cr}
			for _, v := range []any{cr, &cr, wrapped, []Credentials{cr}} {
				for _, s := range formats(v) {
					assertNoSecret(t, s)
				}
			}
			assert.Contains(t, fmt.Sprintf("%+v", cr), "[redacted]", "a set secret is shown as set")
			var buf bytes.Buffer
			slog.New(slog.NewJSONHandler(&buf, nil)).Info("creds", "creds", cr, "any", slog.AnyValue(cr))
			assertNoSecret(t, buf.String())
		})
	}
	assert.Contains(t, AKSK{AK: "a", SK: "s"}.String(), `SecurityToken:""`, "an unset secret is shown as empty")
}

func TestClientNeverPrintsSecrets(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		reply(w, 503, `{"error_code":"APIGW.0503","error_msg":"unavailable"}`)
	})
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(srv.URL, AKSK{AK: testAK, SK: testSK, SecurityToken: testSTS, ProjectID: testProject},
		WithClock(fixedClock), WithLogger(logger), WithRetry(3, time.Microsecond, time.Microsecond))
	require.NoError(t, err)

	for _, s := range formats(c) {
		assertNoSecret(t, s)
	}
	assert.Contains(t, c.String(), srv.URL)
	holder := struct{ C *Client }{c}
	assertNoSecret(t, fmt.Sprintf("%+v %#v", holder, holder))

	_, err = c.Namespaces.List(t.Context())
	require.Error(t, err)
	assertNoSecret(t, err.Error())
	assertNoSecret(t, fmt.Sprintf("%+v %#v", err, err))
	logger.Info("client", "client", c)
	assert.Contains(t, logs.String(), "retrying request", "retries are logged")
	assertNoSecret(t, logs.String())
}

func TestIAMFlowNeverLogsSecrets(t *testing.T) {
	srv := newIAMAndSWR(t, []string{"TOKENLEAKCHECK0005", "TOKENLEAKCHECK0005"}, 24*time.Hour, fixedClock,
		func(w http.ResponseWriter, r *http.Request) {
			reply(w, 401, `{"errorCode":"SVCSTG.SWR.4010000","errorMessage":"Authenticate Error"}`)
		})
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	c, err := NewClient(srv.URL, iamCreds(srv.URL), WithClock(fixedClock), WithLogger(logger))
	require.NoError(t, err)
	_, err = c.Namespaces.List(t.Context())
	require.Error(t, err)
	assertNoSecret(t, err.Error())
	assert.Contains(t, logs.String(), "re-authenticating")
	assertNoSecret(t, logs.String())
	for _, s := range formats(c) {
		assertNoSecret(t, s)
	}
}
