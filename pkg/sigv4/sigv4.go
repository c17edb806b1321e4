// Package sigv4 signs requests to AWS services with Signature Version 4
// (AWS4-HMAC-SHA256), in header form, with the credentials a Lambda
// function finds in its environment. It is the part of an AWS SDK that the
// functions need for their two AWS calls (an S3 GetObject and an SQS
// SendMessageBatch), without linking an SDK.
//
// The signer follows the published Signature Version 4 test suite: the
// canonical URI encodes each path segment once and is not normalized (the
// S3 rule, and the same for the "/" path of the JSON protocols), query
// parameters and header names are sorted, and header values are trimmed
// with inner runs of spaces collapsed.
package sigv4

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Names used by the scheme.
const (
	Algorithm           = "AWS4-HMAC-SHA256"
	HeaderDate          = "X-Amz-Date"
	HeaderSecurityToken = "X-Amz-Security-Token"
	HeaderContentSHA256 = "X-Amz-Content-Sha256"
	DateFormat          = "20060102T150405Z"
)

// Credentials are an AWS access key, with the session token of temporary
// credentials (a Lambda execution role's are temporary).
type Credentials struct {
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
}

// String names the access key only, so that credentials printed by
// mistake reveal no secret.
func (c Credentials) String() string { return "sigv4.Credentials{" + c.AccessKeyID + "}" }

// CredentialsFromEnv reads AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY and
// AWS_SESSION_TOKEN, which Lambda sets from the function's execution role.
// getenv is usually os.Getenv.
func CredentialsFromEnv(getenv func(string) string) (Credentials, error) {
	c := Credentials{
		AccessKeyID:     getenv("AWS_ACCESS_KEY_ID"),
		SecretAccessKey: getenv("AWS_SECRET_ACCESS_KEY"),
		SessionToken:    getenv("AWS_SESSION_TOKEN"),
	}
	if c.AccessKeyID == "" || c.SecretAccessKey == "" {
		return Credentials{}, errors.New("no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY (Lambda sets them from the execution role)")
	}
	return c, nil
}

// RegionFromEnv returns AWS_REGION, or AWS_DEFAULT_REGION, or "" when
// neither is set.
func RegionFromEnv(getenv func(string) string) string {
	if r := getenv("AWS_REGION"); r != "" {
		return r
	}
	return getenv("AWS_DEFAULT_REGION")
}

// Signer signs requests for one service in one region.
type Signer struct {
	Credentials Credentials
	Region      string // e.g. "eu-west-1"
	Service     string // e.g. "s3", "sqs"
	// ContentSHA256 sends the payload hash as X-Amz-Content-Sha256 and
	// signs it, as S3 requires.
	ContentSHA256 bool
}

// Sign signs req in place for the time t: it sets X-Amz-Date, the
// session token if any, X-Amz-Content-Sha256 when asked, and
// Authorization. Every header already on req is signed, with Host. body
// must be the exact bytes that will be sent (nil for none). Sign sets
// req.URL.RawPath to the escaping it signs, so that what is sent is what
// was signed.
func (s Signer) Sign(req *http.Request, body []byte, t time.Time) {
	date := t.UTC().Format(DateFormat)
	req.Header.Set(HeaderDate, date)
	if s.Credentials.SessionToken != "" {
		req.Header.Set(HeaderSecurityToken, s.Credentials.SessionToken)
	}
	hash := hashHex(body)
	if s.ContentSHA256 {
		req.Header.Set(HeaderContentSHA256, hash)
	}
	req.URL.RawPath = escapePath(req.URL.Path)
	names := signedHeaderNames(req.Header)
	scope := date[:8] + "/" + s.Region + "/" + s.Service + "/aws4_request"
	sig := signature(s.Credentials.SecretAccessKey, date, scope, CanonicalRequest(req, names, hash))
	req.Header.Set("Authorization", fmt.Sprintf("%s Credential=%s/%s, SignedHeaders=%s, Signature=%s",
		Algorithm, s.Credentials.AccessKeyID, scope, strings.Join(names, ";"), sig))
}

// unsigned reports the headers left out of the signature: Authorization
// carries it, and the others may be changed on the way.
func unsigned(name string) bool {
	switch name {
	case "authorization", "user-agent", "x-amzn-trace-id", "expect", "host":
		return true
	}
	return false
}

// signedHeaderNames returns host and the names of h's signed headers,
// lower-case and sorted.
func signedHeaderNames(h http.Header) []string {
	names := []string{"host"}
	for k := range h {
		if lk := strings.ToLower(k); !unsigned(lk) {
			names = append(names, lk)
		}
	}
	sort.Strings(names)
	return names
}

// CanonicalRequest returns the canonical form of req over the given
// (lower-case, sorted) header names and payload hash.
func CanonicalRequest(req *http.Request, names []string, payloadHash string) string {
	var b strings.Builder
	b.WriteString(req.Method + "\n")
	b.WriteString(escapePath(req.URL.Path) + "\n")
	b.WriteString(canonicalQuery(req.URL) + "\n")
	for _, n := range names {
		b.WriteString(n + ":" + headerValue(req, n) + "\n")
	}
	b.WriteString("\n" + strings.Join(names, ";") + "\n" + payloadHash)
	return b.String()
}

// StringToSign returns the string whose HMAC is the signature.
func StringToSign(date, scope, canonicalRequest string) string {
	return Algorithm + "\n" + date + "\n" + scope + "\n" + hashHex([]byte(canonicalRequest))
}

func signature(secret, date, scope, canonicalRequest string) string {
	key := []byte("AWS4" + secret)
	for _, part := range strings.Split(scope, "/") {
		key = hmacSHA256(key, part)
	}
	return hex.EncodeToString(hmacSHA256(key, StringToSign(date, scope, canonicalRequest)))
}

func headerValue(req *http.Request, name string) string {
	if name == "host" {
		if req.Host != "" {
			return req.Host
		}
		return req.URL.Host
	}
	vals := req.Header.Values(name)
	out := make([]string, len(vals))
	for i, v := range vals {
		out[i] = strings.Join(strings.Fields(v), " ")
	}
	return strings.Join(out, ",")
}

func canonicalQuery(u *url.URL) string {
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil || len(q) == 0 {
		return ""
	}
	// Sorted by encoded name, then by encoded value.
	var pairs [][2]string
	for k, vs := range q {
		for _, v := range vs {
			pairs = append(pairs, [2]string{escape(k, false), escape(v, false)})
		}
	}
	sort.Slice(pairs, func(i, j int) bool {
		if pairs[i][0] != pairs[j][0] {
			return pairs[i][0] < pairs[j][0]
		}
		return pairs[i][1] < pairs[j][1]
	})
	out := make([]string, len(pairs))
	for i, p := range pairs {
		out[i] = p[0] + "=" + p[1]
	}
	return strings.Join(out, "&")
}

// escapePath URI-encodes every byte of p except the unreserved characters
// and '/'.
func escapePath(p string) string {
	if p == "" {
		return "/"
	}
	return escape(p, true)
}

func escape(s string, keepSlash bool) string {
	const hexDigits = "0123456789ABCDEF"
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' ||
			c == '-' || c == '.' || c == '_' || c == '~' || c == '/' && keepSlash {
			b.WriteByte(c)
			continue
		}
		b.WriteByte('%')
		b.WriteByte(hexDigits[c>>4])
		b.WriteByte(hexDigits[c&15])
	}
	return b.String()
}

func hashHex(b []byte) string {
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:])
}

func hmacSHA256(key []byte, data string) []byte {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(data))
	return m.Sum(nil)
}
