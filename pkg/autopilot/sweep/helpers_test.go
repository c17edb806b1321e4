package sweep_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// registry is an emulator with an optional hook, so that a test can add
// what the emulator cannot hold (a legacy second retention rule) or
// faults it does not inject (throttling).
type registry struct {
	*swrtest.Server
}

// newRegistry starts an emulator with hook (nil: none).
func newRegistry(t testing.TB, hook swrtest.Hook, opts ...swrtest.Option) *registry {
	t.Helper()
	emu := swrtest.NewServer(opts...)
	t.Cleanup(emu.Close)
	emu.Set(swrtest.WithHook(hook))
	return &registry{Server: emu}
}

// newClient returns an SWR client for r with fast retries.
func newClient(t testing.TB, r *registry, opts ...swr.Option) *swr.Client {
	t.Helper()
	return r.NewClient(append([]swr.Option{swr.WithRetry(6, time.Millisecond, 20*time.Millisecond)}, opts...)...)
}

func mustPolicy(t testing.TB, src string) *policy.Policy {
	t.Helper()
	p, err := policy.Parse([]byte(src), "policy.yaml")
	require.NoError(t, err)
	return p
}

func newJob(t testing.TB, c *swr.Client, pol string, cfg sweep.Config) *testJob {
	t.Helper()
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	job := sweep.New(autopilot.NewEngine(c, mustPolicy(t, pol), autopilot.Options{Logger: quiet}), c, cfg)
	return &testJob{function.NewRunner(job, function.RunnerOptions{Client: c, Logger: quiet})}
}

// testJob is a sweep job in the runner the functions and the CLI use.
type testJob struct{ *function.Runner }

// Run sweeps for req as the CLI does: one request event of its own.
func (j *testJob) Run(ctx context.Context, req events.SweepRequested) (*report.Report, error) {
	return j.Handle(ctx, []events.Event{sweepEvent(req)})
}

// sweepEvent wraps a request as the decoder would deliver it.
func sweepEvent(req events.SweepRequested) events.Event {
	return events.Event{ID: uuid.NewString(), Source: "test", Type: events.TypeSweepRequested,
		Time: time.Now(), Kind: events.KindSweepRequested, Payload: req}
}

// sqsDelivery decodes queued messages the way the function receives them:
// one SQS batch, decoded by the events package.
func sqsDelivery(t testing.TB, msgs []sqstest.Message) *events.Batch {
	t.Helper()
	var in awsevents.SQSEvent
	for _, m := range msgs {
		in.Records = append(in.Records, awsevents.SQSMessage{
			MessageId: m.MessageID, ReceiptHandle: "rh-" + m.MessageID, Body: m.Body,
			EventSource: "aws:sqs", EventSourceARN: "arn:aws:sqs:us-east-1:000000000000:autopilot", AWSRegion: "us-east-1",
		})
	}
	payload, err := json.Marshal(in)
	require.NoError(t, err)
	dec, err := events.NewDecoder(events.Config{})
	require.NoError(t, err)
	b, err := dec.DecodeLambda(context.Background(), payload)
	require.NoError(t, err)
	for _, r := range b.Records {
		require.NoError(t, r.Err, "record %s decodes", r.MessageID)
	}
	return b
}

// simpleSeed makes namespaces × perNamespace private repositories named
// repo-0000…, each with tags tags pushed a day apart, and no retention.
func simpleSeed(namespaces, perNamespace, tags int) swrtest.Seed {
	var seed swrtest.Seed
	for n := 0; n < namespaces; n++ {
		ns := swrtest.SeedNamespace{Name: fmt.Sprintf("ns%03d", n)}
		for r := 0; r < perNamespace; r++ {
			repo := swrtest.SeedRepository{Name: fmt.Sprintf("repo-%04d", r)}
			for i := 0; i < tags; i++ {
				repo.Tags = append(repo.Tags, swrtest.SeedTag{Name: fmt.Sprintf("1.0.%d", i), Age: fmt.Sprintf("%dd", tags-i)})
			}
			ns.Repositories = append(ns.Repositories, repo)
		}
		seed.Namespaces = append(seed.Namespaces, ns)
	}
	return seed
}

// repoOfPath returns "ns/repo" of a repository sub-resource path
// (/v2/manage/namespaces/{ns}/repos/{repo}/{rest}), or "".
func repoOfPath(path, rest string) string {
	const prefix = "/v2/manage/namespaces/"
	if !strings.HasPrefix(path, prefix) || !strings.HasSuffix(path, "/"+rest) {
		return ""
	}
	p := strings.TrimSuffix(strings.TrimPrefix(path, prefix), "/"+rest)
	ns, repo, ok := strings.Cut(p, "/repos/")
	if !ok {
		return ""
	}
	return ns + "/" + strings.ReplaceAll(repo, "$", "/")
}
