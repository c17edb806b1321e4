package policy

import (
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

// Error is one problem in a policy file. Line and Column are 1-based;
// Column is 0 when only the line is known (YAML syntax errors).
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error formats the problem as "file:line:col: message".
func (e Error) Error() string { return yamlfile.Error(e).Error() }

// Errors is every problem found in a policy file, in file order.
type Errors []Error

// Error formats the problems one per line.
func (es Errors) Error() string { return yamlfile.Join(es) }

func (es Errors) sorted() Errors {
	out := slices.Clone(es)
	yamlfile.SortByPosition(out, func(e Error) (int, int) { return e.Line, e.Column })
	return out
}
