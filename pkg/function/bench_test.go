package function_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

func BenchmarkLoggerInfoContext(b *testing.B) {
	logger := function.NewLogger(io.Discard, slog.LevelInfo)
	ctx := invocationContext("5f1c7a4e-3d1b-4f59-9d0e-1a2b3c4d5e6f", "evt-123")
	b.ReportAllocs()
	for b.Loop() {
		logger.InfoContext(ctx, "planned", "namespace", "team-a", "repo", "api", "changes", 3)
	}
}

func BenchmarkLoggerInfoContextInGroup(b *testing.B) {
	logger := function.NewLogger(io.Discard, slog.LevelInfo).WithGroup("repo")
	ctx := invocationContext("5f1c7a4e-3d1b-4f59-9d0e-1a2b3c4d5e6f", "evt-123")
	b.ReportAllocs()
	for b.Loop() {
		logger.InfoContext(ctx, "planned", "namespace", "team-a", "name", "api")
	}
}

func BenchmarkEMF(b *testing.B) {
	dims := map[string]string{"Function": "retentionsweep"}
	metrics := map[string]float64{"ReposScanned": 420, "RulesWritten": 3, "DurationMs": 812.5, "Findings": 7}
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		if err := function.EMF(io.Discard, "SWRAutopilot", dims, metrics, now); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLambdaHandlerInvoke(b *testing.B) {
	h := function.LambdaHandler(function.App{
		Logger: function.NewLogger(io.Discard, slog.LevelInfo),
		Lambda: func(ctx context.Context, payload json.RawMessage) (any, error) {
			return map[string]int{"bytes": len(payload)}, nil
		},
	})
	payload := []byte(`{"specversion":"1.0","id":"e-1","source":"io.swrautopilot","type":"io.swrautopilot.sweep.requested","data":{}}`)
	ctx := invocationContext("req", "evt")
	b.ReportAllocs()
	b.SetBytes(int64(len(payload)))
	for b.Loop() {
		if _, err := h.Invoke(ctx, payload); err != nil {
			b.Fatal(err)
		}
	}
}
