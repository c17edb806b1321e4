//go:build linux

package lambdatest

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// ErrTimeout reports an invocation that ran past the function timeout.
var ErrTimeout = errors.New("invocation timed out")

// FunctionError is an error returned by the function's handler, as the
// emulator reports it: status 200 with errorType and errorMessage.
type FunctionError struct {
	Type    string `json:"errorType"`
	Message string `json:"errorMessage"`
}

func (e *FunctionError) Error() string {
	return fmt.Sprintf("function error %s: %s", e.Type, e.Message)
}

// StatusError is a non-200 answer from the emulator.
type StatusError struct {
	StatusCode int
	Body       []byte
}

func (e *StatusError) Error() string {
	return fmt.Sprintf("emulator answered %d %s: %.500s", e.StatusCode, http.StatusText(e.StatusCode), e.Body)
}

// classify turns an emulator answer into the error Invoke reports.
func classify(status int, body []byte) error {
	if status != http.StatusOK {
		return &StatusError{StatusCode: status, Body: body}
	}
	trimmed := bytes.TrimSpace(body)
	if bytes.HasPrefix(trimmed, []byte("Task timed out")) {
		return fmt.Errorf("%w: %s", ErrTimeout, trimmed)
	}
	if len(trimmed) > 0 && trimmed[0] == '{' {
		var fe FunctionError
		if json.Unmarshal(trimmed, &fe) == nil && fe.Type != "" {
			return &fe
		}
	}
	return nil
}
