//go:build linux

package e2e_test

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
)

// Bounds of the connection flood. The receiver's peak resident memory may
// grow by at most floodRSSBound over its idle size: it reads no body
// before authentication and holds at most DefaultMaxConnections
// connections. (Reading every flooder's megabyte, as it once did, took it
// from 24 MB to 197 MB.)
const (
	flooders      = 150
	floodBody     = 1 << 20 // bytes each flooder announces and sends
	floodDuration = 3 * time.Second
	floodRSSBound = 32 << 20
)

// TestConnectionFloodKeepsMemoryBoundedAndServes runs the onpush bootstrap
// as an HTTP receiver and floods it on loopback with unauthenticated
// connections that each announce a 1 MiB body and trickle it, reconnecting
// when refused, while authenticated requests keep being sent: they are all
// served, and the receiver's peak RSS (VmHWM, read from /proc) stays
// within floodRSSBound of its idle size.
func TestConnectionFloodKeepsMemoryBoundedAndServes(t *testing.T) {
	srv := newRegistry(t, onpushSeed())
	policy := writeFile(t, "policy.yaml", onpushPolicy)
	rcv := lambdatest.StartReceiver(t, lambdatest.BuildBootstrap(t, onpushPkg), functionEnv(srv, policy, ""))
	structured := urlRequest(t, "functionurl-structured.json")
	event, err := base64.StdEncoding.DecodeString(structured.Body)
	require.NoError(t, err)

	// One authenticated request first, so that the idle size includes a
	// served request.
	status, body := post(t, rcv.URL, string(event), webhookAuth)
	require.Equal(t, http.StatusOK, status, body)
	_, idle, err := rcv.Memory()
	require.NoError(t, err)

	ctx, cancel := context.WithTimeout(context.Background(), floodDuration)
	defer cancel()
	addr := strings.TrimPrefix(rcv.URL, "http://")
	var wg sync.WaitGroup
	var refused, sent atomic.Int64
	for range flooders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for ctx.Err() == nil {
				n, ok := flood(ctx, addr)
				sent.Add(n)
				if ok {
					refused.Add(1)
				}
			}
		}()
	}

	// Authenticated requests are served throughout the flood.
	served := 0
	for ctx.Err() == nil {
		status, body := post(t, rcv.URL, string(event), webhookAuth)
		require.Equal(t, http.StatusOK, status, "an authenticated request during the flood: %s", body)
		served++
	}
	wg.Wait()

	peak, current, err := rcv.Memory()
	require.NoError(t, err)
	t.Logf("flood of %d connections for %v: %d refusals, %d MiB of body sent; %d authenticated requests served; "+
		"RSS idle %.1f MiB, peak %.1f MiB, after %.1f MiB",
		flooders, floodDuration, refused.Load(), sent.Load()>>20, served, mib(idle), mib(peak), mib(current))
	assert.Positive(t, served)
	assert.Positive(t, refused.Load(), "the flooders were answered, not left hanging")
	assert.Less(t, peak-idle, int64(floodRSSBound), "peak RSS %.1f MiB grew more than %.0f MiB over the idle %.1f MiB",
		mib(peak), mib(floodRSSBound), mib(idle))
	assert.Contains(t, rcv.Log(), `"status":401`, "the flood was refused as unauthenticated")
}

// flood sends one unauthenticated request that announces floodBody bytes
// and trickles them, until the receiver answers or ctx ends. It returns
// the bytes of body sent and whether an answer came.
func flood(ctx context.Context, addr string) (int64, bool) {
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return 0, false
	}
	defer conn.Close()
	stop := context.AfterFunc(ctx, func() { conn.Close() })
	defer stop()
	fmt.Fprintf(conn, "POST / HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n", addr, floodBody)
	answered := make(chan bool, 1)
	go func() {
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
		}
		answered <- err == nil
	}()
	chunk := make([]byte, 64<<10)
	var n int64
	for n < floodBody {
		w, err := conn.Write(chunk)
		n += int64(w)
		if err != nil {
			break
		}
		select {
		case ok := <-answered:
			return n, ok
		case <-time.After(20 * time.Millisecond):
		}
	}
	select {
	case ok := <-answered:
		return n, ok
	case <-ctx.Done():
		return n, false
	}
}

// post sends body as a structured CloudEvent with the given Authorization
// and returns the status and response body.
func post(t *testing.T, url, body, authorization string) (int, string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, url, strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/cloudevents+json")
	req.Header.Set("Authorization", authorization)
	client := &http.Client{Timeout: time.Minute}
	resp, err := client.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func mib(n int64) float64 { return float64(n) / (1 << 20) }
