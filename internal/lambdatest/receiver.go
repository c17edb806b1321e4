//go:build linux

package lambdatest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// Receiver is a bootstrap running as a plain HTTP receiver: without
// AWS_LAMBDA_RUNTIME_API, serving on PORT, as on Knative or a laptop.
type Receiver struct {
	// URL is the receiver's base URL, without a trailing slash.
	URL string

	cmd     *exec.Cmd
	log     *lockedBuffer
	exited  chan struct{}
	waitErr error
}

// StartReceiver runs bootstrap with PORT set to a free loopback port and
// waits until GET /healthz answers 200. The process environment is exactly
// PATH, PORT and env ("KEY=value" entries; AWS_LAMBDA_RUNTIME_API must not
// be among them). The process is killed when the test ends if it is still
// running, and its output is written to the test log if the test failed.
func StartReceiver(t testing.TB, bootstrap string, env []string) *Receiver {
	t.Helper()
	abs, err := filepath.Abs(bootstrap)
	if err != nil {
		t.Fatalf("start receiver: %v", err)
	}
	port := freePorts(t, 1)[0]
	cmd := exec.Command(abs)
	cmd.Env = append([]string{"PATH=" + os.Getenv("PATH"), "PORT=" + port}, env...)
	logs := &lockedBuffer{}
	cmd.Stdout = logs
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatalf("start receiver %s: %v", abs, err)
	}
	r := &Receiver{URL: "http://127.0.0.1:" + port, cmd: cmd, log: logs, exited: make(chan struct{})}
	go func() {
		defer close(r.exited)
		r.waitErr = cmd.Wait()
	}()
	t.Cleanup(func() {
		select {
		case <-r.exited:
		default:
			cmd.Process.Kill()
			<-r.exited
		}
		if t.Failed() {
			t.Logf("receiver %s (exit: %v) logged:\n%s", abs, r.waitErr, logs.String())
		}
	})
	if err := r.waitHealthy(); err != nil {
		t.Fatalf("start receiver %s: %v\nreceiver log:\n%s", abs, err, logs.String())
	}
	return r
}

// waitHealthy polls GET /healthz until it answers 200.
func (r *Receiver) waitHealthy() error {
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(readyTimeout)
	for {
		resp, err := client.Get(r.URL + "/healthz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
			err = fmt.Errorf("GET /healthz answered %d", resp.StatusCode)
		}
		select {
		case <-r.exited:
			return fmt.Errorf("the receiver exited before it was healthy: %v", r.waitErr)
		case <-time.After(10 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("not healthy after %s: %w", readyTimeout, err)
		}
	}
}

// Stop sends SIGTERM and waits for the process to exit, at most timeout
// (after which it is killed). It returns the process's exit error: nil for
// a clean shutdown.
func (r *Receiver) Stop(timeout time.Duration) error {
	select {
	case <-r.exited:
		return r.waitErr
	default:
	}
	if err := r.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		return fmt.Errorf("stop receiver: %w", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	select {
	case <-r.exited:
		return r.waitErr
	case <-ctx.Done():
		r.cmd.Process.Kill()
		<-r.exited
		return errors.New("stop receiver: still running after SIGTERM and " + timeout.String() + "; killed")
	}
}

// Log returns everything the receiver wrote so far.
func (r *Receiver) Log() string { return r.log.String() }

// Memory returns the receiver process's peak resident set size (VmHWM)
// and current one (VmRSS), in bytes, from /proc.
func (r *Receiver) Memory() (peak, current int64, err error) {
	data, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", r.cmd.Process.Pid))
	if err != nil {
		return 0, 0, fmt.Errorf("receiver memory: %w", err)
	}
	for _, line := range strings.Split(string(data), "\n") {
		name, value, ok := strings.Cut(line, ":")
		if !ok || (name != "VmHWM" && name != "VmRSS") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(value), " kB"), 10, 64)
		if err != nil {
			return 0, 0, fmt.Errorf("receiver memory: %s: %w", line, err)
		}
		if name == "VmHWM" {
			peak = kb << 10
		} else {
			current = kb << 10
		}
	}
	if peak == 0 || current == 0 {
		return 0, 0, errors.New("receiver memory: no VmHWM or VmRSS in /proc status")
	}
	return peak, current, nil
}
