package function

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/aws/aws-lambda-go/lambdacontext"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// recordingJob is a stand-in job: it records what it was handed and fails
// when an event's namespace says so.
type recordingJob struct {
	mu    sync.Mutex
	calls [][]events.Event
	fail  func([]events.Event) bool
}

func (j *recordingJob) Name() string { return "testjob" }

func (j *recordingJob) Mine(events.Event) bool { return true }

func (j *recordingJob) Do(ctx context.Context, evs []events.Event, r *report.Report) error {
	j.mu.Lock()
	j.calls = append(j.calls, evs)
	j.mu.Unlock()
	if j.fail != nil && j.fail(evs) {
		return errors.New("swr unreachable")
	}
	r.Counts.Scanned = len(evs)
	r.Findings = []report.Finding{{Code: "x.y", Severity: report.SeverityInfo, Message: "seen"}}
	return nil
}

const webhookAuth = "Bearer sample-webhook-token"

func newFunction(t *testing.T, job Job, opts Options) *Function {
	t.Helper()
	dec, err := events.NewDecoder(events.Config{Auth: events.AuthConfig{AuthHeader: events.Secret(webhookAuth)}})
	require.NoError(t, err)
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(&bytes.Buffer{}, nil))
	}
	return New(job, dec, opts)
}

func sample(t *testing.T, name string) json.RawMessage {
	t.Helper()
	b, err := os.ReadFile("../../events/" + name)
	require.NoError(t, err)
	return b
}

func TestFunctionURLAnswersWithTheReport(t *testing.T) {
	job := &recordingJob{}
	out, err := newFunction(t, job, Options{}).Lambda(context.Background(), sample(t, "functionurl-structured.json"))
	require.NoError(t, err)
	resp, ok := out.(awsevents.LambdaFunctionURLResponse)
	require.True(t, ok, "got %T", out)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	var sum report.Summary
	require.NoError(t, json.Unmarshal([]byte(resp.Body), &sum))
	assert.Equal(t, 1, sum.Counts.Scanned)
	assert.Equal(t, 1, sum.Findings)
	assert.NotContains(t, resp.Body, `"seen"`, "HTTP callers get counts, not the findings themselves")
	require.Len(t, job.calls, 1)
	assert.Equal(t, events.KindRepositoryCreated, job.calls[0][0].Kind)
}

func TestFunctionURLRefusesBadAuthWithoutDetail(t *testing.T) {
	var req map[string]any
	require.NoError(t, json.Unmarshal(sample(t, "functionurl-structured.json"), &req))
	req["headers"].(map[string]any)["authorization"] = "Bearer wrong"
	payload, _ := json.Marshal(req)
	job := &recordingJob{}
	out, err := newFunction(t, job, Options{}).Lambda(context.Background(), payload)
	require.NoError(t, err)
	resp := out.(awsevents.LambdaFunctionURLResponse)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.NotContains(t, resp.Body, "wrong")
	assert.NotContains(t, resp.Body, "sample-webhook-token")
	assert.Empty(t, job.calls, "nothing reaches the job")
}

func TestFunctionURLMalformedIs400NamingTheField(t *testing.T) {
	var req map[string]any
	require.NoError(t, json.Unmarshal(sample(t, "functionurl-structured.json"), &req))
	req["body"] = `{"specversion":"1.0","source":"/x","type":"io.swrautopilot.repository.created"}`
	req["isBase64Encoded"] = false
	payload, _ := json.Marshal(req)
	out, err := newFunction(t, &recordingJob{}, Options{}).Lambda(context.Background(), payload)
	require.NoError(t, err)
	resp := out.(awsevents.LambdaFunctionURLResponse)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	assert.Contains(t, resp.Body, "id")
}

func TestSQSReportsOnlyFailedRecords(t *testing.T) {
	var batch map[string]any
	require.NoError(t, json.Unmarshal(sample(t, "sqs-sweep-shards.json"), &batch))
	records := batch["Records"].([]any)
	require.GreaterOrEqual(t, len(records), 2)
	// The last record becomes malformed; the first one fails in the job.
	records[len(records)-1].(map[string]any)["body"] = "{not json"
	payload, _ := json.Marshal(batch)
	firstID := records[0].(map[string]any)["messageId"].(string)
	lastID := records[len(records)-1].(map[string]any)["messageId"].(string)
	job := &recordingJob{fail: func(evs []events.Event) bool { return evs[0].MessageID == firstID }}

	out, err := newFunction(t, job, Options{}).Lambda(context.Background(), payload)
	require.NoError(t, err)
	resp, ok := out.(awsevents.SQSEventResponse)
	require.True(t, ok, "got %T", out)
	var failed []string
	for _, f := range resp.BatchItemFailures {
		failed = append(failed, f.ItemIdentifier)
	}
	assert.ElementsMatch(t, []string{firstID, lastID}, failed)
	assert.Len(t, job.calls, len(records)-1, "each decodable record is handled on its own")
	for _, c := range job.calls {
		for _, e := range c {
			assert.Equal(t, c[0].MessageID, e.MessageID)
		}
	}
}

func TestBareCloudEventReturnsReportAndJobErrorsAreReturned(t *testing.T) {
	job := &recordingJob{fail: func([]events.Event) bool { return true }}
	f := newFunction(t, job, Options{})
	_, err := f.Lambda(context.Background(), sample(t, "cloudevent-sweep.json"))
	assert.Error(t, err, "a failed run asks for redelivery")

	job.fail = nil
	out, err := f.Lambda(context.Background(), sample(t, "cloudevent-sweep.json"))
	require.NoError(t, err)
	rep, ok := out.(*report.Report)
	require.True(t, ok, "got %T", out)
	assert.Equal(t, "testjob", rep.Job)
	assert.Zero(t, rep.Skipped, "the redelivery is handled")

	out, err = f.Lambda(context.Background(), sample(t, "cloudevent-sweep.json"))
	require.NoError(t, err)
	assert.Equal(t, 1, out.(*report.Report).Skipped, "once handled, it is not handled again")
}

func TestDirectInvocationIsBoundedAndOnReportSeesEverything(t *testing.T) {
	big := &bigJob{changes: MaxResponseItems + 5, tags: MaxResponseTags + 5}
	var seen *report.Report
	f := newFunction(t, big, Options{OnReport: func(r *report.Report) { seen = r }})
	out, err := f.Lambda(context.Background(), sample(t, "cloudevent-sweep.json"))
	require.NoError(t, err)
	rep := out.(*report.Report)
	assert.Len(t, rep.Changes, MaxResponseItems)
	assert.Equal(t, 5, rep.Omitted)
	assert.Len(t, rep.Changes[0].Impact.Delete, MaxResponseTags)
	assert.Equal(t, MaxResponseTags+5, rep.Changes[0].Impact.Deletes())
	require.NotNil(t, seen)
	assert.Len(t, seen.Changes, MaxResponseItems+5)
}

// bigJob reports many changes with long impact lists.
type bigJob struct{ changes, tags int }

func (j *bigJob) Name() string { return "big" }

func (j *bigJob) Mine(events.Event) bool { return true }

func (j *bigJob) Do(ctx context.Context, evs []events.Event, r *report.Report) error {
	for i := 0; i < j.changes; i++ {
		imp := &report.Impact{TotalTags: j.tags}
		for k := 0; k < j.tags; k++ {
			imp.Delete = append(imp.Delete, fmt.Sprintf("t%d", k))
		}
		r.Changes = append(r.Changes, report.Change{Kind: "retention", Op: report.OpCreate, Namespace: "ns", Repository: fmt.Sprintf("r%d", i), Impact: imp, Status: report.StatusPlanned})
	}
	return nil
}

func TestMetricsAndLogsCarryTheReport(t *testing.T) {
	var metrics, logs bytes.Buffer
	f := newFunction(t, &recordingJob{}, Options{Metrics: &metrics, Logger: slog.New(slog.NewJSONHandler(&logs, nil)),
		Now: func() time.Time { return time.Unix(1700000000, 0) }})
	_, err := f.Lambda(context.Background(), sample(t, "cloudevent-sweep.json"))
	require.NoError(t, err)
	var emf map[string]any
	require.NoError(t, json.Unmarshal(bytes.TrimSpace(metrics.Bytes()), &emf))
	assert.Equal(t, float64(1), emf["Scanned"])
	assert.Equal(t, "testjob", emf["Job"])
	assert.Contains(t, emf, "_aws")
	assert.Equal(t, float64(1), emf["Findings.x.y"], "findings are counted by code")
	assert.Contains(t, logs.String(), `"msg":"job done"`)
	assert.Contains(t, logs.String(), `"scanned":1`)
}

func TestSinkReceivesFindings(t *testing.T) {
	var mu sync.Mutex
	var types []string
	sink := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		types = append(types, r.Header.Get("Ce-Type"))
		mu.Unlock()
		w.WriteHeader(http.StatusAccepted)
	}))
	defer sink.Close()
	f := newFunction(t, &recordingJob{}, Options{Sink: report.Sink{URL: sink.URL}})
	_, err := f.Lambda(context.Background(), sample(t, "cloudevent-sweep.json"))
	require.NoError(t, err)
	assert.Equal(t, []string{report.EventTypeFinding, report.EventTypeReport}, types)
}

func TestReceiverModeHTTP(t *testing.T) {
	job := &recordingJob{}
	srv := httptest.NewServer(newFunction(t, job, Options{}))
	defer srv.Close()

	body := `{"specversion":"1.0","id":"e-1","source":"/ci","type":"io.swrautopilot.image.pushed","datacontenttype":"application/json","data":{"namespace":"acme","repository":"web","tag":"v1"}}`
	post := func(auth, ct, body string) *http.Response {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
		req.Header.Set("Content-Type", ct)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		return resp
	}
	resp := post(webhookAuth, "application/cloudevents+json", body)
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	resp.Body.Close()
	require.Len(t, job.calls, 1)
	assert.Equal(t, events.KindImagePushed, job.calls[0][0].Kind)

	resp = post("", "application/cloudevents+json", body)
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	resp.Body.Close()

	resp = post(webhookAuth, "application/cloudevents+json", `{"specversion":"1.0"`)
	assert.Equal(t, http.StatusBadRequest, resp.StatusCode)
	resp.Body.Close()

	get, err := http.Get(srv.URL)
	require.NoError(t, err)
	assert.Equal(t, http.StatusMethodNotAllowed, get.StatusCode)
	get.Body.Close()
	assert.Len(t, job.calls, 1, "refused requests never reach the job")
}

func TestSinkPublishingEndsBeforeTheInvocationDeadline(t *testing.T) {
	deadlines := make(chan time.Time, 16)
	sinkClient := &http.Client{Transport: roundTripFunc(func(r *http.Request) (*http.Response, error) {
		d, ok := r.Context().Deadline()
		require.True(t, ok, "publishing runs under a deadline")
		deadlines <- d
		return &http.Response{StatusCode: http.StatusAccepted, Body: io.NopCloser(strings.NewReader("")), Request: r}, nil
	})}
	const margin = 300 * time.Millisecond
	f := newFunction(t, &recordingJob{}, Options{Sink: report.Sink{URL: "http://sink.invalid", Client: sinkClient}, Margin: margin})
	invocation := time.Now().Add(time.Hour)
	ctx, cancel := context.WithDeadline(context.Background(), invocation)
	defer cancel()

	_, err := f.Lambda(ctx, sample(t, "cloudevent-sweep.json"))
	require.NoError(t, err)
	close(deadlines)
	n := 0
	for d := range deadlines {
		n++
		assert.Equal(t, invocation.Add(-margin), d, "each event is sent under the job's deadline, margin before the invocation's")
	}
	assert.Equal(t, 2, n, "the finding and the summary")
}

// roundTripFunc is an http.RoundTripper made of a function.
type roundTripFunc func(*http.Request) (*http.Response, error)

func (f roundTripFunc) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

func TestAFailedSignedWebhookMayBeSentAgain(t *testing.T) {
	const secret = "hmac-test-secret"
	dec, err := events.NewDecoder(events.Config{Auth: events.AuthConfig{HMACSecret: secret}})
	require.NoError(t, err)
	failures := 1
	job := &recordingJob{fail: func([]events.Event) bool { failures--; return failures >= 0 }}
	srv := httptest.NewServer(New(job, dec, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))}))
	defer srv.Close()

	body := []byte(`{"specversion":"1.0","id":"e-7","source":"/ci","type":"io.swrautopilot.image.pushed","datacontenttype":"application/json","data":{"namespace":"acme","repository":"web","tag":"v1"}}`)
	header := http.Header{"Content-Type": {"application/cloudevents+json"}}
	events.SignRequest(header, events.AuthConfig{HMACSecret: secret}, body, time.Now())
	send := func() int {
		req, _ := http.NewRequest(http.MethodPost, srv.URL, bytes.NewReader(body))
		req.Header = header.Clone()
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp.StatusCode
	}
	assert.Equal(t, http.StatusServiceUnavailable, send(), "the job failed: retry")
	assert.Equal(t, http.StatusOK, send(), "the identical signed retry is accepted")
	assert.Equal(t, http.StatusUnauthorized, send(), "a replay of a request that succeeded is not")
	assert.Len(t, job.calls, 2)
}

func TestAFailedSignedFunctionURLRequestMayBeSentAgain(t *testing.T) {
	const secret = "hmac-test-secret"
	dec, err := events.NewDecoder(events.Config{Auth: events.AuthConfig{HMACSecret: secret}})
	require.NoError(t, err)
	failures := 1
	job := &recordingJob{fail: func([]events.Event) bool { failures--; return failures >= 0 }}
	f := New(job, dec, Options{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})

	body := `{"specversion":"1.0","id":"e-8","source":"/ci","type":"io.swrautopilot.image.pushed","datacontenttype":"application/json","data":{"namespace":"acme","repository":"web","tag":"v1"}}`
	h := http.Header{"Content-Type": {"application/cloudevents+json"}}
	events.SignRequest(h, events.AuthConfig{HMACSecret: secret}, []byte(body), time.Now())
	headers := map[string]string{}
	for k := range h {
		headers[strings.ToLower(k)] = h.Get(k)
	}
	payload, err := json.Marshal(awsevents.LambdaFunctionURLRequest{RawPath: "/", Headers: headers, Body: body,
		RequestContext: awsevents.LambdaFunctionURLRequestContext{HTTP: awsevents.LambdaFunctionURLRequestContextHTTPDescription{Method: http.MethodPost, Path: "/"}}})
	require.NoError(t, err)
	status := func() int {
		out, err := f.Lambda(context.Background(), payload)
		require.NoError(t, err)
		return out.(awsevents.LambdaFunctionURLResponse).StatusCode
	}
	assert.Equal(t, http.StatusServiceUnavailable, status())
	assert.Equal(t, http.StatusOK, status(), "the identical signed retry is accepted")
	assert.Equal(t, http.StatusUnauthorized, status(), "a replay after success is not")
}

// detailJob fails with detail a caller must not see.
type detailJob struct{}

func (detailJob) Name() string { return "detail" }

func (detailJob) Mine(events.Event) bool { return true }

func (detailJob) Do(context.Context, []events.Event, *report.Report) error {
	return errors.New("team directory: fetch https://dir.internal.example/teams.yaml: SVCSTG.SWR.5000001 internal database error")
}

// A 5xx body carries a generic message and the request id; the detail is
// in the log line with the same request id.
func TestServerErrorsCarryARequestIDAndNoDetail(t *testing.T) {
	var logs bytes.Buffer
	f := newFunction(t, detailJob{}, Options{Logger: slog.New(NewContextHandler(slog.NewJSONHandler(&logs, nil)))})
	srv := httptest.NewServer(Handler(App{Name: "detail", HTTP: f, Logger: slog.New(slog.DiscardHandler)}))
	defer srv.Close()
	body := `{"specversion":"1.0","id":"e-1","source":"/ci","type":"io.swrautopilot.grantsync.requested","data":{}}`
	req, _ := http.NewRequest(http.MethodPost, srv.URL, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", webhookAuth)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusServiceUnavailable, resp.StatusCode)
	var got errorBody
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&got))
	assert.Equal(t, failedText, got.Error)
	require.NotEmpty(t, got.RequestID)
	assert.Equal(t, resp.Header.Get("X-Request-Id"), got.RequestID)
	assert.Contains(t, logs.String(), "dir.internal.example", "the detail is logged")
	assert.Contains(t, logs.String(), `"requestId":"`+got.RequestID+`"`, "under the same request id")

	// The same through a Function URL: the Lambda request id.
	ctx := lambdacontext.NewContext(context.Background(), &lambdacontext.LambdaContext{AwsRequestID: "req-77"})
	out, err := f.Lambda(ctx, sample(t, "functionurl-structured.json"))
	require.NoError(t, err)
	fu := out.(awsevents.LambdaFunctionURLResponse)
	assert.Equal(t, http.StatusServiceUnavailable, fu.StatusCode)
	assert.JSONEq(t, `{"error":"`+failedText+`","request_id":"req-77"}`, fu.Body)
	for _, leak := range []string{"dir.internal.example", "SVCSTG", "database"} {
		assert.NotContains(t, fu.Body, leak)
	}
}
