package events

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"sort"
	"strings"
	"testing"

	awsevents "github.com/aws/aws-lambda-go/events"
)

// The fuzz targets run their seeds (testdata/fuzz and every sample in
// events/) in every go test; run them for real with
//
//	go test -run '^$' -fuzz '^FuzzDecodeLambda$' -fuzztime 60s -parallel 1 ./pkg/events

// checkOutcome asserts what every decoding outcome must satisfy: failures
// are client errors naming a field (or a bare 401), and every event is
// complete and carries only valid names.
func checkOutcome(t *testing.T, maxBatch int, evs []Event, err error) {
	t.Helper()
	if err != nil {
		var e *Error
		if !errors.As(err, &e) {
			t.Fatalf("error is %T, not *Error: %v", err, err)
		}
		if e.Status < 400 || e.Status > 499 {
			t.Fatalf("status %d is not a client error: %v", e.Status, err)
		}
		if e.Field == "" && e.Status != http.StatusUnauthorized {
			t.Fatalf("error names no field: %v", err)
		}
		if e.Reason == "" {
			t.Fatalf("error has no reason: %#v", e)
		}
		return
	}
	if len(evs) > maxBatch {
		t.Fatalf("%d events, more than the limit %d", len(evs), maxBatch)
	}
	for _, e := range evs {
		checkEvent(t, e)
	}
}

func checkEvent(t *testing.T, e Event) {
	t.Helper()
	if e.ID == "" || e.Source == "" || e.Type == "" || e.Time.IsZero() {
		t.Fatalf("incomplete event %+v", e)
	}
	if e.Payload == nil || e.Kind != e.Payload.Kind() {
		t.Fatalf("kind %q does not match payload %#v", e.Kind, e.Payload)
	}
	if err := validatePayload(e.Payload, "payload"); err != nil {
		t.Fatalf("decoded payload breaks the name rules: %v (%#v)", err, e.Payload)
	}
}

func fuzzDecoder(t testing.TB, auth AuthConfig) *Decoder {
	t.Helper()
	d, err := NewDecoder(Config{Auth: auth, Now: fixedClock})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// sampleRequests returns the Function URL samples as header lists and
// bodies.
func sampleRequests(t testing.TB) (contentTypes, ceHeaders []string, bodies [][]byte) {
	t.Helper()
	for _, name := range sampleFiles(t) {
		var req awsevents.LambdaFunctionURLRequest
		if json.Unmarshal(readSample(t, name), &req) != nil || req.RawPath == "" {
			continue
		}
		body := []byte(req.Body)
		if req.IsBase64Encoded {
			body, _ = base64.StdEncoding.DecodeString(req.Body)
		}
		var lines []string
		for k, v := range req.Headers {
			if strings.HasPrefix(k, "ce-") {
				lines = append(lines, k+": "+v)
			}
		}
		sort.Strings(lines)
		contentTypes = append(contentTypes, req.Headers["content-type"])
		ceHeaders = append(ceHeaders, strings.Join(lines, "\n"))
		bodies = append(bodies, body)
	}
	return contentTypes, ceHeaders, bodies
}

// sampleData returns the data of the structured CloudEvents in the Function
// URL samples whose type is typ.
func sampleData(t testing.TB, typ string) [][]byte {
	t.Helper()
	_, _, bodies := sampleRequests(t)
	var out [][]byte
	for _, body := range bodies {
		var ce struct {
			Type string          `json:"type"`
			Data json.RawMessage `json:"data"`
		}
		if json.Unmarshal(body, &ce) == nil && ce.Type == typ {
			out = append(out, ce.Data)
		}
	}
	return out
}

// samplesWithPrefix returns the samples whose name starts with prefix.
func samplesWithPrefix(t testing.TB, prefix string) [][]byte {
	t.Helper()
	var out [][]byte
	for _, name := range sampleFiles(t) {
		if strings.HasPrefix(name, prefix) {
			out = append(out, readSample(t, name))
		}
	}
	return out
}

func FuzzDecodeLambda(f *testing.F) {
	for _, name := range sampleFiles(f) {
		f.Add(readSample(f, name))
	}
	d := fuzzDecoder(f, AuthConfig{AuthHeader: sampleAuthHeader})
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := d.DecodeLambda(context.Background(), payload)
		if b == nil {
			checkOutcome(t, d.cfg.MaxBatch, nil, err)
			if err == nil {
				t.Fatal("nil batch without error")
			}
			return
		}
		if b.Origin == OriginSQS {
			checkSQSBatch(t, d, b, err)
			return
		}
		checkOutcome(t, d.cfg.MaxBatch, b.Events, err)
	})
}

func FuzzDecodeHTTP(f *testing.F) {
	cts, ces, bodies := sampleRequests(f)
	for i := range bodies {
		f.Add(cts[i], ces[i], bodies[i])
	}
	d := fuzzDecoder(f, AuthConfig{Disabled: true})
	f.Fuzz(func(t *testing.T, contentType, ceHeaders string, body []byte) {
		r := httptest.NewRequest(http.MethodPost, "http://autopilot.test/", bytes.NewReader(body))
		r.Header.Set("Content-Type", contentType)
		for _, line := range strings.Split(ceHeaders, "\n") {
			if k, v, ok := strings.Cut(line, ": "); ok && k != "" {
				r.Header.Set(k, v)
			}
		}
		b, err := d.DecodeHTTP(r)
		if b == nil || b.Origin != OriginHTTP {
			t.Fatalf("batch %+v has no HTTP origin", b)
		}
		checkOutcome(t, d.cfg.MaxBatch, b.Events, err)
	})
}

func FuzzEventGrid(f *testing.F) {
	for _, data := range sampleData(f, EventGridTypeAPICall) {
		f.Add(data)
	}
	for _, data := range sampleData(f, EventGridTypeConsoleAction) {
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := decodeEventGridData(EventGridTypeAPICall, data, "data")
		if err != nil {
			checkOutcome(t, 1, nil, err)
			return
		}
		checkEvent(t, withPayload(Event{ID: "id", Source: EventGridSource, Type: EventGridTypeAPICall, Time: testNow}, p))
	})
}

func FuzzHarbor(f *testing.F) {
	_, _, bodies := sampleRequests(f)
	for _, body := range bodies {
		if bytes.Contains(body, []byte(`"event_data"`)) {
			f.Add(body)
		}
	}
	for _, data := range sampleData(f, HarborTypeArtifactPushed) {
		f.Add(data)
	}
	d := fuzzDecoder(f, AuthConfig{Disabled: true})
	f.Fuzz(func(t *testing.T, body []byte) {
		// The same bytes as a Default webhook, and as the data of a
		// harbor.artifact.pushed CloudEvent.
		evs, err := d.decodeHarborDefault(body, "body")
		checkOutcome(t, d.cfg.MaxBatch, evs, err)
		base := Event{ID: "id", Source: "/projects/1/webhook/policies/1", Type: HarborTypeArtifactPushed, Time: testNow}
		evs, err = d.decodeHarborData(base, body, "data")
		checkOutcome(t, d.cfg.MaxBatch, evs, err)
		seen := map[string]bool{}
		for _, e := range evs {
			if seen[e.ID] {
				t.Fatalf("two events share id %q", e.ID)
			}
			seen[e.ID] = true
		}
	})
}

func FuzzEventBridge(f *testing.F) {
	for _, s := range samplesWithPrefix(f, "eventbridge-") {
		f.Add(s)
	}
	d := fuzzDecoder(f, AuthConfig{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		evs, err := d.decodeEventBridge(payload)
		checkOutcome(t, 1, evs, err)
	})
}

func FuzzSQS(f *testing.F) {
	for _, s := range samplesWithPrefix(f, "sqs-") {
		f.Add(s)
	}
	d := fuzzDecoder(f, AuthConfig{})
	f.Fuzz(func(t *testing.T, payload []byte) {
		b, err := d.decodeSQS(payload)
		checkSQSBatch(t, d, b, err)
	})
}

// checkSQSBatch asserts that an SQS batch accounts for every record: each
// either failed with a client error or contributed its events.
func checkSQSBatch(t *testing.T, d *Decoder, b *Batch, err error) {
	t.Helper()
	if b == nil || b.Origin != OriginSQS {
		t.Fatalf("batch %+v has no SQS origin", b)
	}
	if err != nil {
		checkOutcome(t, d.cfg.MaxBatch, nil, err)
		return
	}
	total := 0
	for _, r := range b.Records {
		if r.MessageID == "" {
			t.Fatal("record without message id")
		}
		if r.Err != nil {
			checkOutcome(t, d.cfg.MaxBatch, nil, r.Err)
			if r.Events != 0 {
				t.Fatalf("failed record %s has %d events", r.MessageID, r.Events)
			}
			continue
		}
		if r.Events > d.cfg.MaxBatch {
			t.Fatalf("record %s has %d events", r.MessageID, r.Events)
		}
		total += r.Events
	}
	if total != len(b.Events) {
		t.Fatalf("records account for %d events, batch holds %d", total, len(b.Events))
	}
	for _, e := range b.Events {
		checkEvent(t, e)
		if e.MessageID == "" {
			t.Fatal("SQS event without message id")
		}
	}
}
