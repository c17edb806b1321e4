//go:build linux

package e2e_test

import (
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestOnPushReceiverRoutesEventGridEventsByRegion runs the onpush
// bootstrap over a targets file of two regions, each served by its own
// emulator endpoint, and checks that an EventGrid event from each region
// is acted on in that region only.
func TestOnPushReceiverRoutesEventGridEventsByRegion(t *testing.T) {
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-east-3"})
	t.Cleanup(cloud.Close)
	north, east := cloud.Region("cn-north-4"), cloud.Region("cn-east-3")
	for _, s := range cloud.Servers() {
		require.NoError(t, s.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "acme", Repositories: []swrtest.SeedRepository{
			{Name: "web", Tags: tags("v1", "v2")},
		}}}}))
	}
	targetsFile := writeFile(t, "targets.yaml", "targets:\n"+
		"  - {name: primary, region: cn-north-4, project_id: "+north.ProjectID+", endpoint: \""+north.URL+"\", credentials: {env: PRIMARY_}}\n"+
		"  - {name: dr, region: cn-east-3, project_id: "+east.ProjectID+", endpoint: \""+east.URL+"\", credentials: {env: DR_}}\n")
	policy := writeFile(t, "policy.yaml", "version: 1\nmode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 20\n")
	env := append(functionEnv(north, policy, ""),
		// The unprefixed credentials are not used: each target names its own.
		"HUAWEICLOUD_SDK_AK=", "HUAWEICLOUD_SDK_SK=", "SWR_ENDPOINT=", "HUAWEICLOUD_SDK_REGION=",
		"AUTOPILOT_TARGETS="+targetsFile,
		"PRIMARY_HUAWEICLOUD_SDK_AK="+north.AK, "PRIMARY_HUAWEICLOUD_SDK_SK="+north.SK,
		"DR_HUAWEICLOUD_SDK_AK="+east.AK, "DR_HUAWEICLOUD_SDK_SK="+east.SK,
	)
	rcv := lambdatest.StartReceiver(t, lambdatest.BuildBootstrap(t, onpushPkg), env)

	ruleIn := func(s *swrtest.Server) bool {
		r, ok := s.State().Repository("acme", "web")
		return ok && r.Retention != nil
	}
	send := func(region string) report.Summary {
		t.Helper()
		ce := `{"specversion":"1.0","id":"eg-` + region + `","source":"HC.SWR","type":"SWR:CloudTrace:ApiCall","region":"` + region + `",` +
			`"datacontenttype":"application/json","data":{"trace_name":"createImageRepository","trace_rating":"normal","service_type":"SWR",` +
			`"resource_name":"acme/web","project_id":"p"}}`
		status, body := curl(t, rcv.URL, "application/cloudevents+json", webhookAuth, ce)
		require.Equal(t, http.StatusOK, status, "body %s", body)
		var sum report.Summary
		require.NoError(t, json.Unmarshal([]byte(body), &sum), "body %s", body)
		return sum
	}

	sum := send("cn-east-3")
	assert.Equal(t, []string{"dr"}, keysOf(sum.ByTarget))
	assert.True(t, ruleIn(east), "the cn-east-3 event was acted on in cn-east-3")
	assert.False(t, ruleIn(north))

	sum = send("cn-north-4")
	assert.Equal(t, []string{"primary"}, keysOf(sum.ByTarget))
	assert.True(t, ruleIn(north), "the cn-north-4 event was acted on in cn-north-4")

	require.NoError(t, rcv.Stop(30*time.Second))
}

func keysOf(m map[string]report.Counts) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
