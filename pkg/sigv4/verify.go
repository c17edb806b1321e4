package sigv4

import (
	"crypto/hmac"
	"net/http"
	"slices"
	"strings"
	"time"
)

// SignatureError explains why Verify refused a request. Its text never
// holds the secret key or the expected signature.
type SignatureError struct{ Reason string }

func (e *SignatureError) Error() string { return "signature refused: " + e.Reason }

// Verify checks a header-signed request as an AWS service does, for
// stand-ins in tests: Authorization must parse and name a known access
// key, the scope must be the service's in region, host and x-amz-date must
// be signed and the date within skew of now, and the signature must match
// the one computed over the headers it lists. secretFor returns the secret
// key of an access key.
func Verify(req *http.Request, body []byte, region, service string, secretFor func(accessKeyID string) (string, bool), now time.Time, skew time.Duration) error {
	cred, names, sig, err := parseAuthorization(req.Header.Get("Authorization"))
	if err != nil {
		return err
	}
	ak, scope, _ := strings.Cut(cred, "/")
	secret, ok := secretFor(ak)
	if !ok {
		return &SignatureError{Reason: "unknown access key"}
	}
	date := req.Header.Get(HeaderDate)
	t, err := time.Parse(DateFormat, date)
	if err != nil {
		return &SignatureError{Reason: "missing or malformed X-Amz-Date"}
	}
	if d := now.Sub(t); d > skew || d < -skew {
		return &SignatureError{Reason: "X-Amz-Date is too far from the server's clock"}
	}
	if want := date[:8] + "/" + region + "/" + service + "/aws4_request"; scope != want {
		return &SignatureError{Reason: "credential scope " + scope + " is not " + want}
	}
	if !slices.Contains(names, "host") || !slices.Contains(names, "x-amz-date") {
		return &SignatureError{Reason: "host and x-amz-date must be signed"}
	}
	hash := hashHex(body)
	if h := req.Header.Get(HeaderContentSHA256); h != "" && h != hash {
		return &SignatureError{Reason: "X-Amz-Content-Sha256 does not match the body"}
	}
	want := signature(secret, date, scope, CanonicalRequest(req, names, hash))
	if !hmac.Equal([]byte(want), []byte(sig)) {
		return &SignatureError{Reason: "the signature does not match the request"}
	}
	return nil
}

// parseAuthorization splits "AWS4-HMAC-SHA256 Credential=AK/scope,
// SignedHeaders=a;b, Signature=hex".
func parseAuthorization(h string) (cred string, names []string, sig string, err error) {
	rest, ok := strings.CutPrefix(h, Algorithm+" ")
	if !ok {
		return "", nil, "", &SignatureError{Reason: "Authorization is not " + Algorithm}
	}
	for _, part := range strings.Split(rest, ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "Credential":
			cred = v
		case "SignedHeaders":
			names = strings.Split(v, ";")
		case "Signature":
			sig = v
		}
	}
	if cred == "" || len(names) == 0 || sig == "" {
		return "", nil, "", &SignatureError{Reason: "Authorization lacks Credential, SignedHeaders or Signature"}
	}
	return cred, names, sig, nil
}
