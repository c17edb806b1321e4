package events

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	digestWeb      = "sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08"
	digestCheckout = "sha256:6a1f2d5c3b8e9f0a7c4d1e2b5f8a3c6d9e0b7a4f1c2d5e8b3a6f9c0d7e4b1a28"
	digestBusybox  = "sha256:dde8e930c7b6a490f728e66292bc9bce42efc9bbb5278bae40e4f30f6e00fe8c"
)

// sampleWant is what each file in events/ decodes to. A sample without an
// entry fails TestSamples, so a new sample cannot go untested.
var sampleWant = map[string]struct {
	origin   Origin
	payloads []Payload
}{
	"cloudevent-directory-changed.json":    {OriginCloudEvent, []Payload{GrantSyncRequested{}}},
	"cloudevent-grantsync.json":            {OriginCloudEvent, []Payload{GrantSyncRequested{}}},
	"cloudevent-image-pushed.json":         {OriginCloudEvent, []Payload{ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1.4.3"}}},
	"cloudevent-sweep.json":                {OriginCloudEvent, []Payload{SweepRequested{Namespaces: []string{"acme"}, DryRun: true}}},
	"eventbridge-scheduled.json":           {OriginEventBridge, []Payload{SweepRequested{}}},
	"eventbridge-scheduler-grantsync.json": {OriginEventBridge, []Payload{GrantSyncRequested{DryRun: true}}},
	"eventgrid-create-namespace.json":      {OriginFunctionURL, []Payload{NamespaceCreated{Namespace: "acme-staging"}}},
	"eventgrid-create-repository.json":     {OriginFunctionURL, []Payload{RepositoryCreated{Namespace: "acme", Repository: "payments"}}},
	"eventgrid-grants-changed.json":        {OriginFunctionURL, []Payload{GrantsChanged{Namespace: "acme", Repository: "web"}}},
	"eventgrid-push-image.json":            {OriginFunctionURL, []Payload{ImagePushed{Namespace: "acme", Repository: "payments", Tag: "v2.0.1"}}},
	"eventgrid-update-trigger.json":        {OriginFunctionURL, []Payload{TriggerChanged{Namespace: "acme", Repository: "web", Trigger: "deploy-web"}}},
	"functionurl-batch.json": {OriginFunctionURL, []Payload{
		SweepRequested{Namespaces: []string{"acme", "acme-staging"}, DryRun: true},
		TriggerChanged{Namespace: "acme", Repository: "web", Trigger: "deploy-web"},
	}},
	"functionurl-binary.json":      {OriginFunctionURL, []Payload{ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1.4.2", Digest: digestWeb}}},
	"functionurl-structured.json":  {OriginFunctionURL, []Payload{RepositoryCreated{Namespace: "acme", Repository: "team/api"}}},
	"harbor-push-cloudevents.json": {OriginFunctionURL, []Payload{ImagePushed{Namespace: "library", Repository: "busybox", Tag: "1.36.1", Digest: digestBusybox}}},
	"harbor-push-default.json": {OriginFunctionURL, []Payload{
		ImagePushed{Namespace: "library", Repository: "checkout", Tag: "v3.1.0", Digest: digestCheckout},
		ImagePushed{Namespace: "library", Repository: "checkout", Tag: "latest", Digest: digestCheckout},
	}},
	"sqs-sweep-shards.json": {OriginSQS, []Payload{
		SweepRequested{Namespaces: []string{"acme"}},
		SweepRequested{Namespaces: []string{"acme-staging"}},
		SweepRequested{Namespaces: []string{"payments"}},
	}},
}

func TestSamples(t *testing.T) {
	d := newTestDecoder(t, Config{})
	files := sampleFiles(t)
	for _, name := range files {
		t.Run(name, func(t *testing.T) {
			want, ok := sampleWant[name]
			require.True(t, ok, "events/%s has no expectation in sampleWant", name)
			b, err := d.DecodeLambda(context.Background(), readSample(t, name))
			require.NoError(t, err)
			assert.Equal(t, want.origin, b.Origin)
			assert.Equal(t, want.payloads, payloads(b.Events))
			for _, e := range b.Events {
				assert.NotEmpty(t, e.ID)
				assert.NotEmpty(t, e.Source)
				assert.NotEmpty(t, e.Type)
				assert.False(t, e.Time.IsZero())
				assert.Equal(t, e.Payload.Kind(), e.Kind)
			}
			if want.origin == OriginSQS {
				require.Len(t, b.Records, len(want.payloads))
				assert.Empty(t, b.FailedRecords())
				for i, e := range b.Events {
					assert.Equal(t, b.Records[i].MessageID, e.MessageID)
				}
			}
		})
	}
	for name := range sampleWant {
		assert.Contains(t, files, name, "sampleWant names a sample that does not exist")
	}
}

// TestSamplesOverHTTP decodes every Function URL sample as the equivalent
// receiver-mode request: both modes must agree.
func TestSamplesOverHTTP(t *testing.T) {
	for _, name := range sampleFiles(t) {
		want := sampleWant[name]
		if want.origin != OriginFunctionURL {
			continue
		}
		t.Run(name, func(t *testing.T) {
			d := newTestDecoder(t, Config{})
			b, err := d.DecodeHTTP(httpRequestFromFunctionURL(t, readSample(t, name)))
			require.NoError(t, err)
			assert.Equal(t, OriginHTTP, b.Origin)
			assert.Equal(t, want.payloads, payloads(b.Events))
		})
	}
}

func TestSampleAttributes(t *testing.T) {
	d := newTestDecoder(t, Config{})
	ctx := context.Background()

	b, err := d.DecodeLambda(ctx, readSample(t, "eventgrid-push-image.json"))
	require.NoError(t, err)
	e := b.Events[0]
	assert.Equal(t, "8e1f3b6d-2a9c-4e7b-b5d0-1c4a7e9f3b62", e.ID)
	assert.Equal(t, EventGridSource, e.Source)
	assert.Equal(t, EventGridTypeAPICall, e.Type)
	assert.Equal(t, "2026-03-02T08:17:05Z", e.Time.Format("2006-01-02T15:04:05Z07:00"))

	b, err = d.DecodeLambda(ctx, readSample(t, "harbor-push-cloudevents.json"))
	require.NoError(t, err)
	assert.Equal(t, "4b2f89a6-548d-4c12-9993-a1f5790b97d2", b.Events[0].ID)
	assert.Equal(t, "/projects/3/webhook/policies/7", b.Events[0].Source)

	// Default-format Harbor webhooks carry no id: each event's id is derived
	// from its content, distinct per tag and stable across redeliveries.
	first, err := d.DecodeLambda(ctx, readSample(t, "harbor-push-default.json"))
	require.NoError(t, err)
	again, err := d.DecodeLambda(ctx, readSample(t, "harbor-push-default.json"))
	require.NoError(t, err)
	require.Len(t, first.Events, 2)
	assert.NotEqual(t, first.Events[0].ID, first.Events[1].ID)
	assert.Equal(t, first.Events[0].ID, again.Events[0].ID)
	assert.Equal(t, HarborDefaultSource, first.Events[0].Source)
	assert.Equal(t, int64(1772439330), first.Events[0].Time.Unix())

	b, err = d.DecodeLambda(ctx, readSample(t, "eventbridge-scheduled.json"))
	require.NoError(t, err)
	assert.Equal(t, "53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa", b.Events[0].ID)
	assert.Equal(t, EventBridgeSourceEvents, b.Events[0].Source)
	assert.Equal(t, EventBridgeScheduled, b.Events[0].Type)
}

func TestScheduledKindConfig(t *testing.T) {
	d := newTestDecoder(t, Config{ScheduledKind: KindGrantSyncRequested})
	b, err := d.DecodeLambda(context.Background(), readSample(t, "eventbridge-scheduled.json"))
	require.NoError(t, err)
	assert.Equal(t, []Payload{GrantSyncRequested{}}, payloads(b.Events))

	// The detail's type wins over the configured default.
	b, err = d.DecodeLambda(context.Background(), []byte(strings.Replace(string(readSample(t, "eventbridge-scheduled.json")),
		`"detail": {}`, `"detail": {"type": "io.swrautopilot.sweep.requested", "namespaces": ["acme"]}`, 1)))
	require.NoError(t, err)
	assert.Equal(t, []Payload{SweepRequested{Namespaces: []string{"acme"}}}, payloads(b.Events))

	_, err = NewDecoder(Config{ScheduledKind: KindImagePushed})
	assert.Error(t, err)
}
