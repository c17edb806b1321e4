package swr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorShapes(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		header []string
		want   Error
	}{
		{name: "bare array", status: 400,
			body: `[{"errorCode":"SVCSTG.SWR.4001048","errorMessage":"Failed to get Token from Context","detail":""}]`,
			want: Error{Code: "SVCSTG.SWR.4001048", Message: "Failed to get Token from Context"}},
		{name: "plain object", status: 400, header: []string{"X-Request-Id", "req-1"},
			body: `{"errorCode":"SVCSTG.SWR.4001090","errorMessage":"share not found","detail":"domain d1"}`,
			want: Error{Code: CodeAccessDomainGone, Message: "share not found", Detail: "domain d1", RequestID: "req-1"}},
		{name: "errors wrapper", status: 400,
			body: `{"errors":[{"errorCode":"SVCSTG.SWR.4000306","errorMessage":"retention not exist","detail":"id 3"}]}`,
			want: Error{Code: CodeRetentionGone, Message: "retention not exist", Detail: "id 3"}},
		{name: "gateway", status: 401,
			body: `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information","request_id":"gw-9"}`,
			want: Error{Code: "APIGW.0301", Message: "Incorrect IAM authentication information", RequestID: "gw-9"}},
		{name: "generic code and message", status: 500, body: `{"code":"SWR.500","message":"internal"}`,
			want: Error{Code: "SWR.500", Message: "internal"}},
		{name: "IAM error object", status: 401,
			body: `{"error":{"code":401,"message":"The username or password is wrong.","title":"Unauthorized"}}`,
			want: Error{Message: "The username or password is wrong."}},
		{name: "IAM error object with a string code", status: 400,
			body: `{"error":{"code":"1101","message":"Invalid user name"}}`,
			want: Error{Code: "1101", Message: "Invalid user name"}},
		{name: "non-JSON body", status: 502, body: "<html>Bad Gateway</html>\nmore",
			want: Error{Message: "<html>Bad Gateway</html>"}},
		{name: "broken JSON", status: 500, body: `{"errorCode":`, want: Error{Message: `{"errorCode":`}},
		{name: "empty array", status: 500, body: `[]`, want: Error{Message: "[]"}},
		{name: "empty body", status: 503, body: "", want: Error{Message: "Service Unavailable"}},
		{name: "header request id wins over body", status: 429, header: []string{"X-Request-Id", "hdr"},
			body: `{"error_code":"APIGW.0308","error_msg":"throttled","request_id":"body"}`,
			want: Error{Code: "APIGW.0308", Message: "throttled", RequestID: "hdr"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := newRecorder(t, func(w http.ResponseWriter, _ *http.Request, _ int) {
				reply(w, tc.status, tc.body, tc.header...)
			})
			c, _ := testClient(t, srv.URL, WithRetry(1, 0, 0))
			err := c.Repositories.Delete(t.Context(), "team", "team/web")
			require.Error(t, err)
			var got *Error
			require.True(t, errors.As(err, &got), "error %v is not an *Error", err)
			want := tc.want
			want.StatusCode = tc.status
			want.Method = "DELETE"
			want.Path = "/v2/manage/namespaces/team/repos/team$web"
			assert.Equal(t, &want, got)
			assert.Contains(t, err.Error(), fmt.Sprintf("DELETE /v2/manage/namespaces/team/repos/team$web: %d", tc.status))
			if want.Code != "" {
				assert.Contains(t, err.Error(), want.Code)
			}
			assert.True(t, strings.HasPrefix(err.Error(), "delete repository team/team/web: swr: "), err.Error())
		})
	}
}

func TestErrorMessageIsBounded(t *testing.T) {
	e := newError("GET", "/", 502, http.Header{}, []byte(strings.Repeat("x", 10_000)))
	assert.Equal(t, maxPlainErrorMessageRunes+1, len([]rune(e.Message)))
}

func TestErrorText(t *testing.T) {
	e := &Error{StatusCode: 404, Code: "SVCSTG.SWR.4040058", Message: "organization not found", Detail: "ns x",
		RequestID: "r1", Method: "GET", Path: "/v2/manage/namespaces/x"}
	assert.Equal(t, "swr: GET /v2/manage/namespaces/x: 404 SVCSTG.SWR.4040058: organization not found: ns x (request id r1)", e.Error())
}

func TestErrorClassifiers(t *testing.T) {
	e := func(status int, code string) error {
		return fmt.Errorf("wrapped: %w", &Error{StatusCode: status, Code: code})
	}
	cases := []struct {
		name                                 string
		err                                  error
		notFound, conflict, throttled, quota bool
	}{
		{"404", e(404, "SVCSTG.SWR.4040010"), true, false, false, false},
		{"retention gone", e(400, CodeRetentionGone), true, false, false, false},
		{"sync rule gone", e(400, CodeSyncRepoGone), true, false, false, false},
		{"share gone", e(400, CodeAccessDomainGone), true, false, false, false},
		{"other 400", e(400, "SVCSTG.SWR.4001025"), false, false, false, false},
		{"409 exists", e(409, "SVCSTG.SWR.4090060"), false, true, false, false},
		{"409 busy", e(409, CodeSystemBusy), false, false, false, false},
		{"429", e(429, "APIGW.0308"), false, false, true, false},
		{"403 too many", e(403, CodeTooManyRequests), false, false, true, false},
		{"403 too many (other)", e(403, CodeTooManyRequestsOther), false, false, true, false},
		{"403 forbidden", e(403, "SVCSTG.SWR.4039001"), false, false, false, false},
		{"namespace quota", e(400, CodeNamespaceQuota), false, false, false, true},
		{"image quota", e(400, CodeImageQuota), false, false, false, true},
		{"not an SWR error", errors.New("dial tcp: refused"), false, false, false, false},
		{"nil", nil, false, false, false, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.notFound, IsNotFound(tc.err), "IsNotFound")
			assert.Equal(t, tc.conflict, IsConflict(tc.err), "IsConflict")
			assert.Equal(t, tc.throttled, IsThrottled(tc.err), "IsThrottled")
			assert.Equal(t, tc.quota, IsQuotaExceeded(tc.err), "IsQuotaExceeded")
		})
	}
}

func TestIsForbidden(t *testing.T) {
	e := func(status int, code string) error {
		return fmt.Errorf("wrapped: %w", &Error{StatusCode: status, Code: code})
	}
	assert.True(t, IsForbidden(e(403, "SVCSTG.SWR.4039001")))
	assert.True(t, IsForbidden(e(403, "")))
	assert.False(t, IsForbidden(e(403, CodeTooManyRequests)), "throttling is not a refusal")
	assert.False(t, IsForbidden(e(404, "SVCSTG.SWR.4040058")))
	assert.False(t, IsForbidden(errors.New("dial tcp: refused")))
}

func TestIsTransient(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"500", &Error{StatusCode: 500}, true},
		{"503", fmt.Errorf("list: %w", &Error{StatusCode: 503}), true},
		{"429", &Error{StatusCode: 429}, true},
		{"403 throttled", &Error{StatusCode: 403, Code: CodeTooManyRequests}, true},
		{"409 system busy", &Error{StatusCode: 409, Code: CodeSystemBusy}, true},
		{"404", &Error{StatusCode: 404, Code: CodeRetentionGone}, false},
		{"409 conflict", &Error{StatusCode: 409}, false},
		{"connection reset", fmt.Errorf("read: %w", syscall.ECONNRESET), true},
		{"cut short", io.ErrUnexpectedEOF, true},
		{"deadline", context.DeadlineExceeded, true},
		{"timeout", &net.OpError{Op: "dial", Err: errors.New("i/o timeout")}, true},
		{"bad answer", errors.New("decode: invalid character"), false},
	} {
		assert.Equal(t, tc.want, IsTransient(tc.err), tc.name)
	}
}
