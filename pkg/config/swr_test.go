package config_test

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"reflect"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

const (
	secretAK       = "AKCONFIGLEAK0001"
	secretSK       = "SKCONFIGLEAK0002"
	secretSTS      = "STSCONFIGLEAK0003"
	secretToken    = "TOKCONFIGLEAK0004"
	secretPassword = "PWCONFIGLEAK0005"
)

var secrets = []string{secretAK, secretSK, secretSTS, secretToken, secretPassword}

// setEnv unsets every variable config.SWR reads, then sets vars, for the
// duration of the test.
func setEnv(t *testing.T, vars map[string]string) {
	t.Helper()
	rt := reflect.TypeFor[config.SWR]()
	for i := range rt.NumField() {
		key := rt.Field(i).Tag.Get("envconfig")
		t.Setenv(key, "") // restores the original value after the test
		require.NoError(t, os.Unsetenv(key))
	}
	for k, v := range vars {
		t.Setenv(k, v)
	}
}

func TestLoadAKSKWithDefaults(t *testing.T) {
	setEnv(t, map[string]string{
		"HUAWEICLOUD_SDK_AK": secretAK, "HUAWEICLOUD_SDK_SK": secretSK, "HUAWEICLOUD_SDK_SECURITY_TOKEN": secretSTS,
		"HUAWEICLOUD_SDK_PROJECT_ID": "proj", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
	})
	s, err := config.Load()
	require.NoError(t, err)
	assert.Equal(t, config.SWR{AK: secretAK, SK: secretSK, SecurityToken: secretSTS, ProjectID: "proj", Region: "cn-north-4",
		RateLimit: 10, RateBurst: 10, MaxAttempts: 4, RetryBaseDelay: 200 * time.Millisecond,
		RetryMaxDelay: 10 * time.Second, Timeout: 30 * time.Second}, s)
	assert.Equal(t, "https://swr-api.cn-north-4.myhuaweicloud.com", s.Endpoint())
	assert.Equal(t, swr.AKSK{AK: secretAK, SK: secretSK, SecurityToken: secretSTS, ProjectID: "proj"}, s.Credentials())
}

func TestLoadKnobs(t *testing.T) {
	setEnv(t, map[string]string{
		"SWR_AUTH_TOKEN": secretToken, "SWR_ENDPOINT": "http://127.0.0.1:9999/", "SWR_RATE_LIMIT": "2.5",
		"SWR_RATE_BURST": "1", "SWR_RETRY_MAX_ATTEMPTS": "2", "SWR_RETRY_BASE_DELAY": "1ms",
		"SWR_RETRY_MAX_DELAY": "5ms", "SWR_HTTP_TIMEOUT": "3s",
	})
	s, err := config.Load()
	require.NoError(t, err)
	assert.Equal(t, "http://127.0.0.1:9999", s.Endpoint(), "SWR_ENDPOINT overrides the region")
	assert.Equal(t, 2.5, s.RateLimit)
	assert.Equal(t, 1, s.RateBurst)
	assert.Equal(t, 2, s.MaxAttempts)
	assert.Equal(t, time.Millisecond, s.RetryBaseDelay)
	assert.Equal(t, 5*time.Millisecond, s.RetryMaxDelay)
	assert.Equal(t, 3*time.Second, s.Timeout)
	assert.Equal(t, swr.StaticToken{Token: secretToken}, s.Credentials())
}

func TestRegionalEndpoints(t *testing.T) {
	cases := map[string][2]string{
		"cn-north-4":     {"https://swr-api.cn-north-4.myhuaweicloud.com", "https://iam.cn-north-4.myhuaweicloud.com"},
		"ap-southeast-1": {"https://swr-api.ap-southeast-1.myhuaweicloud.com", "https://iam.ap-southeast-1.myhuaweicloud.com"},
		"eu-west-101":    {"https://swr-api.eu-west-101.myhuaweicloud.eu", "https://iam.eu-west-101.myhuaweicloud.eu"},
	}
	for region, want := range cases {
		s := config.SWR{Region: region}
		assert.Equal(t, want[0], s.Endpoint(), region)
		assert.Equal(t, want[1], s.IAMEndpointURL(), region)
	}
}

func TestLoadListsEveryProblemAtOnce(t *testing.T) {
	cases := []struct {
		name string
		env  map[string]string
		want []string
	}{
		{"nothing set", nil, []string{
			"no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or SWR_AUTH_TOKEN, or SWR_IAM_DOMAIN, SWR_IAM_USER and SWR_IAM_PASSWORD",
			"HUAWEICLOUD_SDK_REGION or SWR_ENDPOINT is missing",
		}},
		{"AK without SK", map[string]string{"HUAWEICLOUD_SDK_AK": secretAK, "HUAWEICLOUD_SDK_REGION": "cn-north-4"}, []string{
			"HUAWEICLOUD_SDK_SK is missing (HUAWEICLOUD_SDK_AK is set)",
		}},
		{"SK without AK, bad region", map[string]string{"HUAWEICLOUD_SDK_SK": secretSK, "HUAWEICLOUD_SDK_REGION": "North 4"}, []string{
			"HUAWEICLOUD_SDK_AK is missing (HUAWEICLOUD_SDK_SK is set)",
			`HUAWEICLOUD_SDK_REGION "North 4" is not a region name such as cn-north-4`,
		}},
		{"AK/SK and token", map[string]string{"HUAWEICLOUD_SDK_AK": secretAK, "HUAWEICLOUD_SDK_SK": secretSK,
			"SWR_AUTH_TOKEN": secretToken, "SWR_ENDPOINT": "https://swr.example"}, []string{
			"contradictory credentials: AK/SK (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK) and token (SWR_AUTH_TOKEN) are all set; configure exactly one",
		}},
		{"security token alone", map[string]string{"HUAWEICLOUD_SDK_SECURITY_TOKEN": secretSTS, "SWR_AUTH_TOKEN": secretToken,
			"HUAWEICLOUD_SDK_REGION": "cn-north-4"}, []string{
			"HUAWEICLOUD_SDK_SECURITY_TOKEN is set without HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK",
		}},
		{"password without user and region", map[string]string{"SWR_IAM_PASSWORD": secretPassword, "SWR_IAM_DOMAIN": "acme",
			"SWR_ENDPOINT": "https://swr.example"}, []string{
			"SWR_IAM_USER is missing (password authentication is configured)",
			"HUAWEICLOUD_SDK_REGION or HUAWEICLOUD_SDK_IAM_ENDPOINT is required for password authentication",
			"HUAWEICLOUD_SDK_REGION or SWR_IAM_PROJECT is required for password authentication",
		}},
		{"bad endpoints and knobs", map[string]string{"SWR_AUTH_TOKEN": secretToken, "SWR_ENDPOINT": "swr.example",
			"HUAWEICLOUD_SDK_IAM_ENDPOINT": "ftp://iam", "SWR_RATE_LIMIT": "-1", "SWR_RETRY_MAX_ATTEMPTS": "0",
			"SWR_RETRY_BASE_DELAY": "2s", "SWR_RETRY_MAX_DELAY": "1s", "SWR_HTTP_TIMEOUT": "-1s"}, []string{
			`SWR_ENDPOINT: "swr.example" is not an http(s) URL`,
			`HUAWEICLOUD_SDK_IAM_ENDPOINT: "ftp://iam" is not an http(s) URL`,
			"SWR_RATE_LIMIT is -1: expected requests per second: a finite number, 0 or more (0 = unlimited)",
			"SWR_RETRY_MAX_ATTEMPTS is 0: expected a whole number of at least 1",
			"SWR_RETRY_MAX_DELAY is 1s, below SWR_RETRY_BASE_DELAY (2s): expected at least SWR_RETRY_BASE_DELAY",
			"SWR_HTTP_TIMEOUT is -1s: expected a duration above 0, such as 30s",
		}},
		{"burst 0 with a rate", map[string]string{"SWR_AUTH_TOKEN": secretToken, "HUAWEICLOUD_SDK_REGION": "cn-north-4",
			"SWR_RATE_BURST": "0"}, []string{
			"SWR_RATE_BURST is 0: expected at least 1 while SWR_RATE_LIMIT is above 0",
		}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			setEnv(t, tc.env)
			_, err := config.Load()
			require.Error(t, err)
			var ce *config.Error
			require.True(t, errors.As(err, &ce))
			assert.Equal(t, tc.want, ce.Problems)
			for _, p := range tc.want {
				assert.Contains(t, err.Error(), p)
			}
			for _, s := range secrets {
				assert.NotContains(t, err.Error(), s)
			}
		})
	}
}

func TestLoadReportsUnparsableValues(t *testing.T) {
	setEnv(t, map[string]string{"SWR_AUTH_TOKEN": secretToken, "HUAWEICLOUD_SDK_REGION": "cn-north-4", "SWR_HTTP_TIMEOUT": "soon"})
	_, err := config.Load()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "SWR_HTTP_TIMEOUT")
	assert.NotContains(t, err.Error(), secretToken)
}

func TestErrorText(t *testing.T) {
	assert.Equal(t, "config: a", (&config.Error{Problems: []string{"a"}}).Error())
	assert.Equal(t, "config: 2 problems:\n  - a\n  - b", (&config.Error{Problems: []string{"a", "b"}}).Error())
}

// functionConfig is how a function embeds the shared SWR part.
type functionConfig struct {
	config.SWR
	WebhookSecret string `envconfig:"WEBHOOK_SECRET" secret:"true" desc:"shared webhook secret"`
	DryRun        bool   `envconfig:"DRY_RUN" default:"true" desc:"plan only"`
}

func TestSecretsNeverPrinted(t *testing.T) {
	s := config.SWR{AK: secretAK, SK: secretSK, SecurityToken: secretSTS, AuthToken: secretToken,
		IAMPassword: secretPassword, Region: "cn-north-4", ProjectID: "proj"}
	fc := functionConfig{SWR: s, WebhookSecret: secretPassword}
	var outs []string
	for _, v := range []any{s, &s, fc, &fc, struct{ C config.SWR }{s}} {
		for _, f := range []string{"%v", "%+v", "%#v", "%s", "%q", "%x"} {
			outs = append(outs, fmt.Sprintf(f, v))
		}
	}
	outs = append(outs, config.Redact(fc), config.Redact(&fc))
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("config", "swr", s, "cfg", config.Redact(fc))
	outs = append(outs, logs.String())
	js, err := json.Marshal(s)
	require.NoError(t, err)
	outs = append(outs, string(js))
	for _, out := range outs {
		for _, secret := range secrets {
			assert.NotContains(t, out, secret)
		}
	}
	assert.Contains(t, s.String(), `AK:[redacted]`)
	assert.Contains(t, s.String(), `Region:"cn-north-4"`)
	assert.Contains(t, config.Redact(fc), `WebhookSecret:[redacted]`)
	assert.Contains(t, config.Redact(config.SWR{}), `SK:""`, "an unset secret shows as empty")
}

func TestNewClientFromAKSK(t *testing.T) {
	var got *http.Request
	var body []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		body, _ = io.ReadAll(r.Body)
		err := swr.Verify(r, body, func(ak string) (string, bool) { return secretSK, ak == secretAK }, time.Now(), time.Minute)
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"namespaces":[{"id":1,"name":"team","creator_name":"me","auth":7}]}`)
	}))
	defer srv.Close()
	setEnv(t, map[string]string{"HUAWEICLOUD_SDK_AK": secretAK, "HUAWEICLOUD_SDK_SK": secretSK,
		"HUAWEICLOUD_SDK_SECURITY_TOKEN": secretSTS, "HUAWEICLOUD_SDK_PROJECT_ID": "proj", "SWR_ENDPOINT": srv.URL})
	s, err := config.Load()
	require.NoError(t, err)
	c, err := s.NewClient(swr.WithUserAgent("cfg-test"))
	require.NoError(t, err)
	assert.Equal(t, srv.URL, c.Endpoint())
	nss, err := c.Namespaces.List(t.Context())
	require.NoError(t, err)
	assert.Equal(t, []swr.Namespace{{ID: 1, Name: "team", CreatorName: "me", Auth: 7}}, nss)
	assert.Equal(t, "proj", got.Header.Get(swr.HeaderProjectID))
	assert.Equal(t, secretSTS, got.Header.Get(swr.HeaderSecurityToken))
	assert.Equal(t, "cfg-test", got.Header.Get("User-Agent"), "caller options win")
	for _, f := range []string{"%v", "%+v", "%#v"} {
		out := fmt.Sprintf(f, c)
		for _, secret := range secrets {
			assert.NotContains(t, out, secret)
		}
	}
}

func TestNewClientFromPassword(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/v3/auth/tokens" {
			b, _ := io.ReadAll(r.Body)
			if !strings.Contains(string(b), `"password":"`+secretPassword+`"`) || !strings.Contains(string(b), `"project":{"name":"cn-north-4"}`) {
				http.Error(w, "bad credentials", http.StatusUnauthorized)
				return
			}
			w.Header().Set(swr.HeaderSubjectToken, secretToken)
			w.WriteHeader(http.StatusCreated)
			io.WriteString(w, `{"token":{"expires_at":"`+time.Now().Add(time.Hour).UTC().Format(time.RFC3339)+`"}}`)
			return
		}
		if r.Header.Get(swr.HeaderAuthToken) != secretToken {
			http.Error(w, `{"errorCode":"SVCSTG.SWR.4010000"}`, http.StatusUnauthorized)
			return
		}
		io.WriteString(w, `{"namespaces":[]}`)
	}))
	defer srv.Close()
	setEnv(t, map[string]string{"SWR_IAM_DOMAIN": "acme", "SWR_IAM_USER": "bob", "SWR_IAM_PASSWORD": secretPassword,
		"HUAWEICLOUD_SDK_REGION": "cn-north-4", "HUAWEICLOUD_SDK_IAM_ENDPOINT": srv.URL, "SWR_ENDPOINT": srv.URL})
	s, err := config.Load()
	require.NoError(t, err)
	c, err := s.NewClient()
	require.NoError(t, err)
	_, err = c.Namespaces.List(t.Context())
	require.NoError(t, err)
	assert.Equal(t, int64(1), c.Stats().TokenRefreshes)
}

func TestNewClientRefusesAnInvalidConfig(t *testing.T) {
	_, err := config.SWR{AK: secretAK, Region: "cn-north-4"}.NewClient()
	require.Error(t, err)
	assert.Contains(t, err.Error(), "HUAWEICLOUD_SDK_SK is missing")
	assert.NotContains(t, err.Error(), secretAK)
}

func TestUsageListsEveryVariable(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, config.Usage(&buf, &functionConfig{}))
	out := buf.String()
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	assert.Regexp(t, `^VARIABLE\s+TYPE\s+DEFAULT\s+DESCRIPTION$`, lines[0])
	rt := reflect.TypeFor[config.SWR]()
	for i := range rt.NumField() {
		f := rt.Field(i)
		assert.Regexp(t, `(?m)^`+f.Tag.Get("envconfig")+`\s+\S+\s+`+f.Tag.Get("default")+`\s+`+regexp.QuoteMeta(f.Tag.Get("desc"))+`$`, out, f.Name)
	}
	assert.Regexp(t, `(?m)^WEBHOOK_SECRET\s+String\s+shared webhook secret$`, out)
	assert.Regexp(t, `(?m)^DRY_RUN\s+True or False\s+true\s+plan only$`, out)
	assert.Len(t, lines, 1+rt.NumField()+2, "one header and one row per variable")
}
