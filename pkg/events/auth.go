package events

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"net/http"
	"strconv"
	"strings"
	"time"
)

const signaturePrefix = "sha256="

// Signature returns the value of the signature header for body sent at
// timestamp (Unix seconds, as sent in the timestamp header):
// "sha256=" + hex(HMAC-SHA256(secret, timestamp + "." + body)).
func Signature(secret []byte, timestamp string, body []byte) string {
	return signaturePrefix + hex.EncodeToString(mac(secret, timestamp, body))
}

// SignRequest sets the timestamp and signature headers in h for body, as a
// Decoder configured with the same secret and header names checks them.
// Empty header names take the defaults.
func SignRequest(h http.Header, cfg AuthConfig, body []byte, now time.Time) {
	ts := strconv.FormatInt(now.Unix(), 10)
	h.Set(orDefault(cfg.TimestampHeader, DefaultTimestampHeader), ts)
	h.Set(orDefault(cfg.SignatureHeader, DefaultSignatureHeader), Signature([]byte(cfg.HMACSecret), ts, body))
}

func mac(secret []byte, timestamp string, body []byte) []byte {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte(timestamp))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// authenticator checks webhook credentials. Its replay cache is per warm
// instance.
type authenticator struct {
	cfg     AuthConfig
	now     func() time.Time
	replays *Deduper
}

func newAuthenticator(cfg AuthConfig, now func() time.Time) *authenticator {
	return &authenticator{cfg: cfg, now: now, replays: NewDeduper(cfg.ReplayCacheSize)}
}

// check authenticates one HTTP request. Every failure is a 401 whose Reason
// is for logs only. replayKey is the accepted HMAC signature's key in the
// replay cache ("" for other ways of authentication).
func (a *authenticator) check(h http.Header, body []byte) (replayKey string, err error) {
	if a.cfg.Disabled {
		return "", nil
	}
	if a.cfg.AuthHeader == "" && a.cfg.HMACSecret == "" {
		return "", unauthorized("no webhook credential is configured")
	}
	if sig := h.Get(a.cfg.SignatureHeader); sig != "" && a.cfg.HMACSecret != "" {
		return a.checkSignature(sig, h.Get(a.cfg.TimestampHeader), body)
	}
	if got := h.Get("Authorization"); got != "" && a.cfg.AuthHeader != "" {
		// Comparing digests keeps the comparison constant-time regardless
		// of the lengths of the two values.
		want := sha256.Sum256([]byte(a.cfg.AuthHeader))
		have := sha256.Sum256([]byte(got))
		if subtle.ConstantTimeCompare(want[:], have[:]) != 1 {
			return "", unauthorized("authorization header does not match")
		}
		return "", nil
	}
	return "", unauthorized("no credential presented")
}

// checkHeaders is what can be checked of a request before its body is
// read: all of it for the Authorization header; for an HMAC signature,
// that it is well-formed and its timestamp fresh, so that only such a
// request costs the reading of a body (bounded by the size limit and the
// receiver's read timeout) before the signature itself is checked.
func (a *authenticator) checkHeaders(h http.Header) error {
	if a.cfg.Disabled {
		return nil
	}
	if a.cfg.AuthHeader == "" && a.cfg.HMACSecret == "" {
		return unauthorized("no webhook credential is configured")
	}
	if sig := h.Get(a.cfg.SignatureHeader); sig != "" && a.cfg.HMACSecret != "" {
		_, err := a.signatureHeaders(sig, h.Get(a.cfg.TimestampHeader))
		return err
	}
	_, err := a.check(h, nil)
	return err
}

// signatureHeaders checks the timestamp and the form of the signature,
// and returns the signature's bytes.
func (a *authenticator) signatureHeaders(sig, ts string) ([]byte, error) {
	if ts == "" {
		return nil, unauthorized("signature without timestamp header")
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil {
		return nil, unauthorized("malformed timestamp header")
	}
	skew := a.now().Sub(time.Unix(sec, 0))
	if skew > a.cfg.ReplayWindow || skew < -a.cfg.ReplayWindow {
		return nil, unauthorized("timestamp outside the replay window")
	}
	got, err := hex.DecodeString(strings.TrimPrefix(sig, signaturePrefix))
	if !strings.HasPrefix(sig, signaturePrefix) || err != nil || len(got) != sha256.Size {
		return nil, unauthorized("malformed signature header")
	}
	return got, nil
}

func (a *authenticator) checkSignature(sig, ts string, body []byte) (string, error) {
	got, err := a.signatureHeaders(sig, ts)
	if err != nil {
		return "", err
	}
	if !hmac.Equal(got, mac([]byte(a.cfg.HMACSecret), ts, body)) {
		return "", unauthorized("signature does not match")
	}
	// Only verified signatures enter the cache, so forged requests cannot
	// evict genuine entries.
	key := hex.EncodeToString(got)
	if a.replays.Seen(key) {
		return "", unauthorized("signature replayed")
	}
	return key, nil
}

// release forgets an accepted signature, so that the same signed request
// may be sent again.
func (a *authenticator) release(key string) {
	if key != "" {
		a.replays.Forget(key)
	}
}
