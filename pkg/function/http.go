package function

import (
	"cmp"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/httpstatus"
)

// Timeouts of the HTTP receiver that do not depend on the App. They are
// tight: a webhook's headers and body (at most 1 MiB) arrive in well under
// a second, and a client that trickles them holds a connection slot.
const (
	readHeaderTimeout = 5 * time.Second
	readTimeout       = 15 * time.Second
	idleTimeout       = time.Minute
	// writeSlack lets a handler that stopped at its deadline still write
	// its response.
	writeSlack = 10 * time.Second
)

// DefaultMaxConnections caps the connections the receiver holds open at
// once when App.MaxConnections is zero. Further clients wait in the
// kernel's accept queue, costing the process nothing.
const DefaultMaxConnections = 64

// Request headers the receiver reads.
const (
	headerRequestID = "X-Request-Id"
	headerCEID      = "Ce-Id"
)

// maxRequestIDLen bounds a client-supplied X-Request-Id kept for logging.
const maxRequestIDLen = 128

// HealthPath answers GET with 200 and a small JSON status document.
const HealthPath = "/healthz"

// Serve runs the HTTP receiver of app on ln until ctx ends, then stops
// accepting connections, waits at most app.ShutdownTimeout for in-flight
// requests, cancels those still running and returns. It returns nil after a
// shutdown caused by ctx, and the serving error otherwise.
func Serve(ctx context.Context, ln net.Listener, app App) error {
	logger := app.logger()
	if app.HTTP == nil {
		ln.Close()
		return fmt.Errorf("serve %s: App.HTTP is nil", app.Name)
	}
	// In-flight requests outlive ctx by the drain period: their base
	// context is detached from ctx and cancelled only when the drain ends.
	base, cancelBase := context.WithCancel(context.WithoutCancel(ctx))
	defer cancelBase()
	srv := &http.Server{
		Handler:           Handler(app),
		ReadHeaderTimeout: readHeaderTimeout,
		ReadTimeout:       readTimeout,
		WriteTimeout:      app.requestTimeout() + writeSlack,
		IdleTimeout:       idleTimeout,
		BaseContext:       func(net.Listener) context.Context { return base },
		ErrorLog:          slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
	served := make(chan error, 1)
	ln = limitListener(ln, app.maxConnections())
	go func() { served <- srv.Serve(ln) }()
	logger.Info("HTTP receiver listening", "function", app.Name, "addr", ln.Addr().String())

	select {
	case err := <-served:
		return fmt.Errorf("serve %s on %s: %w", app.Name, ln.Addr(), err)
	case <-ctx.Done():
	}

	logger.Info("shutting down HTTP receiver", "function", app.Name, "drain", app.shutdownTimeout().String())
	drainCtx, cancelDrain := context.WithTimeout(context.WithoutCancel(ctx), app.shutdownTimeout())
	defer cancelDrain()
	err := srv.Shutdown(drainCtx)
	if err != nil {
		cancelBase()
		srv.Close()
		err = fmt.Errorf("serve %s: drain in-flight requests: %w", app.Name, err)
	}
	if serr := <-served; !errors.Is(serr, http.ErrServerClosed) {
		err = errors.Join(err, fmt.Errorf("serve %s: %w", app.Name, serr))
	}
	if app.OnShutdown != nil {
		app.OnShutdown()
	}
	return err
}

// Handler returns the receiver's routes: GET /healthz, and app.HTTP for
// every other request. Each request to app.HTTP gets a context with a
// deadline of app.RequestTimeout, a request id (X-Request-Id when the client
// sent a usable one, a random one otherwise; echoed in the response) and,
// for binary-mode CloudEvents, the ce-id as event id.
func Handler(app App) http.Handler {
	logger := app.logger()
	mux := http.NewServeMux()
	health, _ := json.Marshal(map[string]string{"status": "ok", "function": app.Name})
	mux.HandleFunc("GET "+HealthPath, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		w.Write(health)
	})
	next := app.HTTP
	if next == nil {
		next = http.NotFoundHandler()
	}
	timeout := app.requestTimeout()
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(headerRequestID)
		if !usableRequestID(id) {
			id = newRequestID()
		}
		w.Header().Set(headerRequestID, id)
		ctx, cancel := context.WithTimeout(r.Context(), timeout)
		defer cancel()
		ctx = WithRequestID(ctx, id)
		if ceID := r.Header.Get(headerCEID); ceID != "" {
			ctx = WithEventID(ctx, ceID)
		}
		rec := &httpstatus.Recorder{ResponseWriter: w}
		start := time.Now()
		next.ServeHTTP(rec, r.WithContext(ctx))
		logger.DebugContext(ctx, "request served", "method", r.Method, "path", r.URL.Path,
			"status", cmp.Or(rec.Status(), http.StatusOK), "duration", time.Since(start).String())
	}))
	return mux
}

// usableRequestID accepts short printable ASCII ids only, so a client
// cannot inject control characters or bulk into the logs.
func usableRequestID(id string) bool {
	if id == "" || len(id) > maxRequestIDLen {
		return false
	}
	for i := 0; i < len(id); i++ {
		if id[i] < 0x21 || id[i] > 0x7e {
			return false
		}
	}
	return true
}

func newRequestID() string {
	var b [16]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// limitListener accepts at most n connections at a time: Accept waits
// until one of them is closed.
func limitListener(ln net.Listener, n int) net.Listener {
	return &limitedListener{Listener: ln, slots: make(chan struct{}, n), done: make(chan struct{})}
}

type limitedListener struct {
	net.Listener
	slots chan struct{} // one token per connection open
	done  chan struct{} // closed by Close
	once  sync.Once
}

func (l *limitedListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &slotConn{Conn: c, free: func() { <-l.slots }}, nil
}

func (l *limitedListener) Close() error {
	l.once.Do(func() { close(l.done) })
	return l.Listener.Close()
}

// slotConn gives its slot back once, when closed.
type slotConn struct {
	net.Conn
	once sync.Once
	free func()
}

func (c *slotConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.free)
	return err
}
