package config

import (
	"bytes"
	"fmt"
	"log/slog"
	"testing"

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
