package report

import (
	"encoding/json"
	"fmt"
	"html/template"
	"io"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"
)

// PolicyDiff is what changing the policy from Old to New would do to a
// registry, read from the registry as it is: per repository, the rule
// each policy puts in force, the tags that become deleted or kept, and
// the guards New would trip.
type PolicyDiff struct {
	Old     string    `json:"old"` // the policies' file names
	New     string    `json:"new"`
	Started time.Time `json:"started"`
	// Scanned counts the repositories compared; Repositories lists those
	// where the policies differ in effect or New trips a guard.
	Scanned      int        `json:"scanned"`
	Repositories []RepoDiff `json:"repositories"`
	// Findings are the guards New would trip, one per broken limit.
	Findings []Finding   `json:"findings,omitempty"`
	Errors   []RepoError `json:"errors,omitempty"`
	// OldStorage and NewStorage total the tags each policy's rules keep
	// and delete, and the bytes they free, over the repositories listed.
	OldStorage *Storage `json:"old_storage,omitempty"`
	NewStorage *Storage `json:"new_storage,omitempty"`
	APICalls   int64    `json:"api_calls"`
}

// RepoDiff compares the two policies on one repository.
type RepoDiff struct {
	Namespace  string       `json:"namespace"`
	Repository string       `json:"repository"`
	Old        PolicyEffect `json:"old"`
	New        PolicyEffect `json:"new"`
	// NewlyDeleted are the tags New deletes (under every reading of SWR's
	// semantics) and Old does not; NewlyKept those New keeps and Old does
	// not; NewlyUncertain those New may delete (under some readings) and
	// Old does not put in doubt. All are sorted and never nil.
	NewlyDeleted   []string `json:"newly_deleted"`
	NewlyKept      []string `json:"newly_kept"`
	NewlyUncertain []string `json:"newly_uncertain"`
	// Tripped is set when New's write would be refused by a guard.
	Tripped bool `json:"guard_tripped,omitempty"`
}

// PolicyEffect is what one policy does to one repository: the rule in
// force once it is applied (its own, or the current one when it leaves
// the repository alone), the write it takes to get there, and what that
// rule deletes now.
type PolicyEffect struct {
	Rule   string `json:"rule"`            // "keep_last 20, protect latest", or "none"
	Write  Op     `json:"write,omitempty"` // create, update or replace; empty: none
	Impact Impact `json:"impact"`
}

// Changed reports whether the policies differ on the repository.
func (d RepoDiff) Changed() bool {
	return d.Old.Rule != d.New.Rule || len(d.NewlyDeleted)+len(d.NewlyKept)+len(d.NewlyUncertain) > 0
}

// Tally totals the storage of each side over the repositories listed.
func (p *PolicyDiff) Tally() {
	oldC, newC := make([]Change, len(p.Repositories)), make([]Change, len(p.Repositories))
	for i, d := range p.Repositories {
		oldC[i] = Change{Namespace: d.Namespace, Repository: d.Repository, Status: StatusPlanned, Impact: &p.Repositories[i].Old.Impact}
		newC[i] = Change{Namespace: d.Namespace, Repository: d.Repository, Status: StatusPlanned, Impact: &p.Repositories[i].New.Impact}
	}
	p.OldStorage, p.NewStorage = StorageOf(oldC), StorageOf(newC)
}

// Totals sums the newly deleted, kept and uncertain tags.
func (p *PolicyDiff) Totals() (newlyDeleted, newlyKept, newlyUncertain int) {
	for _, d := range p.Repositories {
		newlyDeleted += len(d.NewlyDeleted)
		newlyKept += len(d.NewlyKept)
		newlyUncertain += len(d.NewlyUncertain)
	}
	return newlyDeleted, newlyKept, newlyUncertain
}

// WriteJSON writes p as indented JSON.
func (p *PolicyDiff) WriteJSON(w io.Writer) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(p)
}

func freed(s *Storage) string {
	if s == nil {
		return FormatBytes(0)
	}
	return s.Total.Freed()
}

// summary is the diff in one sentence.
func (p *PolicyDiff) summary() string {
	del, kept, uncertain := p.Totals()
	return fmt.Sprintf("%d of %d repositories change: %d tags newly deleted, %d newly kept, %d newly uncertain; storage freed at most %s → %s (an upper bound: images share layers)",
		len(p.Repositories), p.Scanned, del, kept, uncertain, freed(p.OldStorage), freed(p.NewStorage))
}

// WriteTable writes the diff for people: a summary, one line per
// repository, its tags, then the guards New trips and the errors.
func (p *PolicyDiff) WriteTable(w io.Writer) error {
	fmt.Fprintf(w, "policy diff %s → %s — %d API calls\n%s\n", Printable(p.Old), Printable(p.New), p.APICalls, p.summary())
	if n := len(p.Findings); n > 0 {
		fmt.Fprintf(w, "%s would trip %d guard(s): it could not be applied as it is\n", Printable(p.New), n)
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	if len(p.Repositories) > 0 {
		fmt.Fprintln(tw, "\nREPOSITORY\tOLD RULE\tNEW RULE\tWRITE\tNEWLY DELETED\tNEWLY KEPT\tNEWLY UNCERTAIN\tFREED OLD → NEW")
		for _, d := range p.Repositories {
			write := string(d.New.Write)
			if d.Tripped {
				write += " (refused)"
			}
			row(tw, resource(d.Namespace, d.Repository, ""), d.Old.Rule, d.New.Rule, cmpOr(write, "-"),
				strconv.Itoa(len(d.NewlyDeleted)), strconv.Itoa(len(d.NewlyKept)), strconv.Itoa(len(d.NewlyUncertain)),
				d.Old.Impact.Freed()+" → "+d.New.Impact.Freed())
		}
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	for _, d := range p.Repositories {
		if len(d.NewlyDeleted)+len(d.NewlyKept)+len(d.NewlyUncertain)+len(d.New.Impact.Deployed) == 0 {
			continue
		}
		fmt.Fprintf(w, "\n%s\n", Printable(resource(d.Namespace, d.Repository, "")))
		if len(d.NewlyDeleted) > 0 {
			fmt.Fprintf(w, "  newly deleted:   %s\n", Printable(strings.Join(d.NewlyDeleted, ", ")))
		}
		if len(d.NewlyKept) > 0 {
			fmt.Fprintf(w, "  newly kept:      %s\n", Printable(strings.Join(d.NewlyKept, ", ")))
		}
		if len(d.NewlyUncertain) > 0 {
			fmt.Fprintf(w, "  newly uncertain: %s\n", Printable(strings.Join(d.NewlyUncertain, ", ")))
			for _, u := range d.New.Impact.Uncertain {
				if slices.Contains(d.NewlyUncertain, u.Tag) {
					fmt.Fprintf(w, "    %s: %s\n", Printable(u.Tag), Printable(u.Reason))
				}
			}
		}
		for _, dt := range d.New.Impact.Deployed {
			fmt.Fprintf(w, "  kept because deployed: %s\n", Printable(dt.String()))
		}
	}
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	writeProblems(tw, "GUARD", p.Findings, p.Errors)
	return tw.Flush()
}

func cmpOr(s, alt string) string {
	if s == "" {
		return alt
	}
	return s
}

// WriteHTML writes p as one self-contained page: the summary, the
// per-namespace chart of what New keeps and deletes, and the tables.
func (p *PolicyDiff) WriteHTML(w io.Writer) error {
	t, err := htmlTemplate().Clone()
	if err != nil {
		return err
	}
	t = template.Must(t.Funcs(template.FuncMap{"summary": p.summary}).New("diff").Parse(diffHTMLSource))
	return t.ExecuteTemplate(w, "diff", p)
}

const diffHTMLSource = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>swr-autopilot policy diff</title>
{{template "style"}}</head><body>
<h1>swr-autopilot — policy diff</h1>
<p class="meta"><code>{{.Old}}</code> → <code>{{.New}}</code> · started {{when .Started}} · {{.APICalls}} SWR API calls · nothing written</p>
<p>{{summary}}</p>
{{if .Findings}}<p class="critical"><b>{{.New}} would trip {{len .Findings}} guard(s)</b>: it could not be applied as it is.</p>{{end}}
{{with .NewStorage}}<h2>What {{$.New}} keeps and deletes</h2>{{chart .}}{{end}}
<h2>Repositories</h2>
{{if .Repositories}}<table><tr><th>repository</th><th>old rule</th><th>new rule</th><th>write</th><th>newly deleted</th><th>newly kept</th><th>newly uncertain</th><th>freed (at most) old → new</th></tr>
{{range .Repositories}}<tr><td><code>{{.Namespace}}/{{.Repository}}</code></td><td>{{.Old.Rule}}</td><td>{{.New.Rule}}</td><td{{if .Tripped}} class="refused"{{end}}>{{.New.Write}}{{if .Tripped}} (refused){{end}}</td>
<td class="del">{{range $i, $t := .NewlyDeleted}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}</td>
<td class="keep">{{range $i, $t := .NewlyKept}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}{{range .New.Impact.Deployed}}<div>kept because deployed: <code>{{.Tag}}</code> (trigger <code>{{.Trigger}}</code> at {{.At}})</div>{{end}}</td>
<td class="uncertain">{{range $i, $t := .NewlyUncertain}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}</td>
<td>{{.Old.Impact.Freed}} → {{.New.Impact.Freed}}</td></tr>
{{end}}</table>{{else}}<p>The policies do the same to every repository.</p>{{end}}
<h2>Guards {{.New}} would trip</h2>
{{if .Findings}}<table><tr><th>severity</th><th>code</th><th>resource</th><th>message</th></tr>
{{range sorted .Findings}}<tr><td class="{{.Severity}}">{{.Severity}}</td><td><code>{{.Code}}</code></td><td><code>{{.Namespace}}/{{.Repository}}</code></td><td>{{.Message}}</td></tr>
{{end}}</table>{{else}}<p>None.</p>{{end}}
{{if .Errors}}<h2>Errors</h2><table><tr><th>operation</th><th>resource</th><th>error</th></tr>
{{range .Errors}}<tr><td>{{.Op}}</td><td><code>{{.Namespace}}/{{.Repository}}</code></td><td class="failed">{{.Error}}</td></tr>
{{end}}</table>{{end}}
</body></html>
`
