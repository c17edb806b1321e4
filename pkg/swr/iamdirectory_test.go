package swr

import (
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestIAMServiceCallsTheIAMEndpointSignedWithRetries(t *testing.T) {
	swrSide := newRecorder(t, func(w http.ResponseWriter, r *http.Request, n int) { reply(w, 500, "") })
	iam := newRecorder(t, func(w http.ResponseWriter, r *http.Request, n int) {
		switch {
		case n == 1:
			reply(w, http.StatusServiceUnavailable, `{"error_code":"APIGW.0208","error_msg":"busy"}`)
		case r.URL.Path == "/v3/users":
			reply(w, 200, `{"users":[{"id":"u1","name":"`+r.URL.Query().Get("name")+`","domain_id":"d","enabled":true,"links":{}}],"links":{"self":"x"}}`)
		case r.URL.Path == "/v3/groups":
			reply(w, 200, `{"groups":[{"id":"g1","name":"devs","domain_id":"d","description":""}],"links":{}}`)
		case r.URL.Path == "/v3/groups/g1/users":
			reply(w, 200, `{"users":[{"id":"u1","name":"alice","enabled":true},{"id":"u2","name":"bob","enabled":true}]}`)
		default:
			reply(w, 404, `{"error":{"code":404,"title":"Not Found","message":"Could not find group: g9."}}`)
		}
	})
	c, sleeps := testClient(t, swrSide.URL, WithIAMEndpoint(iam.URL))

	users, err := c.IAM.UsersByName(t.Context(), "alice smith")
	require.NoError(t, err)
	assert.Equal(t, []IAMUser{{ID: "u1", Name: "alice smith", DomainID: "d", Enabled: true}}, users)
	assert.Len(t, sleeps.all(), 1, "the 503 is retried")

	groups, err := c.IAM.GroupsByName(t.Context(), "devs")
	require.NoError(t, err)
	assert.Equal(t, "g1", groups[0].ID)
	members, err := c.IAM.GroupUsers(t.Context(), "g1")
	require.NoError(t, err)
	assert.Len(t, members, 2)

	_, err = c.IAM.GroupUsers(t.Context(), "g9")
	require.Error(t, err)
	assert.True(t, IsNotFound(err), "IAM's errors are *Error: %v", err)
	_, err = c.IAM.GroupUsers(t.Context(), "../x")
	require.Error(t, err)

	assert.Empty(t, swrSide.requests(), "IAM is a separate endpoint")
	reqs := iam.requests()
	require.Len(t, reqs, 5)
	assert.Equal(t, "name=alice%20smith", reqs[1].RawQuery)
	for _, r := range reqs {
		assert.NoError(t, r.SigErr, "%s %s is signed like SWR requests", r.Method, r.Path)
		assert.True(t, strings.HasPrefix(r.Header.Get("Authorization"), "SDK-HMAC-SHA256 "))
	}
}

func TestIAMEndpointDefaults(t *testing.T) {
	c, _ := testClient(t, "https://swr-api.cn-north-4.myhuaweicloud.com")
	u, err := c.iamURL()
	require.NoError(t, err)
	assert.Equal(t, DefaultIAMEndpoint, u.String())

	c, _ = testClientWith(t, "https://swr-api.cn-north-4.myhuaweicloud.com",
		IAMPassword{IAMEndpoint: "https://iam.cn-north-4.myhuaweicloud.com", DomainName: "d", UserName: "u", Password: "p", ProjectName: "cn-north-4"})
	u, err = c.iamURL()
	require.NoError(t, err)
	assert.Equal(t, "https://iam.cn-north-4.myhuaweicloud.com", u.String())

	_, err = NewClient("https://swr-api.cn-north-4.myhuaweicloud.com", AKSK{AK: testAK, SK: testSK}, WithIAMEndpoint("ftp://iam"))
	assert.ErrorContains(t, err, "IAM endpoint")
}
