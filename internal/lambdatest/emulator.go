//go:build linux

package lambdatest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Defaults of the emulated function.
const (
	// DefaultFunctionName is AWS_LAMBDA_FUNCTION_NAME unless env sets it.
	DefaultFunctionName = "function"
	// DefaultTimeoutSeconds is AWS_LAMBDA_FUNCTION_TIMEOUT unless env
	// sets it.
	DefaultTimeoutSeconds = 30
)

const (
	invokePath   = "/2015-03-31/functions/function/invocations"
	readyTimeout = 10 * time.Second
	stopTimeout  = 5 * time.Second
)

// Emulator is a running Runtime Interface Emulator hosting one bootstrap.
type Emulator struct {
	// URL is the invocation endpoint, the one `sam local start-lambda`
	// clients post to.
	URL string

	client  *http.Client
	log     *lockedBuffer
	exited  chan struct{}
	stop    context.CancelFunc
	waitErr error

	// invoke serializes invocations: the emulator crashes when two
	// arrive at once.
	invoke sync.Mutex
}

// Start runs bootstrap under the emulator on two free loopback ports and
// waits until it accepts invocations. The function's environment is exactly
// AWS_LAMBDA_FUNCTION_NAME=function, AWS_LAMBDA_FUNCTION_TIMEOUT=30, PATH
// and env ("KEY=value" entries, which override those defaults): nothing of
// the test process leaks into it. The emulator is stopped with SIGTERM when
// the test ends, and its log (which includes the function's output) is
// written to the test log if the test failed.
func Start(t testing.TB, bootstrap string, env []string) *Emulator {
	t.Helper()
	abs, err := filepath.Abs(bootstrap)
	if err != nil {
		t.Fatalf("start emulator: %v", err)
	}
	rie := RIEPath(t)
	ports := freePorts(t, 2)
	invokeAddr, runtimeAddr := "127.0.0.1:"+ports[0], "127.0.0.1:"+ports[1]

	ctx, cancel := context.WithCancel(context.Background())
	cmd := exec.CommandContext(ctx, rie,
		"--runtime-interface-emulator-address", invokeAddr,
		"--runtime-api-address", runtimeAddr,
		"--log-level", "error",
		abs)
	cmd.Env = append([]string{
		"PATH=" + os.Getenv("PATH"),
		"AWS_LAMBDA_FUNCTION_NAME=" + DefaultFunctionName,
		"AWS_LAMBDA_FUNCTION_TIMEOUT=" + strconv.Itoa(DefaultTimeoutSeconds),
	}, env...)
	logs := &lockedBuffer{}
	cmd.Stdout = logs
	cmd.Stderr = logs
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start emulator %s: %v", rie, err)
	}

	e := &Emulator{
		URL:    "http://" + invokeAddr + invokePath,
		client: &http.Client{},
		log:    logs,
		exited: make(chan struct{}),
		stop:   cancel,
	}
	go func() {
		defer close(e.exited)
		e.waitErr = cmd.Wait()
	}()
	t.Cleanup(func() {
		e.Close()
		if t.Failed() {
			t.Logf("emulator for %s (exit: %v) logged:\n%s", abs, e.waitErr, logs.String())
		}
	})

	if err := e.waitReady(invokeAddr); err != nil {
		t.Fatalf("start emulator for %s: %v\nemulator log:\n%s", abs, err, logs.String())
	}
	return e
}

// waitReady polls the invocation address until it accepts connections.
func (e *Emulator) waitReady(addr string) error {
	deadline := time.Now().Add(readyTimeout)
	for {
		conn, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			conn.Close()
			return nil
		}
		select {
		case <-e.exited:
			return errors.New("the emulator exited before it was ready")
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not accepting connections on %s after %s: %w", addr, readyTimeout, err)
		}
	}
}

// Invoke sends payload as one invocation and returns the emulator's status
// code and body. Invocations of one Emulator run one at a time. Besides
// transport failures, the error is a *FunctionError when the function
// returned an error (the emulator answers those with 200), ErrTimeout when
// the invocation ran out of time, and a *StatusError for any other non-200
// answer (a panic that ended the runtime, for one).
func (e *Emulator) Invoke(ctx context.Context, payload []byte) (status int, body []byte, err error) {
	e.invoke.Lock()
	defer e.invoke.Unlock()
	select {
	case <-e.exited:
		return 0, nil, errors.New("invoke: the emulator has exited")
	default:
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, e.URL, bytes.NewReader(payload))
	if err != nil {
		return 0, nil, fmt.Errorf("invoke: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := e.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("invoke: %w", err)
	}
	defer resp.Body.Close()
	body, err = io.ReadAll(resp.Body)
	if err != nil {
		return resp.StatusCode, body, fmt.Errorf("invoke: read response: %w", err)
	}
	return resp.StatusCode, body, classify(resp.StatusCode, body)
}

// InvokeJSON marshals in, invokes the function and unmarshals a successful
// response into out (skipped when out is nil).
func (e *Emulator) InvokeJSON(ctx context.Context, in, out any) error {
	payload, err := json.Marshal(in)
	if err != nil {
		return fmt.Errorf("invoke: encode payload: %w", err)
	}
	_, body, err := e.Invoke(ctx, payload)
	if err != nil {
		return err
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		return fmt.Errorf("invoke: decode response %.200q: %w", body, err)
	}
	return nil
}

// Close stops the emulator with SIGTERM (killing it after a few seconds)
// and waits for it to exit. It is safe to call more than once; tests need
// not call it, as Start arranges it for the end of the test.
func (e *Emulator) Close() {
	e.stop()
	<-e.exited
}

// Log returns everything the emulator and the function wrote so far.
func (e *Emulator) Log() string { return e.log.String() }

// lockedBuffer collects the emulator's output from its copying goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// freePorts reserves n distinct loopback ports, holding them all open
// until each is chosen so that none is picked twice.
func freePorts(t testing.TB, n int) []string {
	t.Helper()
	ports := make([]string, 0, n)
	for range n {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatalf("reserve a port: %v", err)
		}
		defer ln.Close()
		ports = append(ports, strconv.Itoa(ln.Addr().(*net.TCPAddr).Port))
	}
	return ports
}
