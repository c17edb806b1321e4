package sweep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// cursorVersion starts a cursor's string form.
const cursorVersion = "v2"

// maxCursorOffset bounds the offset a cursor may carry; SWR lists at most
// this many repositories per namespace long before it matters.
const maxCursorOffset = 1 << 31

// ErrMalformedCursor is wrapped by every error ParseCursor returns.
var ErrMalformedCursor = errors.New("malformed sweep cursor")

// Cursor marks where a sweep stopped: the namespace it was sweeping, the
// offset, in that namespace's repository listing ordered by name, of the
// first repository it did not start, and the name of the last repository
// of the namespace it started. Every repository of the namespace up to
// and including Last (and every namespace before Namespace, in name
// order) has been swept.
//
// Its string form, "v2:<namespace>:<offset>:<last>" (e.g.
// "v2:team-a:1200:web/app"; <last> is empty when no repository of the
// namespace was started), is what travels in events.SweepRequested.Cursor
// and report.Report.Cursor. Treat it as opaque: only ParseCursor reads
// it.
//
// A sweep resumes a little before Offset and passes over the
// repositories named up to Last, so that repositories deleted from or
// created in the swept part of the namespace in the meantime neither make
// it skip one nor sweep one twice.
type Cursor struct {
	Namespace string
	Offset    int
	// Last is the name of the last repository of Namespace started
	// before Offset, or "" when none was.
	Last string
}

// String encodes c.
func (c Cursor) String() string {
	return cursorVersion + ":" + c.Namespace + ":" + strconv.Itoa(c.Offset) + ":" + c.Last
}

// ParseCursor decodes a cursor written by Cursor.String.
// The error names what is wrong and wraps ErrMalformedCursor.
func ParseCursor(s string) (Cursor, error) {
	bad := func(format string, args ...any) (Cursor, error) {
		return Cursor{}, fmt.Errorf("%w %s: %s", ErrMalformedCursor, quoteShort(s), fmt.Sprintf(format, args...))
	}
	parts := strings.Split(s, ":")
	switch version := parts[0]; {
	case version == cursorVersion && len(parts) == 4:
	case version == cursorVersion || len(parts) < 3:
		return bad("want %s:<namespace>:<offset>:<repository>", cursorVersion)
	default:
		return bad("unknown version %s, want %s", quoteShort(version), cursorVersion)
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
	c := Cursor{Namespace: parts[1], Offset: off}
	if parts[3] != "" {
		if err := swr.CheckRepositoryName(parts[3]); err != nil {
			return bad("repository %s %v", quoteShort(parts[3]), err)
		}
		c.Last = parts[3]
	}
	return c, nil
}

// quoteShort quotes s, cut to a length fit for an error message.
func quoteShort(s string) string {
	const limit = 80
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}
