package events

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
)

// BenchmarkDecodeStructuredCloudEvent decodes one authenticated structured
// CloudEvent, over a Function URL and as a receiver-mode request.
func BenchmarkDecodeStructuredCloudEvent(b *testing.B) {
	body := cloudEventJSON(b, TypeImagePushed, map[string]any{"namespace": "acme", "repository": "web", "tag": "v1.4.2", "digest": digestWeb})
	d := newTestDecoder(b, Config{})

	b.Run("functionurl", func(b *testing.B) {
		payload := functionURL(b, map[string]string{"content-type": "application/cloudevents+json"}, body)
		b.SetBytes(int64(len(payload)))
		b.ReportAllocs()
		for b.Loop() {
			if _, err := d.DecodeLambda(context.Background(), payload); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("http", func(b *testing.B) {
		b.SetBytes(int64(len(body)))
		b.ReportAllocs()
		for b.Loop() {
			r := httptest.NewRequest(http.MethodPost, "http://autopilot.test/", bytes.NewReader([]byte(body)))
			r.Header.Set("Content-Type", "application/cloudevents+json")
			r.Header.Set("Authorization", sampleAuthHeader)
			if _, err := d.DecodeHTTP(r); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
	})
}

// BenchmarkDecodeSQSBatch decodes an SQS batch of 10 sweep shards.
func BenchmarkDecodeSQSBatch(b *testing.B) {
	var bodies []string
	for i := range 10 {
		bodies = append(bodies, cloudEventJSON(b, TypeSweepRequested, map[string]any{"namespaces": []string{fmt.Sprintf("team-%d", i)}}))
	}
	payload := sqsPayload(b, bodies...)
	d := newTestDecoder(b, Config{})
	b.SetBytes(int64(len(payload)))
	b.ReportAllocs()
	for b.Loop() {
		batch, err := d.DecodeLambda(context.Background(), payload)
		if err != nil || len(batch.Events) != 10 {
			b.Fatalf("%d events, %v", len(batch.Events), err)
		}
	}
	b.ReportMetric(float64(10*b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkDeduperSeen measures the LRU under a steady stream of new keys.
func BenchmarkDeduperSeen(b *testing.B) {
	d := NewDeduper(DefaultDedupeSize)
	keys := make([]string, 4*DefaultDedupeSize)
	for i := range keys {
		keys[i] = fmt.Sprintf("source\x00event-%d", i)
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		d.Seen(keys[i%len(keys)])
		i++
	}
}
