//go:build unix

package main

import (
	"bufio"
	"context"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// readURL waits for the one line the emulator prints on stdout.
func readURL(t *testing.T, r io.Reader) string {
	t.Helper()
	line := make(chan string, 1)
	go func() {
		s, _ := bufio.NewReader(r).ReadString('\n')
		line <- strings.TrimSpace(s)
	}()
	select {
	case u := <-line:
		require.True(t, strings.HasPrefix(u, "http://127.0.0.1:"), "printed %q", u)
		return u
	case <-time.After(60 * time.Second):
		t.Fatal("the emulator printed no URL")
		return ""
	}
}

// signedGet sends a request signed with ak/sk the way the SDK does.
func signedGet(t *testing.T, base, path, ak, sk string) int {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, base+path, nil)
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/json")
	swr.Sign(req, nil, ak, sk, time.Now())
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	resp.Body.Close()
	return resp.StatusCode
}

func TestEmulatorFlags(t *testing.T) {
	var out, errOut strings.Builder
	assert.Equal(t, 2, runEmulator(context.Background(), []string{"-ak", "AK"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "-ak and -sk are required")
	assert.Equal(t, 2, runEmulator(context.Background(), []string{"-bogus"}, &out, &errOut))
	assert.Equal(t, 0, runEmulator(context.Background(), []string{"-h"}, &out, &errOut))
	errOut.Reset()
	assert.Equal(t, 2, runEmulator(context.Background(), []string{"-ak", "AK", "-sk", "SK", "-reading", "anchoring=partial"}, &out, &errOut))
	assert.Contains(t, errOut.String(), "anchoring must be substring or whole")
	for _, rate := range []string{"NaN", "+Inf", "-1"} {
		errOut.Reset()
		assert.Equal(t, 2, runEmulator(context.Background(), []string{"-ak", "AK", "-sk", "SK", "-rate", rate}, &out, &errOut), "-rate %s", rate)
		assert.Contains(t, errOut.String(), "-rate must be a finite number", "-rate %s", rate)
	}

	seed := filepath.Join(t.TempDir(), "seed.yaml")
	require.NoError(t, os.WriteFile(seed, []byte("namespaces:\n  - name: Bad\n"), 0o600))
	errOut.Reset()
	assert.Equal(t, 1, runEmulator(context.Background(), []string{"-ak", "AK", "-sk", "SK", "-seed", seed}, &out, &errOut))
	assert.Contains(t, errOut.String(), "line 2")
	assert.Empty(t, out.String())
}

func TestEmulatorInProcess(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	require.NoError(t, os.WriteFile(seed, []byte("namespaces:\n  - name: team-a\n    repositories:\n      - name: web/app\n"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runEmulator(ctx, []string{"-listen", "127.0.0.1:0", "-ak", "AK1", "-sk", "SK1", "-seed", seed, "-quota", "3", "-reading", "anchoring=whole,days=utc+8"}, pw, io.Discard)
		pw.Close()
	}()
	base := readURL(t, pr)
	assert.Equal(t, http.StatusOK, signedGet(t, base, "/v2/manage/namespaces/team-a/repos/web$app", "AK1", "SK1"))
	assert.Equal(t, http.StatusUnauthorized, signedGet(t, base, "/v2/manage/namespaces", "AK1", "wrong"))
	resp, err := http.Get(base + "/_emulator/readings")
	require.NoError(t, err)
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	assert.JSONEq(t, `{"reading":"anchoring=whole,order=updated,ties=desc,cutoff=strict,days=utc+8"}`, string(body), "-reading sets what the emulator plays")
	cancel()
	assert.Equal(t, 0, <-done)
}

func TestEmulatorProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "swr-autopilot")
	build := exec.Command("go", "build", "-o", bin, ".")
	build.Stderr = os.Stderr
	require.NoError(t, build.Run())

	cmd := exec.Command(bin, "emulator", "-listen", "127.0.0.1:0", "-ak", "AKPROC", "-sk", "SKPROC")
	stdout, err := cmd.StdoutPipe()
	require.NoError(t, err)
	cmd.Stderr = os.Stderr
	require.NoError(t, cmd.Start())
	t.Cleanup(func() { _ = cmd.Process.Kill() })

	base := readURL(t, stdout)
	assert.Equal(t, http.StatusOK, signedGet(t, base, "/v2/manage/namespaces", "AKPROC", "SKPROC"))
	assert.Equal(t, http.StatusUnauthorized, signedGet(t, base, "/v2/manage/namespaces", "AKPROC", "other"))

	require.NoError(t, cmd.Process.Signal(syscall.SIGTERM))
	require.NoError(t, cmd.Wait(), "exit status 0 after SIGTERM")
	assert.Equal(t, 0, cmd.ProcessState.ExitCode())
}

func TestEmulatorServesSeveralRegions(t *testing.T) {
	seed := filepath.Join(t.TempDir(), "seed.yaml")
	require.NoError(t, os.WriteFile(seed, []byte("namespaces:\n  - name: team-a-dr\n"), 0o600))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	pr, pw := io.Pipe()
	done := make(chan int, 1)
	go func() {
		done <- runEmulator(ctx, []string{"-ak", "AK1", "-sk", "SK1", "-region", "cn-north-4,cn-east-3", "-seed", "cn-east-3=" + seed}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewReader(pr)
	urls := map[string]string{}
	for range 2 {
		line, err := lines.ReadString('\n')
		require.NoError(t, err)
		region, u, ok := strings.Cut(strings.TrimSpace(line), " ")
		require.True(t, ok, "printed %q", line)
		urls[region] = u
	}
	require.Len(t, urls, 2)
	assert.NotEqual(t, urls["cn-north-4"], urls["cn-east-3"])
	assert.Equal(t, http.StatusOK, signedGet(t, urls["cn-east-3"], "/v2/manage/namespaces/team-a-dr", "AK1", "SK1"))
	assert.Equal(t, http.StatusNotFound, signedGet(t, urls["cn-north-4"], "/v2/manage/namespaces/team-a-dr", "AK1", "SK1"), "the seed went to cn-east-3 only")
	cancel()
	assert.Equal(t, 0, <-done)

	var out, errOut strings.Builder
	assert.Equal(t, 2, runEmulator(context.Background(), []string{"-ak", "A", "-sk", "S", "-region", "cn-north-4,cn-north-4"}, &out, &errOut))
	assert.Equal(t, 1, runEmulator(context.Background(), []string{"-ak", "A", "-sk", "S", "-region", "cn-north-4,cn-east-3", "-seed", "mars-1=" + seed}, &out, &errOut))
	assert.Contains(t, errOut.String(), `region "mars-1" is not served`)
}
