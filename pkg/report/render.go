package report

import (
	"encoding/json"
	"fmt"
	"io"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
	"unicode/utf8"
)

// WriteJSON writes r as indented JSON.
func (r *Report) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(r)
}

// Tally recomputes Counts.Changed, Counts.Refused, Counts.Errors,
// Counts.Findings and Storage from the report's changes, findings and
// errors. Scanned, Conformant and Unmanaged are left as the job set them.
func (r *Report) Tally() {
	r.Counts.Changed, r.Counts.Refused = 0, 0
	for _, c := range r.Changes {
		switch c.Status {
		case StatusApplied, StatusPlanned:
			r.Counts.Changed++
		case StatusRefused:
			r.Counts.Refused++
		}
	}
	r.Counts.Errors = len(r.Errors)
	r.Storage = StorageOf(r.Changes)
	r.Counts.Findings = nil
	for _, f := range r.Findings {
		if r.Counts.Findings == nil {
			r.Counts.Findings = map[string]int{}
		}
		r.Counts.Findings[f.Code]++
	}
}

// Merge appends other's changes, findings, errors and counts to r.
func (r *Report) Merge(other *Report) {
	r.Counts.Scanned += other.Counts.Scanned
	r.Counts.Conformant += other.Counts.Conformant
	r.Counts.Unmanaged += other.Counts.Unmanaged
	r.Changes = append(r.Changes, other.Changes...)
	r.Findings = append(r.Findings, other.Findings...)
	r.Errors = append(r.Errors, other.Errors...)
	r.APICalls += other.APICalls
	r.EventIDs = append(r.EventIDs, other.EventIDs...)
	r.Skipped += other.Skipped
	r.Tally()
}

// WriteTable writes a human-readable summary: counts, then changes,
// findings and errors as aligned columns.
func (r *Report) WriteTable(w io.Writer) error {
	mode := "apply"
	if r.DryRun {
		mode = "dry run"
	}
	fmt.Fprintf(w, "%s (%s) — %s, %d API calls\n", Printable(r.Job), mode, time.Duration(r.Duration).Round(time.Millisecond), r.APICalls)
	c := r.Counts
	fmt.Fprintf(w, "scanned %d · conformant %d · changed %d · refused %d · unmanaged %d · errors %d\n",
		c.Scanned, c.Conformant, c.Changed, c.Refused, c.Unmanaged, c.Errors)
	if r.Cursor != "" {
		fmt.Fprintf(w, "stopped early; continue from cursor %q", Printable(r.Cursor))
		if r.CursorTarget != "" {
			fmt.Fprintf(w, " of target %s", Printable(r.CursorTarget))
		}
		fmt.Fprintln(w)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(r.ByTarget) > 0 {
		fmt.Fprintln(tw, "\nTARGET\tSCANNED\tCONFORMANT\tCHANGED\tREFUSED\tFINDINGS\tERRORS")
		for _, name := range r.Targets() {
			c := r.ByTarget[name]
			row(tw, name, strconv.Itoa(c.Scanned), strconv.Itoa(c.Conformant), strconv.Itoa(c.Changed),
				strconv.Itoa(c.Refused), strconv.Itoa(c.FindingTotal()), strconv.Itoa(c.Errors))
		}
	}
	if st := r.Storage; st != nil {
		fmt.Fprintf(w, "storage: %s\n", st.Total.summary())
		fmt.Fprintln(tw, "\nNAMESPACE\tREPOSITORIES\tKEPT\tDELETED\tUNCERTAIN\tFREED (AT MOST)")
		for _, t := range st.Namespaces {
			row(tw, t.Namespace, strconv.Itoa(t.Repositories), strconv.Itoa(t.KeptTags), strconv.Itoa(t.DeletedTags), strconv.Itoa(t.UncertainTags), t.Freed())
		}
	}
	if len(r.Changes) > 0 {
		fmt.Fprintln(tw, "\nCHANGE\tOP\tRESOURCE\tSTATUS\tDETAIL")
		for _, ch := range r.Changes {
			row(tw, string(ch.Kind), string(ch.Op), ch.Resource(), string(ch.Status), ch.Detail())
		}
	}
	if uncertain := r.uncertainTags(); len(uncertain) > 0 {
		fmt.Fprintln(tw, "\nUNCERTAIN TAG\tRESOURCE\tREASON")
		for _, u := range uncertain {
			row(tw, u.tag.Tag, u.resource, u.tag.Reason)
		}
	}
	writeProblems(tw, "FINDING", r.Findings, r.Errors)
	return tw.Flush()
}

// writeProblems writes findings, most severe first, under a header whose
// first column is named title, then errors.
func writeProblems(tw io.Writer, title string, findings []Finding, errs []RepoError) {
	if len(findings) > 0 {
		fmt.Fprintf(tw, "\n%s\tSEVERITY\tRESOURCE\tMESSAGE\n", title)
		for _, f := range sortedFindings(findings) {
			row(tw, f.Code, string(f.Severity), f.Resource(), f.Message)
		}
	}
	if len(errs) > 0 {
		fmt.Fprintln(tw, "\nERROR\tRESOURCE\tMESSAGE")
		for _, e := range errs {
			row(tw, e.Op, e.Resource(), e.Error)
		}
	}
}

// row writes one table row of cells made Printable.
func row(w io.Writer, cells ...string) {
	for i, c := range cells {
		if i > 0 {
			io.WriteString(w, "\t")
		}
		io.WriteString(w, Printable(c))
	}
	io.WriteString(w, "\n")
}

// Printable returns s fit for a terminal: control characters (escape
// sequences, carriage returns, tabs and newlines that would break the
// columns) and bidirectional overrides are dropped or, for white space,
// replaced by a space. Names, SWR messages and trigger details come from
// SWR and so from whoever can write there.
func Printable(s string) string {
	clean := true
	for _, r := range s {
		if !printableRune(r) {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		switch {
		case printableRune(r):
			b.WriteRune(r)
		case r == '\t' || r == '\n' || r == '\r':
			b.WriteByte(' ')
		}
	}
	return b.String()
}

func printableRune(r rune) bool {
	switch {
	case r < 0x20, r == 0x7f, r >= 0x80 && r < 0xa0, r == utf8.RuneError:
		return false
	case r >= 0x202a && r <= 0x202e, r >= 0x2066 && r <= 0x2069:
		return false
	}
	return true
}

// uncertainTag is an uncertain tag of one change's impact.
type uncertainTag struct {
	resource string
	tag      UncertainTag
}

// uncertainTags lists the uncertain tags of every change, in change order.
func (r *Report) uncertainTags() []uncertainTag {
	var out []uncertainTag
	for _, c := range r.Changes {
		if c.Impact == nil {
			continue
		}
		for _, u := range c.Impact.Uncertain {
			out = append(out, uncertainTag{resource: c.Resource(), tag: u})
		}
	}
	return out
}

// Resource names what the change is about as [target:]ns/repo[#subject].
func (c Change) Resource() string {
	return inTarget(c.Target, resource(c.Namespace, c.Repository, c.Subject))
}

// Resource names what the finding is about as [target:]ns/repo[#subject].
func (f Finding) Resource() string {
	return inTarget(f.Target, resource(f.Namespace, f.Repository, f.Subject))
}

// Resource names where the error happened as [target:]ns[/repo].
func (e RepoError) Resource() string {
	return inTarget(e.Target, resource(e.Namespace, e.Repository, ""))
}

func inTarget(target, res string) string {
	if target == "" {
		return res
	}
	return target + ":" + res
}

// Detail summarises the change's impact or reason in one line.
func (c Change) Detail() string {
	var parts []string
	if fromTo := describeFromTo(c.Before, c.After); fromTo != "" {
		parts = append(parts, fromTo)
	}
	if i := c.Impact; i != nil {
		parts = append(parts, fmt.Sprintf("deletes %d of %d tags", i.Deletes(), i.TotalTags))
		if n := i.Uncertains(); n > 0 {
			parts = append(parts, fmt.Sprintf("%d uncertain", n))
		}
		if i.AtRisk() > 0 {
			parts = append(parts, "frees at most "+i.Freed())
		}
		for _, d := range i.Deployed {
			parts = append(parts, "keeps "+d.String())
		}
	}
	if c.Reason != "" {
		parts = append(parts, c.Reason)
	}
	return strings.Join(parts, "; ")
}

// describeFromTo renders Before → After when the values describe
// themselves (implement fmt.Stringer); other values are left to the JSON.
func describeFromTo(before, after any) string {
	b, bok := before.(fmt.Stringer)
	a, aok := after.(fmt.Stringer)
	switch {
	case bok && aok:
		return b.String() + " → " + a.String()
	case aok && before == nil:
		return "→ " + a.String()
	case bok && after == nil:
		return b.String() + " →"
	}
	return ""
}

func resource(ns, repo, subject string) string {
	s := ns
	if repo != "" {
		s += "/" + repo
	}
	if subject != "" {
		s += "#" + subject
	}
	return s
}

// rank orders severities, most severe first.
func (s Severity) rank() int {
	switch s {
	case SeverityCritical:
		return 0
	case SeverityWarning:
		return 1
	}
	return 2
}

func sortedFindings(fs []Finding) []Finding {
	out := append([]Finding(nil), fs...)
	sort.SliceStable(out, func(i, j int) bool {
		if a, b := out[i].Severity.rank(), out[j].Severity.rank(); a != b {
			return a < b
		}
		return out[i].Code < out[j].Code
	})
	return out
}
