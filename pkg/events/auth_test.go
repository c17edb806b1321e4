package events

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const testHMACSecret = "s3cr3t-hmac-key-for-tests"

// clock is a settable test clock.
type clock struct{ now time.Time }

func (c *clock) Now() time.Time { return c.now }

func signedRequest(t *testing.T, body string, ts time.Time, secret string) *http.Request {
	t.Helper()
	r := httptest.NewRequest(http.MethodPost, "http://autopilot.test/", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/cloudevents+json")
	SignRequest(r.Header, AuthConfig{HMACSecret: Secret(secret)}, []byte(body), ts)
	return r
}

func TestAuthHMAC(t *testing.T) {
	body := cloudEventJSON(t, TypeGrantSyncRequested, map[string]any{"dry_run": true})
	newDecoder := func(c *clock) *Decoder {
		d, err := NewDecoder(Config{Auth: AuthConfig{HMACSecret: testHMACSecret}, Now: c.Now})
		require.NoError(t, err)
		return d
	}

	t.Run("valid", func(t *testing.T) {
		c := &clock{testNow}
		b, err := newDecoder(c).DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
		require.NoError(t, err)
		assert.Equal(t, []Payload{GrantSyncRequested{DryRun: true}}, payloads(b.Events))
	})
	t.Run("valid at the edges of the window", func(t *testing.T) {
		c := &clock{testNow}
		d := newDecoder(c)
		_, err := d.DecodeHTTP(signedRequest(t, body, c.now.Add(-DefaultReplayWindow), testHMACSecret))
		assert.NoError(t, err)
		_, err = d.DecodeHTTP(signedRequest(t, body, c.now.Add(DefaultReplayWindow), testHMACSecret))
		assert.NoError(t, err)
	})

	cases := []struct {
		name   string
		mutate func(r *http.Request)
		reason string
	}{
		{"missing", func(r *http.Request) { r.Header.Del(DefaultSignatureHeader); r.Header.Del(DefaultTimestampHeader) }, "no credential presented"},
		{"missing timestamp", func(r *http.Request) { r.Header.Del(DefaultTimestampHeader) }, "signature without timestamp header"},
		{"malformed timestamp", func(r *http.Request) { r.Header.Set(DefaultTimestampHeader, "yesterday") }, "malformed timestamp header"},
		{"wrong secret", func(r *http.Request) {
			r.Header.Set(DefaultSignatureHeader, Signature([]byte("not-the-secret"), r.Header.Get(DefaultTimestampHeader), []byte(body)))
		}, "signature does not match"},
		{"tampered body", func(r *http.Request) {
			tampered := cloudEventJSON(t, TypeGrantSyncRequested, map[string]any{"dry_run": false})
			r.Body = io.NopCloser(strings.NewReader(tampered))
			r.ContentLength = int64(len(tampered))
		}, "signature does not match"},
		{"tampered timestamp", func(r *http.Request) {
			r.Header.Set(DefaultTimestampHeader, strconv.FormatInt(testNow.Unix()-1, 10))
		}, "signature does not match"},
		{"malformed signature", func(r *http.Request) { r.Header.Set(DefaultSignatureHeader, "md5=abc") }, "malformed signature header"},
		{"short signature", func(r *http.Request) { r.Header.Set(DefaultSignatureHeader, "sha256=abcd") }, "malformed signature header"},
		{"stale timestamp", func(r *http.Request) {
			ts := testNow.Add(-DefaultReplayWindow - time.Second)
			*r = *signedRequest(t, body, ts, testHMACSecret)
		}, "timestamp outside the replay window"},
		{"future timestamp", func(r *http.Request) {
			ts := testNow.Add(DefaultReplayWindow + time.Second)
			*r = *signedRequest(t, body, ts, testHMACSecret)
		}, "timestamp outside the replay window"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			c := &clock{testNow}
			r := signedRequest(t, body, c.now, testHMACSecret)
			tc.mutate(r)
			_, err := newDecoder(c).DecodeHTTP(r)
			assertUnauthorized(t, err, tc.reason)
		})
	}

	t.Run("replayed", func(t *testing.T) {
		c := &clock{testNow}
		d := newDecoder(c)
		_, err := d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
		require.NoError(t, err)
		c.now = c.now.Add(time.Minute) // still inside the window
		_, err = d.DecodeHTTP(signedRequest(t, body, testNow, testHMACSecret))
		assertUnauthorized(t, err, "signature replayed")
		// A fresh signature of the same body is a new delivery.
		_, err = d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
		assert.NoError(t, err)
	})
	t.Run("forgeries do not enter the replay cache", func(t *testing.T) {
		c := &clock{testNow}
		d := newDecoder(c)
		forged := signedRequest(t, body, c.now, "not-the-secret")
		_, err := d.DecodeHTTP(forged)
		assertUnauthorized(t, err, "signature does not match")
		assert.Zero(t, d.auth.replays.Len())
	})
}

func TestAuthHeader(t *testing.T) {
	body := cloudEventJSON(t, TypeGrantSyncRequested, nil)
	d := newTestDecoder(t, Config{})
	send := func(auth string) error {
		h := map[string]string{"content-type": "application/cloudevents+json", "authorization": auth}
		_, err := d.DecodeLambda(context.Background(), functionURL(t, h, body))
		return err
	}
	assert.NoError(t, send(sampleAuthHeader), "valid")
	assertUnauthorized(t, send(""), "no credential presented")
	assertUnauthorized(t, send("Bearer sample-webhook-tokem"), "authorization header does not match")
	assertUnauthorized(t, send(sampleAuthHeader+"x"), "authorization header does not match")
	assertUnauthorized(t, send("Bearer"), "authorization header does not match")
}

func TestAuthEitherMethod(t *testing.T) {
	c := &clock{testNow}
	d, err := NewDecoder(Config{Auth: AuthConfig{AuthHeader: sampleAuthHeader, HMACSecret: testHMACSecret}, Now: c.Now})
	require.NoError(t, err)
	body := cloudEventJSON(t, TypeGrantSyncRequested, nil)

	_, err = d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
	assert.NoError(t, err, "signature alone")

	r := httptest.NewRequest(http.MethodPost, "/", bytes.NewReader([]byte(body)))
	r.Header.Set("Content-Type", "application/cloudevents+json")
	r.Header.Set("Authorization", sampleAuthHeader)
	_, err = d.DecodeHTTP(r)
	assert.NoError(t, err, "header alone")

	// A presented signature must verify, even when the header would pass.
	r = signedRequest(t, body, c.now, "not-the-secret")
	r.Header.Set("Authorization", sampleAuthHeader)
	_, err = d.DecodeHTTP(r)
	assertUnauthorized(t, err, "signature does not match")
}

func TestAuthFailsClosed(t *testing.T) {
	d, err := NewDecoder(Config{Now: fixedClock})
	require.NoError(t, err)
	body := cloudEventJSON(t, TypeGrantSyncRequested, nil)
	_, err = d.DecodeLambda(context.Background(), functionURL(t, map[string]string{"content-type": "application/cloudevents+json"}, body))
	assertUnauthorized(t, err, "no webhook credential is configured")

	// Non-HTTP shapes are guarded by IAM and need no credential.
	b, err := d.DecodeLambda(context.Background(), []byte(body))
	require.NoError(t, err)
	assert.Equal(t, OriginCloudEvent, b.Origin)

	d, err = NewDecoder(Config{Auth: AuthConfig{Disabled: true}})
	require.NoError(t, err)
	_, err = d.DecodeLambda(context.Background(), functionURL(t, map[string]string{"content-type": "application/cloudevents+json", "authorization": ""}, body))
	assert.NoError(t, err, "explicitly disabled")
}

// assertUnauthorized checks a 401 whose reason is logged but never sent.
func assertUnauthorized(t *testing.T, err error, reason string) {
	t.Helper()
	var e *Error
	require.True(t, errors.As(err, &e), "want *Error, got %v", err)
	assert.Equal(t, http.StatusUnauthorized, e.Status)
	assert.Equal(t, reason, e.Reason)
	assert.Equal(t, "Unauthorized", e.Message(), "no detail for the client")
	assert.Empty(t, e.Field)
}

func TestSecretNeverPrints(t *testing.T) {
	cfg := Config{Auth: AuthConfig{AuthHeader: "Bearer hunter2", HMACSecret: "hunter3"}}
	for _, s := range []string{
		fmt.Sprintf("%v", cfg), fmt.Sprintf("%+v", cfg), fmt.Sprintf("%#v", cfg),
		fmt.Sprintf("%s", cfg.Auth.AuthHeader), fmt.Sprintf("%x", cfg.Auth.HMACSecret), fmt.Sprint(cfg.Auth),
	} {
		assert.NotContains(t, s, "hunter")
		assert.Contains(t, s, "[redacted]")
	}
	b, err := cfg.Auth.HMACSecret.MarshalText()
	require.NoError(t, err)
	assert.Equal(t, "[redacted]", string(b))
}

func TestReleaseLetsTheSameSignedRequestComeAgain(t *testing.T) {
	body := cloudEventJSON(t, TypeGrantSyncRequested, map[string]any{"dry_run": true})
	c := &clock{testNow}
	d, err := NewDecoder(Config{Auth: AuthConfig{HMACSecret: testHMACSecret}, Now: c.Now})
	require.NoError(t, err)

	b, err := d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
	require.NoError(t, err)
	_, err = d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
	assert.Equal(t, http.StatusUnauthorized, HTTPStatus(err), "a replay is refused")

	d.Release(b) // the work failed and the sender was told to retry
	_, err = d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
	assert.NoError(t, err, "the retry is accepted once")
	_, err = d.DecodeHTTP(signedRequest(t, body, c.now, testHMACSecret))
	assert.Equal(t, http.StatusUnauthorized, HTTPStatus(err), "and only once")
}

func TestARefusedSignedBodyIsNotRememberedAsAReplay(t *testing.T) {
	c := &clock{testNow}
	d, err := NewDecoder(Config{Auth: AuthConfig{HMACSecret: testHMACSecret}, Now: c.Now})
	require.NoError(t, err)
	bad := `{"specversion":"1.0","source":"/x","type":"io.swrautopilot.grantsync.requested"}` // no id
	for range 2 {
		_, err := d.DecodeHTTP(signedRequest(t, bad, c.now, testHMACSecret))
		assert.Equal(t, http.StatusBadRequest, HTTPStatus(err), "the sender keeps hearing what is wrong")
	}
}

// countingBody records how much of a request body was read.
type countingBody struct {
	r    io.Reader
	read int
}

func (b *countingBody) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	b.read += n
	return n, err
}

func (b *countingBody) Close() error { return nil }

// An unauthenticated request is refused from its headers: its body is
// never read. A request with a well-formed, fresh HMAC signature has its
// body read, since the signature covers it, and only then checked.
func TestHeadersAreCheckedBeforeTheBodyIsRead(t *testing.T) {
	secret := "hmac-secret"
	d := newTestDecoder(t, Config{Auth: AuthConfig{AuthHeader: sampleAuthHeader, HMACSecret: Secret(secret)}})
	body := cloudEventJSON(t, TypeGrantSyncRequested, nil)
	post := func(h map[string]string) (*countingBody, error) {
		cb := &countingBody{r: strings.NewReader(body)}
		r := httptest.NewRequest(http.MethodPost, "/", nil)
		r.Body = cb
		r.ContentLength = int64(len(body))
		r.Header.Set("Content-Type", "application/cloudevents+json")
		for k, v := range h {
			r.Header.Set(k, v)
		}
		_, err := d.DecodeHTTP(r)
		return cb, err
	}
	ts := strconv.FormatInt(testNow.Unix(), 10)
	for name, h := range map[string]map[string]string{
		"no credential":       {},
		"wrong header":        {"Authorization": "Bearer guess"},
		"stale signature":     {DefaultTimestampHeader: strconv.FormatInt(testNow.Add(-time.Hour).Unix(), 10), DefaultSignatureHeader: Signature([]byte(secret), ts, []byte(body))},
		"malformed signature": {DefaultTimestampHeader: ts, DefaultSignatureHeader: "sha256=zz"},
	} {
		cb, err := post(h)
		assert.Equal(t, http.StatusUnauthorized, HTTPStatus(err), name)
		assert.Zero(t, cb.read, "%s: the body is not read", name)
	}

	cb, err := post(map[string]string{"Authorization": sampleAuthHeader})
	require.NoError(t, err)
	assert.Equal(t, len(body), cb.read)

	cb, err = post(map[string]string{DefaultTimestampHeader: ts, DefaultSignatureHeader: Signature([]byte(secret), ts, []byte("other body"))})
	assert.Equal(t, http.StatusUnauthorized, HTTPStatus(err), "a forged signature is refused once the body is read")
	assert.Equal(t, len(body), cb.read)
}
