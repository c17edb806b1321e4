package targets

import (
	"cmp"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

// Error is one problem found in a targets file, at a position. Column is
// 0 when only the line is known (YAML syntax errors).
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error formats the problem as "file:line:column: message"; the file reads
// "<input>" when it has no name.
func (e *Error) Error() string {
	pos := yamlfile.Error(*e)
	pos.File = cmp.Or(pos.File, "<input>")
	return pos.Error()
}

// ErrorList is every problem found in a targets file, in file order. Parse
// returns it as its error; use errors.As to reach the entries.
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string { return yamlfile.Join(l) }
