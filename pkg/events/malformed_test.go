package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMalformed(t *testing.T) {
	ce := func(typ string, data any) string { return cloudEventJSON(t, typ, data) }
	structured := map[string]string{"content-type": "application/cloudevents+json"}
	plainJSON := map[string]string{"content-type": "application/json"}
	url := func(h map[string]string, body string) string { return string(functionURL(t, h, body)) }
	trace := func(mut func(m map[string]any)) string {
		m := map[string]any{"trace_name": "createImageRepository", "service_type": "SWR", "trace_rating": "normal",
			"resource_type": "imagerepository", "resource_name": "acme/web"}
		mut(m)
		b, _ := json.Marshal(map[string]any{"specversion": "1.0", "id": "eg-1", "source": "HC.SWR",
			"type": EventGridTypeAPICall, "datacontenttype": "application/json", "data": m})
		return url(structured, string(b))
	}
	harbor := func(mut func(m map[string]any)) string {
		m := map[string]any{"type": "PUSH_ARTIFACT", "occur_at": 1772439330, "operator": "ci", "event_data": map[string]any{
			"resources":  []any{map[string]any{"digest": digestWeb, "tag": "v1"}},
			"repository": map[string]any{"name": "web", "namespace": "acme", "repo_full_name": "acme/web"},
		}}
		mut(m)
		b, _ := json.Marshal(m)
		return url(plainJSON, string(b))
	}
	eventData := func(m map[string]any) map[string]any { return m["event_data"].(map[string]any) }
	bridge := func(mut func(m map[string]any)) string {
		m := map[string]any{"version": "0", "id": "eb-1", "detail-type": "Scheduled Event", "source": "aws.events",
			"time": "2026-03-02T02:00:00Z", "detail": map[string]any{}}
		mut(m)
		b, _ := json.Marshal(m)
		return string(b)
	}
	manyEvents := func(n int) string {
		var parts []string
		for i := range n {
			parts = append(parts, strings.Replace(ce(TypeGrantSyncRequested, nil), `"evt-1"`, fmt.Sprintf(`"evt-%d"`, i), 1))
		}
		return "[" + strings.Join(parts, ",") + "]"
	}
	bigBody := `{"specversion":"1.0","id":"x","source":"s","type":"t","data":"` + strings.Repeat("a", DefaultMaxBody) + `"}`

	tests := []struct {
		name    string
		payload string
		status  int
		field   string
	}{
		// Lambda payloads that are no shape at all.
		{"empty payload", ``, 400, "payload"},
		{"array payload", `[]`, 400, "payload"},
		{"unrecognised object", `{"foo":1}`, 400, "payload"},
		{"truncated JSON", `{"specversion":"1.0","id":`, 400, "payload"},

		// SQS batches that are not SQS batches.
		{"sqs no records", `{"Records":[]}`, 400, "Records"},
		{"sqs records not an array", `{"Records":5}`, 400, "Records"},
		{"sqs foreign event source", `{"Records":[{"eventSource":"aws:sns","messageId":"m1"}]}`, 400, "Records[0].eventSource"},
		{"sqs record without message id", `{"Records":[{"eventSource":"aws:sqs","body":"{}"}]}`, 400, "Records[0].messageId"},

		// Bare CloudEvents.
		{"cloudevent without id", strings.Replace(ce(TypeGrantSyncRequested, nil), `"id":"evt-1",`, "", 1), 400, "id"},
		{"cloudevent without source", strings.Replace(ce(TypeGrantSyncRequested, nil), `"source":"//test",`, "", 1), 400, "source"},
		{"cloudevent with bad time", strings.Replace(ce(TypeGrantSyncRequested, nil), `"id":`, `"time":"yesterday","id":`, 1), 400, "payload"},
		{"sweep with misspelt dry run", ce(TypeSweepRequested, map[string]any{"dryRun": true}), 400, "data.dryRun"},
		{"sweep with bad namespace", ce(TypeSweepRequested, map[string]any{"namespaces": []string{"acme", "Bad_NS"}}), 400, "data.namespaces[1]"},
		{"sweep with string dry run", ce(TypeSweepRequested, map[string]any{"dry_run": "yes"}), 400, "data.dry_run"},
		{"sweep with huge cursor", ce(TypeSweepRequested, map[string]any{"cursor": strings.Repeat("c", maxCursorLen+1)}), 400, "data.cursor"},
		{"push without repository", ce(TypeImagePushed, map[string]any{"namespace": "acme", "tag": "v1"}), 400, "data.repository"},
		{"push with bad digest", ce(TypeImagePushed, map[string]any{"namespace": "acme", "repository": "web", "digest": "sha256:xyz"}), 400, "data.digest"},
		{"push with bad tag", ce(TypeImagePushed, map[string]any{"namespace": "acme", "repository": "web", "tag": "-v1"}), 400, "data.tag"},
		{"repository created with array data", ce(TypeRepositoryCreated, []string{"acme"}), 400, "data"},
		{"trigger with bad name", ce(TypeTriggerChanged, map[string]any{"namespace": "acme", "repository": "web", "trigger": "9lives"}), 400, "data.trigger"},
		{"grants without namespace", ce(TypeGrantsChanged, map[string]any{"repository": "web"}), 400, "data.namespace"},
		{"repository with path traversal", ce(TypeRepositoryCreated, map[string]any{"namespace": "acme", "repository": "../etc"}), 400, "data.repository"},
		{"non-JSON data", strings.Replace(ce(TypeGrantSyncRequested, "dry run please"), `"application/json"`, `"text/plain"`, 1), 400, "datacontenttype"},

		// EventBridge envelopes.
		{"eventbridge without id", bridge(func(m map[string]any) { delete(m, "id") }), 400, "id"},
		{"eventbridge with bad time", bridge(func(m map[string]any) { m["time"] = "02/03/2026" }), 400, "time"},
		{"schedule naming a foreign type", bridge(func(m map[string]any) { m["detail"] = map[string]any{"type": TypeImagePushed} }), 400, "detail.type"},
		{"schedule with array detail", bridge(func(m map[string]any) { m["detail"] = []int{1} }), 400, "detail"},
		{"schedule with unknown member", bridge(func(m map[string]any) { m["detail"] = map[string]any{"dryrun": true} }), 400, "detail.dryrun"},
		{"schedule with bad detail string", bridge(func(m map[string]any) { m["detail"] = "{not json" }), 400, "detail"},

		// Function URL requests.
		{"function url GET", string(functionURLReq(t, "GET", structured, ce(TypeGrantSyncRequested, nil), false)), 405, "requestContext.http.method"},
		{"function url bad base64", strings.Replace(string(functionURLReq(t, "POST", structured, "{}", true)), `"e30="`, `"!!!"`, 1), 400, "body"},
		{"function url body too large", url(structured, bigBody), 413, "body"},
		{"function url base64 body too large", string(functionURLReq(t, "POST", structured, bigBody, true)), 413, "body"},
		{"function url without credentials", url(map[string]string{"authorization": "", "content-type": "application/cloudevents+json"}, ce(TypeGrantSyncRequested, nil)), 401, ""},
		{"structured invalid JSON", url(structured, `{"specversion":"1.0",`), 400, "body"},
		{"binary without ce-id", url(map[string]string{"ce-specversion": "1.0", "ce-source": "//s", "ce-type": TypeGrantSyncRequested}, ""), 400, "header Ce-Id"},
		{"batch over the limit", url(map[string]string{"content-type": "application/cloudevents-batch+json"}, manyEvents(DefaultMaxBatch+1)), 400, "body"},
		{"batch not an array", url(map[string]string{"content-type": "application/cloudevents-batch+json"}, `{"a":1}`), 400, "body"},
		{"plain JSON array over the limit", url(plainJSON, manyEvents(DefaultMaxBatch+1)), 400, "body"},
		{"plain JSON array of numbers", url(plainJSON, `[1]`), 400, "body[0]"},
		{"plain JSON empty array", url(plainJSON, `[]`), 400, "body"},
		{"plain JSON empty array, spaced", url(plainJSON, " [ ]\n"), 400, "body"},
		{"sweep with duplicate dry run", strings.Replace(ce(TypeSweepRequested, map[string]any{"dry_run": true}), `"dry_run":true`, `"dry_run":true,"dry_run":false`, 1), 400, "data.dry_run"},
		{"grant sync with duplicate dry run in other case", strings.Replace(ce(TypeGrantSyncRequested, map[string]any{"dry_run": true}), `"dry_run":true`, `"dry_run":true,"DRY_RUN":false`, 1), 400, "data.DRY_RUN"},
		{"structured sweep with duplicate namespaces", url(structured, strings.Replace(ce(TypeSweepRequested, map[string]any{"namespaces": []string{"a"}}), `"namespaces":["a"]`, `"namespaces":["a"],"namespaces":["b"]`, 1)), 400, "body.data.namespaces"},
		{"plain text body", url(map[string]string{"content-type": "text/plain"}, "hello"), 400, "body"},
		{"unrecognised JSON body", url(plainJSON, `{"hello":"world"}`), 400, "body"},

		// Harbor webhooks.
		{"harbor without namespace", harbor(func(m map[string]any) {
			eventData(m)["repository"] = map[string]any{"name": "web"}
		}), 400, "body.event_data.repository.namespace"},
		{"harbor without repository", harbor(func(m map[string]any) { delete(eventData(m), "repository") }), 400, "body.event_data.repository"},
		{"harbor without resources", harbor(func(m map[string]any) { eventData(m)["resources"] = []any{} }), 400, "body.event_data.resources"},
		{"harbor resource without tag or digest", harbor(func(m map[string]any) {
			eventData(m)["resources"] = []any{map[string]any{"resource_url": "x"}}
		}), 400, "body.event_data.resources[0]"},
		{"harbor with bad repository name", harbor(func(m map[string]any) {
			eventData(m)["repository"] = map[string]any{"name": "Web App", "namespace": "acme"}
		}), 400, "body.event_data.repository.name"},
		{"harbor without type", harbor(func(m map[string]any) { delete(m, "type") }), 400, "body.type"},
		{"harbor with string occur_at", harbor(func(m map[string]any) { m["occur_at"] = "now" }), 400, "body.occur_at"},
		{"harbor over the limit", harbor(func(m map[string]any) {
			var rs []any
			for i := range DefaultMaxBatch + 1 {
				rs = append(rs, map[string]any{"tag": fmt.Sprintf("v%d", i)})
			}
			eventData(m)["resources"] = rs
		}), 400, "body.event_data.resources"},
		{"harbor cloudevent without repository", url(structured, ce(HarborTypeArtifactPushed, map[string]any{
			"resources": []any{map[string]any{"tag": "v1"}}})), 400, "body.data.repository"},

		// EventGrid CTS traces.
		{"eventgrid without trace name", trace(func(m map[string]any) { delete(m, "trace_name") }), 400, "body.data.trace_name"},
		{"eventgrid foreign service", trace(func(m map[string]any) { m["service_type"] = "OBS" }), 400, "body.data.service_type"},
		{"eventgrid bad namespace", trace(func(m map[string]any) { m["resource_name"] = "ACME/web" }), 400, "body.data.resource_name.namespace"},
		{"eventgrid without resource", trace(func(m map[string]any) { delete(m, "resource_name") }), 400, "body.data.resource_name.namespace"},
		{"eventgrid repository grant without repository", trace(func(m map[string]any) {
			m["trace_name"] = "deleteUserRepositoryAuth"
			m["resource_name"] = "acme"
		}), 400, "body.data.resource_name"},
		{"eventgrid trace not an object", url(structured, `{"specversion":"1.0","id":"eg-1","source":"HC.SWR","type":"SWR:CloudTrace:ApiCall","data":["createImageRepository"]}`), 400, "body.data"},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	d := newTestDecoder(t, Config{})
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.DecodeLambda(context.Background(), json.RawMessage(tt.payload))
			require.Error(t, err)
			var e *Error
			require.True(t, errors.As(err, &e), "want *Error, got %T: %v", err, err)
			assert.Equal(t, tt.status, e.Status, "error: %v", err)
			assert.Equal(t, tt.field, e.Field, "error: %v", err)
			assert.NotEmpty(t, e.Reason)
			assert.Equal(t, tt.status, HTTPStatus(err))
		})
	}
}

func TestDecodeHTTPLimits(t *testing.T) {
	d := newTestDecoder(t, Config{MaxBody: 64})
	body := strings.Repeat("x", 65)

	r := httpRequestFromFunctionURL(t, functionURL(t, map[string]string{"content-type": "application/json"}, body))
	_, err := d.DecodeHTTP(r)
	assert.Equal(t, http.StatusRequestEntityTooLarge, HTTPStatus(err))

	// A chunked body (no Content-Length) is cut at the limit too.
	r = httpRequestFromFunctionURL(t, functionURL(t, map[string]string{"content-type": "application/json"}, body))
	r.ContentLength = -1
	_, err = d.DecodeHTTP(r)
	assert.Equal(t, http.StatusRequestEntityTooLarge, HTTPStatus(err))

	r = httpRequestFromFunctionURL(t, functionURLReq(t, "PUT", nil, "{}", false))
	b, err := d.DecodeHTTP(r)
	assert.Equal(t, http.StatusMethodNotAllowed, HTTPStatus(err))
	assert.Equal(t, OriginHTTP, b.Origin, "the origin is known even on error")
}

func TestFunctionURLErrorKeepsOrigin(t *testing.T) {
	d := newTestDecoder(t, Config{})
	b, err := d.DecodeLambda(context.Background(), functionURL(t, map[string]string{"content-type": "application/json"}, "{}"))
	require.Error(t, err)
	require.NotNil(t, b)
	assert.Equal(t, OriginFunctionURL, b.Origin)
}

// An empty batch in CloudEvents batch mode is legal and asks for nothing;
// the same empty array sent as plain JSON is a 400. A duplicate member of
// an own event's data is refused by name, whichever copy comes last.
func TestEmptyArraysAndDuplicateMembers(t *testing.T) {
	d := newTestDecoder(t, Config{})
	auth := map[string]string{"authorization": sampleAuthHeader}
	with := func(ct string) map[string]string {
		h := map[string]string{"content-type": ct}
		for k, v := range auth {
			h[k] = v
		}
		return h
	}
	b, err := d.DecodeLambda(t.Context(), functionURL(t, with("application/cloudevents-batch+json"), `[]`))
	require.NoError(t, err)
	assert.Empty(t, b.Events)

	_, err = d.DecodeLambda(t.Context(), functionURL(t, with("application/json"), `[]`))
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 400, e.Status)
	assert.Contains(t, e.Message(), "empty array")

	for _, dry := range []string{`"dry_run":true,"dry_run":false`, `"dry_run":false,"dry_run":true`} {
		body := strings.Replace(cloudEventJSON(t, TypeSweepRequested, map[string]any{"dry_run": true}), `"dry_run":true`, dry, 1)
		_, err := d.DecodeLambda(t.Context(), []byte(body))
		require.ErrorAs(t, err, &e)
		assert.Equal(t, 400, e.Status)
		assert.Equal(t, "data.dry_run: duplicate member", e.Message())
	}
}
