package sigv4

import (
	"bufio"
	"encoding/json"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// vector is one case of the published test suite (see testdata/README.md).
type vector struct {
	Credentials struct {
		AccessKeyID     string `json:"access_key_id"`
		SecretAccessKey string `json:"secret_access_key"`
		Token           string `json:"token"`
	} `json:"credentials"`
	Region    string    `json:"region"`
	Service   string    `json:"service"`
	SignBody  bool      `json:"sign_body"`
	Timestamp time.Time `json:"timestamp"`
}

func readFile(t *testing.T, dir, name string) string {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(dir, name))
	require.NoError(t, err)
	return string(b)
}

// parseRequest reads a request.txt: a request line, headers (a line that
// starts with a space continues the previous header), a blank line, the
// body. The Host header becomes req.Host, as net/http has it.
func parseRequest(t *testing.T, raw string) (*http.Request, []byte) {
	t.Helper()
	head, body, _ := strings.Cut(raw, "\n\n")
	sc := bufio.NewScanner(strings.NewReader(head))
	require.True(t, sc.Scan())
	line := sc.Text()
	method, rest, _ := strings.Cut(line, " ")
	target := rest[:strings.LastIndex(rest, " ")]
	p, query, _ := strings.Cut(target, "?")
	req := &http.Request{Method: method, Header: http.Header{}, URL: &url.URL{Scheme: "https", Path: p, RawQuery: query}}
	var last string
	for sc.Scan() {
		line := sc.Text()
		if line == "" {
			break
		}
		if line[0] == ' ' || line[0] == '\t' {
			vals := req.Header.Values(last)
			vals[len(vals)-1] += " " + strings.TrimSpace(line)
			continue
		}
		k, v, ok := strings.Cut(line, ":")
		require.True(t, ok, "header line %q", line)
		if strings.EqualFold(k, "host") {
			req.Host, req.URL.Host = v, v
			continue
		}
		req.Header.Add(k, v)
		last = k
	}
	return req, []byte(body)
}

func TestSignMatchesThePublishedTestSuite(t *testing.T) {
	dirs, err := filepath.Glob(filepath.Join("testdata", "v4", "*"))
	require.NoError(t, err)
	require.Len(t, dirs, 31)
	for _, dir := range dirs {
		t.Run(filepath.Base(dir), func(t *testing.T) {
			var v vector
			require.NoError(t, json.Unmarshal([]byte(readFile(t, dir, "context.json")), &v))
			req, body := parseRequest(t, readFile(t, dir, "request.txt"))
			s := Signer{
				Credentials:   Credentials{AccessKeyID: v.Credentials.AccessKeyID, SecretAccessKey: v.Credentials.SecretAccessKey, SessionToken: v.Credentials.Token},
				Region:        v.Region,
				Service:       v.Service,
				ContentSHA256: v.SignBody,
			}
			s.Sign(req, body, v.Timestamp)

			names := signedHeaderNames(req.Header)
			creq := CanonicalRequest(req, names, hashHex(body))
			assert.Equal(t, readFile(t, dir, "header-canonical-request.txt"), creq)
			date := v.Timestamp.UTC().Format(DateFormat)
			scope := date[:8] + "/" + v.Region + "/" + v.Service + "/aws4_request"
			assert.Equal(t, readFile(t, dir, "header-string-to-sign.txt"), StringToSign(date, scope, creq))
			signed, _ := parseRequest(t, readFile(t, dir, "header-signed-request.txt"))
			assert.Equal(t, signed.Header.Get("Authorization"), req.Header.Get("Authorization"))
			assert.Contains(t, req.Header.Get("Authorization"), "Signature="+strings.TrimSpace(readFile(t, dir, "header-signature.txt")))

			secret := func(ak string) (string, bool) { return v.Credentials.SecretAccessKey, ak == v.Credentials.AccessKeyID }
			require.NoError(t, Verify(req, body, v.Region, v.Service, secret, v.Timestamp, time.Minute))
		})
	}
}

func TestSignSetsTheEscapingItSigns(t *testing.T) {
	req, err := http.NewRequest(http.MethodGet, "https://bucket.s3.eu-west-1.amazonaws.com/", nil)
	require.NoError(t, err)
	req.URL.Path = "/teams/a b+c/directory.yaml"
	Signer{Credentials: Credentials{AccessKeyID: "AK", SecretAccessKey: "SK"}, Region: "eu-west-1", Service: "s3"}.Sign(req, nil, time.Now())
	assert.Equal(t, "/teams/a%20b%2Bc/directory.yaml", req.URL.EscapedPath())
}

func TestVerifyRefusesWhatDoesNotMatch(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	creds := Credentials{AccessKeyID: "AKIDTEST", SecretAccessKey: "secret-for-tests", SessionToken: "token"}
	secret := func(ak string) (string, bool) { return creds.SecretAccessKey, ak == creds.AccessKeyID }
	signed := func() (*http.Request, []byte) {
		body := []byte(`{"QueueUrl":"q"}`)
		req, err := http.NewRequest(http.MethodPost, "https://sqs.eu-west-1.amazonaws.com/", nil)
		require.NoError(t, err)
		req.Header.Set("X-Amz-Target", "AmazonSQS.SendMessageBatch")
		Signer{Credentials: creds, Region: "eu-west-1", Service: "sqs"}.Sign(req, body, now)
		return req, body
	}
	req, body := signed()
	require.NoError(t, Verify(req, body, "eu-west-1", "sqs", secret, now, 5*time.Minute))

	for name, tc := range map[string]struct {
		change  func(*http.Request, []byte) []byte
		region  string
		at      time.Time
		message string
	}{
		"another body": {change: func(_ *http.Request, b []byte) []byte { return append(b, ' ') }, message: "does not match"},
		"another header": {change: func(r *http.Request, b []byte) []byte {
			r.Header.Set("X-Amz-Target", "AmazonSQS.DeleteQueue")
			return b
		}, message: "does not match"},
		"unsigned":       {change: func(r *http.Request, b []byte) []byte { r.Header.Del("Authorization"); return b }, message: "not AWS4-HMAC-SHA256"},
		"another region": {region: "us-east-1", message: "credential scope"},
		"stale":          {at: now.Add(time.Hour), message: "too far"},
		"unknown key": {change: func(r *http.Request, b []byte) []byte {
			r.Header.Set("Authorization", strings.Replace(r.Header.Get("Authorization"), "AKIDTEST", "AKIDOTHER", 1))
			return b
		}, message: "unknown access key"},
	} {
		t.Run(name, func(t *testing.T) {
			req, body := signed()
			if tc.change != nil {
				body = tc.change(req, body)
			}
			region, at := "eu-west-1", now
			if tc.region != "" {
				region = tc.region
			}
			if !tc.at.IsZero() {
				at = tc.at
			}
			err := Verify(req, body, region, "sqs", secret, at, 5*time.Minute)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.message)
			assert.NotContains(t, err.Error(), creds.SecretAccessKey)
		})
	}
}

func TestCredentialsFromEnv(t *testing.T) {
	env := map[string]string{"AWS_ACCESS_KEY_ID": "AKID", "AWS_SECRET_ACCESS_KEY": "very-secret", "AWS_SESSION_TOKEN": "tok"}
	c, err := CredentialsFromEnv(func(k string) string { return env[k] })
	require.NoError(t, err)
	assert.Equal(t, Credentials{AccessKeyID: "AKID", SecretAccessKey: "very-secret", SessionToken: "tok"}, c)
	assert.NotContains(t, c.String(), "very-secret")

	delete(env, "AWS_SECRET_ACCESS_KEY")
	_, err = CredentialsFromEnv(func(k string) string { return env[k] })
	assert.ErrorContains(t, err, "no AWS credentials")

	assert.Equal(t, "", RegionFromEnv(func(k string) string { return env[k] }))
	env["AWS_DEFAULT_REGION"] = "eu-central-1"
	assert.Equal(t, "eu-central-1", RegionFromEnv(func(k string) string { return env[k] }))
	env["AWS_REGION"] = "eu-west-1"
	assert.Equal(t, "eu-west-1", RegionFromEnv(func(k string) string { return env[k] }))
}
