package swr

import (
	"bytes"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type sdkVector struct {
	Name        string `json:"name"`
	Method      string `json:"method"`
	Endpoint    string `json:"endpoint"`
	Path        string `json:"path"`
	WirePath    string `json:"wire_path"`
	QueryParams []struct {
		Key, Value string
	} `json:"query_params"`
	WireRawQuery string `json:"wire_raw_query"`
	HeadersGiven []struct {
		Key, Value string
	} `json:"headers_given"`
	Body                string            `json:"body"`
	CanonicalRequest    string            `json:"canonical_request"`
	SignedHeaders       string            `json:"signed_headers"`
	Signature           string            `json:"signature"`
	Authorization       string            `json:"authorization"`
	FinalRequestHeaders map[string]string `json:"final_request_headers"`
}

func loadVectors(t testing.TB) []sdkVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/sdk-hmac-sha256-vectors.json")
	require.NoError(t, err)
	var vs []sdkVector
	require.NoError(t, json.Unmarshal(raw, &vs))
	require.Len(t, vs, 11)
	return vs
}

func vectorRequest(t testing.TB, v sdkVector) *http.Request {
	t.Helper()
	q := url.Values{}
	for _, p := range v.QueryParams {
		q.Add(p.Key, p.Value)
	}
	u, err := url.Parse(v.Endpoint)
	require.NoError(t, err)
	u.Path = v.Path
	u.RawQuery = q.Encode()
	req, err := http.NewRequest(v.Method, u.String(), bytes.NewReader([]byte(v.Body)))
	require.NoError(t, err)
	for _, h := range v.HeadersGiven {
		req.Header[h.Key] = []string{h.Value} // keep the SDK's exact key spelling
	}
	return req
}

func TestSignMatchesSDKVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			req := vectorRequest(t, v)
			// The date in the vector must win over "now".
			Sign(req, []byte(v.Body), "AKEXAMPLE", "SKEXAMPLE", time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC))
			signed := signedHeaderNames(req.Header)
			assert.Equal(t, v.CanonicalRequest, canonicalRequest(req, signed, payloadHash(req.Header, []byte(v.Body))))
			assert.Equal(t, v.Authorization, req.Header.Get("Authorization"))
			for k, want := range v.FinalRequestHeaders {
				got := req.Header.Get(k)
				if vals, ok := req.Header[k]; ok {
					got = vals[0]
				}
				assert.Equal(t, want, got, "header %s", k)
			}
			assert.Equal(t, v.WirePath, req.URL.EscapedPath(), "wire path")
		})
	}
}

func TestVerifyAcceptsSDKVectorsAndRejectsTampering(t *testing.T) {
	date := time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC)
	secrets := func(ak string) (string, bool) { return "SKEXAMPLE", ak == "AKEXAMPLE" }
	for _, v := range loadVectors(t) {
		t.Run(v.Name, func(t *testing.T) {
			req := vectorRequest(t, v)
			for k, val := range v.FinalRequestHeaders {
				req.Header[k] = []string{val}
			}
			body := []byte(v.Body)
			require.NoError(t, Verify(req, body, secrets, date.Add(5*time.Minute), 15*time.Minute))

			assert.Error(t, Verify(req, body, secrets, date.Add(16*time.Minute), 15*time.Minute), "stale date")
			wrongKey := func(string) (string, bool) { return "OTHER", true }
			assert.Error(t, Verify(req, body, wrongKey, date, 15*time.Minute), "wrong secret")
			if v.Method == http.MethodPost && req.Header.Get(HeaderContentSha256) == "" {
				assert.Error(t, Verify(req, append(body, ' '), secrets, date, 15*time.Minute), "tampered body")
			}
			req.URL.Path += "x"
			assert.Error(t, Verify(req, body, secrets, date, 15*time.Minute), "tampered path")
		})
	}
}

func TestVerifyRejectsMissingOrMalformedAuthorization(t *testing.T) {
	secrets := func(string) (string, bool) { return "SK", true }
	for name, h := range map[string]string{
		"missing":         "",
		"other algorithm": "AWS4-HMAC-SHA256 Credential=x",
		"no signature":    "SDK-HMAC-SHA256 Access=AK, SignedHeaders=x-sdk-date",
		"date unsigned":   "SDK-HMAC-SHA256 Access=AK, SignedHeaders=host, Signature=00",
	} {
		t.Run(name, func(t *testing.T) {
			req, _ := http.NewRequest(http.MethodGet, "http://x/v2/manage/namespaces", nil)
			req.Header.Set(HeaderSdkDate, time.Now().UTC().Format(SdkDateFormat))
			if h != "" {
				req.Header.Set("Authorization", h)
			}
			var se *SignatureError
			assert.ErrorAs(t, Verify(req, nil, secrets, time.Now(), time.Minute), &se)
		})
	}
}
