//go:build linux

package e2e_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// onpushPolicy governs the repositories the onpush samples name: acme/*
// (EventGrid, CloudEvents) keeps its last three tags, library/* (Harbor)
// thirty days, and new acme repositories get an auditor.
const onpushPolicy = `version: 1
mode: enforce
retention:
  - match: "acme/**"
    keep_last: 3
    protect: ["latest"]
  - match: "library/**"
    keep_days: 30
    protect: ["latest", "/^v\\d+\\.\\d+\\.\\d+$/"]
default_grants:
  - match: "acme/**"
    users:
      - user_id: 1234567890abcdef1234567890abcdef
        user_name: auditor
        level: read
`

// The rules onpushPolicy asks for, as SWR stores them.
var (
	acmeRule = swr.Rule{
		Template:     "tag_rule",
		Params:       map[string]string{"num": "3"},
		TagSelectors: []swr.TagSelector{{Kind: "label", Pattern: "latest"}},
	}
	libraryRule = swr.Rule{
		Template: "date_rule",
		Params:   map[string]string{"days": "30"},
		TagSelectors: []swr.TagSelector{
			{Kind: "label", Pattern: "latest"},
			{Kind: "regexp", Pattern: `^v\d+\.\d+\.\d+$`},
		},
	}
)

// Event ids of the samples, as the reports list them.
const (
	createRepositoryEventID = "2c7e5a91-4b3f-4d8e-a1c6-9f0b3e7d5a28"
	structuredEventID       = "c0a8012e-2f6b-4d19-8b7e-1e5a9f3d6c42"
)

// onpushSeed holds the repositories of the onpush samples, just created or
// just pushed to, without retention rules yet.
func onpushSeed() swrtest.Seed {
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "acme", Repositories: []swrtest.SeedRepository{
			{Name: "payments", Tags: tags("1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "latest")},
			{Name: "team/api", Tags: tags("0.1.0", "0.1.1", "0.1.2", "0.1.3", "0.1.4", "latest")},
		}},
		{Name: "library", Repositories: []swrtest.SeedRepository{
			{Name: "checkout", Tags: []swrtest.SeedTag{
				{Name: "v2.0.0", Age: "100d"},
				{Name: "build-101", Age: "45d"},
				{Name: "build-102", Age: "40d"},
				{Name: "build-140", Age: "5d"},
				{Name: "v3.1.0", Age: "1h"},
				{Name: "latest", Age: "1h"},
			}},
		}},
	}}
}

func TestOnPushUnderTheRuntimeEmulator(t *testing.T) {
	srv := newRegistry(t, onpushSeed())
	sink := newReportSink(t)
	policy := writeFile(t, "policy.yaml", onpushPolicy)
	emu := lambdatest.Start(t, lambdatest.BuildBootstrap(t, onpushPkg),
		functionEnv(srv, policy, "", "AWS_LAMBDA_FUNCTION_NAME=onpush", "AUTOPILOT_SINK="+sink.URL))

	t.Run("EventGrid repository created", func(t *testing.T) {
		before := srv.State()
		sum := summaryOf(t, invokeURL(t, emu, sample(t, "eventgrid-create-repository.json")))

		assert.Equal(t, "onpush", sum.Job)
		assert.False(t, sum.DryRun)
		assert.Equal(t, []string{createRepositoryEventID}, sum.EventIDs)
		assert.Equal(t, 2, sum.Counts.Changed, "a retention rule and a default grant")
		assert.Zero(t, sum.Counts.Errors)
		assert.Positive(t, sum.APICalls)

		after := srv.State()
		assertRetention(t, before, after, "acme", "payments", acmeRule, "1.0.0", "1.0.1", "1.0.2")
		assertSimulated(t, before, after, "acme", "payments", sink.retentionChange(t, "acme", "payments"))
		assert.Equal(t, map[string]int{"auditor": 1}, grantsOf(t, after, "acme", "payments"))
		api, ok := after.Repository("acme", "team/api")
		require.True(t, ok)
		assert.Nil(t, api.Retention, "the event names one repository only")

		// Every line of the invocation carries the Lambda request id and
		// the CloudEvent id.
		var done []map[string]any
		require.Eventually(t, func() bool {
			done = logLines(emu.Log(), func(m map[string]any) bool {
				return m["message"] == "job done" && m["eventId"] == createRepositoryEventID
			})
			return len(done) == 1
		}, 5*time.Second, 10*time.Millisecond, "one \"job done\" line for the event")
		assert.NotEmpty(t, done[0]["requestId"])
		assert.Equal(t, "onpush", done[0]["job"])

		var metrics []map[string]any
		require.Eventually(t, func() bool {
			metrics = metricLines(emu.Log(), "onpush")
			return len(metrics) == 1
		}, 5*time.Second, 10*time.Millisecond, "one EMF line per invocation")
		assert.EqualValues(t, 2, metrics[0]["Changed"])
		assert.Contains(t, metrics[0]["_aws"], "CloudWatchMetrics")
	})

	t.Run("Harbor push, Default format", func(t *testing.T) {
		before := srv.State()
		sum := summaryOf(t, invokeURL(t, emu, sample(t, "harbor-push-default.json")))

		assert.Len(t, sum.EventIDs, 2, "one event per pushed tag")
		assert.Equal(t, 1, sum.Counts.Changed, "both tags are in one repository: one rule")
		assert.Zero(t, sum.Counts.Errors)

		after := srv.State()
		assertRetention(t, before, after, "library", "checkout", libraryRule, "build-101", "build-102")
		assertSimulated(t, before, after, "library", "checkout", sink.retentionChange(t, "library", "checkout"))
		assert.Empty(t, grantsOf(t, after, "library", "checkout"), "a push is no creation: no default grants")
	})

	t.Run("redelivery does nothing", func(t *testing.T) {
		srv.ResetLog()
		sum := summaryOf(t, invokeURL(t, emu, sample(t, "eventgrid-create-repository.json")))
		assert.Equal(t, 1, sum.Skipped)
		assert.Zero(t, sum.Counts.Changed)
		assert.Zero(t, srv.Writes())
	})

	t.Run("malformed body is a 400 answer", func(t *testing.T) {
		srv.ResetLog()
		req := urlRequest(t, "eventgrid-create-repository.json")
		req.Body = `{"specversion":"1.0","id":"cut-short",`
		payload, err := json.Marshal(req)
		require.NoError(t, err)

		resp := invokeURL(t, emu, payload)
		assert.Equal(t, http.StatusBadRequest, resp.StatusCode, "body %s", resp.Body)
		var body struct{ Error string }
		require.NoError(t, json.Unmarshal([]byte(resp.Body), &body))
		assert.NotEmpty(t, body.Error, "the caller is told what is wrong")
		assert.Empty(t, srv.Requests(), "nothing reaches SWR")
	})

	t.Run("wrong webhook authorization is a 401 answer", func(t *testing.T) {
		srv.ResetLog()
		req := urlRequest(t, "harbor-push-default.json")
		req.Headers["authorization"] = "Bearer not-the-token"
		payload, err := json.Marshal(req)
		require.NoError(t, err)

		resp := invokeURL(t, emu, payload)
		assert.Equal(t, http.StatusUnauthorized, resp.StatusCode, "body %s", resp.Body)
		assert.NotContains(t, resp.Body, strings.TrimPrefix(webhookAuth, "Bearer "), "the expected value is never echoed")
		assert.Empty(t, srv.Requests(), "nothing reaches SWR")
	})
}
