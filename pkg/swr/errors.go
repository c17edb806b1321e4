package swr

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"
)

// SWR error codes the client and its callers act on (swr-api.md §1.6).
const (
	CodeAuthFailed            = "SVCSTG.SWR.4010000" // 401: expired or invalid token
	CodeRetentionGone         = "SVCSTG.SWR.4000306" // 400: DELETE of a retention that no longer exists
	CodeSyncRepoGone          = "SVCSTG.SWR.4001158" // 400: DELETE sync_repo of a rule that no longer exists
	CodeAccessDomainGone      = "SVCSTG.SWR.4001090" // 400: GET access-domain of a share that does not exist
	CodeNamespaceQuota        = "SVCSTG.SWR.4000097" // 400: max number of organizations exceeded
	CodeImageQuota            = "SVCSTG.SWR.4000098" // 400: max number of images exceeded
	CodeImageTagQuota         = "SVCSTG.SWR.4000099" // 400: max number of image tags exceeded
	CodeTooManyRequests       = "SVCSTG.SWR.4031032" // 403: too many requests
	CodeTooManyRequestsOther  = "SVCSTG.SWR.4031042" // 403: too many requests
	CodeSystemBusy            = "SVCSTG.SWR.4090023" // 409: system busy, retry
	maxErrorBodyBytes         = 64 << 10
	maxPlainErrorMessageRunes = 200
)

// Error is a non-2xx answer from SWR, its API gateway or IAM. Code is the
// service error code (SWR's errorCode, the gateway's error_code, or IAM's
// error.code); it is empty when the body carried none.
type Error struct {
	StatusCode int    // HTTP status
	Code       string // e.g. "SVCSTG.SWR.4040058" or "APIGW.0301"
	Message    string // errorMessage / error_msg / message, or the start of a non-JSON body
	Detail     string // SWR's detail, often empty
	RequestID  string // X-Request-Id header, or request_id from the body
	Method     string // HTTP method of the failed request
	Path       string // URL path of the failed request, as sent (repository names in their $ form)
}

// Error formats the failure as "swr: METHOD PATH: STATUS CODE: message: detail (request id ID)".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString("swr: ")
	b.WriteString(e.Method)
	b.WriteByte(' ')
	b.WriteString(e.Path)
	b.WriteString(": ")
	b.WriteString(strconv.Itoa(e.StatusCode))
	if e.Code != "" {
		b.WriteByte(' ')
		b.WriteString(e.Code)
	}
	if e.Message != "" {
		b.WriteString(": ")
		b.WriteString(e.Message)
	}
	if e.Detail != "" {
		b.WriteString(": ")
		b.WriteString(e.Detail)
	}
	if e.RequestID != "" {
		b.WriteString(" (request id ")
		b.WriteString(e.RequestID)
		b.WriteByte(')')
	}
	return b.String()
}

// IsNotFound reports whether err is an SWR answer meaning "no such
// resource": a 404, or one of the 400 codes SWR uses for an object that is
// already gone (retention 4000306, sync rule 4001158, share 4001090).
func IsNotFound(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case CodeRetentionGone, CodeSyncRepoGone, CodeAccessDomainGone:
		return true
	}
	return e.StatusCode == http.StatusNotFound
}

// IsConflict reports whether err is a 409 "already exists" answer. The 409
// "system busy" code (4090023) is not a conflict: the client retries it.
func IsConflict(err error) bool {
	e, ok := asError(err)
	return ok && e.StatusCode == http.StatusConflict && e.Code != CodeSystemBusy
}

// IsForbidden reports whether err is a 403 that is not throttling: the
// caller may not see or touch the resource, which may belong to another
// account.
func IsForbidden(err error) bool {
	e, ok := asError(err)
	return ok && e.StatusCode == http.StatusForbidden && !IsThrottled(err)
}

// IsThrottled reports whether err is a throttling answer: 429, or 403 with
// SWR's "too many requests" codes 4031032 / 4031042.
func IsThrottled(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	return e.StatusCode == http.StatusTooManyRequests || e.Code == CodeTooManyRequests || e.Code == CodeTooManyRequestsOther
}

// IsTransient reports whether err may go away by itself: a network
// failure (a net.Error, a connection reset, refused or cut short), ctx
// ending, or an SWR answer that is a 5xx, throttling or "system busy".
// Anything else (an invalid name, an answer that does not decode, a 4xx
// about the request) fails the same way every time. It is the one retry
// classifier: the client's own retries (which add the rule that a POST is
// re-sent only when SWR cannot have received it) and the jobs' decisions
// to retry or redeliver use it.
func IsTransient(err error) bool {
	if e, ok := asError(err); ok {
		return e.StatusCode >= 500 || IsThrottled(e) || e.Code == CodeSystemBusy
	}
	var ne net.Error
	return errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) ||
		errors.As(err, &ne) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.ECONNREFUSED) ||
		errors.Is(err, syscall.ECONNABORTED) || errors.Is(err, syscall.EPIPE) ||
		errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF)
}

// IsQuotaExceeded reports whether err says an account quota is used up:
// organizations (4000097), images (4000098) or image tags (4000099).
func IsQuotaExceeded(err error) bool {
	e, ok := asError(err)
	if !ok {
		return false
	}
	switch e.Code {
	case CodeNamespaceQuota, CodeImageQuota, CodeImageTagQuota:
		return true
	}
	return false
}

func asError(err error) (*Error, bool) {
	var e *Error
	if errors.As(err, &e) {
		return e, true
	}
	return nil, false
}

// errorBody holds every error field spelling SWR, its gateway and IAM use.
type errorBody struct {
	ErrorCode    string          `json:"errorCode"`
	ErrorMessage string          `json:"errorMessage"`
	Detail       string          `json:"detail"`
	GatewayCode  string          `json:"error_code"`
	GatewayMsg   string          `json:"error_msg"`
	RequestID    string          `json:"request_id"`
	Code         json.RawMessage `json:"code"`
	Message      string          `json:"message"`
	Errors       []errorBody     `json:"errors"`
	IAM          *errorBody      `json:"error"`
}

// newError builds an *Error from a non-2xx response status, headers and
// (possibly truncated) body. It accepts every shape of swr-api.md §1.6: a
// bare array, {"errors":[…]}, a plain object with errorCode or the
// gateway's error_code, IAM's {"error":{"code":…}}, and non-JSON text.
func newError(method, path string, status int, h http.Header, body []byte) *Error {
	e := &Error{StatusCode: status, Method: method, Path: path, RequestID: h.Get(HeaderRequestID)}
	body = bytes.TrimSpace(body)
	var eb errorBody
	switch {
	case len(body) > 0 && body[0] == '[':
		var list []errorBody
		if json.Unmarshal(body, &list) == nil && len(list) > 0 {
			eb = list[0]
		} else {
			e.Message = plainMessage(body)
		}
	case len(body) > 0 && body[0] == '{':
		if json.Unmarshal(body, &eb) != nil {
			e.Message = plainMessage(body)
		}
	default:
		e.Message = plainMessage(body)
	}
	if len(eb.Errors) > 0 {
		reqID := eb.RequestID
		eb = eb.Errors[0]
		eb.RequestID = cmp.Or(eb.RequestID, reqID)
	}
	if eb.IAM != nil {
		eb = *eb.IAM
	}
	e.Code = cmp.Or(eb.ErrorCode, eb.GatewayCode, rawCode(eb.Code))
	if e.Code == strconv.Itoa(status) {
		e.Code = "" // IAM repeats the status as its code
	}
	e.Message = cmp.Or(eb.ErrorMessage, eb.GatewayMsg, eb.Message, e.Message)
	e.Detail = eb.Detail
	e.RequestID = cmp.Or(e.RequestID, eb.RequestID)
	if e.Message == "" && e.Code == "" {
		e.Message = http.StatusText(status)
	}
	return e
}

// rawCode renders a code that may be a JSON string or number.
func rawCode(raw json.RawMessage) string {
	if len(raw) == 0 || string(raw) == "null" {
		return ""
	}
	var s string
	if json.Unmarshal(raw, &s) == nil {
		return s
	}
	return string(raw)
}

// plainMessage turns a non-JSON body into a one-line message of bounded length.
func plainMessage(body []byte) string {
	line, _, _ := bytes.Cut(body, []byte("\n"))
	s := strings.ToValidUTF8(string(bytes.TrimSpace(line)), "?")
	if utf8.RuneCountInString(s) > maxPlainErrorMessageRunes {
		r := []rune(s)
		s = string(r[:maxPlainErrorMessageRunes]) + "…"
	}
	return s
}

// pathError wraps a transport failure (no HTTP answer) with the request it belongs to.
func pathError(method, path string, err error) error {
	return fmt.Errorf("swr: %s %s: %w", method, path, err)
}
