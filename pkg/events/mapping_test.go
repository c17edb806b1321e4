package events

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestEventGridMapping(t *testing.T) {
	tests := []struct {
		name  string
		trace map[string]any
		want  Payload
	}{
		{"repository, colon form", map[string]any{"trace_name": "createImageRepository", "resource_name": "acme:web"},
			RepositoryCreated{Namespace: "acme", Repository: "web"}},
		{"repository with a slash in its name", map[string]any{"trace_name": "createImageRepository", "resource_name": "acme/team/web"},
			RepositoryCreated{Namespace: "acme", Repository: "team/web"}},
		{"repository from the request", map[string]any{"trace_name": "createImageRepository", "resource_name": "acme",
			"request": `{"repository":"web","category":"linux"}`}, RepositoryCreated{Namespace: "acme", Repository: "web"}},
		{"push, colon form", map[string]any{"trace_name": "postMultipartImagePackage", "resource_name": "acme:web:v1"},
			ImagePushed{Namespace: "acme", Repository: "web", Tag: "v1"}},
		{"push by digest", map[string]any{"trace_name": "postMultipartImagePackage", "resource_name": "acme/web@" + digestWeb},
			ImagePushed{Namespace: "acme", Repository: "web", Digest: digestWeb}},
		{"push without tag", map[string]any{"trace_name": "postMultipartImagePackage", "resource_name": "acme/web"},
			ImagePushed{Namespace: "acme", Repository: "web"}},
		{"trigger, colon form", map[string]any{"trace_name": "createTrigger", "resource_name": "acme:web:deploy"},
			TriggerChanged{Namespace: "acme", Repository: "web", Trigger: "deploy"}},
		{"trigger named in resource and request", map[string]any{"trace_name": "deleteTrigger", "resource_name": "acme/web/deploy",
			"request": map[string]any{"name": "deploy"}}, TriggerChanged{Namespace: "acme", Repository: "web", Trigger: "deploy"}},
		{"trigger without a name", map[string]any{"trace_name": "updateTrigger", "resource_name": "acme/web"},
			TriggerChanged{Namespace: "acme", Repository: "web"}},
		{"namespace grant", map[string]any{"trace_name": "updateUserNamespaceAuth", "resource_name": "acme"},
			GrantsChanged{Namespace: "acme"}},
		{"namespace grant deleted", map[string]any{"trace_name": "deleteUserNamespaceAuth", "resource_name": "acme"},
			GrantsChanged{Namespace: "acme"}},
		{"repository grant", map[string]any{"trace_name": "updateUserRepositoryAuth", "resource_name": "acme:web"},
			GrantsChanged{Namespace: "acme", Repository: "web"}},
		{"namespace", map[string]any{"trace_name": "createUserNamespace", "resource_name": "acme"},
			NamespaceCreated{Namespace: "acme"}},
		{"read-only trace", map[string]any{"trace_name": "listImageRepositories", "resource_name": "acme"},
			Unknown{Type: EventGridTypeAPICall + " listImageRepositories", Reason: "trace not acted on"}},
		{"failed operation", map[string]any{"trace_name": "createImageRepository", "resource_name": "acme/web", "trace_rating": "warning"},
			Unknown{Type: EventGridTypeAPICall + " createImageRepository", Reason: "the traced operation failed"}},
		{"failed operation by code", map[string]any{"trace_name": "createImageRepository", "resource_name": "acme/web", "code": 409},
			Unknown{Type: EventGridTypeAPICall + " createImageRepository", Reason: "the traced operation failed"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			data, err := json.Marshal(tt.trace)
			require.NoError(t, err)
			got, err := decodeEventGridData(EventGridTypeAPICall, data, "data")
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}

	got, err := decodeEventGridData("SWR:CloudTrace:SystemAction", []byte(`{}`), "data")
	require.NoError(t, err)
	assert.Equal(t, KindUnknown, got.Kind())
}

func TestUnknownTypesAreAcknowledged(t *testing.T) {
	d := newTestDecoder(t, Config{})
	ctx := context.Background()
	for name, payload := range map[string]string{
		"foreign cloudevent":  cloudEventJSON(t, "com.example.thing.happened", map[string]any{"a": 1}),
		"future own type":     cloudEventJSON(t, TypePrefix+"galaxy.expanded", map[string]any{"a": 1}),
		"harbor pull":         string(functionURL(t, map[string]string{"content-type": "application/cloudevents+json"}, cloudEventJSON(t, "harbor.artifact.pulled", map[string]any{}))),
		"harbor default pull": string(functionURL(t, map[string]string{"content-type": "application/json"}, `{"type":"PULL_ARTIFACT","occur_at":1,"event_data":{}}`)),
		"foreign eventbridge": `{"id":"1","detail-type":"EC2 Instance State-change Notification","source":"aws.ec2","detail":{"state":"running"}}`,
	} {
		t.Run(name, func(t *testing.T) {
			b, err := d.DecodeLambda(ctx, []byte(payload))
			require.NoError(t, err)
			require.Len(t, b.Events, 1)
			assert.Equal(t, 1, b.Count(KindUnknown))
			assert.NotEmpty(t, b.Events[0].Payload.(Unknown).Type)
			assert.NotEmpty(t, b.Events[0].ID)
		})
	}
}

func TestOwnTypeOverEventBridge(t *testing.T) {
	d := newTestDecoder(t, Config{})
	b, err := d.DecodeLambda(context.Background(), []byte(`{"id":"e1","source":"io.swrautopilot","detail-type":"`+TypeGrantsChanged+`","time":"2026-03-02T10:00:00Z","detail":{"namespace":"acme"}}`))
	require.NoError(t, err)
	assert.Equal(t, []Payload{GrantsChanged{Namespace: "acme"}}, payloads(b.Events))
}

func TestEventTimeDefaultsToClock(t *testing.T) {
	d := newTestDecoder(t, Config{})
	b, err := d.DecodeLambda(context.Background(), []byte(cloudEventJSON(t, TypeGrantSyncRequested, nil)))
	require.NoError(t, err)
	assert.Equal(t, testNow, b.Events[0].Time)
}

func TestHarborDigestPush(t *testing.T) {
	d := newTestDecoder(t, Config{})
	body := `{"type":"PUSH_ARTIFACT","occur_at":1772439330,"event_data":{"resources":[{"digest":"` + digestWeb + `","tag":"` + digestWeb + `"}],` +
		`"repository":{"repo_full_name":"acme/team/web"}}}`
	b, err := d.DecodeLambda(context.Background(), functionURL(t, map[string]string{"content-type": "application/json"}, body))
	require.NoError(t, err)
	assert.Equal(t, []Payload{ImagePushed{Namespace: "acme", Repository: "team/web", Digest: digestWeb}}, payloads(b.Events),
		"the digest repeated as tag is no tag; repo_full_name alone names both")
}

func TestHTTPStatus(t *testing.T) {
	assert.Equal(t, http.StatusOK, HTTPStatus(nil))
	assert.Equal(t, http.StatusInternalServerError, HTTPStatus(assert.AnError))
	wrapped := &wrapErr{&Error{Status: http.StatusRequestEntityTooLarge, Field: "body", Reason: "big"}}
	assert.Equal(t, http.StatusRequestEntityTooLarge, HTTPStatus(wrapped))
	assert.Equal(t, "body: big", (&Error{Status: 400, Field: "body", Reason: "big"}).Message())
	assert.Equal(t, "events: body: big", (&Error{Status: 400, Field: "body", Reason: "big"}).Error())
}

type wrapErr struct{ err error }

func (w *wrapErr) Error() string { return "handler: " + w.err.Error() }
func (w *wrapErr) Unwrap() error { return w.err }
