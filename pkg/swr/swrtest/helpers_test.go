package swrtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// testNow is the fixed clock of most tests.
func testNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

func fixedClock(t time.Time) func() time.Time { return func() time.Time { return t } }

// newServer starts an emulator on the fixed test clock.
func newServer(t testing.TB, opts ...swrtest.Option) *swrtest.Server {
	t.Helper()
	srv := swrtest.NewServer(append([]swrtest.Option{swrtest.WithClock(fixedClock(testNow()))}, opts...)...)
	t.Cleanup(srv.Close)
	return srv
}

// rawClient sends hand-built HTTP requests signed with swr.Sign, the way
// the SDK does: JSON Content-Type on every request, query keys sorted with
// spaces as %20, paths with "$" for "/" in repository names.
type rawClient struct {
	t      testing.TB
	srv    *swrtest.Server
	ak, sk string
	token  string // when set, X-Auth-Token replaces the signature
	hc     *http.Client
}

func newClient(t testing.TB, srv *swrtest.Server) *rawClient {
	return &rawClient{t: t, srv: srv, ak: srv.AK, sk: srv.SK, hc: srv.Client()}
}

type response struct {
	Status int
	Header http.Header
	Body   []byte
}

// request builds the request; body may be nil, []byte, string or a value
// to marshal as JSON.
func (c *rawClient) request(method, path string, query url.Values, body any) (*http.Request, []byte) {
	c.t.Helper()
	var data []byte
	switch b := body.(type) {
	case nil:
	case []byte:
		data = b
	case string:
		data = []byte(b)
	default:
		var err error
		data, err = json.Marshal(b)
		require.NoError(c.t, err)
	}
	u, err := url.Parse(c.srv.URL)
	require.NoError(c.t, err)
	u.Path = path
	u.RawQuery = strings.ReplaceAll(query.Encode(), "+", "%20")
	req, err := http.NewRequest(method, u.String(), bytes.NewReader(data))
	require.NoError(c.t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "huaweicloud-usdk-go/3.0")
	req.Header.Set(swr.HeaderProjectID, c.srv.ProjectID)
	return req, data
}

func (c *rawClient) send(req *http.Request, data []byte) response {
	c.t.Helper()
	if c.token != "" {
		req.Header.Set(swr.HeaderAuthToken, c.token)
	} else {
		swr.Sign(req, data, c.ak, c.sk, c.srv.Now())
	}
	return c.roundTrip(req)
}

func (c *rawClient) roundTrip(req *http.Request) response {
	c.t.Helper()
	resp, err := c.hc.Do(req)
	require.NoError(c.t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(c.t, err)
	return response{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

func (c *rawClient) do(method, path string, query url.Values, body any) response {
	c.t.Helper()
	req, data := c.request(method, path, query, body)
	return c.send(req, data)
}

func (c *rawClient) get(path string) response { return c.do(http.MethodGet, path, nil, nil) }

// object decodes the body as a JSON object.
func (r response) object(t testing.TB) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m), "body %s", r.Body)
	return m
}

// array decodes the body as a JSON array of objects.
func (r response) array(t testing.TB) []map[string]any {
	t.Helper()
	var a []map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &a), "body %s", r.Body)
	return a
}

func (r response) decode(t testing.TB, v any) {
	t.Helper()
	require.NoError(t, json.Unmarshal(r.Body, v), "body %s", r.Body)
}

func keys(m map[string]any) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func sorted(ks ...string) []string {
	out := slices.Clone(ks)
	slices.Sort(out)
	return out
}

// requireStatus checks the status and that every answer carries a request id.
func requireStatus(t testing.TB, r response, status int) {
	t.Helper()
	require.Equal(t, status, r.Status, "body %s", r.Body)
	require.NotEmpty(t, r.Header.Get("X-Request-Id"), "X-Request-Id header")
}

// requireSWRError checks a bare-array SWR error body.
func requireSWRError(t testing.TB, r response, status int, code string) {
	t.Helper()
	requireStatus(t, r, status)
	a := r.array(t)
	require.Len(t, a, 1)
	require.Equal(t, sorted("errorCode", "errorMessage", "detail"), keys(a[0]))
	require.Equal(t, code, a[0]["errorCode"])
}

// requireWrappedError checks a {"errors":[…]} SWR error body.
func requireWrappedError(t testing.TB, r response, status int, code string) {
	t.Helper()
	requireStatus(t, r, status)
	var body struct {
		Errors []map[string]any `json:"errors"`
	}
	r.decode(t, &body)
	require.Equal(t, []string{"errors"}, keys(r.object(t)))
	require.Len(t, body.Errors, 1)
	require.Equal(t, sorted("errorCode", "errorMessage", "detail"), keys(body.Errors[0]))
	require.Equal(t, code, body.Errors[0]["errorCode"])
}

// requireGatewayError checks an API gateway error body.
func requireGatewayError(t testing.TB, r response, status int, code string) {
	t.Helper()
	requireStatus(t, r, status)
	m := r.object(t)
	require.Equal(t, sorted("error_code", "error_msg", "request_id"), keys(m))
	require.Equal(t, code, m["error_code"])
	require.Equal(t, r.Header.Get("X-Request-Id"), m["request_id"])
}

// requireEmpty checks a write answered with no body.
func requireEmpty(t testing.TB, r response, status int) {
	t.Helper()
	requireStatus(t, r, status)
	require.Empty(t, r.Body)
}

const nsPath = "/v2/manage/namespaces"

func repoPath(ns, repo string) string {
	return nsPath + "/" + ns + "/repos/" + strings.ReplaceAll(repo, "/", "$")
}

// mustCreateNamespace creates ns through the API.
func (c *rawClient) mustCreateNamespace(ns string) {
	c.t.Helper()
	requireEmpty(c.t, c.do(http.MethodPost, nsPath, nil, map[string]string{"namespace": ns}), http.StatusCreated)
}

// mustCreateRepo creates ns/repo through the API.
func (c *rawClient) mustCreateRepo(ns, repo string) {
	c.t.Helper()
	requireEmpty(c.t, c.do(http.MethodPost, nsPath+"/"+ns+"/repos", nil,
		map[string]any{"repository": repo, "is_public": false, "category": "linux"}), http.StatusOK)
}
