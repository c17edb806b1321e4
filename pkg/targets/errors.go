package targets

import "github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"

// Error is one problem found in a targets file: File, Line, Column (0
// when only the line is known) and Msg. It formats as
// "file:line:column: message".
type Error = yamlfile.Error

// ErrorList is every problem found in a targets file, in file order. Parse
// returns it as its error; use errors.As to reach the entries.
type ErrorList []*Error

// Error joins the problems, one per line.
func (l ErrorList) Error() string { return yamlfile.Join(l) }
