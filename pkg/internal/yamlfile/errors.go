package yamlfile

import (
	"cmp"
	"slices"
	"strconv"
	"strings"
)

// Error is one problem at a position of a YAML file. Line and Column are
// 1-based; either is 0 when unknown (YAML syntax errors carry no column).
type Error struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error formats the problem as "file:line:col: message", leaving out the
// parts of the position that are unknown: "file: message" without a line,
// "line:col: message" without a file, the bare message without either.
func (e Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Line > 0 {
		if e.File != "" {
			b.WriteByte(':')
		}
		b.WriteString(strconv.Itoa(e.Line))
		if e.Column > 0 {
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(e.Column))
		}
	}
	if b.Len() > 0 {
		b.WriteString(": ")
	}
	b.WriteString(e.Msg)
	return b.String()
}

// Join formats errs one per line, in order.
func Join[E error](errs []E) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// SortByPosition orders list by line, then column, as pos reads them,
// keeping the order of problems found at the same position.
func SortByPosition[E any](list []E, pos func(E) (line, column int)) {
	slices.SortStableFunc(list, func(a, b E) int {
		al, ac := pos(a)
		bl, bc := pos(b)
		return cmp.Or(cmp.Compare(al, bl), cmp.Compare(ac, bc))
	})
}

// SyntaxError turns an error of the YAML parser into an Error in file,
// with the line the parser names ("yaml: line N: problem") and the
// message "invalid YAML: problem".
func SyntaxError(file string, err error) Error {
	e := Error{File: file}
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	if rest, ok := strings.CutPrefix(msg, "line "); ok {
		if num, problem, ok := strings.Cut(rest, ": "); ok {
			if line, convErr := strconv.Atoi(num); convErr == nil {
				e.Line, msg = line, problem
			}
		}
	}
	e.Msg = "invalid YAML: " + msg
	return e
}
