package targets_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

func TestParseExample(t *testing.T) {
	data, err := os.ReadFile("testdata/example.yaml")
	require.NoError(t, err)
	set, err := targets.Parse(data, "example.yaml")
	require.NoError(t, err)
	assert.Equal(t, []string{"primary", "dr"}, set.Names(), "in file order")
	assert.True(t, set.Named())

	primary, ok := set.ByName("primary")
	require.True(t, ok)
	assert.Equal(t, targets.Target{Name: "primary", Region: "cn-north-4", ProjectID: "0a1b2c3d4e5f60718293a4b5c6d7e8f9",
		Credentials: targets.Credentials{Env: "PROD_"}}, primary)
	dr, _ := set.ByName("dr")
	assert.Equal(t, "arn:aws:secretsmanager:eu-west-1:123456789012:secret:swr-dr-AbCdEf", dr.Credentials.Secret)
	assert.Equal(t, "https://swr-api.cn-east-3.myhuaweicloud.com", dr.Endpoint)

	assert.Equal(t, []targets.Target{dr}, set.ByRegion("cn-east-3"))
	assert.Empty(t, set.ByRegion("ap-southeast-1"))
	assert.Equal(t, []targets.Target{dr}, set.ByHost("swr.cn-east-3.myhuaweicloud.com"))
	assert.Equal(t, []targets.Target{dr}, set.ByHost("Registry.DR.example.com:443"))
	assert.Equal(t, []targets.Target{primary}, set.ByHost("swr.cn-north-4.myhuaweicloud.com"))
	assert.Empty(t, set.ByHost("swr.cn-south-1.myhuaweicloud.com"))
	_, ok = set.ByName("nope")
	assert.False(t, ok)
}

func TestRegistryHostOfTheEURegion(t *testing.T) {
	assert.Equal(t, "swr.eu-west-101.myhuaweicloud.eu", targets.RegistryHost("eu-west-101"))
	assert.Equal(t, "swr.cn-north-4.myhuaweicloud.com", targets.RegistryHost("cn-north-4"))
}

func TestParseReportsEveryProblemAtItsPosition(t *testing.T) {
	for name, tc := range map[string]struct {
		yaml string
		want []string
	}{
		"empty file":    {"", []string{"f.yaml: the targets file is empty"}},
		"no targets":    {"targets: []\n", []string{"f.yaml:1:1: no targets"}},
		"unknown top":   {"target:\n  - name: a\n", []string{"f.yaml:1:1: unknown key \"target\" in the top level (did you mean \"targets\"?)", "f.yaml:1:1: no targets"}},
		"syntax":        {"targets: [\n", []string{"f.yaml:1: invalid YAML"}},
		"two documents": {"targets:\n  - {name: a, region: cn-north-4}\n---\nx: 1\n", []string{"f.yaml:3:1: a second YAML document"}},
		"missing name and region": {"targets:\n  - region: cn-north-4\n  - name: b\n",
			[]string{"f.yaml:2:5: a target needs a name", "f.yaml:3:11: target \"b\" needs a region"}},
		"bad values": {"targets:\n  - name: Prod\n    region: north\n    project_id: \"a-b\"\n    endpoint: http://swr.example.com\n",
			[]string{"f.yaml:2:11: target name \"Prod\" must be", "f.yaml:3:13: region \"north\" is not a region name", "f.yaml:4:17: project_id \"a-b\" must be", "f.yaml:5:15: endpoint swr.example.com: plain http"}},
		"endpoint with user": {"targets:\n  - name: a\n    region: cn-north-4\n    endpoint: https://u:p@swr.example.com\n",
			[]string{"f.yaml:4:15: endpoint must not carry credentials"}},
		"duplicate name": {"targets:\n  - {name: a, region: cn-north-4}\n  - {name: a, region: cn-east-3}\n",
			[]string{"f.yaml:3:12: target \"a\" is already defined at line 2:12"}},
		"same place twice": {"targets:\n  - {name: a, region: cn-north-4}\n  - {name: b, region: cn-north-4}\n",
			[]string{"f.yaml:3:12: target \"b\" governs the same region, project and endpoint as the target at line 2:12"}},
		"both credentials": {"targets:\n  - name: a\n    region: cn-north-4\n    credentials: {env: A_, secret: s}\n",
			[]string{"f.yaml:4:28: credentials name both env and secret"}},
		"empty credentials": {"targets:\n  - name: a\n    region: cn-north-4\n    credentials: {}\n",
			[]string{"f.yaml:4:18: credentials is empty"}},
		"bad host": {"targets:\n  - name: a\n    region: cn-north-4\n    registry_hosts: [\"https://x.example.com\"]\n",
			[]string{"f.yaml:4:22: registry host \"https://x.example.com\" must be"}},
		"unknown target key": {"targets:\n  - name: a\n    regoin: cn-north-4\n",
			[]string{"f.yaml:2:11: target \"a\" needs a region", "f.yaml:3:5: unknown key \"regoin\" in a target (did you mean \"region\"?)"}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := targets.Parse([]byte(tc.yaml), "f.yaml")
			require.Error(t, err)
			var list targets.ErrorList
			require.True(t, errors.As(err, &list), "%T", err)
			lines := strings.Split(err.Error(), "\n")
			require.Len(t, lines, len(tc.want), err.Error())
			for i, w := range tc.want {
				assert.True(t, strings.HasPrefix(lines[i], w), "line %d: got %q, want prefix %q", i, lines[i], w)
			}
		})
	}
}

// A secret pasted into the file is refused, and no message repeats it.
func TestParseRefusesLiteralSecrets(t *testing.T) {
	const ak, sk = "HPUAXYZ1234567890ABC", "pa55w0rdSecretKeyValue1234567890abcdefgh"
	for name, yaml := range map[string]string{
		"ak and sk":        "targets:\n  - name: a\n    region: cn-north-4\n    credentials:\n      ak: " + ak + "\n      sk: " + sk + "\n",
		"secret as env":    "targets:\n  - name: a\n    region: cn-north-4\n    credentials:\n      env: " + sk + "\n",
		"secret as secret": "targets:\n  - name: a\n    region: cn-north-4\n    credentials:\n      secret: \"" + sk + " " + ak + "\"\n",
		"password":         "targets:\n  - name: a\n    region: cn-north-4\n    credentials: {Password: " + sk + "}\n",
	} {
		t.Run(name, func(t *testing.T) {
			err := targets.Validate([]byte(yaml), "f.yaml")
			require.Error(t, err)
			assert.NotContains(t, err.Error(), ak)
			assert.NotContains(t, err.Error(), sk)
			assert.Contains(t, err.Error(), "f.yaml:")
		})
	}
	err := targets.Validate([]byte("targets:\n  - name: a\n    region: cn-north-4\n    credentials:\n      sk: "+sk+"\n"), "f.yaml")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "f.yaml:5:7: credentials must not hold a secret (sk)")
}

func TestDefaultIsOneUnnamedTargetFromTheVariables(t *testing.T) {
	base := config.SWR{Region: "cn-north-4", ProjectID: "p1", EndpointURL: "http://127.0.0.1:9", AK: "a", SK: "s", MaxAttempts: 1, Timeout: time.Second}
	set, err := targets.LoadOrDefault(context.Background(), "", base, source.Options{})
	require.NoError(t, err)
	require.Len(t, set.Targets, 1)
	assert.False(t, set.Named())
	assert.Equal(t, targets.Target{Region: "cn-north-4", ProjectID: "p1", Endpoint: "http://127.0.0.1:9"}, set.Targets[0])

	cfg, err := targets.Resolver{Base: base}.Config(context.Background(), set.Targets[0])
	require.NoError(t, err)
	assert.Equal(t, base, cfg, "the default target is the configuration as it is")
}

func TestLoadGoesThroughTheSourceLoader(t *testing.T) {
	data, err := os.ReadFile("testdata/example.yaml")
	require.NoError(t, err)
	path := filepath.Join(t.TempDir(), "targets.yaml")
	require.NoError(t, os.WriteFile(path, data, 0o600))
	set, err := targets.Load(context.Background(), path, source.Options{})
	require.NoError(t, err)
	assert.Equal(t, path, set.File)
	assert.Len(t, set.Targets, 2)

	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { _, _ = w.Write(data) }))
	defer srv.Close()
	set, err = targets.Load(context.Background(), srv.URL+"/targets.yaml?sig=secret", source.Options{AllowLoopbackHTTP: true})
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/targets.yaml?redacted", set.File, "the query (a signature) stays out of messages")

	_, err = targets.Load(context.Background(), filepath.Join(t.TempDir(), "missing.yaml"), source.Options{})
	require.ErrorContains(t, err, "targets file: fetch")
}

func TestResolverReadsPrefixedVariables(t *testing.T) {
	env := map[string]string{
		"PROD_HUAWEICLOUD_SDK_AK":             "prod-ak",
		"PROD_HUAWEICLOUD_SDK_SK":             "prod-sk",
		"PROD_HUAWEICLOUD_SDK_SECURITY_TOKEN": "prod-token",
	}
	base := config.SWR{Region: "cn-north-4", AK: "base-ak", SK: "base-sk", ProjectID: "base", RateLimit: 3, RateBurst: 1, MaxAttempts: 2, Timeout: time.Second}
	r := targets.Resolver{Base: base, Getenv: func(k string) string { return env[k] }}
	tgt := targets.Target{Name: "dr", Region: "cn-east-3", ProjectID: "p2", Endpoint: "https://swr.example.com",
		Credentials: targets.Credentials{Env: "PROD_"}}
	cfg, err := r.Config(context.Background(), tgt)
	require.NoError(t, err)
	assert.Equal(t, "prod-ak", cfg.AK)
	assert.Equal(t, "prod-sk", cfg.SK)
	assert.Equal(t, "prod-token", cfg.SecurityToken)
	assert.Equal(t, "cn-east-3", cfg.Region)
	assert.Equal(t, "p2", cfg.ProjectID)
	assert.Equal(t, "https://swr.example.com", cfg.Endpoint())
	assert.Equal(t, 3.0, cfg.RateLimit, "shared settings come from the base")

	// A named target without credentials uses the function's own.
	cfg, err = r.Config(context.Background(), targets.Target{Name: "own", Region: "cn-east-3"})
	require.NoError(t, err)
	assert.Equal(t, "base-ak", cfg.AK)
	assert.Equal(t, "", cfg.ProjectID, "a project id belongs to its region")

	_, err = r.Config(context.Background(), targets.Target{Name: "x", Region: "cn-east-3", Credentials: targets.Credentials{Env: "NONE_"}})
	require.Error(t, err)
	assert.Contains(t, err.Error(), `target "x" (credentials from environment NONE_*)`)
	assert.Contains(t, err.Error(), "no credentials")
	assert.NotContains(t, err.Error(), "base-sk")
}

// extension emulates the AWS Parameters and Secrets Lambda Extension.
func extension(t *testing.T, token string, secrets map[string]string) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/secretsmanager/get" || r.Method != http.MethodGet {
			http.NotFound(w, r)
			return
		}
		if r.Header.Get(targets.ExtensionTokenHeader) != token {
			http.Error(w, "forbidden", http.StatusForbidden)
			return
		}
		v, ok := secrets[r.URL.Query().Get("secretId")]
		if !ok {
			http.Error(w, `{"__type":"ResourceNotFoundException"}`, http.StatusBadRequest)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"ARN":"arn:x","Name":"n","SecretString":` + quote(v) + `,"VersionId":"1"}`))
	}))
	t.Cleanup(srv.Close)
	return srv
}

func quote(s string) string { return `"` + strings.ReplaceAll(s, `"`, `\"`) + `"` }

func TestResolverReadsSecretsThroughTheExtension(t *testing.T) {
	const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:swr-dr-AbCdEf"
	srv := extension(t, "session-token", map[string]string{
		arn:     `{"ak":"dr-ak","sk":"dr-sk"}`,
		"plain": "not json at all: TOPSECRET",
	})
	ext := targets.SecretsExtensionFromEnv(func(k string) string {
		return map[string]string{"AWS_SESSION_TOKEN": "session-token", "PARAMETERS_SECRETS_EXTENSION_HTTP_PORT": "2999"}[k]
	})
	assert.Equal(t, "http://localhost:2999", ext.URL)
	ext.URL = srv.URL

	base := config.SWR{AK: "base-ak", SK: "base-sk", SecurityToken: "base-token", MaxAttempts: 1, Timeout: time.Second}
	r := targets.Resolver{Base: base, Secrets: ext}
	cfg, err := r.Config(context.Background(), targets.Target{Name: "dr", Region: "cn-east-3", Credentials: targets.Credentials{Secret: arn}})
	require.NoError(t, err)
	assert.Equal(t, "dr-ak", cfg.AK)
	assert.Equal(t, "dr-sk", cfg.SK)
	assert.Empty(t, cfg.SecurityToken, "nothing of the base credentials is mixed in")

	_, err = r.Config(context.Background(), targets.Target{Name: "p", Region: "cn-east-3", Credentials: targets.Credentials{Secret: "plain"}})
	require.ErrorContains(t, err, `secret plain does not hold a JSON object with "ak" and "sk"`)
	assert.NotContains(t, err.Error(), "TOPSECRET")

	_, err = r.Config(context.Background(), targets.Target{Name: "m", Region: "cn-east-3", Credentials: targets.Credentials{Secret: "missing"}})
	require.ErrorContains(t, err, "secrets extension answered HTTP 400")

	ext.Token = "wrong"
	_, err = targets.Resolver{Base: base, Secrets: ext}.Config(context.Background(), targets.Target{Name: "dr", Region: "cn-east-3", Credentials: targets.Credentials{Secret: arn}})
	require.ErrorContains(t, err, "HTTP 403")

	ext.Token = ""
	_, err = ext.SecretString(context.Background(), arn)
	require.ErrorContains(t, err, "AWS_SESSION_TOKEN is empty")

	// An extension that does not answer is given up on.
	stuck := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }))
	defer stuck.Close()
	_, err = targets.SecretsExtension{URL: stuck.URL, Token: "t", Timeout: 50 * time.Millisecond}.SecretString(context.Background(), arn)
	require.ErrorIs(t, err, context.DeadlineExceeded)

	_, err = targets.Resolver{Base: base}.Config(context.Background(), targets.Target{Name: "dr", Region: "cn-east-3", Credentials: targets.Credentials{Secret: arn}})
	require.ErrorContains(t, err, "no secrets source")
}

func TestTheExamplesAreValid(t *testing.T) {
	for _, path := range []string{"testdata/example.yaml", "../../examples/targets.yaml"} {
		data, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.NoError(t, targets.Validate(data, path))
	}
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	block := strings.SplitN(strings.SplitN(string(readme), "```yaml\n", 2)[1], "```", 2)[0]
	assert.NoError(t, targets.Validate([]byte(block), "README.md"), "the README's example")
}
