package events

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	awsevents "github.com/aws/aws-lambda-go/events"
	"github.com/stretchr/testify/require"
)

const (
	sampleDir        = "../../events"
	sampleAuthHeader = "Bearer sample-webhook-token"
)

// testNow is the fixed clock of the tests.
var testNow = time.Date(2026, 3, 2, 8, 16, 0, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// newTestDecoder returns a decoder with the sample auth header, the fixed
// clock, and cfg's other fields.
func newTestDecoder(t testing.TB, cfg Config) *Decoder {
	t.Helper()
	if cfg.Auth.AuthHeader == "" && cfg.Auth.HMACSecret == "" {
		cfg.Auth.AuthHeader = sampleAuthHeader
	}
	if cfg.Now == nil {
		cfg.Now = fixedClock
	}
	d, err := NewDecoder(cfg)
	require.NoError(t, err)
	return d
}

// sampleFiles lists the sample payloads by base name.
func sampleFiles(t testing.TB) []string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join(sampleDir, "*.json"))
	require.NoError(t, err)
	require.NotEmpty(t, paths, "no samples in %s", sampleDir)
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	sort.Strings(names)
	return names
}

func readSample(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(sampleDir, name))
	require.NoError(t, err)
	return b
}

// functionURL builds a Function URL payload with the sample auth header
// (unless headers set "authorization", or to "" to leave it out).
func functionURL(t testing.TB, headers map[string]string, body string) []byte {
	t.Helper()
	return functionURLReq(t, "POST", headers, body, false)
}

func functionURLReq(t testing.TB, method string, headers map[string]string, body string, b64 bool) []byte {
	t.Helper()
	h := map[string]string{"authorization": sampleAuthHeader}
	for k, v := range headers {
		if v == "" {
			delete(h, k)
			continue
		}
		h[k] = v
	}
	req := awsevents.LambdaFunctionURLRequest{
		Version: "2.0", RawPath: "/", Headers: h, Body: body, IsBase64Encoded: b64,
		RequestContext: awsevents.LambdaFunctionURLRequestContext{
			HTTP: awsevents.LambdaFunctionURLRequestContextHTTPDescription{Method: method, Path: "/"},
		},
	}
	if b64 {
		req.Body = base64.StdEncoding.EncodeToString([]byte(body))
	}
	b, err := json.Marshal(req)
	require.NoError(t, err)
	return b
}

// httpRequestFromFunctionURL turns a Function URL payload into the
// equivalent receiver-mode request.
func httpRequestFromFunctionURL(t testing.TB, payload []byte) *http.Request {
	t.Helper()
	var req awsevents.LambdaFunctionURLRequest
	require.NoError(t, json.Unmarshal(payload, &req))
	body := []byte(req.Body)
	if req.IsBase64Encoded {
		var err error
		body, err = base64.StdEncoding.DecodeString(req.Body)
		require.NoError(t, err)
	}
	r := httptest.NewRequest(req.RequestContext.HTTP.Method, "http://autopilot.test"+req.RawPath, bytes.NewReader(body))
	for k, v := range req.Headers {
		if strings.EqualFold(k, "content-length") {
			continue
		}
		r.Header.Set(k, v)
	}
	return r
}

// cloudEventJSON builds a structured CloudEvent with data.
func cloudEventJSON(t testing.TB, typ string, data any) string {
	t.Helper()
	m := map[string]any{"specversion": "1.0", "id": "evt-1", "source": "//test", "type": typ}
	if data != nil {
		m["datacontenttype"] = "application/json"
		m["data"] = data
	}
	b, err := json.Marshal(m)
	require.NoError(t, err)
	return string(b)
}

// payloads returns the payloads of evs.
func payloads(evs []Event) []Payload {
	out := make([]Payload, len(evs))
	for i, e := range evs {
		out[i] = e.Payload
	}
	return out
}
