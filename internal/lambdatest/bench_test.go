//go:build linux

package lambdatest_test

import (
	"testing"
	"time"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
)

// BenchmarkColdStart measures, per iteration, starting the emulator with a
// fresh bootstrap process and answering the first invocation; it reports
// the time to the first response alone as first-response-ms.
func BenchmarkColdStart(b *testing.B) {
	bootstrap := lambdatest.BuildBootstrap(b, echoPkg)
	payload := []byte(`{"id":"bench"}`)
	var firstResponse time.Duration
	for b.Loop() {
		emu := lambdatest.Start(b, bootstrap, nil)
		start := time.Now()
		if _, _, err := emu.Invoke(b.Context(), payload); err != nil {
			b.Fatal(err)
		}
		firstResponse += time.Since(start)
		emu.Close()
	}
	b.ReportMetric(float64(firstResponse.Microseconds())/1000/float64(b.N), "first-response-ms")
}

// BenchmarkWarmInvoke measures one invocation of a running function
// through the emulator.
func BenchmarkWarmInvoke(b *testing.B) {
	emu := lambdatest.Start(b, lambdatest.BuildBootstrap(b, echoPkg), nil)
	payload := []byte(`{"id":"bench"}`)
	if _, _, err := emu.Invoke(b.Context(), payload); err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, _, err := emu.Invoke(b.Context(), payload); err != nil {
			b.Fatal(err)
		}
	}
}
