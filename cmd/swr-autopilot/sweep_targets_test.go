package main

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestSweepAndGrantsCommandsCoverEveryTarget(t *testing.T) {
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-east-3"})
	t.Cleanup(cloud.Close)
	tags := []swrtest.SeedTag{{Name: "v1", Age: "4d"}, {Name: "v2", Age: "3d"}, {Name: "v3", Age: "2d"}, {Name: "v4", Age: "1d"}}
	for _, s := range cloud.Servers() {
		require.NoError(t, s.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "a", Repositories: []swrtest.SeedRepository{{Name: "api", Tags: tags}}}}}))
	}
	north, east := cloud.Region("cn-north-4"), cloud.Region("cn-east-3")
	for k, v := range map[string]string{
		"NORTH_HUAWEICLOUD_SDK_AK": north.AK, "NORTH_HUAWEICLOUD_SDK_SK": north.SK,
		"EAST_HUAWEICLOUD_SDK_AK": east.AK, "EAST_HUAWEICLOUD_SDK_SK": east.SK,
		"HUAWEICLOUD_SDK_AK": "", "HUAWEICLOUD_SDK_SK": "", "SWR_ENDPOINT": "", "AUTOPILOT_POLICY": "", "AUTOPILOT_TARGETS": "",
		"SWR_RETRY_MAX_ATTEMPTS": "2", "SWR_RETRY_BASE_DELAY": "1ms", "SWR_RETRY_MAX_DELAY": "2ms",
	} {
		t.Setenv(k, v)
	}
	targetsFile := writeFile(t, "targets.yaml", "targets:\n"+
		"  - {name: north, region: cn-north-4, endpoint: \""+north.URL+"\", credentials: {env: NORTH_}}\n"+
		"  - {name: east, region: cn-east-3, endpoint: \""+east.URL+"\", credentials: {env: EAST_}}\n")
	policyFile := writeFile(t, "policy.yaml", sweepPolicy)

	code, out, errOut := repoCommand("sweep", "-policy", policyFile, "-targets", targetsFile, "-json")
	require.Equal(t, 0, code, errOut)
	rep := sweepJSON(t, out)
	assert.Equal(t, []string{"east", "north"}, rep.Targets())
	assert.Equal(t, 1, rep.ByTarget["north"].Changed)
	assert.Equal(t, 1, rep.ByTarget["east"].Changed)
	for _, s := range cloud.Servers() {
		r, ok := s.State().Repository("a", "api")
		require.True(t, ok)
		assert.NotNil(t, r.Retention, "%s got its rule", s.Region)
	}

	code, out, errOut = repoCommand("sweep", "-policy", policyFile, "-targets", targetsFile, "-target", "east", "-json")
	require.Equal(t, 0, code, errOut)
	rep = sweepJSON(t, out)
	assert.Equal(t, []string{"east"}, rep.Targets())

	code, _, errOut = repoCommand("sweep", "-policy", policyFile, "-targets", targetsFile, "-target", "west")
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, `-target "west" is not in`)

	dir := writeFile(t, "directory.yaml", "teams:\n  - name: t\n    members: [{id: 0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e, name: alice}]\n    namespaces: {a: read}\n")
	code, out, errOut = repoCommand("grants", "-directory", dir, "-targets", targetsFile, "-json")
	require.Equal(t, 0, code, errOut)
	g := sweepJSON(t, out)
	assert.Equal(t, []string{"east", "north"}, g.Targets())
	assert.Equal(t, 1, g.ByTarget["east"].Changed)
}
