package swr

import (
	"io"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// BenchmarkSignedGET measures one AK/SK-signed GET round trip (sign, send
// over loopback, receive, decode) against a local server.
func BenchmarkSignedGET(b *testing.B) {
	const body = `{"id":1422,"name":"demo","creator_name":"lgp","auth":7}`
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, body)
	}))
	defer srv.Close()
	c, err := NewClient(srv.URL, AKSK{AK: testAK, SK: testSK, ProjectID: testProject})
	if err != nil {
		b.Fatal(err)
	}
	ctx := b.Context()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := c.Namespaces.Get(ctx, "demo"); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(c.Stats().Requests)/float64(b.N), "requests/op")
}

// BenchmarkSign measures signing alone, the client-side share of a call.
func BenchmarkSign(b *testing.B) {
	req, err := http.NewRequest(http.MethodGet, "https://swr-api.cn-north-4.myhuaweicloud.com/v2/manage/namespaces/team/repos/team$web/tags?limit=100&offset=0", nil)
	if err != nil {
		b.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set(HeaderProjectID, testProject)
	now := time.Now()
	b.ReportAllocs()
	for b.Loop() {
		req.Header.Del(HeaderSdkDate)
		Sign(req, nil, testAK, testSK, now)
	}
}
