// Package redact is the one place that removes credentials from URLs and
// from text that may quote them: error messages, log lines, CLI output.
// Sink, queue, policy, directory and endpoint URLs may carry a password in
// their user information or a token in their query (pre-signed URLs,
// "?sig=…"); what is left names the host and the path.
package redact

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/url"
	"regexp"
	"strings"
)

// Marker replaces the user information and the query of a URL.
const Marker = "redacted"

// URL returns raw without what may carry credentials: user information
// becomes "redacted@", a query "?redacted", and a fragment is dropped.
// Input that does not parse as a URL is replaced entirely.
func URL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return "(malformed URL)"
	}
	if u.User == nil && u.RawQuery == "" && u.Fragment == "" && !u.ForceQuery {
		return raw
	}
	r := url.URL{Scheme: u.Scheme, Host: u.Host, Path: u.Path, RawPath: u.RawPath, Opaque: u.Opaque}
	if u.User != nil {
		r.User = url.User(Marker)
	}
	s := r.String()
	if u.RawQuery != "" || u.ForceQuery {
		s += "?" + Marker
	}
	return s
}

// urlPattern finds URLs in free text: a scheme, "://", and everything up
// to white space, a quote or an angle bracket. Go's own errors quote URLs
// ("Post \"https://…\": dial tcp …").
var urlPattern = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.-]*://[^\s"'<>` + "`" + `]+`)

// Text returns s with every URL in it passed through URL.
func Text(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlPattern.ReplaceAllStringFunc(s, func(u string) string {
		// Punctuation that ends a sentence, and the backslash of a quote
		// escaped inside a Go string, belong to the text, not the URL.
		cut := len(strings.TrimRight(u, `.,;:)!\`))
		return URL(u[:cut]) + u[cut:]
	})
}

// Error returns err with its text passed through Text, or err itself when
// there is nothing to redact. The result does not wrap err, whose chain
// would still print the credentials; it wraps only context.Canceled or
// context.DeadlineExceeded when err did, so that callers can still tell a
// deadline from a failure.
func Error(err error) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	clean := Text(msg)
	if clean == msg {
		return err
	}
	e := &redactedError{msg: clean}
	for _, cause := range []error{context.DeadlineExceeded, context.Canceled} {
		if errors.Is(err, cause) {
			e.cause = cause
		}
	}
	return e
}

type redactedError struct {
	msg   string
	cause error
}

func (e *redactedError) Error() string { return e.msg }

func (e *redactedError) Unwrap() error { return e.cause }

// Writer returns a writer that passes each line written to w through
// Text. A line is written when its newline arrives; call Flush (or Close)
// to write a last line without one.
func Writer(w io.Writer) *LineWriter { return &LineWriter{w: w} }

// LineWriter redacts the lines written through it; see Writer.
type LineWriter struct {
	w   io.Writer
	buf []byte
}

// Write buffers p and writes out the complete lines, redacted.
func (l *LineWriter) Write(p []byte) (int, error) {
	l.buf = append(l.buf, p...)
	for {
		i := bytes.IndexByte(l.buf, '\n')
		if i < 0 {
			break
		}
		if _, err := io.WriteString(l.w, Text(string(l.buf[:i+1]))); err != nil {
			return len(p), err
		}
		l.buf = l.buf[i+1:]
	}
	// A progress line redrawn with \r never ends: pass it through once it
	// holds no URL, so that a terminal still sees it.
	if len(l.buf) > 0 && !bytes.Contains(l.buf, []byte("://")) && bytes.IndexByte(l.buf, '\r') >= 0 {
		if _, err := l.w.Write(l.buf); err != nil {
			return len(p), err
		}
		l.buf = l.buf[:0]
	}
	return len(p), nil
}

// Flush writes what is buffered, redacted.
func (l *LineWriter) Flush() error {
	if len(l.buf) == 0 {
		return nil
	}
	_, err := io.WriteString(l.w, Text(string(l.buf)))
	l.buf = l.buf[:0]
	return err
}

// Unwrap returns the underlying writer, e.g. to ask whether it is a
// terminal.
func (l *LineWriter) Unwrap() io.Writer { return l.w }
