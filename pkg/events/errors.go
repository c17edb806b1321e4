package events

import (
	"errors"
	"net/http"
	"strconv"
	"unicode/utf8"
)

// Error is a decoding or authentication failure. Status is the HTTP status
// the caller should answer with; Field names the part of the input that is
// wrong (a JSON path such as "body.event_data.repository.namespace", or a
// header such as "header Ce-Id"); Reason says what is wrong with it.
//
// For authentication failures (Status 401) Reason is meant for logs only:
// answer clients with Message, which carries no detail.
type Error struct {
	Status int
	Field  string
	Reason string
}

// Error implements error. It includes Reason and so belongs in logs; send
// Message to clients.
func (e *Error) Error() string {
	if e.Field == "" {
		return "events: " + e.Reason
	}
	return "events: " + e.Field + ": " + e.Reason
}

// Message is the text that is safe to send back to the client: the field and
// reason for malformed input, and nothing but the status text for
// authentication failures.
func (e *Error) Message() string {
	if e.Status == http.StatusUnauthorized {
		return http.StatusText(http.StatusUnauthorized)
	}
	if e.Field == "" {
		return e.Reason
	}
	return e.Field + ": " + e.Reason
}

// HTTPStatus maps err to the HTTP status to answer with: 200 for nil, the
// Status of an *Error anywhere in the chain, and 500 for anything else.
func HTTPStatus(err error) int {
	if err == nil {
		return http.StatusOK
	}
	var e *Error
	if errors.As(err, &e) {
		return e.Status
	}
	return http.StatusInternalServerError
}

func badRequest(field, reason string) *Error {
	return &Error{Status: http.StatusBadRequest, Field: field, Reason: reason}
}

func tooLarge(field string, limit int) *Error {
	return &Error{Status: http.StatusRequestEntityTooLarge, Field: field, Reason: "larger than the limit of " + strconv.Itoa(limit) + " bytes"}
}

func unauthorized(reason string) *Error {
	return &Error{Status: http.StatusUnauthorized, Reason: reason}
}

// quote renders an input value for an error reason, shortened so that a huge
// or hostile value cannot flood the logs.
func quote(s string) string {
	const max = 64
	if utf8.RuneCountInString(s) > max {
		n := 0
		for i := range s {
			if n == max {
				s = s[:i] + "…"
				break
			}
			n++
		}
	}
	return strconv.Quote(s)
}
