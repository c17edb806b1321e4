package config

import (
	"fmt"
	"io"
	"text/tabwriter"

	"github.com/kelseyhightower/envconfig"
)

// usageHeader and usageRows make the table Usage prints; rows is an
// envconfig.Usagef template, tab-separated for text/tabwriter.
const (
	usageHeader = "VARIABLE\tTYPE\tDEFAULT\tDESCRIPTION\n"
	usageRows   = "{{range .}}{{usage_key .}}\t{{usage_type .}}\t{{usage_default .}}\t{{usage_description .}}\n{{end}}"
)

// Usage writes the table of environment variables read by specs (pointers
// to config structs such as &SWR{}) to w, for -h output.
func Usage(w io.Writer, specs ...any) error {
	tw := tabwriter.NewWriter(w, 1, 0, 2, ' ', 0)
	io.WriteString(tw, usageHeader)
	for _, spec := range specs {
		if err := envconfig.Usagef("", spec, tw, usageRows); err != nil {
			return fmt.Errorf("config: usage of %T: %w", spec, err)
		}
	}
	return tw.Flush()
}
