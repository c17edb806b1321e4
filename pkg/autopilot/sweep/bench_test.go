package sweep_test

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"os"
	"os/exec"
	rt "runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// benchSweep runs one sweep of everything with cfg and checks it was
// clean and wrote nothing.
func benchSweep(b *testing.B, reg *registry, client *swr.Client, pol string, cfg sweep.Config) *report.Report {
	b.Helper()
	reg.ResetLog()
	rep, err := newJob(b, client, pol, cfg).Run(context.Background(), events.SweepRequested{})
	require.NoError(b, err)
	require.Empty(b, rep.Errors)
	require.Zero(b, reg.Writes())
	return rep
}

// BenchmarkSweep5000 sweeps 5,000 conformant repositories (retention and
// trigger audit: two reads each; visibility: none) through an emulator
// with 50 ms latency and a 200 req/s limit, the client limited to 200
// req/s too. It reports ratio = achieved time ÷ (calls ÷ 200/s), the
// calls per repository and the writes. The sequential sub-benchmark runs
// Concurrency 1 on a registry of 200 such repositories only (at 50 ms a
// call all 5,000 would take over eight minutes) and reports the time and
// speed-up extrapolated from it to 5,000 repositories.
func BenchmarkSweep5000(b *testing.B) {
	const rate = 200.0
	seed := conformantSeed(5, 1000)
	reg := newRegistry(b, nil, swrtest.WithSeed(&seed), swrtest.WithLatency(50*time.Millisecond), swrtest.WithRateLimit(rate, 20))
	client := newClient(b, reg, swr.WithRateLimit(rate, 10))

	var concurrentPerRepo time.Duration
	b.Run("concurrency=16", func(b *testing.B) {
		for b.Loop() {
			throttled := client.Stats().Throttled
			start := time.Now()
			rep := benchSweep(b, reg, client, conformantPolicy, sweep.Config{})
			elapsed := time.Since(start)
			require.Equal(b, 5000, rep.Counts.Scanned)
			ideal := time.Duration(float64(rep.APICalls) / rate * float64(time.Second))
			concurrentPerRepo = elapsed / 5000
			b.ReportMetric(elapsed.Seconds()/ideal.Seconds(), "ratio")
			b.ReportMetric(float64(rep.APICalls)/5000, "calls/repo")
			b.ReportMetric(float64(rep.APICalls), "calls")
			b.ReportMetric(float64(reg.Writes()), "writes")
			b.ReportMetric(elapsed.Seconds(), "sweep-s")
			b.ReportMetric(float64(client.Stats().Throttled-throttled), "throttled")
		}
	})
	b.Run("concurrency=1/subset-200", func(b *testing.B) {
		const subset = 200
		seed := conformantSeed(1, subset)
		reg := newRegistry(b, nil, swrtest.WithSeed(&seed), swrtest.WithLatency(50*time.Millisecond), swrtest.WithRateLimit(rate, 20))
		client := newClient(b, reg, swr.WithRateLimit(rate, 10))
		for b.Loop() {
			start := time.Now()
			rep := benchSweep(b, reg, client, conformantPolicy, sweep.Config{Concurrency: 1})
			elapsed := time.Since(start)
			perRepo := elapsed / time.Duration(rep.Counts.Scanned)
			b.ReportMetric(float64(rep.Counts.Scanned), "repos")
			b.ReportMetric(perRepo.Seconds()*1000, "ms/repo")
			b.ReportMetric(perRepo.Seconds()*5000, "extrapolated-5000-s")
			if concurrentPerRepo > 0 {
				b.ReportMetric(float64(perRepo)/float64(concurrentPerRepo), "extrapolated-speedup")
			}
		}
	})
}

// memoryPolicy has one cheap check: retention, one read per repository.
const memoryPolicy = "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 3\n"

// Size of the registry of BenchmarkSweepMemory100k.
const memoryNamespaces, memoryPerNamespace = 100, 1000

// BenchmarkSweepMemory100k sweeps 100,000 conformant repositories (100
// namespaces of 1,000) through an emulator without latency or rate limit,
// with one check (retention: one read each), and samples the heap every
// 50 ms.
//
// separate-emulator: the emulator runs in a child process (this test
// binary, see TestEmulatorProcess), so the figures are the sweep's alone:
// peak-heap-MB (garbage included, as a function's memory would see it),
// peak-live-heap-MB (each sample right after a forced collection) and
// peak-RSS-MB of the process. Target ≤ 64 MB.
//
// in-process: the emulator shares the process. baseline-heap-MB is the
// live heap after seeding (the emulator's registry); sweep-live-heap-MB is
// the peak live heap during the sweep minus the baseline. It overstates
// the sweep: the emulator's in-flight requests count, and so does what
// both allocate while a collection of the large heap is marking.
// peak-heap-MB there is dominated by the collector letting the heap grow
// to about twice the emulator's registry.
func BenchmarkSweepMemory100k(b *testing.B) {
	b.Run("separate-emulator", func(b *testing.B) {
		client := emulatorProcess(b)
		for b.Loop() {
			rt.GC()
			m := measureSweep(b, client, nil)
			b.ReportMetric(m.peak, "peak-heap-MB")
			b.ReportMetric(m.peakLive, "peak-live-heap-MB")
			b.ReportMetric(peakRSSMB(), "peak-RSS-MB")
			b.ReportMetric(m.seconds, "sweep-s")
			b.ReportMetric(m.calls, "calls")
		}
	})
	b.Run("in-process", func(b *testing.B) {
		seed := conformantSeed(memoryNamespaces, memoryPerNamespace)
		reg := newRegistry(b, nil, swrtest.WithSeed(&seed))
		seed = swrtest.Seed{}
		client := newClient(b, reg)
		for b.Loop() {
			rt.GC()
			var ms rt.MemStats
			rt.ReadMemStats(&ms)
			baseline := float64(ms.HeapAlloc) / (1 << 20)
			m := measureSweep(b, client, reg.ResetLog)
			b.ReportMetric(baseline, "baseline-heap-MB")
			b.ReportMetric(m.peakLive, "peak-live-heap-MB")
			b.ReportMetric(max(m.peakLive-baseline, 0), "sweep-live-heap-MB")
			b.ReportMetric(m.peak, "peak-heap-MB")
			b.ReportMetric(m.seconds, "sweep-s")
		}
	})
}

// memoryFigures are what measureSweep saw, heap sizes in MB.
type memoryFigures struct {
	peak, peakLive, seconds, calls float64
}

// measureSweep sweeps the memory benchmark's registry through client
// while sampling the heap; each sample also calls reset when set.
func measureSweep(b *testing.B, client *swr.Client, reset func()) memoryFigures {
	b.Helper()
	var peak, peakLive uint64
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
		for {
			var ms rt.MemStats
			rt.ReadMemStats(&ms)
			peak = max(peak, ms.HeapAlloc)
			if reset != nil {
				reset()
			}
			rt.GC()
			rt.ReadMemStats(&ms)
			peakLive = max(peakLive, ms.HeapAlloc)
			select {
			case <-stop:
				return
			case <-tick.C:
			}
		}
	}()
	start := time.Now()
	rep, err := newJob(b, client, memoryPolicy, sweep.Config{}).Run(context.Background(), events.SweepRequested{})
	elapsed := time.Since(start)
	close(stop)
	wg.Wait()
	require.NoError(b, err)
	require.Empty(b, rep.Errors)
	require.Equal(b, memoryNamespaces*memoryPerNamespace, rep.Counts.Scanned)
	const mb = 1 << 20
	return memoryFigures{peak: float64(peak) / mb, peakLive: float64(peakLive) / mb, seconds: elapsed.Seconds(), calls: float64(rep.APICalls)}
}

// emulatorProcessEnv switches TestEmulatorProcess on in a child process.
const emulatorProcessEnv = "SWEEP_BENCH_EMULATOR_PROCESS"

// TestEmulatorProcess is not a test: started by emulatorProcess as a
// child process, it serves the memory benchmark's registry, prints
// "URL AK SK PROJECT" on one line and serves until its standard input
// closes.
func TestEmulatorProcess(t *testing.T) {
	if os.Getenv(emulatorProcessEnv) == "" {
		t.Skip("helper process of BenchmarkSweepMemory100k")
	}
	seed := conformantSeed(memoryNamespaces, memoryPerNamespace)
	srv := swrtest.NewServer(swrtest.WithSeed(&seed))
	defer srv.Close()
	fmt.Println(srv.URL, srv.AK, srv.SK, srv.ProjectID)
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// emulatorProcess starts TestEmulatorProcess in a child process and
// returns a client for it; the child ends with the benchmark.
func emulatorProcess(b *testing.B) *swr.Client {
	b.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestEmulatorProcess$")
	cmd.Env = append(os.Environ(), emulatorProcessEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(b, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(b, err)
	require.NoError(b, cmd.Start())
	b.Cleanup(func() {
		_ = stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(b, err, "the emulator process starts")
	go func() { _, _ = io.Copy(io.Discard, stdout) }()
	f := strings.Fields(line)
	require.Len(b, f, 4, "emulator process said %q", line)
	client, err := swr.NewClient(f[0], swr.AKSK{AK: f[1], SK: f[2], ProjectID: f[3]},
		swr.WithRetry(6, time.Millisecond, 20*time.Millisecond))
	require.NoError(b, err)
	return client
}

// peakRSSMB reads the process's peak resident set size (VmHWM) in MB, or
// returns 0 where /proc is not available.
func peakRSSMB() float64 {
	f, err := os.Open("/proc/self/status")
	if err != nil {
		return 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "VmHWM:"); ok {
			kb, err := strconv.Atoi(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(rest), "kB")))
			if err == nil {
				return float64(kb) / 1024
			}
		}
	}
	return 0
}
