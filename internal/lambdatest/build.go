//go:build linux

package lambdatest

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	goruntime "runtime"
	"strings"
	"testing"
)

// RIEPackage is the emulator command, pinned by the tool directive of the
// tools module (ToolsDir), not by the product's go.mod.
const RIEPackage = "github.com/aws/aws-lambda-runtime-interface-emulator/cmd/aws-lambda-rie"

// ToolsDir is the directory of the tools module, relative to the
// product's module root.
const ToolsDir = "tools"

// cacheDirName is created beside the test binary, inside the temporary work
// directory that `go test` removes after the run, so that builds are shared
// by every test of one test binary and vanish with it.
const cacheDirName = "lambdatest-cache"

// BuildBootstrap builds the function package pkg (an import path, or a
// directory relative to the test's working directory) as a Lambda
// bootstrap: CGO_ENABLED=0, GOOS=linux, the host GOARCH, -tags
// lambda.norpc,nethttpomithttp2, the Makefile's -gcflags and
// -ldflags="-s -w". Unlike the SAM build it omits
// -trimpath, which changes no behaviour but would miss every compiled
// package the go command has cached (by `go vet`, say) and so double the
// time of a first build. It returns the absolute path of the binary, named
// bootstrap. A package is built once per test binary; later calls return
// the same file.
func BuildBootstrap(t testing.TB, pkg string) string {
	t.Helper()
	dir := filepath.Join(cacheDir(t), "bootstrap-"+shortHash(pkg))
	out := filepath.Join(dir, "bootstrap")
	if _, err := os.Stat(out); err == nil {
		return out
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("build bootstrap %s: %v", pkg, err)
	}
	// Build to a private name and rename, so parallel tests that build the
	// same package never see a half-written binary.
	tmp, err := os.MkdirTemp(dir, "build-")
	if err != nil {
		t.Fatalf("build bootstrap %s: %v", pkg, err)
	}
	defer os.RemoveAll(tmp)
	built := filepath.Join(tmp, "bootstrap")
	cmd := exec.Command(goCommand(t), "build", "-tags", "lambda.norpc,nethttpomithttp2", "-gcflags=all=-l", "-gcflags=runtime/...=", "-gcflags=internal/...=", "-gcflags=sync/...=",
		"-gcflags=crypto/...=", "-gcflags=net/...=", "-gcflags=vendor/...=", "-ldflags=-s -w", "-o", built, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOARCH="+goruntime.GOARCH)
	if output, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build bootstrap %s: %v\n%s", pkg, err, output)
	}
	if err := os.Rename(built, out); err != nil {
		t.Fatalf("build bootstrap %s: %v", pkg, err)
	}
	return out
}

// RIEPath returns the path of the emulator binary, built by the go command
// from the version the tools module pins (`go tool -n aws-lambda-rie`, run
// in ToolsDir).
func RIEPath(t testing.TB) string {
	t.Helper()
	record := filepath.Join(cacheDir(t), "rie-path")
	if b, err := os.ReadFile(record); err == nil {
		if p := string(b); fileExists(p) {
			return p
		}
	}
	cmd := exec.Command(goCommand(t), "tool", "-n", path.Base(RIEPackage))
	cmd.Dir = toolsDir(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	output, err := cmd.Output()
	if err != nil {
		t.Fatalf("locate the runtime interface emulator (is %s a tool of %s/go.mod?): %v\n%s", RIEPackage, ToolsDir, err, stderr.String())
	}
	p := strings.TrimSpace(string(output))
	if !fileExists(p) {
		t.Fatalf("locate the runtime interface emulator: go tool -n printed %q, which is not a file", p)
	}
	os.WriteFile(record, []byte(p), 0o644)
	return p
}

// toolsDir finds the tools module beside the go.mod of the module the test
// runs in.
func toolsDir(t testing.TB) string {
	t.Helper()
	out, err := exec.Command(goCommand(t), "env", "GOMOD").Output()
	gomod := strings.TrimSpace(string(out))
	if err != nil || gomod == "" || gomod == os.DevNull {
		t.Fatalf("find the module root (go env GOMOD = %q): %v", gomod, err)
	}
	dir := filepath.Join(filepath.Dir(gomod), ToolsDir)
	if !fileExists(filepath.Join(dir, "go.mod")) {
		t.Fatalf("find the tools module: no %s", filepath.Join(dir, "go.mod"))
	}
	return dir
}

// cacheDir returns the per-test-binary cache directory, or a directory of
// the test's own when the one beside the binary cannot be written.
func cacheDir(t testing.TB) string {
	t.Helper()
	if exe, err := os.Executable(); err == nil {
		dir := filepath.Join(filepath.Dir(exe), cacheDirName)
		if err := os.MkdirAll(dir, 0o755); err == nil {
			return dir
		}
	}
	return t.TempDir()
}

func goCommand(t testing.TB) string {
	t.Helper()
	// `go test` puts its own GOROOT/bin first on PATH.
	p, err := exec.LookPath("go")
	if err != nil {
		t.Fatalf("find the go command: %v", err)
	}
	return p
}

func shortHash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:6])
}

func fileExists(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.Mode().IsRegular()
}
