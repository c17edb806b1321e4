package swrtest_test

import (
	"net/http"
	"net/url"
	"runtime"
	"runtime/metrics"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const heapObjects = "/memory/classes/heap/objects:bytes"

func heapBytes(sample []metrics.Sample) uint64 {
	metrics.Read(sample)
	return sample[0].Value.Uint64()
}

// BenchmarkList100kRepos lists 100,000 generated repositories page by page
// (limit 1000) through signed HTTP requests, as a client paging on
// Content-Range would. ns/op is one full listing; it reports the heap
// holding the registry and the peak heap seen while listing.
func BenchmarkList100kRepos(b *testing.B) {
	const namespaces, perNamespace, limit = 100, 1000, 1000
	srv := newServer(b)
	require.NoError(b, srv.Seed(swrtest.Generate(swrtest.GenOptions{
		Namespaces: namespaces, ReposPerNamespace: perNamespace, TagsPerRepo: 3, Seed: 1, Now: testNow(),
	})))
	c := newClient(b, srv)
	sample := []metrics.Sample{{Name: heapObjects}}
	runtime.GC()
	stateHeap := heapBytes(sample)
	peak := stateHeap
	pages := 0

	b.ReportAllocs()
	for b.Loop() {
		listed := 0
		for offset := 0; ; offset += limit {
			r := c.do(http.MethodGet, "/v2/manage/repos", url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}, nil)
			if r.Status != http.StatusOK {
				b.Fatalf("page at %d: %d %s", offset, r.Status, r.Body)
			}
			var items []struct {
				Name       string `json:"name"`
				TotalRange int64  `json:"total_range"`
			}
			r.decode(b, &items)
			listed += len(items)
			pages++
			peak = max(peak, heapBytes(sample))
			_, total, _ := strings.Cut(r.Header.Get("Content-Range"), "/")
			if strconv.Itoa(offset+len(items)) == total || len(items) == 0 {
				break
			}
		}
		if listed != namespaces*perNamespace {
			b.Fatalf("listed %d repositories, want %d", listed, namespaces*perNamespace)
		}
	}
	b.ReportMetric(float64(stateHeap)/(1<<20), "state-heap-MB")
	b.ReportMetric(float64(peak)/(1<<20), "peak-heap-MB")
	b.ReportMetric(float64(pages)/float64(b.N), "pages/op")
}

// BenchmarkListPage measures one page of 1000 deep inside a 100,000
// repository registry: its cost must not grow with the offset.
func BenchmarkListPage(b *testing.B) {
	srv := newServer(b)
	require.NoError(b, srv.Seed(swrtest.Generate(swrtest.GenOptions{
		Namespaces: 100, ReposPerNamespace: 1000, TagsPerRepo: 3, Seed: 1, Now: testNow(),
	})))
	c := newClient(b, srv)
	for _, offset := range []int{0, 50_000, 99_000} {
		b.Run("offset="+strconv.Itoa(offset), func(b *testing.B) {
			b.ReportAllocs()
			q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {"1000"}}
			for b.Loop() {
				if r := c.do(http.MethodGet, "/v2/manage/repos", q, nil); r.Status != http.StatusOK {
					b.Fatalf("%d %s", r.Status, r.Body)
				}
			}
		})
	}
}
