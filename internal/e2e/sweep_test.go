//go:build linux

package e2e_test

import (
	"encoding/json"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// sweepPolicy governs the namespaces of the SQS shard sample (acme,
// acme-staging, payments) and leaves sandbox alone.
const sweepPolicy = `version: 1
mode: enforce
guard:
  max_delete_fraction: 0.8
retention:
  - match: "sandbox/**"
    unmanaged: true
  - match: "payments/**"
    keep_days: 30
  - match: "**"
    keep_last: 3
    protect: ["latest"]
`

// The rules sweepPolicy asks for, as SWR stores them.
var (
	keepLastRule = swr.Rule{
		Template:     "tag_rule",
		Params:       map[string]string{"num": "3"},
		TagSelectors: []swr.TagSelector{{Kind: "label", Pattern: "latest"}},
	}
	keepDaysRule = swr.Rule{
		Template:     "date_rule",
		Params:       map[string]string{"days": "30"},
		TagSelectors: []swr.TagSelector{},
	}
)

// What the sweep must do to sweepSeed, repository by repository.
var sweepWork = []struct {
	ns, repo string
	op       report.Op
	rule     swr.Rule
	deleted  []string
}{
	{"acme", "web", report.OpUpdate, keepLastRule, []string{"1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4"}},
	{"acme-staging", "api", report.OpCreate, keepLastRule, []string{"0.1.0", "0.1.1"}},
	{"payments", "ledger", report.OpUpdate, keepDaysRule, []string{"r1", "r2", "r3"}},
}

// sweepSeed has a drifted rule (acme/web keeps ten tags, not three), a
// missing one (acme-staging/api), a drifted date rule (payments/ledger
// keeps 90 days, not 30) and an unmanaged repository.
func sweepSeed() swrtest.Seed {
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "acme", Repositories: []swrtest.SeedRepository{{
			Name:      "web",
			Tags:      tags("1.0.0", "1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.0.6", "1.0.7", "latest"),
			Retention: &swrtest.SeedRetention{Template: "tag_rule", Params: map[string]string{"num": "10"}},
		}}},
		{Name: "acme-staging", Repositories: []swrtest.SeedRepository{{
			Name: "api",
			Tags: tags("0.1.0", "0.1.1", "0.1.2", "0.1.3", "0.1.4", "latest"),
		}}},
		{Name: "payments", Repositories: []swrtest.SeedRepository{{
			Name: "ledger",
			Tags: []swrtest.SeedTag{
				{Name: "r1", Age: "90d"}, {Name: "r2", Age: "60d"}, {Name: "r3", Age: "35d"},
				{Name: "r4", Age: "10d"}, {Name: "r5", Age: "2d"},
			},
			Retention: &swrtest.SeedRetention{Template: "date_rule", Params: map[string]string{"days": "90"}},
		}}},
		{Name: "sandbox", Repositories: []swrtest.SeedRepository{{
			Name: "tool",
			Tags: tags("a", "b", "c", "d", "e", "f"),
		}}},
	}}
}

// startSweep runs the sweep function against a fresh sweepSeed registry.
func startSweep(t *testing.T, extraEnv ...string) (*swrtest.Server, *lambdatest.Emulator) {
	t.Helper()
	srv := newRegistry(t, sweepSeed())
	policy := writeFile(t, "policy.yaml", sweepPolicy)
	env := append([]string{"AWS_LAMBDA_FUNCTION_NAME=retentionsweep", "AUTOPILOT_SCHEDULED_KIND=sweep"}, extraEnv...)
	emu := lambdatest.Start(t, lambdatest.BuildBootstrap(t, sweepPkg), functionEnv(srv, policy, "", env...))
	return srv, emu
}

func TestSweepUnderTheRuntimeEmulator(t *testing.T) {
	t.Run("EventBridge scheduled tick sweeps everything", func(t *testing.T) {
		srv, emu := startSweep(t)
		before := srv.State()

		var rep report.Report
		invoke(t, emu, sample(t, "eventbridge-scheduled.json"), &rep)

		assert.Equal(t, "sweep", rep.Job)
		assert.False(t, rep.DryRun)
		assert.Equal(t, []string{"53dc4d37-cffa-4f76-80c9-8b7d4a4d2eaa"}, rep.EventIDs)
		assert.Equal(t, 4, rep.Counts.Scanned)
		assert.Equal(t, 3, rep.Counts.Changed)
		assert.Equal(t, 1, rep.Counts.Unmanaged)
		assert.Empty(t, rep.Errors)
		assert.Empty(t, rep.Cursor, "one invocation finishes this registry")

		after := srv.State()
		for _, w := range sweepWork {
			change := retentionChange(t, rep.Changes, w.ns, w.repo)
			assert.Equal(t, w.op, change.Op, "%s/%s", w.ns, w.repo)
			assertRetention(t, before, after, w.ns, w.repo, w.rule, w.deleted...)
			assertSimulated(t, before, after, w.ns, w.repo, change)
		}
		sandbox, _ := after.Repository("sandbox", "tool")
		assert.Nil(t, sandbox.Retention, "unmanaged")
		assert.Len(t, sandbox.Tags, 6)

		var metrics []map[string]any
		require.Eventually(t, func() bool {
			metrics = metricLines(emu.Log(), "sweep")
			return len(metrics) == 1
		}, 5*time.Second, 10*time.Millisecond, "one EMF line per invocation")
		assert.EqualValues(t, 3, metrics[0]["Changed"])
		assert.EqualValues(t, 4, metrics[0]["Scanned"])
	})

	t.Run("SQS shards report partial batch failures", func(t *testing.T) {
		srv, emu := startSweep(t)
		before := srv.State()
		const brokenID = "2e1424d4-f796-459a-8184-9c92662be6da" // the acme-staging shard

		var batch awsevents.SQSEvent
		require.NoError(t, json.Unmarshal(sample(t, "sqs-sweep-shards.json"), &batch))
		require.Equal(t, brokenID, batch.Records[1].MessageId)
		batch.Records[1].Body = `{"specversion":"1.0","id":`
		broken, err := json.Marshal(batch)
		require.NoError(t, err)

		var resp awsevents.SQSEventResponse
		invoke(t, emu, broken, &resp)
		assert.Equal(t, []awsevents.SQSBatchItemFailure{{ItemIdentifier: brokenID}}, resp.BatchItemFailures,
			"only the record that cannot be decoded is redelivered")
		mid := srv.State()
		for _, w := range sweepWork {
			if w.ns == "acme-staging" {
				staging, _ := mid.Repository(w.ns, w.repo)
				assert.Nil(t, staging.Retention, "the broken shard did nothing")
				continue
			}
			assertRetention(t, before, mid, w.ns, w.repo, w.rule, w.deleted...)
		}
		sandbox, _ := mid.Repository("sandbox", "tool")
		assert.Nil(t, sandbox.Retention, "no shard names sandbox")

		// SQS delivers the batch again (here: the sample as it is); the
		// shards already done are skipped, the failed one is swept.
		srv.ResetLog()
		status, body, err := emu.Invoke(t.Context(), sample(t, "sqs-sweep-shards.json"))
		require.NoError(t, err, "answered %d: %s", status, body)
		assert.JSONEq(t, `{"batchItemFailures":[]}`, string(body))
		assert.Equal(t, 1, srv.Writes(), "one retention create, for acme-staging/api")
		assertRetention(t, mid, srv.State(), "acme-staging", "api", keepLastRule, "0.1.0", "0.1.1")
	})

	t.Run("a fanned-out tick queues one signed SQS message per namespace", func(t *testing.T) {
		queue := sqstest.NewServer()
		t.Cleanup(queue.Close)
		srv, emu := startSweep(t, "AUTOPILOT_SWEEP_FANOUT=true", "AUTOPILOT_SWEEP_QUEUE_URL="+queue.QueueURL(),
			// What Lambda sets from the execution role; the stand-in
			// refuses a request not signed with this key for this region.
			"AWS_ACCESS_KEY_ID="+sqstest.AccessKeyID, "AWS_SECRET_ACCESS_KEY="+sqstest.SecretAccessKey,
			"AWS_SESSION_TOKEN=role-session-token", "AWS_REGION="+sqstest.Region)
		srv.ResetLog()

		var rep report.Report
		invoke(t, emu, sample(t, "eventbridge-scheduled.json"), &rep)
		assert.Empty(t, rep.Errors)
		assert.Zero(t, srv.Writes(), "the tick only hands on")

		var namespaces []string
		for _, m := range queue.Messages() {
			var ce struct {
				Type string                `json:"type"`
				Data events.SweepRequested `json:"data"`
			}
			require.NoError(t, json.Unmarshal([]byte(m.Body), &ce), "the body is a structured CloudEvent")
			assert.Equal(t, events.TypeSweepRequested, ce.Type)
			namespaces = append(namespaces, ce.Data.Namespaces...)
		}
		assert.ElementsMatch(t, []string{"acme", "acme-staging", "payments", "sandbox"}, namespaces)
	})

	t.Run("dry run writes nothing and reports everything", func(t *testing.T) {
		srv, emu := startSweep(t, "AUTOPILOT_DRY_RUN=true")
		before := srv.State()
		srv.ResetLog()

		var rep report.Report
		invoke(t, emu, sample(t, "eventbridge-scheduled.json"), &rep)

		assert.True(t, rep.DryRun)
		assert.Zero(t, srv.Writes(), "no write reaches SWR")
		assert.Positive(t, len(srv.Requests()), "the registry was read")
		assert.Equal(t, before, srv.State())
		assert.Equal(t, 3, rep.Counts.Changed, "the changes a real run would make")
		for _, w := range sweepWork {
			change := retentionChange(t, rep.Changes, w.ns, w.repo)
			assert.Equal(t, report.StatusPlanned, change.Status)
			require.NotNil(t, change.Impact)
			assert.ElementsMatch(t, w.deleted, change.Impact.Delete, "%s/%s: what the rule would delete", w.ns, w.repo)
		}
	})
}
