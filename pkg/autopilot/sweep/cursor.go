package sweep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// cursorVersion starts every cursor this package writes.
const cursorVersion = "v1"

// maxCursorOffset bounds the offset a cursor may carry; SWR lists at most
// this many repositories per namespace long before it matters.
const maxCursorOffset = 1 << 31

// ErrMalformedCursor is wrapped by every error ParseCursor returns.
var ErrMalformedCursor = errors.New("malformed sweep cursor")

// Cursor marks where a sweep stopped: the namespace it was sweeping and
// the offset, in that namespace's repository listing ordered by name, of
// the first repository it did not start. Every repository before it (and
// every namespace before Namespace, in name order) has been swept.
//
// Its string form, "v1:<namespace>:<offset>" (e.g. "v1:team-a:1200"), is
// what travels in events.SweepRequested.Cursor and report.Report.Cursor.
// Treat it as opaque: only ParseCursor reads it.
type Cursor struct {
	Namespace string
	Offset    int
}

// String encodes c.
func (c Cursor) String() string {
	return cursorVersion + ":" + c.Namespace + ":" + strconv.Itoa(c.Offset)
}

// ParseCursor decodes a cursor written by Cursor.String. The error names
// what is wrong and wraps ErrMalformedCursor.
func ParseCursor(s string) (Cursor, error) {
	bad := func(format string, args ...any) (Cursor, error) {
		return Cursor{}, fmt.Errorf("%w %s: %s", ErrMalformedCursor, quoteShort(s), fmt.Sprintf(format, args...))
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return bad("want %s:<namespace>:<offset>", cursorVersion)
	}
	if parts[0] != cursorVersion {
		return bad("unknown version %s, want %s", quoteShort(parts[0]), cursorVersion)
	}
	if err := swr.CheckNamespaceName(parts[1]); err != nil {
		return bad("namespace %s %v", quoteShort(parts[1]), err)
	}
	off, err := strconv.Atoi(parts[2])
	switch {
	case err != nil || strings.HasPrefix(parts[2], "+"):
		return bad("offset %s is not a decimal number", quoteShort(parts[2]))
	case off < 0:
		return bad("offset %d is negative", off)
	case off > maxCursorOffset:
		return bad("offset %d is larger than %d", off, maxCursorOffset)
	}
	return Cursor{Namespace: parts[1], Offset: off}, nil
}

// quoteShort quotes s, cut to a length fit for an error message.
func quoteShort(s string) string {
	const limit = 80
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}
