// Package httpstatus records the status code an HTTP handler answers, for
// the request logs of the function's HTTP receiver and of the emulator.
package httpstatus

import "net/http"

// Recorder is an http.ResponseWriter that remembers the first status code
// written through it.
type Recorder struct {
	http.ResponseWriter
	code int
}

// WriteHeader records code, the first time, and passes it on.
func (r *Recorder) WriteHeader(code int) {
	if r.code == 0 {
		r.code = code
	}
	r.ResponseWriter.WriteHeader(code)
}

// Write records 200 when no status was written yet, and passes b on.
func (r *Recorder) Write(b []byte) (int, error) {
	if r.code == 0 {
		r.code = http.StatusOK
	}
	return r.ResponseWriter.Write(b)
}

// Status returns the status code written, or 0 when the handler has
// written nothing (e.g. it dropped the connection).
func (r *Recorder) Status() int { return r.code }

// Unwrap returns the wrapped writer, for http.ResponseController.
func (r *Recorder) Unwrap() http.ResponseWriter { return r.ResponseWriter }
