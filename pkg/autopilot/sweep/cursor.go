package sweep

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
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
	if err := checkNamespace(parts[1]); err != nil {
		return bad("namespace: %v", err)
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

// checkNamespace accepts an SWR organization name: 1–64 characters of
// a–z, 0–9, '.', '_' and '-', starting with a letter and ending with a
// letter or digit.
func checkNamespace(ns string) error {
	switch {
	case ns == "":
		return errors.New("empty")
	case len(ns) > 64:
		return fmt.Errorf("%d characters, more than 64", len(ns))
	case !isLower(ns[0]):
		return fmt.Errorf("%s does not start with a lowercase letter", quoteShort(ns))
	case !isLower(ns[len(ns)-1]) && !isDigit(ns[len(ns)-1]):
		return fmt.Errorf("%s does not end with a lowercase letter or digit", quoteShort(ns))
	}
	for i := 0; i < len(ns); i++ {
		if c := ns[i]; !isLower(c) && !isDigit(c) && c != '.' && c != '_' && c != '-' {
			return fmt.Errorf("%s holds %q; only a-z, 0-9, '.', '_' and '-' are allowed", quoteShort(ns), c)
		}
	}
	return nil
}

func isLower(c byte) bool { return c >= 'a' && c <= 'z' }
func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// quoteShort quotes s, cut to a length fit for an error message.
func quoteShort(s string) string {
	const limit = 80
	if len(s) > limit {
		return strconv.Quote(s[:limit]) + "…"
	}
	return strconv.Quote(s)
}
