package config

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// With a targets file the unprefixed SWR variables may be empty: each
// target names its own region and credentials.
func TestLoadFunctionWithTargetsNeedsNoDefaultRegistry(t *testing.T) {
	setenv(t, map[string]string{"AUTOPILOT_POLICY": "policy.yaml", "AUTOPILOT_WEBHOOK_AUTH_DISABLED": "true"})
	var s Sweep
	err := LoadFunction(&s)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "no credentials")

	t.Setenv("AUTOPILOT_TARGETS", "s3://bucket/targets.yaml")
	s = Sweep{}
	require.NoError(t, LoadFunction(&s))
	assert.Equal(t, "s3://bucket/targets.yaml", s.Targets)
}

func TestCheckRegion(t *testing.T) {
	assert.NoError(t, CheckRegion("cn-north-4"))
	assert.NoError(t, CheckRegion("eu-west-101"))
	assert.EqualError(t, CheckRegion("North"), `region "North" is not a region name such as cn-north-4`)
}
