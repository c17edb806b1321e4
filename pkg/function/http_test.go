package function_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/deadline"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

// lockedBuffer is a bytes.Buffer safe for the server's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) Bytes() []byte {
	b.mu.Lock()
	defer b.mu.Unlock()
	return bytes.Clone(b.buf.Bytes())
}

// seen records what a handler observed about its request context.
type seen struct {
	RequestID   string
	EventID     string
	HasDeadline bool
	Remaining   time.Duration
}

func observingHandler(logger *slog.Logger, out chan<- seen) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		_, ok := ctx.Deadline()
		logger.InfoContext(ctx, "handled")
		out <- seen{RequestID: function.RequestID(ctx), EventID: function.EventID(ctx), HasDeadline: ok, Remaining: deadline.Remaining(ctx)}
		w.WriteHeader(http.StatusAccepted)
	})
}

func TestHandlerServesHealthz(t *testing.T) {
	app := function.App{Name: "onpush", HTTP: http.NotFoundHandler(), Logger: function.NewLogger(io.Discard, slog.LevelInfo)}
	srv := httptest.NewServer(function.Handler(app))
	defer srv.Close()

	resp, err := http.Get(srv.URL + "/healthz")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusOK, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body map[string]string
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, map[string]string{"status": "ok", "function": "onpush"}, body)

	post, err := http.Post(srv.URL+"/healthz", "text/plain", nil)
	require.NoError(t, err)
	post.Body.Close()
	assert.Equal(t, http.StatusNotFound, post.StatusCode, "only GET is the health check; other methods reach the app")
}

func TestHandlerGivesRequestsIDsAndADeadline(t *testing.T) {
	logs := &lockedBuffer{}
	logger := function.NewLogger(logs, slog.LevelInfo)
	observed := make(chan seen, 1)
	app := function.App{Name: "onpush", Logger: logger, RequestTimeout: time.Minute, HTTP: observingHandler(logger, observed)}
	srv := httptest.NewServer(function.Handler(app))
	defer srv.Close()

	req, err := http.NewRequest(http.MethodPost, srv.URL+"/", strings.NewReader(`{}`))
	require.NoError(t, err)
	req.Header.Set("X-Request-Id", "client-req-7")
	req.Header.Set("Ce-Id", "evt-7")
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()

	assert.Equal(t, http.StatusAccepted, resp.StatusCode)
	assert.Equal(t, "client-req-7", resp.Header.Get("X-Request-Id"))
	got := <-observed
	assert.Equal(t, "client-req-7", got.RequestID)
	assert.Equal(t, "evt-7", got.EventID)
	assert.True(t, got.HasDeadline)
	assert.LessOrEqual(t, got.Remaining, time.Minute)
	assert.Greater(t, got.Remaining, time.Duration(0))

	lines := decodeLines(t, logs.Bytes())
	require.Len(t, lines, 1)
	assert.Equal(t, "client-req-7", lines[0]["requestId"])
	assert.Equal(t, "evt-7", lines[0]["eventId"])
}

func TestHandlerReplacesUnusableRequestIDs(t *testing.T) {
	observed := make(chan seen, 1)
	logger := function.NewLogger(io.Discard, slog.LevelInfo)
	srv := httptest.NewServer(function.Handler(function.App{Logger: logger, HTTP: observingHandler(logger, observed)}))
	defer srv.Close()

	for name, header := range map[string]string{
		"missing":     "",
		"with spaces": "a b",
		"too long":    strings.Repeat("x", 200),
		"non-ASCII":   "idé",
	} {
		t.Run(name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodPost, srv.URL+"/hook", nil)
			require.NoError(t, err)
			if header != "" {
				req.Header.Set("X-Request-Id", header)
			}
			resp, err := http.DefaultClient.Do(req)
			require.NoError(t, err)
			resp.Body.Close()
			got := <-observed
			assert.Regexp(t, `^[0-9a-f]{32}$`, got.RequestID)
			assert.Equal(t, got.RequestID, resp.Header.Get("X-Request-Id"))
			assert.Empty(t, got.EventID)
		})
	}
}

// startServe runs Serve on a loopback listener and returns its base URL, a
// function that stops it and a channel closed when Serve has returned,
// whose result the returned wait function reports.
func startServe(t *testing.T, app function.App) (base string, stop context.CancelFunc, done <-chan struct{}, wait func() error) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	finished := make(chan struct{})
	var serveErr error
	go func() {
		defer close(finished)
		serveErr = function.Serve(ctx, ln, app)
	}()
	wait = func() error {
		<-finished
		return serveErr
	}
	t.Cleanup(func() {
		cancel()
		<-finished
	})
	return "http://" + ln.Addr().String(), cancel, finished, wait
}

func TestServeDrainsInFlightRequestsOnShutdown(t *testing.T) {
	entered := make(chan struct{})
	release := make(chan struct{})
	shutdownHooks := make(chan struct{}, 1)
	app := function.App{
		Name:   "grantsync",
		Logger: function.NewLogger(io.Discard, slog.LevelInfo),
		HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-release
			io.WriteString(w, "finished")
		}),
		ShutdownTimeout: time.Minute,
		OnShutdown:      func() { shutdownHooks <- struct{}{} },
	}
	base, stop, done, wait := startServe(t, app)

	health, err := http.Get(base + "/healthz")
	require.NoError(t, err)
	health.Body.Close()
	require.Equal(t, http.StatusOK, health.StatusCode)

	type result struct {
		body string
		err  error
	}
	inflight := make(chan result, 1)
	go func() {
		resp, err := http.Post(base+"/event", "application/json", strings.NewReader(`{}`))
		if err != nil {
			inflight <- result{err: err}
			return
		}
		defer resp.Body.Close()
		b, err := io.ReadAll(resp.Body)
		inflight <- result{body: string(b), err: err}
	}()
	<-entered
	stop()

	select {
	case <-done:
		t.Fatalf("Serve returned (%v) while a request was in flight", wait())
	case <-shutdownHooks:
		t.Fatal("OnShutdown ran before the drain finished")
	default:
	}
	close(release)

	got := <-inflight
	require.NoError(t, got.err)
	assert.Equal(t, "finished", got.body)
	require.NoError(t, wait())
	select {
	case <-shutdownHooks:
	default:
		t.Fatal("OnShutdown did not run")
	}

	_, err = http.Get(base + "/healthz")
	assert.Error(t, err, "the listener is closed after shutdown")
}

func TestServeCancelsRequestsThatOutlastTheDrain(t *testing.T) {
	entered := make(chan struct{})
	cancelled := make(chan error, 1)
	app := function.App{
		Logger: function.NewLogger(io.Discard, slog.LevelInfo),
		HTTP: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(entered)
			<-r.Context().Done()
			cancelled <- r.Context().Err()
		}),
		ShutdownTimeout: 20 * time.Millisecond,
	}
	base, stop, _, wait := startServe(t, app)

	go func() {
		resp, err := http.Post(base+"/event", "application/json", nil)
		if err == nil {
			resp.Body.Close()
		}
	}()
	<-entered
	stop()

	err := wait()
	require.Error(t, err)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Contains(t, err.Error(), "drain in-flight requests")
	assert.ErrorIs(t, <-cancelled, context.Canceled)
}

func TestServeWithoutHTTPHandlerFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	err = function.Serve(context.Background(), ln, function.App{Name: "x", Logger: function.NewLogger(io.Discard, slog.LevelInfo)})
	require.Error(t, err)
	assert.Contains(t, err.Error(), "App.HTTP is nil")
	_, err = net.Dial("tcp", ln.Addr().String())
	assert.Error(t, err, "Serve closes the listener it was given")
}

func TestRunServesHTTPOnPortUntilCancelled(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	port := probe.Addr().(*net.TCPAddr).Port
	require.NoError(t, probe.Close())

	env := map[string]string{"PORT": strconv.Itoa(port)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- function.Run(ctx, function.App{
			Name:   "onpush",
			Logger: function.NewLogger(io.Discard, slog.LevelInfo),
			HTTP:   http.NotFoundHandler(),
			Getenv: func(k string) string { return env[k] },
		})
	}()

	url := "http://127.0.0.1:" + strconv.Itoa(port) + "/healthz"
	require.Eventually(t, func() bool {
		resp, err := http.Get(url)
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond, "receiver never became ready on %s", url)

	cancel()
	require.NoError(t, <-done)
}

func TestRunRejectsABadPort(t *testing.T) {
	for _, port := range []string{"http", "-1", "70000"} {
		err := function.Run(context.Background(), function.App{
			Logger: function.NewLogger(io.Discard, slog.LevelInfo),
			HTTP:   http.NotFoundHandler(),
			Getenv: func(k string) string {
				if k == "PORT" {
					return port
				}
				return ""
			},
		})
		require.Error(t, err, port)
		assert.Contains(t, err.Error(), `PORT "`+port+`" is not a port number`)
		assert.False(t, errors.Is(err, context.Canceled))
	}
}

// AUTOPILOT_LISTEN binds the receiver to the address given, loopback
// only here; a malformed one is refused before anything listens.
func TestRunListensOnAUTOPILOT_LISTEN(t *testing.T) {
	probe, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := probe.Addr().String()
	require.NoError(t, probe.Close())

	env := map[string]string{"AUTOPILOT_LISTEN": addr, "PORT": "not used"}
	var logs lockedBuffer
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- function.Run(ctx, function.App{Name: "onpush", Logger: function.NewLogger(&logs, slog.LevelInfo),
			HTTP: http.NotFoundHandler(), Getenv: func(k string) string { return env[k] }})
	}()
	require.Eventually(t, func() bool {
		resp, err := http.Get("http://" + addr + "/healthz")
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	}, 10*time.Second, 10*time.Millisecond)
	cancel()
	require.NoError(t, <-done)
	assert.Contains(t, string(logs.Bytes()), `"addr":"`+addr+`"`)

	for _, bad := range []string{"8080", "localhost", "127.0.0.1:http", "127.0.0.1:"} {
		env := map[string]string{"AUTOPILOT_LISTEN": bad}
		err := function.Run(context.Background(), function.App{Logger: function.NewLogger(io.Discard, slog.LevelInfo),
			HTTP: http.NotFoundHandler(), Getenv: func(k string) string { return env[k] }})
		require.Error(t, err, bad)
		assert.Contains(t, err.Error(), "AUTOPILOT_LISTEN", bad)
	}
}

// The receiver holds at most MaxConnections connections: the next client
// waits until one closes, and is then served.
func TestServeCapsConcurrentConnections(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		done <- function.Serve(ctx, ln, function.App{Name: "capped", MaxConnections: 2,
			Logger: function.NewLogger(io.Discard, slog.LevelInfo), HTTP: http.NotFoundHandler()})
	}()
	defer func() { cancel(); require.NoError(t, <-done) }()

	// Two idle connections take both slots.
	var held []net.Conn
	for range 2 {
		c, err := net.Dial("tcp", ln.Addr().String())
		require.NoError(t, err)
		held = append(held, c)
	}
	served := make(chan int, 1)
	go func() {
		resp, err := http.Get("http://" + ln.Addr().String() + "/healthz")
		if err != nil {
			served <- 0
			return
		}
		resp.Body.Close()
		served <- resp.StatusCode
	}()
	select {
	case code := <-served:
		t.Fatalf("served (%d) while both slots were held", code)
	case <-time.After(200 * time.Millisecond):
	}
	held[0].Close()
	select {
	case code := <-served:
		assert.Equal(t, http.StatusOK, code)
	case <-time.After(30 * time.Second):
		t.Fatal("not served after a slot was freed")
	}
	held[1].Close()
}
