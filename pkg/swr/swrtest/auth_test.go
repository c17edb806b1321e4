package swrtest_test

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

func TestSignatureAuth(t *testing.T) {
	srv := newServer(t, swrtest.WithCredentials("AKTEST", "SKTEST"))
	c := newClient(t, srv)
	assert.Equal(t, "AKTEST", srv.AK)
	requireStatus(t, c.get(nsPath), http.StatusOK)

	t.Run("missing", func(t *testing.T) {
		req, _ := c.request(http.MethodGet, nsPath, nil, nil)
		requireGatewayError(t, c.roundTrip(req), http.StatusUnauthorized, swrtest.GatewayAuthFailed)
	})
	t.Run("wrong secret", func(t *testing.T) {
		bad := newClient(t, srv)
		bad.sk = "other"
		requireGatewayError(t, bad.get(nsPath), http.StatusUnauthorized, swrtest.GatewayAuthFailed)
	})
	t.Run("unknown access key", func(t *testing.T) {
		bad := newClient(t, srv)
		bad.ak = "AKOTHER"
		requireGatewayError(t, bad.get(nsPath), http.StatusUnauthorized, swrtest.GatewayAuthFailed)
	})
	t.Run("body changed after signing", func(t *testing.T) {
		req, data := c.request(http.MethodPost, nsPath, nil, map[string]string{"namespace": "team-a"})
		swr.Sign(req, data, c.ak, c.sk, srv.Now())
		other := []byte(`{"namespace":"team-b"}`)
		req.Body, req.ContentLength = readCloser(other), int64(len(other))
		requireGatewayError(t, c.roundTrip(req), http.StatusUnauthorized, swrtest.GatewayAuthFailed)
		assert.Empty(t, srv.State().Namespaces)
	})
	t.Run("host signed", func(t *testing.T) {
		req, data := c.request(http.MethodGet, nsPath, nil, nil)
		req.Header.Set("Host", req.URL.Host)
		swr.Sign(req, data, c.ak, c.sk, srv.Now())
		requireStatus(t, c.roundTrip(req), http.StatusOK)
	})
	for _, tc := range []struct {
		skew time.Duration
		want int
	}{{-14 * time.Minute, http.StatusOK}, {14 * time.Minute, http.StatusOK}, {-16 * time.Minute, http.StatusUnauthorized}, {16 * time.Minute, http.StatusUnauthorized}} {
		t.Run("skew "+tc.skew.String(), func(t *testing.T) {
			req, data := c.request(http.MethodGet, nsPath, nil, nil)
			swr.Sign(req, data, c.ak, c.sk, srv.Now().Add(tc.skew))
			r := c.roundTrip(req)
			if tc.want == http.StatusOK {
				requireStatus(t, r, http.StatusOK)
			} else {
				requireGatewayError(t, r, tc.want, swrtest.GatewayAuthFailed)
			}
		})
	}
	for _, rec := range srv.Requests() {
		assert.NotContains(t, rec.Query, "SKTEST")
	}
}

func readCloser(b []byte) *readCloserT { return &readCloserT{bytes.NewReader(b)} }

type readCloserT struct{ *bytes.Reader }

func (readCloserT) Close() error { return nil }

func tokenBody(user, password, domain string) map[string]any {
	return map[string]any{"auth": map[string]any{
		"identity": map[string]any{"methods": []string{"password"}, "password": map[string]any{
			"user": map[string]any{"name": user, "password": password, "domain": map[string]any{"name": domain}}}},
		"scope": map[string]any{"project": map[string]any{"name": "cn-north-4"}},
	}}
}

func TestTokenAuth(t *testing.T) {
	clock := testNow()
	srv := newServer(t, swrtest.WithUser("robot", "s3cret"), swrtest.WithDomain("acme"), swrtest.WithTokenLifetime(time.Hour))
	srv.Set(swrtest.WithClock(func() time.Time { return clock }))
	anon := newClient(t, srv)

	req, _ := anon.request(http.MethodPost, "/v3/auth/tokens", nil, tokenBody("robot", "wrong", "acme"))
	r := anon.roundTrip(req)
	requireStatus(t, r, http.StatusUnauthorized)
	assert.Empty(t, r.Header.Get("X-Subject-Token"))

	req, _ = anon.request(http.MethodPost, "/v3/auth/tokens", nil, tokenBody("robot", "s3cret", "acme"))
	r = anon.roundTrip(req)
	requireStatus(t, r, http.StatusCreated)
	token := r.Header.Get("X-Subject-Token")
	require.NotEmpty(t, token)
	var body struct {
		Token struct {
			ExpiresAt string `json:"expires_at"`
			User      struct{ Name string }
		}
	}
	r.decode(t, &body)
	assert.Equal(t, "2026-03-01T13:00:00.000000Z", body.Token.ExpiresAt)
	assert.Equal(t, "robot", body.Token.User.Name)

	tc := newClient(t, srv)
	tc.token = token
	requireEmpty(t, tc.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": "team-a"}), http.StatusCreated)
	ns, _ := srv.State().Namespace("team-a")
	assert.Equal(t, "robot", ns.CreatorName)
	assert.Equal(t, 1, srv.Writes(), "the token request is not an SWR write")

	clock = clock.Add(time.Hour)
	requireSWRError(t, tc.get(nsPath), http.StatusUnauthorized, swrtest.CodeAuthFailed)
	tc.token = "MIIforged"
	requireSWRError(t, tc.get(nsPath), http.StatusUnauthorized, swrtest.CodeAuthFailed)
}

func TestProjectsLookup(t *testing.T) {
	srv := newServer(t, swrtest.WithProjectID("0123456789abcdef0123456789abcdef"))
	c := newClient(t, srv)
	r := c.do(http.MethodGet, "/v3/projects", url.Values{"name": {"cn-north-4"}}, nil)
	requireStatus(t, r, http.StatusOK)
	var body struct{ Projects []struct{ ID, Name string } }
	r.decode(t, &body)
	require.Len(t, body.Projects, 1)
	assert.Equal(t, "0123456789abcdef0123456789abcdef", body.Projects[0].ID)
}

func TestServerPrintsNoSecret(t *testing.T) {
	srv := newServer(t, swrtest.WithCredentials("AKPRINT", "SKPRINT"), swrtest.WithUser("u", "PWPRINT"))
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		out := fmt.Sprintf(format, srv)
		assert.NotContains(t, out, "SKPRINT", format)
		assert.NotContains(t, out, "PWPRINT", format)
		assert.Contains(t, out, srv.URL, format)
	}
}
