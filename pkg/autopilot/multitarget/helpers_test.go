package multitarget_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/google/uuid"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/multitarget"
	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/sqsout/sqstest"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
	"github.com/swr-autopilot/swr-autopilot/pkg/targets"
)

// world is two emulated regions governed as two targets: primary in
// cn-north-4 and dr in cn-east-3, each with its own credentials prefix.
type world struct {
	cloud *swrtest.Cloud
	clock *swrtest.Clock // shared by the emulators and the engines
	set   *targets.Set
	regs  []multitarget.Registry
}

func newWorld(t *testing.T) *world {
	t.Helper()
	clk := swrtest.NewClock(time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC))
	cloud := swrtest.NewCloud([]string{"cn-north-4", "cn-east-3"}, swrtest.WithClock(clk.Now))
	t.Cleanup(cloud.Close)
	north, east := cloud.Region("cn-north-4"), cloud.Region("cn-east-3")
	file := "targets:\n" +
		"  - {name: primary, region: cn-north-4, project_id: " + north.ProjectID + ", endpoint: \"" + north.URL + "\", credentials: {env: PRIMARY_}}\n" +
		"  - {name: dr, region: cn-east-3, project_id: " + east.ProjectID + ", endpoint: \"" + east.URL + "\", credentials: {env: DR_}}\n"
	set, err := targets.Parse([]byte(file), "targets.yaml")
	require.NoError(t, err)
	env := map[string]string{
		"PRIMARY_HUAWEICLOUD_SDK_AK": north.AK, "PRIMARY_HUAWEICLOUD_SDK_SK": north.SK,
		"DR_HUAWEICLOUD_SDK_AK": east.AK, "DR_HUAWEICLOUD_SDK_SK": east.SK,
	}
	base := config.SWR{MaxAttempts: 2, RetryBaseDelay: time.Millisecond, RetryMaxDelay: time.Millisecond, Timeout: 30 * time.Second}
	resolver := targets.Resolver{Base: base, Getenv: func(k string) string { return env[k] }}
	regs, err := multitarget.Connect(context.Background(), set, resolver, swr.WithClock(clk.Now))
	require.NoError(t, err)
	return &world{cloud: cloud, clock: clk, set: set, regs: regs}
}

// jobs builds one job per target with mk and joins them, in the runner
// the functions use.
func (w *world) jobs(t *testing.T, name, pol string, mk func(reg multitarget.Registry, e *autopilot.Engine) multitarget.Job) *function.Runner {
	t.Helper()
	p, err := policy.Parse([]byte(pol), "policy.yaml")
	require.NoError(t, err)
	quiet := slog.New(slog.NewTextHandler(io.Discard, nil))
	engines, err := multitarget.Engines(w.regs, p, autopilot.Options{Logger: quiet, Now: w.clock.Now})
	require.NoError(t, err)
	var members []multitarget.Member
	for i, reg := range w.regs {
		members = append(members, multitarget.Member{Target: reg.Target, Client: reg.Client, Job: mk(reg, engines[i])})
	}
	return function.NewRunner(multitarget.Jobs(name, members), function.RunnerOptions{Logger: quiet, Now: w.clock.Now})
}

func event(p events.Payload) events.Event {
	return events.Event{ID: uuid.NewString(), Source: "test", Time: time.Now(), Kind: p.Kind(), Payload: p}
}

func tagsOf(t *testing.T, s *swrtest.Server, ns, repo string) []string {
	t.Helper()
	var out []string
	for _, n := range s.State().Namespaces {
		if n.Name != ns {
			continue
		}
		for _, r := range n.Repositories {
			if r.Name == repo {
				for _, tag := range r.Tags {
					out = append(out, tag.Name)
				}
			}
		}
	}
	return out
}

// sqsDelivery decodes queued messages the way the function receives them.
func sqsDelivery(t testing.TB, msgs []sqstest.Message) []events.Event {
	t.Helper()
	var in awsevents.SQSEvent
	for _, m := range msgs {
		in.Records = append(in.Records, awsevents.SQSMessage{MessageId: m.MessageID, Body: m.Body, EventSource: "aws:sqs"})
	}
	payload, err := json.Marshal(in)
	require.NoError(t, err)
	dec, err := events.NewDecoder(events.Config{})
	require.NoError(t, err)
	b, err := dec.DecodeLambda(context.Background(), payload)
	require.NoError(t, err)
	return b.Events
}

// retentionReads counts, per "ns/repo", the GET …/retentions of a server.
func retentionReads(s *swrtest.Server) map[string]int {
	out := map[string]int{}
	for _, r := range s.Requests() {
		const prefix = "/v2/manage/namespaces/"
		if r.Method != "GET" || !strings.HasPrefix(r.Path, prefix) || !strings.HasSuffix(r.Path, "/retentions") {
			continue
		}
		p := strings.TrimSuffix(strings.TrimPrefix(r.Path, prefix), "/retentions")
		ns, repo, _ := strings.Cut(p, "/repos/")
		out[ns+"/"+strings.ReplaceAll(repo, "$", "/")]++
	}
	return out
}
