package swr

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"net/url"
	"sort"
	"strings"
	"time"
)

// Signing constants of the Huawei Cloud SDK-HMAC-SHA256 scheme (swr-api.md §10.1).
const (
	SignAlgorithm       = "SDK-HMAC-SHA256"
	HeaderSdkDate       = "X-Sdk-Date"
	HeaderContentSha256 = "X-Sdk-Content-Sha256"
	HeaderSecurityToken = "X-Security-Token"
	HeaderProjectID     = "X-Project-Id"
	HeaderAuthToken     = "X-Auth-Token"
	HeaderRequestID     = "X-Request-Id"
	SdkDateFormat       = "20060102T150405Z"
	unsignedPayload     = "UNSIGNED-PAYLOAD"
	emptyBodySHA256Hex  = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
	authorizationPrefix = SignAlgorithm + " "
)

// Sign signs req in place with AK/SK exactly as the official Go SDK does:
// it sets X-Sdk-Date (from now, unless the header already holds a valid
// date), adds X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD for non-JSON content
// types, and sets Authorization. body must be the exact bytes that will be
// sent. req.URL.Path must hold the unescaped path (repository names already
// turned into their `$` form).
func Sign(req *http.Request, body []byte, ak, sk string, now time.Time) {
	date := req.Header.Get(HeaderSdkDate)
	if _, err := time.Parse(SdkDateFormat, date); err != nil {
		date = now.UTC().Format(SdkDateFormat)
		req.Header.Set(HeaderSdkDate, date)
	}
	if ct := req.Header.Get("Content-Type"); ct != "" &&
		!strings.Contains(ct, "application/json") && !strings.Contains(ct, "application/bson") {
		req.Header.Set(HeaderContentSha256, unsignedPayload)
	}
	signed := signedHeaderNames(req.Header)
	sig := signature(sk, date, canonicalRequest(req, signed, payloadHash(req.Header, body)))
	req.Header.Set("Authorization", fmt.Sprintf("%sAccess=%s, SignedHeaders=%s, Signature=%s",
		authorizationPrefix, ak, strings.Join(signed, ";"), sig))
}

// SignatureError explains why Verify rejected a request. Its text never
// contains the secret key or the expected signature.
type SignatureError struct{ Reason string }

func (e *SignatureError) Error() string { return "signature rejected: " + e.Reason }

// Verify checks an SDK-HMAC-SHA256 signed request the way the API gateway
// does: the Authorization header must parse, sign x-sdk-date, name a known
// access key, carry an X-Sdk-Date within skew of now, and match the
// signature recomputed over the headers it lists. secretFor returns the
// secret key of an access key.
func Verify(req *http.Request, body []byte, secretFor func(ak string) (string, bool), now time.Time, skew time.Duration) error {
	ak, signed, sig, err := ParseAuthorization(req.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	if !containsString(signed, "x-sdk-date") {
		return &SignatureError{Reason: "x-sdk-date is not a signed header"}
	}
	sk, ok := secretFor(ak)
	if !ok {
		return &SignatureError{Reason: "unknown access key"}
	}
	date := req.Header.Get(HeaderSdkDate)
	t, err := time.Parse(SdkDateFormat, date)
	if err != nil {
		return &SignatureError{Reason: "missing or malformed X-Sdk-Date"}
	}
	if d := now.Sub(t); d > skew || d < -skew {
		return &SignatureError{Reason: "X-Sdk-Date is too far from the server time"}
	}
	for _, name := range signed {
		if name != "host" && len(req.Header.Values(name)) == 0 {
			return &SignatureError{Reason: "signed header " + name + " is missing"}
		}
	}
	want := signature(sk, date, canonicalRequest(req, signed, payloadHash(req.Header, body)))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return &SignatureError{Reason: "signature does not match"}
	}
	return nil
}

// ParseAuthorization splits an "SDK-HMAC-SHA256 Access=…, SignedHeaders=…,
// Signature=…" header value into its parts.
func ParseAuthorization(v string) (ak string, signedHeaders []string, sig string, err error) {
	rest, ok := strings.CutPrefix(v, authorizationPrefix)
	if !ok {
		return "", nil, "", &SignatureError{Reason: "missing or unsupported Authorization header"}
	}
	for part := range strings.SplitSeq(rest, ",") {
		k, val, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Access":
			ak = val
		case "SignedHeaders":
			signedHeaders = strings.Split(val, ";")
		case "Signature":
			sig = val
		}
	}
	if ak == "" || len(signedHeaders) == 0 || sig == "" {
		return "", nil, "", &SignatureError{Reason: "malformed Authorization header"}
	}
	return ak, signedHeaders, sig, nil
}

// signedHeaderNames lists the header names the SDK signs: all but
// Content-Type* and names containing '_', lower-cased and sorted.
func signedHeaderNames(h http.Header) []string {
	names := make([]string, 0, len(h))
	for k := range h {
		lk := strings.ToLower(k)
		if strings.HasPrefix(lk, "content-type") || strings.Contains(lk, "_") || lk == "authorization" {
			continue
		}
		names = append(names, lk)
	}
	sort.Strings(names)
	return names
}

func payloadHash(h http.Header, body []byte) string {
	if v := h.Get(HeaderContentSha256); v != "" {
		return v
	}
	if len(body) == 0 {
		return emptyBodySHA256Hex
	}
	sum := sha256.Sum256(body)
	return hex.EncodeToString(sum[:])
}

func canonicalRequest(req *http.Request, signed []string, payload string) string {
	var b strings.Builder
	b.Grow(256)
	b.WriteString(req.Method)
	b.WriteByte('\n')
	b.WriteString(canonicalURI(req.URL.Path))
	b.WriteByte('\n')
	b.WriteString(canonicalQuery(req.URL.Query()))
	b.WriteByte('\n')
	for _, name := range signed {
		v := req.Header.Get(name)
		if name == "host" && v == "" {
			v = req.Host
		}
		b.WriteString(name)
		b.WriteByte(':')
		b.WriteString(strings.TrimSpace(v))
		b.WriteByte('\n')
	}
	b.WriteByte('\n')
	b.WriteString(strings.Join(signed, ";"))
	b.WriteByte('\n')
	b.WriteString(payload)
	return b.String()
}

func canonicalURI(path string) string {
	segs := strings.Split(path, "/")
	for i, s := range segs {
		segs[i] = escape(s)
	}
	u := strings.Join(segs, "/")
	if !strings.HasSuffix(u, "/") {
		u += "/"
	}
	return u
}

func canonicalQuery(q url.Values) string {
	if len(q) == 0 {
		return ""
	}
	keys := make([]string, 0, len(q))
	for k := range q {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		vals := append([]string(nil), q[k]...)
		sort.Strings(vals)
		for _, v := range vals {
			parts = append(parts, escape(k)+"="+escape(v))
		}
	}
	return strings.Join(parts, "&")
}

// escape percent-encodes every byte except A–Z a–z 0–9 - _ . ~ with upper-case hex.
func escape(s string) string {
	const hexUpper = "0123456789ABCDEF"
	n := 0
	for i := 0; i < len(s); i++ {
		if !unreserved(s[i]) {
			n++
		}
	}
	if n == 0 {
		return s
	}
	b := make([]byte, 0, len(s)+2*n)
	for i := 0; i < len(s); i++ {
		c := s[i]
		if unreserved(c) {
			b = append(b, c)
			continue
		}
		b = append(b, '%', hexUpper[c>>4], hexUpper[c&15])
	}
	return string(b)
}

func unreserved(c byte) bool {
	return 'A' <= c && c <= 'Z' || 'a' <= c && c <= 'z' || '0' <= c && c <= '9' ||
		c == '-' || c == '_' || c == '.' || c == '~'
}

func signature(sk, date, canonical string) string {
	sum := sha256.Sum256([]byte(canonical))
	sts := SignAlgorithm + "\n" + date + "\n" + hex.EncodeToString(sum[:])
	m := hmac.New(sha256.New, []byte(sk))
	m.Write([]byte(sts))
	return hex.EncodeToString(m.Sum(nil))
}

func containsString(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}
