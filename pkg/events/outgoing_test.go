package events

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// roundTrip sends an outgoing CloudEvent through the decoder as a bare
// CloudEvent (a continuation invoke) and as an SQS body (a shard).
func roundTrip(t *testing.T, d *Decoder, raw []byte) (bare, sqs Event) {
	t.Helper()
	b, err := d.DecodeLambda(context.Background(), raw)
	require.NoError(t, err)
	require.Len(t, b.Events, 1)
	s, err := d.DecodeLambda(context.Background(), sqsPayload(t, string(raw)))
	require.NoError(t, err)
	require.Len(t, s.Events, 1)
	return b.Events[0], s.Events[0]
}

func TestOutgoingRoundTrip(t *testing.T) {
	d := newTestDecoder(t, Config{})

	cont := NewSweepContinuation("", "acme/web", []string{"acme", "payments"}, true)
	assert.Equal(t, TypeSweepRequested, cont.Type())
	assert.Equal(t, Source, cont.Source())
	require.NoError(t, cont.Validate())
	raw, err := json.Marshal(cont)
	require.NoError(t, err)
	bare, viaSQS := roundTrip(t, d, raw)
	want := SweepRequested{Namespaces: []string{"acme", "payments"}, DryRun: true, Cursor: "acme/web"}
	assert.Equal(t, want, bare.Payload)
	assert.Equal(t, want, viaSQS.Payload)
	assert.Equal(t, cont.ID(), bare.ID)

	shard := NewSweepShard("", "payments", "", false)
	raw, err = json.Marshal(shard)
	require.NoError(t, err)
	bare, _ = roundTrip(t, d, raw)
	assert.Equal(t, SweepRequested{Namespaces: []string{"payments"}}, bare.Payload)
	assert.NotEqual(t, cont.ID(), shard.ID(), "fresh ids")

	for _, p := range []Payload{
		RepositoryCreated{Namespace: "acme", Repository: "web"},
		ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1", Digest: digestWeb},
		TriggerChanged{Namespace: "acme", Repository: "web", Trigger: "deploy"},
		GrantsChanged{Namespace: "acme"},
		NamespaceCreated{Namespace: "acme"},
		GrantSyncRequested{DryRun: true},
	} {
		e, err := NewCloudEvent(p)
		require.NoError(t, err)
		raw, err := json.Marshal(e)
		require.NoError(t, err)
		got, _ := roundTrip(t, d, raw)
		assert.Equal(t, p, got.Payload)
	}
}

func TestHandOnIDsDeriveFromTheParent(t *testing.T) {
	const parent, other = "test\x00ev-1", "test\x00ev-2"

	first := NewSweepContinuation(parent, "v1:acme:100", nil, false)
	retry := NewSweepContinuation(parent, "v1:acme:100", nil, false)
	assert.Equal(t, first.ID(), retry.ID(), "a retried invocation hands on the same id")
	further := NewSweepContinuation(parent, "v1:payments:40", nil, false)
	assert.Equal(t, first.ID(), further.ID(), "one continuation per parent, however far the retry got")
	assert.NotEqual(t, first.ID(), NewSweepContinuation(other, "v1:acme:100", nil, false).ID(), "other parents differ")
	assert.NotEqual(t, "v1:acme:100", first.ID())

	shard := NewSweepShard(parent, "acme", "", false)
	assert.Equal(t, shard.ID(), NewSweepShard(parent, "acme", "", false).ID(), "a retried fan-out hands on the same ids")
	assert.NotEqual(t, shard.ID(), NewSweepShard(parent, "payments", "", false).ID(), "one id per namespace")
	assert.NotEqual(t, shard.ID(), NewSweepShard(other, "acme", "", false).ID(), "other parents differ")
	assert.NotEqual(t, shard.ID(), first.ID(), "a shard is not a continuation")

	for _, e := range []string{first.ID(), shard.ID()} {
		require.NoError(t, uuid.Validate(e))
		assert.Equal(t, uuid.Version(5), uuid.MustParse(e).Version())
	}
	assert.NotEqual(t, NewSweepContinuation("", "c", nil, false).ID(), NewSweepContinuation("", "c", nil, false).ID(),
		"without a parent the ids are random")
	assert.NotEqual(t, NewSweepShard("", "acme", "", false).ID(), NewSweepShard("", "acme", "", false).ID())
}

func TestNewCloudEventRefuses(t *testing.T) {
	_, err := NewCloudEvent(Unknown{Type: "x"})
	assert.Error(t, err)
	_, err = NewCloudEvent(nil)
	assert.Error(t, err)
	_, err = NewCloudEvent(RepositoryCreated{Namespace: "Acme Corp", Repository: "web"})
	assert.ErrorContains(t, err, "data.namespace")
}

func TestTypes(t *testing.T) {
	seen := map[string]bool{}
	for _, typ := range Types() {
		assert.True(t, len(typ) > len(TypePrefix) && typ[:len(TypePrefix)] == TypePrefix, typ)
		assert.False(t, seen[typ], "duplicate %s", typ)
		seen[typ] = true
		assert.True(t, IsOwnType(typ))
	}
	for _, k := range []Kind{KindRepositoryCreated, KindImagePushed, KindTriggerChanged, KindGrantsChanged,
		KindNamespaceCreated, KindSweepRequested, KindGrantSyncRequested} {
		assert.True(t, seen[TypeOf(k)], "kind %s has a listed type", k)
	}
	assert.Empty(t, TypeOf(KindUnknown))
}
