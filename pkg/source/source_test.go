package source

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/sigv4"
)

// exampleFile stands for any file the product reads.
const exampleFile = "teams:\n  - name: payments\n"

func sha256Hex(data []byte) string {
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:])
}

func TestFetchLocal(t *testing.T) {
	example := []byte(exampleFile)
	path := filepath.Join(t.TempDir(), "example.yaml")
	require.NoError(t, os.WriteFile(path, example, 0o600))

	c, err := Fetch(context.Background(), path, Options{})
	require.NoError(t, err)
	assert.Equal(t, path, c.Source)
	assert.Equal(t, example, c.Data)
	assert.Equal(t, sha256Hex(example), c.SHA256)
	assert.Empty(t, c.ETag)

	abs, err := filepath.Abs(path)
	require.NoError(t, err)
	viaURL, err := Fetch(context.Background(), "file://"+abs, Options{})
	require.NoError(t, err)
	assert.Equal(t, c.SHA256, viaURL.SHA256)

	_, err = Fetch(context.Background(), filepath.Join(t.TempDir(), "missing.yaml"), Options{})
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, err = Fetch(context.Background(), path, Options{MaxBytes: 10})
	assert.ErrorContains(t, err, "larger than the 10-byte limit")

	_, err = Fetch(context.Background(), "ftp://host/dir.yaml", Options{})
	assert.EqualError(t, err, `fetch: unsupported source scheme "ftp": use a path, https:// or s3://`)
}

func TestFetchHTTPS(t *testing.T) {
	example := []byte(exampleFile)
	mux := http.NewServeMux()
	mux.HandleFunc("GET /dir.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("ETag", `"v1"`)
		_, _ = w.Write(example)
	})
	mux.HandleFunc("GET /missing.yaml", http.NotFound)
	mux.HandleFunc("GET /big.yaml", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "5000")
		_, _ = w.Write(make([]byte, 5000))
	})
	mux.HandleFunc("GET /streamed.yaml", func(w http.ResponseWriter, r *http.Request) {
		for range 50 { // no Content-Length: the limit applies while reading
			_, _ = w.Write([]byte(strings.Repeat("#", 100) + "\n"))
			w.(http.Flusher).Flush()
		}
	})
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	opts := Options{HTTPClient: srv.Client()}

	c, err := Fetch(context.Background(), srv.URL+"/dir.yaml", opts)
	require.NoError(t, err)
	assert.Equal(t, exampleFile, string(c.Data))
	assert.Equal(t, `"v1"`, c.ETag)
	assert.Equal(t, sha256Hex(example), c.SHA256)
	assert.Equal(t, srv.URL+"/dir.yaml", c.Source)

	_, err = Fetch(context.Background(), srv.URL+"/missing.yaml", opts)
	assert.EqualError(t, err, "fetch "+srv.URL+"/missing.yaml: HTTP 404 Not Found")

	_, err = Fetch(context.Background(), srv.URL+"/big.yaml", Options{HTTPClient: srv.Client(), MaxBytes: 1000})
	assert.ErrorContains(t, err, "5000 bytes is larger than the 1000-byte limit")

	_, err = Fetch(context.Background(), srv.URL+"/streamed.yaml", Options{HTTPClient: srv.Client(), MaxBytes: 1000})
	assert.ErrorContains(t, err, "larger than the 1000-byte limit")

	_, err = Fetch(context.Background(), srv.URL+"/dir.yaml", Options{})
	assert.ErrorContains(t, err, "certificate", "the test server's certificate is trusted only through its client")
}

func TestFetchHTTPNeverLeaksCredentials(t *testing.T) {
	srv := httptest.NewTLSServer(http.NotFoundHandler())
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "https://")
	src := "https://deploy:hunter2@" + host + "/dir.yaml?X-Amz-Signature=s3cr3t&token=abc#frag"

	c, err := Fetch(context.Background(), src, Options{HTTPClient: srv.Client()})
	require.Error(t, err)
	for _, secret := range []string{"hunter2", "s3cr3t", "token=abc", "deploy"} {
		assert.NotContains(t, err.Error(), secret)
	}
	assert.Empty(t, c.Source)

	// Transport errors (here: a closed server) must not repeat the URL either.
	srv.Close()
	_, err = Fetch(context.Background(), src, Options{HTTPClient: srv.Client()})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
	assert.NotContains(t, err.Error(), "s3cr3t")

	_, err = Fetch(context.Background(), "https://user:hunter2@[::1", Options{})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "hunter2")
}

func TestFetchPlainHTTP(t *testing.T) {
	example := []byte(exampleFile)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = w.Write(example)
	}))
	t.Cleanup(srv.Close)

	_, err := Fetch(context.Background(), srv.URL+"/dir.yaml", Options{})
	assert.ErrorContains(t, err, `plain http is refused for host "127.0.0.1": use https`)

	c, err := Fetch(context.Background(), srv.URL+"/dir.yaml", Options{AllowLoopbackHTTP: true})
	require.NoError(t, err)
	assert.Equal(t, exampleFile, string(c.Data))

	_, err = Fetch(context.Background(), "http://directory.example.com/dir.yaml", Options{AllowLoopbackHTTP: true})
	assert.ErrorContains(t, err, `plain http is refused for host "directory.example.com"`)
}

func TestFetchHTTPSRedirectToPlainHTTPRefused(t *testing.T) {
	var plainHits atomic.Int32
	plain := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		plainHits.Add(1)
		_, _ = w.Write([]byte("teams: []\n"))
	}))
	t.Cleanup(plain.Close)
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://localhost:"+plain.URL[strings.LastIndex(plain.URL, ":")+1:]+"/dir.yaml", http.StatusFound)
	}))
	t.Cleanup(srv.Close)

	_, err := Fetch(context.Background(), srv.URL+"/dir.yaml", Options{HTTPClient: srv.Client()})
	assert.ErrorContains(t, err, `plain http is refused for host "localhost"`)
	assert.Zero(t, plainHits.Load(), "the redirect was not followed")
}

func TestFetchTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		<-release // answer only once the test ends, long after the client gave up
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })

	_, err := Fetch(context.Background(), srv.URL+"/dir.yaml", Options{HTTPClient: srv.Client(), Timeout: 20 * time.Millisecond})
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// s3StandIn serves GetObject (path-style) from an in-memory bucket and
// records the requests it saw. Like S3, it checks the signature of a
// signed request (region eu-west-1) and refuses a wrong one.
type s3StandIn struct {
	bucket  string
	objects map[string][]byte
	secrets map[string]string // access key → secret key

	mu       sync.Mutex
	requests []*http.Request
}

func (s *s3StandIn) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	s.requests = append(s.requests, r.Clone(context.Background()))
	s.mu.Unlock()
	writeError := func(status int, code, msg string) {
		w.Header().Set("Content-Type", "application/xml")
		w.WriteHeader(status)
		_, _ = w.Write([]byte(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>` + code + `</Code><Message>` + msg + `</Message></Error>`))
	}
	if r.Header.Get("Authorization") != "" {
		secret := func(ak string) (string, bool) { sk, ok := s.secrets[ak]; return sk, ok }
		if err := sigv4.Verify(r, nil, "eu-west-1", "s3", secret, time.Now(), 15*time.Minute); err != nil {
			writeError(http.StatusForbidden, "SignatureDoesNotMatch", err.Error())
			return
		}
	}
	bucket, key, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/"), "/")
	body, ok := s.objects[key]
	if r.Method != http.MethodGet || bucket != s.bucket || !ok {
		writeError(http.StatusNotFound, "NoSuchKey", "The specified key does not exist.")
		return
	}
	w.Header().Set("ETag", `"`+sha256Hex(body)[:32]+`"`)
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.Header().Set("Content-Type", "application/yaml")
	_, _ = w.Write(body)
}

func (s *s3StandIn) seen() []*http.Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*http.Request(nil), s.requests...)
}

// isolateAWS keeps the developer's AWS environment out of the test.
func isolateAWS(t *testing.T) {
	for _, k := range []string{"AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_REGION", "AWS_DEFAULT_REGION", "AWS_ENDPOINT_URL_S3", "AWS_ENDPOINT_URL"} {
		t.Setenv(k, "")
	}
}

func TestFetchS3(t *testing.T) {
	isolateAWS(t)
	example := []byte(exampleFile)
	stand := &s3StandIn{bucket: "team-config", secrets: map[string]string{"AKIDTESTONLY": "secret-key-for-tests"}, objects: map[string][]byte{
		"swr/directory.yaml":  example,
		"swr/big.yaml":        make([]byte, 4096),
		"swr/a b+c~/dir.yaml": example,
	}}
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	anonymous := Options{S3: S3Options{Endpoint: srv.URL, UsePathStyle: true, Region: "eu-west-1", Anonymous: true}}

	c, err := Fetch(context.Background(), "s3://team-config/swr/directory.yaml", anonymous)
	require.NoError(t, err)
	assert.Equal(t, exampleFile, string(c.Data))
	assert.Equal(t, "s3://team-config/swr/directory.yaml", c.Source)
	assert.Equal(t, `"`+sha256Hex(example)[:32]+`"`, c.ETag)
	assert.Equal(t, sha256Hex(example), c.SHA256)
	require.Len(t, stand.seen(), 1)
	assert.Equal(t, "/team-config/swr/directory.yaml", stand.seen()[0].URL.Path, "path-style addressing")
	assert.Empty(t, stand.seen()[0].Header.Get("Authorization"), "anonymous requests are unsigned")

	static := anonymous
	static.S3.Anonymous = false
	static.S3.Credentials = sigv4.Credentials{AccessKeyID: "AKIDTESTONLY", SecretAccessKey: "secret-key-for-tests"}
	_, err = Fetch(context.Background(), "s3://team-config/swr/directory.yaml", static)
	require.NoError(t, err, "the stand-in accepted the signature")
	auth := stand.seen()[1].Header.Get("Authorization")
	assert.Contains(t, auth, "AWS4-HMAC-SHA256 Credential=AKIDTESTONLY/")
	assert.Contains(t, auth, "/eu-west-1/s3/aws4_request")
	assert.Equal(t, sha256Hex(nil), stand.seen()[1].Header.Get("X-Amz-Content-Sha256"), "S3 wants the payload hash")

	_, err = Fetch(context.Background(), "s3://team-config/swr/a b+c~/dir.yaml", static)
	require.NoError(t, err, "a key with reserved characters is signed as it is sent")
	assert.Equal(t, "/team-config/swr/a%20b%2Bc~/dir.yaml", stand.seen()[2].URL.EscapedPath())

	_, err = Fetch(context.Background(), "s3://team-config/swr/missing.yaml", static)
	var s3err *S3Error
	require.ErrorAs(t, err, &s3err)
	assert.Equal(t, "NoSuchKey", s3err.Code)
	assert.Equal(t, http.StatusNotFound, s3err.StatusCode)
	assert.ErrorContains(t, err, "fetch s3://team-config/swr/missing.yaml: S3 NoSuchKey (HTTP 404)")
	assert.NotContains(t, err.Error(), "secret-key-for-tests")

	wrong := static
	wrong.S3.Credentials.SecretAccessKey = "another-secret"
	_, err = Fetch(context.Background(), "s3://team-config/swr/directory.yaml", wrong)
	require.ErrorAs(t, err, &s3err)
	assert.Equal(t, "SignatureDoesNotMatch", s3err.Code)
	assert.NotContains(t, err.Error(), "another-secret")

	_, err = Fetch(context.Background(), "s3://team-config/swr/big.yaml", Options{MaxBytes: 1024, S3: anonymous.S3})
	assert.ErrorContains(t, err, "4096 bytes is larger than the 1024-byte limit")

	for _, bad := range []string{"s3://", "s3://bucket", "s3://bucket/", "s3:///key"} {
		_, err = Fetch(context.Background(), bad, anonymous)
		assert.EqualError(t, err, "fetch: an S3 source must be s3://bucket/key", bad)
	}
}

func TestFetchS3TakesTheLambdaEnvironment(t *testing.T) {
	isolateAWS(t)
	stand := &s3StandIn{bucket: "team-config", secrets: map[string]string{"ASIAROLE": "role-secret"},
		objects: map[string][]byte{"directory.yaml": []byte(exampleFile)}}
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	opts := Options{S3: S3Options{Endpoint: srv.URL, UsePathStyle: true}}

	_, err := Fetch(context.Background(), "s3://team-config/directory.yaml", opts)
	assert.ErrorContains(t, err, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY")
	assert.Empty(t, stand.seen(), "nothing is sent unsigned by mistake")

	t.Setenv("AWS_ACCESS_KEY_ID", "ASIAROLE")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "role-secret")
	t.Setenv("AWS_SESSION_TOKEN", "role-session-token")
	t.Setenv("AWS_REGION", "eu-west-1")
	_, err = Fetch(context.Background(), "s3://team-config/directory.yaml", opts)
	require.NoError(t, err)
	got := stand.seen()[0]
	assert.Contains(t, got.Header.Get("Authorization"), "Credential=ASIAROLE/")
	assert.Contains(t, got.Header.Get("Authorization"), "/eu-west-1/s3/aws4_request")
	assert.Contains(t, got.Header.Get("Authorization"), "x-amz-security-token", "the session token is signed")
	assert.Equal(t, "role-session-token", got.Header.Get("X-Amz-Security-Token"))
}

func TestS3ObjectURL(t *testing.T) {
	for _, tc := range []struct {
		bucket, region string
		opts           S3Options
		want           string
	}{
		{"team-config", "eu-west-1", S3Options{}, "https://team-config.s3.eu-west-1.amazonaws.com/swr/dir.yaml"},
		{"team.config", "eu-west-1", S3Options{}, "https://s3.eu-west-1.amazonaws.com/team.config/swr/dir.yaml"},
		{"team-config", "cn-north-1", S3Options{}, "https://team-config.s3.cn-north-1.amazonaws.com.cn/swr/dir.yaml"},
		{"team-config", "us-east-1", S3Options{UsePathStyle: true}, "https://s3.us-east-1.amazonaws.com/team-config/swr/dir.yaml"},
		{"team-config", "us-east-1", S3Options{Endpoint: "https://minio.example:9000/base/", UsePathStyle: true}, "https://minio.example:9000/base/team-config/swr/dir.yaml"},
		{"team-config", "us-east-1", S3Options{Endpoint: "https://store.example"}, "https://team-config.store.example/swr/dir.yaml"},
		{"team-config", "us-east-1", S3Options{Endpoint: "http://127.0.0.1:9000"}, "http://127.0.0.1:9000/team-config/swr/dir.yaml"},
		{"team-config", "us-east-1", S3Options{Endpoint: "http://localhost:9000"}, "http://localhost:9000/team-config/swr/dir.yaml"},
	} {
		u, err := s3ObjectURL(tc.bucket, "swr/dir.yaml", tc.region, tc.opts)
		require.NoError(t, err)
		assert.Equal(t, tc.want, u.String())
	}
	_, err := s3ObjectURL("b", "k", "eu-west-1", S3Options{Endpoint: "ftp://store.example"})
	assert.EqualError(t, err, "the S3 endpoint must be an http(s) URL")
}

func TestFetchS3TakesTheEndpointFromTheEnvironment(t *testing.T) {
	isolateAWS(t)
	stand := &s3StandIn{bucket: "team-config", secrets: map[string]string{"AKIDENV": "env-secret"},
		objects: map[string][]byte{"policy.yaml": []byte(exampleFile)}}
	srv := httptest.NewServer(stand)
	t.Cleanup(srv.Close)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDENV")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "env-secret")
	t.Setenv("AWS_REGION", "eu-west-1")
	t.Setenv("AWS_ENDPOINT_URL", srv.URL)

	c, err := Fetch(context.Background(), "s3://team-config/policy.yaml", Options{})
	require.NoError(t, err)
	assert.Equal(t, exampleFile, string(c.Data))
	assert.Equal(t, "/team-config/policy.yaml", stand.seen()[0].URL.Path, "path style for an IP address")

	t.Setenv("AWS_ENDPOINT_URL_S3", "http://127.0.0.1:1") // the S3 one wins
	_, err = Fetch(context.Background(), "s3://team-config/policy.yaml", Options{})
	assert.Error(t, err)
	assert.Len(t, stand.seen(), 1)
}
