package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
)

func setenv(t *testing.T, kv map[string]string) {
	t.Helper()
	for k, v := range kv {
		t.Setenv(k, v)
	}
}

func TestLoadFunctionListsEveryProblem(t *testing.T) {
	setenv(t, map[string]string{"AUTOPILOT_SWEEP_FANOUT": "true", "AUTOPILOT_SWEEP_CONCURRENCY": "0", "AUTOPILOT_SCHEDULED_KIND": "nope",
		"AUTOPILOT_SWEEP_MARGIN": "100ms"})
	var s Sweep
	err := LoadFunction(&s)
	require.Error(t, err)
	for _, want := range []string{"AUTOPILOT_POLICY", "AUTOPILOT_SWEEP_QUEUE_URL", "AUTOPILOT_SWEEP_CONCURRENCY", "AUTOPILOT_SCHEDULED_KIND", "webhook authentication", "HUAWEICLOUD_SDK_REGION", "AUTOPILOT_SWEEP_MARGIN"} {
		assert.Contains(t, err.Error(), want)
	}
}

func TestLoadFunctionAndDecoderConfig(t *testing.T) {
	setenv(t, map[string]string{
		"HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "SK-very-secret", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
		"AUTOPILOT_DIRECTORY": "s3://b/k", "AUTOPILOT_WEBHOOK_HMAC_SECRET": "hmac-very-secret", "K_SINK": "http://sink.local",
	})
	var g GrantSync
	require.NoError(t, LoadFunction(&g))
	assert.Equal(t, "http://sink.local", g.SinkURL())
	dc := g.DecoderConfig(events.KindGrantSyncRequested)
	assert.Equal(t, events.KindGrantSyncRequested, dc.ScheduledKind)
	assert.Equal(t, events.Secret("hmac-very-secret"), dc.Auth.HMACSecret)
	assert.False(t, dc.Auth.Disabled)

	var buf bytes.Buffer
	slog.New(slog.NewJSONHandler(&buf, nil)).Info("cfg", "config", g)
	for _, out := range []string{fmt.Sprint(g), fmt.Sprintf("%+v", g), fmt.Sprintf("%#v", g), buf.String()} {
		assert.NotContains(t, out, "SK-very-secret")
		assert.NotContains(t, out, "hmac-very-secret")
		assert.Contains(t, out, "s3://b/k", "the rest of the configuration is shown")
	}
	assert.NotContains(t, fmt.Sprintf("%+v", g.Function), "hmac-very-secret")
}

func TestVariablesIncludeEmbeddedStructs(t *testing.T) {
	vars := Variables(&Sweep{})
	for _, want := range []string{"HUAWEICLOUD_SDK_AK", "SWR_ENDPOINT", "AUTOPILOT_POLICY", "AUTOPILOT_SWEEP_QUEUE_URL", "K_SINK"} {
		assert.Contains(t, vars, want)
	}
	assert.NotContains(t, Variables(&OnPush{}), "AUTOPILOT_SWEEP_QUEUE_URL")
}

func TestURLCredentialsNeverPrinted(t *testing.T) {
	setenv(t, map[string]string{
		"HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "SKTEST", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
		"SWR_ENDPOINT": "https://user:TOPSECRET@swr.example.com", "AUTOPILOT_POLICY": "https://x.example.com/p.yaml?X-Amz-Signature=PRESIGNED",
		"AUTOPILOT_SINK": "https://sink:SINKPASS@sink.example.com", "AUTOPILOT_WEBHOOK_AUTH_DISABLED": "true",
	})
	var c OnPush
	err := LoadFunction(&c)
	var outs []string
	if err != nil {
		outs = append(outs, err.Error())
	}
	_, cerr := c.NewClient()
	require.Error(t, cerr, "user info in the endpoint is refused")
	outs = append(outs, cerr.Error(), fmt.Sprint(c), fmt.Sprintf("%+v", c), fmt.Sprintf("%#v", c), fmt.Sprint(c.SWR))
	for _, out := range outs {
		assert.NotContains(t, out, "TOPSECRET")
		assert.NotContains(t, out, "PRESIGNED")
		assert.NotContains(t, out, "SINKPASS")
	}
	assert.Contains(t, fmt.Sprint(c), "swr.example.com", "the rest of the URL is still shown")
}

// Every numeric setting refuses NaN, ±Inf, negative values and the zeros
// that mean nothing, and every bad setting is listed in one error that
// names the variable, what is wrong and what is expected, without a
// secret's value.
func TestLoadFunctionRefusesEveryBadNumberAtOnce(t *testing.T) {
	setenv(t, map[string]string{
		"HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "SK-planted-9f3", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
		"AUTOPILOT_POLICY": "p.yaml", "AUTOPILOT_WEBHOOK_AUTH_HEADER": "Bearer planted-auth-77",
		"SWR_RATE_LIMIT": "NaN", "SWR_RATE_BURST": "-3", "SWR_RETRY_MAX_ATTEMPTS": "four", "SWR_RETRY_BASE_DELAY": "-1s",
		"SWR_HTTP_TIMEOUT": "0", "AUTOPILOT_DEADLINE_MARGIN": "-500ms", "AUTOPILOT_DEDUPE_SIZE": "-5",
		"AUTOPILOT_SWEEP_CONCURRENCY": "0", "AUTOPILOT_SWEEP_MAX_IMPACT_TAGS": "-1", "AUTOPILOT_SWEEP_MARGIN": "soon",
		"AUTOPILOT_METRICS": "maybe", "AUTOPILOT_SINK": "ftp://sink.example/x?sig=planted-sig-55",
	})
	var s Sweep
	err := LoadFunction(&s)
	require.Error(t, err)
	var ce *Error
	require.ErrorAs(t, err, &ce)
	want := map[string]string{
		"SWR_RATE_LIMIT":                  "SWR_RATE_LIMIT is NaN: expected requests per second",
		"SWR_RATE_BURST":                  "SWR_RATE_BURST is -3: expected a whole number of at least 0",
		"SWR_RETRY_MAX_ATTEMPTS":          `SWR_RETRY_MAX_ATTEMPTS is "four", which is not a whole number`,
		"SWR_RETRY_BASE_DELAY":            "SWR_RETRY_BASE_DELAY is -1s: expected a duration of 0 or more",
		"SWR_HTTP_TIMEOUT":                "SWR_HTTP_TIMEOUT is 0s: expected a duration above 0",
		"AUTOPILOT_DEADLINE_MARGIN":       "AUTOPILOT_DEADLINE_MARGIN is -500ms: expected a duration above 0",
		"AUTOPILOT_DEDUPE_SIZE":           "AUTOPILOT_DEDUPE_SIZE is -5: expected a whole number of at least 1",
		"AUTOPILOT_SWEEP_CONCURRENCY":     "AUTOPILOT_SWEEP_CONCURRENCY is 0: expected a whole number of at least 1",
		"AUTOPILOT_SWEEP_MAX_IMPACT_TAGS": "AUTOPILOT_SWEEP_MAX_IMPACT_TAGS is -1: expected a whole number of at least 0",
		"AUTOPILOT_SWEEP_MARGIN":          `AUTOPILOT_SWEEP_MARGIN is "soon", which is not a duration: expected`,
		"AUTOPILOT_METRICS":               `AUTOPILOT_METRICS is "maybe", which is not a boolean: expected true or false`,
		"AUTOPILOT_SINK":                  `AUTOPILOT_SINK is "ftp://sink.example/x?redacted": expected an http(s) URL`,
	}
	for variable, text := range want {
		n := 0
		for _, p := range ce.Problems {
			if strings.HasPrefix(p, variable+" ") {
				n++
				assert.Contains(t, p, text)
			}
		}
		assert.Equal(t, 1, n, "%s is reported once: %v", variable, ce.Problems)
	}
	assert.Len(t, ce.Problems, len(want))
	for _, secret := range []string{"SK-planted-9f3", "planted-auth-77", "planted-sig-55"} {
		assert.NotContains(t, err.Error(), secret)
	}

	for _, v := range []string{"NaN", "nan", "+Inf", "-Inf", "inf", "-1", "1e400"} {
		t.Run("SWR_RATE_LIMIT="+v, func(t *testing.T) {
			t.Setenv("SWR_RATE_LIMIT", v)
			var s Sweep
			err := LoadFunction(&s)
			require.Error(t, err)
			assert.Contains(t, err.Error(), "SWR_RATE_LIMIT is ")
		})
	}
}

func TestLoadOnPushCacheTTL(t *testing.T) {
	setenv(t, map[string]string{"HUAWEICLOUD_SDK_AK": "AKTEST", "HUAWEICLOUD_SDK_SK": "SKTEST", "HUAWEICLOUD_SDK_REGION": "cn-north-4",
		"AUTOPILOT_POLICY": "p.yaml", "AUTOPILOT_WEBHOOK_AUTH_DISABLED": "true", "AUTOPILOT_CACHE_TTL": "-1m"})
	var c OnPush
	err := LoadFunction(&c)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "AUTOPILOT_CACHE_TTL is -1m0s: expected a duration of 0 or more")

	t.Setenv("AUTOPILOT_CACHE_TTL", "0")
	c = OnPush{}
	require.NoError(t, LoadFunction(&c))
	assert.Negative(t, c.ConformantCacheTTL(), "0 turns the cache off")
	t.Setenv("AUTOPILOT_CACHE_TTL", "")
	c = OnPush{}
	require.NoError(t, LoadFunction(&c))
	assert.Equal(t, 5*time.Minute, c.ConformantCacheTTL(), "an empty variable takes the default")
}
