package swr

import (
	"net/http"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	testPassword = "PWTESTLEAKCHECK0004"
	tokenPath    = "/v3/auth/tokens"
)

// iamAndSWR serves IAM tokens on /v3/auth/tokens (from tokens, in order,
// valid for validity) and answers SWR requests with swr.
type iamAndSWR struct {
	*recorder
	iamCalls atomic.Int64
}

func newIAMAndSWR(t *testing.T, tokens []string, validity time.Duration, now func() time.Time,
	swr func(w http.ResponseWriter, r *http.Request)) *iamAndSWR {
	s := &iamAndSWR{}
	s.recorder = newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ int) {
		if r.URL.Path != tokenPath {
			swr(w, r)
			return
		}
		n := int(s.iamCalls.Add(1))
		tok := tokens[min(n, len(tokens))-1]
		exp := now().Add(validity).UTC().Format("2006-01-02T15:04:05.000000Z")
		reply(w, 201, `{"token":{"expires_at":"`+exp+`","methods":["password"],"project":{"id":"proj-9","name":"cn-north-4"}}}`,
			HeaderSubjectToken, tok)
	})
	return s
}

func (s *iamAndSWR) swrRequests() []seen {
	var out []seen
	for _, r := range s.requests() {
		if r.Path != tokenPath {
			out = append(out, r)
		}
	}
	return out
}

func iamCreds(url string) IAMPassword {
	return IAMPassword{IAMEndpoint: url, DomainName: "acme", UserName: "bob", Password: testPassword, ProjectName: "cn-north-4"}
}

func TestIAMPasswordTokenIsFetchedCachedAndSent(t *testing.T) {
	srv := newIAMAndSWR(t, []string{"tok-1"}, 24*time.Hour, fixedClock, func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"quotas":[{"quota_key":"namespace","quota_limit":5,"used":2,"unit":""}]}`)
	})
	c, err := NewClient(srv.URL, iamCreds(srv.URL), WithClock(fixedClock))
	require.NoError(t, err)
	for range 3 {
		_, err := c.Meta.Quotas(t.Context())
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), srv.iamCalls.Load(), "the token is cached")

	all := srv.requests()
	iam := all[0]
	assert.Equal(t, "POST", iam.Method)
	assert.Equal(t, tokenPath, iam.Path)
	assert.Equal(t, `{"auth":{"identity":{"methods":["password"],"password":{"user":{"domain":{"name":"acme"},`+
		`"name":"bob","password":"`+testPassword+`"}}},"scope":{"project":{"name":"cn-north-4"}}}}`+"\n", string(iam.Body))
	assert.Empty(t, iam.Header.Get(HeaderAuthToken))

	swrReqs := srv.swrRequests()
	require.Len(t, swrReqs, 3)
	for _, r := range swrReqs {
		assert.Equal(t, "/v2/manage/projects/proj-9/quotas", r.Path, "project id comes from the token")
		assert.Equal(t, "tok-1", r.Header.Get(HeaderAuthToken))
		assert.Empty(t, r.Header.Get("Authorization"), "token requests are not signed")
	}
	assert.Equal(t, int64(1), c.Stats().TokenRefreshes)
}

func TestIAMTokenIsRenewedShortlyBeforeExpiry(t *testing.T) {
	var now atomic.Int64
	now.Store(testNow.UnixNano())
	clock := func() time.Time { return time.Unix(0, now.Load()).UTC() }
	srv := newIAMAndSWR(t, []string{"tok-1", "tok-2"}, 20*time.Minute, clock, func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"namespaces":[]}`)
	})
	c, err := NewClient(srv.URL, iamCreds(srv.URL), WithClock(clock))
	require.NoError(t, err)

	_, err = c.Namespaces.List(t.Context())
	require.NoError(t, err)
	now.Add(int64(14 * time.Minute)) // 6 min left: still used
	_, err = c.Namespaces.List(t.Context())
	require.NoError(t, err)
	now.Add(int64(2 * time.Minute)) // 4 min left: inside the refresh margin
	_, err = c.Namespaces.List(t.Context())
	require.NoError(t, err)

	var got []string
	for _, r := range srv.swrRequests() {
		got = append(got, r.Header.Get(HeaderAuthToken))
	}
	assert.Equal(t, []string{"tok-1", "tok-1", "tok-2"}, got)
}

func TestIAMTokenIsRefreshedOnceOn401(t *testing.T) {
	srv := newIAMAndSWR(t, []string{"tok-1", "tok-2"}, 24*time.Hour, fixedClock, func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get(HeaderAuthToken) != "tok-2" {
			reply(w, 401, `{"errorCode":"SVCSTG.SWR.4010000","errorMessage":"Authenticate Error"}`)
			return
		}
		reply(w, 201, "")
	})
	c, sleeps := testClientWith(t, srv.URL, iamCreds(srv.URL))
	require.NoError(t, c.Namespaces.Create(t.Context(), "team"), "a POST rejected with 401 is re-sent with a new token")

	swrReqs := srv.swrRequests()
	require.Len(t, swrReqs, 2)
	assert.Equal(t, "tok-1", swrReqs[0].Header.Get(HeaderAuthToken))
	assert.Equal(t, "tok-2", swrReqs[1].Header.Get(HeaderAuthToken))
	assert.Equal(t, swrReqs[0].Body, swrReqs[1].Body)
	assert.Equal(t, int64(2), srv.iamCalls.Load())
	assert.Empty(t, sleeps.all(), "a refresh does not back off")
	assert.Equal(t, int64(2), c.Stats().TokenRefreshes)
}

func TestIAMTokenRefreshHappensOnlyOnce(t *testing.T) {
	srv := newIAMAndSWR(t, []string{"tok-1", "tok-2", "tok-3"}, 24*time.Hour, fixedClock, func(w http.ResponseWriter, r *http.Request) {
		reply(w, 401, `{"errorCode":"SVCSTG.SWR.4010000","errorMessage":"Authenticate Error"}`)
	})
	c, _ := testClientWith(t, srv.URL, iamCreds(srv.URL))
	_, err := c.Namespaces.List(t.Context())
	var e *Error
	require.ErrorAs(t, err, &e)
	assert.Equal(t, 401, e.StatusCode)
	assert.Equal(t, CodeAuthFailed, e.Code)
	assert.Len(t, srv.swrRequests(), 2)
	assert.Equal(t, int64(2), srv.iamCalls.Load())
}

func TestStaticTokenIsSentAndNot401Retried(t *testing.T) {
	srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
		reply(w, 401, `{"errorCode":"SVCSTG.SWR.4010000","errorMessage":"Authenticate Error"}`)
	})
	c, _ := testClientWith(t, srv.URL, StaticToken{Token: "static-tok"})
	_, err := c.Namespaces.List(t.Context())
	require.Error(t, err)
	reqs := srv.requests()
	require.Len(t, reqs, 1, "a static token cannot be renewed")
	assert.Equal(t, "static-tok", reqs[0].Header.Get(HeaderAuthToken))
	assert.Empty(t, reqs[0].Header.Get("Authorization"))
}

func TestConcurrentCallersShareOneTokenFetch(t *testing.T) {
	srv := newIAMAndSWR(t, []string{"tok-1"}, 24*time.Hour, fixedClock, func(w http.ResponseWriter, r *http.Request) {
		reply(w, 200, `{"namespaces":[]}`)
	})
	c, _ := testClientWith(t, srv.URL, iamCreds(srv.URL))
	var wg sync.WaitGroup
	errs := make(chan error, 8)
	for range 8 {
		wg.Go(func() {
			_, err := c.Namespaces.List(t.Context())
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.Equal(t, int64(1), srv.iamCalls.Load())
	assert.Len(t, srv.swrRequests(), 8)
}

func TestIAMFailuresAreClearAndSecretFree(t *testing.T) {
	cases := []struct {
		name   string
		handle func(w http.ResponseWriter)
		want   string
	}{
		{"wrong password", func(w http.ResponseWriter) {
			reply(w, 401, `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`)
		}, "list namespaces: IAM token: swr: POST /v3/auth/tokens: 401: The username or password is wrong."},
		{"no token header", func(w http.ResponseWriter) {
			reply(w, 201, `{"token":{"expires_at":"2030-01-01T00:00:00Z"}}`)
		}, "response has no X-Subject-Token header"},
		{"bad expiry", func(w http.ResponseWriter) {
			reply(w, 201, `{"token":{"expires_at":"tomorrow"}}`, HeaderSubjectToken, "t")
		}, `token.expires_at "tomorrow" is not an RFC 3339 time`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, r *http.Request, _ int) {
				if r.URL.Path == tokenPath {
					tc.handle(w)
					return
				}
				reply(w, 200, `{"namespaces":[]}`)
			})
			c, _ := testClientWith(t, srv.URL, iamCreds(srv.URL))
			_, err := c.Namespaces.List(t.Context())
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.NotContains(t, err.Error(), testPassword)
			reqs := srv.requests()
			require.Len(t, reqs, 1, "a failed token request is not repeated by the SWR call")
			assert.Equal(t, tokenPath, reqs[0].Path, "SWR is not called without a token")
		})
	}
}
