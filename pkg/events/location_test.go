package events_test

import (
	"context"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
)

func decodeOne(t *testing.T, payload string) events.Event {
	t.Helper()
	d, err := events.NewDecoder(events.Config{Auth: events.AuthConfig{Disabled: true}})
	require.NoError(t, err)
	b, err := d.DecodeLambda(context.Background(), json.RawMessage(payload))
	require.NoError(t, err)
	require.Len(t, b.Events, 1)
	return b.Events[0]
}

const eventGridPush = `{"specversion":"1.0","id":"e-1","source":"HC.SWR","type":"SWR:CloudTrace:ApiCall",%s"data":{"trace_name":"postMultipartImagePackage","trace_rating":"normal","service_type":"SWR","project_id":"p-east","resource_name":"acme/web:v1"%s}}`

func TestEventGridEventsCarryTheirRegion(t *testing.T) {
	for name, tc := range map[string]struct {
		ext, data string
		want      events.Location
	}{
		"extension":      {`"region":"cn-east-3",`, ``, events.Location{Region: "cn-east-3", ProjectID: "p-east"}},
		"trace":          {``, `,"region_id":"cn-north-4"`, events.Location{Region: "cn-north-4", ProjectID: "p-east"}},
		"extension wins": {`"region":"cn-east-3",`, `,"region_id":"cn-north-4"`, events.Location{Region: "cn-east-3", ProjectID: "p-east"}},
		"malformed":      {`"region":"CN EAST",`, ``, events.Location{ProjectID: "p-east"}},
	} {
		t.Run(name, func(t *testing.T) {
			ev := decodeOne(t, fmt.Sprintf(eventGridPush, tc.ext, tc.data))
			assert.Equal(t, events.ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1"}, ev.Payload)
			assert.Equal(t, tc.want, ev.Location)
		})
	}
}

func TestHarborWebhooksCarryTheirRegistryHost(t *testing.T) {
	ev := decodeOne(t, `{"specversion":"1.0","id":"h-1","source":"harbor","type":"harbor.artifact.pushed","data":{"repository":{"name":"web","namespace":"acme"},"resources":[{"tag":"v1","resource_url":"SWR.cn-east-3.myhuaweicloud.com:443/acme/web:v1"}]}}`)
	assert.Equal(t, events.Location{RegistryHost: "swr.cn-east-3.myhuaweicloud.com"}, ev.Location)
}

func TestSweepAndGrantSyncRequestsName(t *testing.T) {
	ev := decodeOne(t, `{"specversion":"1.0","id":"s-1","source":"x","type":"io.swrautopilot.sweep.requested","data":{"target":"dr","namespaces":["team"]}}`)
	assert.Equal(t, events.SweepRequested{Target: "dr", Namespaces: []string{"team"}}, ev.Payload)
	ev = decodeOne(t, `{"specversion":"1.0","id":"g-1","source":"x","type":"io.swrautopilot.grantsync.requested","data":{"target":"dr"}}`)
	assert.Equal(t, events.GrantSyncRequested{Target: "dr"}, ev.Payload)
}

func TestTargetShardsAndContinuations(t *testing.T) {
	a := events.NewTargetSweepShard("parent", "dr", "team", "", false)
	b := events.NewTargetSweepShard("parent", "primary", "team", "", false)
	assert.NotEqual(t, a.ID(), b.ID(), "target × namespace shards have their own ids")
	assert.Equal(t, a.ID(), events.NewTargetSweepShard("parent", "dr", "team", "", false).ID(), "a retried fan-out repeats its ids")
	assert.Equal(t, events.NewSweepShard("parent", "team", "", false).ID(), events.NewTargetSweepShard("parent", "", "team", "", false).ID(),
		"without targets the ids are those of before")
	var p events.SweepRequested
	require.NoError(t, a.DataAs(&p))
	assert.Equal(t, events.SweepRequested{Target: "dr", Namespaces: []string{"team"}}, p)

	c := events.NewTargetSweepContinuation("parent", "dr", "v2:team:3:x", nil, true)
	p = events.SweepRequested{}
	require.NoError(t, c.DataAs(&p))
	assert.Equal(t, events.SweepRequested{Target: "dr", Cursor: "v2:team:3:x", DryRun: true}, p)
	assert.NotEqual(t, c.ID(), events.NewSweepContinuation("parent", "v2:team:3:x", nil, true).ID())
}
