package report

import (
	"html/template"
	"io"
	"time"
)

// WriteHTML writes r as one self-contained HTML page (inline CSS, no
// scripts, no external resources) that a person can open in a browser.
func (r *Report) WriteHTML(w io.Writer) error {
	return htmlTemplate().Execute(w, r)
}

func htmlTemplate() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{
		"dur":    func(d Duration) string { return time.Duration(d).Round(time.Millisecond).String() },
		"when":   func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"sorted": sortedFindings,
		"more":   func(total, shown int) int { return total - shown },
		"chart":  storageChart,
		"bytes":  FormatBytes,
	}).Parse(htmlSource + styleSource))
}

// styleSource is the CSS every page shares.
const styleSource = `{{define "style"}}<style>
body{font:14px/1.45 system-ui,-apple-system,Segoe UI,Roboto,sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2433}
h1{font-size:1.5rem;margin:0 0 .25rem}h2{font-size:1.1rem;margin:2rem 0 .5rem}
.meta{color:#5b6475}
.cards{display:flex;flex-wrap:wrap;gap:.75rem;margin:1rem 0}
.card{border:1px solid #d8dde6;border-radius:.5rem;padding:.6rem 1rem;min-width:7rem}
.card b{display:block;font-size:1.4rem}
table{border-collapse:collapse;width:100%}th,td{text-align:left;padding:.35rem .5rem;border-bottom:1px solid #e6e9ef;vertical-align:top}
th{background:#f5f7fa;font-weight:600}
.applied{color:#11743b}.planned{color:#2356b5}.refused{color:#a55b00}.failed,.critical{color:#b42318}.warning{color:#a55b00}.info{color:#5b6475}
details summary{cursor:pointer}code{font-size:.9em}
.del{color:#b42318}.keep{color:#11743b}.uncertain{color:#a55b00}.reason{color:#5b6475}
svg.chart{max-width:100%;height:auto;display:block;margin:.5rem 0 1rem}
</style>{{end}}`

const htmlSource = `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>swr-autopilot {{.Job}} report</title>
{{template "style"}}</head><body>
<h1>swr-autopilot — {{.Job}}{{if .DryRun}} (dry run){{end}}</h1>
<p class="meta">started {{when .Started}} · took {{dur .Duration}} · {{.APICalls}} SWR API calls{{if .Cursor}} · stopped early, cursor <code>{{.Cursor}}</code>{{end}}</p>
<div class="cards">
<div class="card"><b>{{.Counts.Scanned}}</b>scanned</div>
<div class="card"><b>{{.Counts.Conformant}}</b>conformant</div>
<div class="card"><b>{{.Counts.Changed}}</b>changed</div>
<div class="card"><b>{{.Counts.Refused}}</b>refused</div>
<div class="card"><b>{{.Counts.Unmanaged}}</b>unmanaged</div>
<div class="card"><b>{{len .Findings}}</b>findings</div>
<div class="card"><b>{{.Counts.Errors}}</b>errors</div>
{{with .Storage}}<div class="card"><b>{{bytes .Total.FreedBytes}}</b>freed (at most)</div>{{end}}
</div>
{{with .Storage}}<h2>Storage</h2>
<p>Retention deletes <b>{{.Total.DeletedTags}}</b> of {{.Total.Tags}} tags in {{.Total.Repositories}} repositories{{if .Total.UncertainTags}} and may delete <b class="uncertain">{{.Total.UncertainTags}}</b> more (uncertain: deleted under some readings of SWR's semantics){{end}}, and frees at most <b>{{.Total.Freed}}</b>: an upper bound, since images share layers, and a deleted tag whose image a kept tag also holds frees nothing.</p>
{{chart .}}
<table><tr><th>namespace</th><th>repositories</th><th>kept tags</th><th>deleted tags</th><th>uncertain tags</th><th>freed (at most)</th></tr>
{{range .Namespaces}}<tr><td><code>{{.Namespace}}</code></td><td>{{.Repositories}}</td><td>{{.KeptTags}}</td><td>{{.DeletedTags}}</td><td>{{.UncertainTags}}</td><td>{{.Freed}}</td></tr>
{{end}}<tr><th>total</th><th>{{.Total.Repositories}}</th><th>{{.Total.KeptTags}}</th><th>{{.Total.DeletedTags}}</th><th>{{.Total.UncertainTags}}</th><th>{{.Total.Freed}}</th></tr></table>{{end}}
{{if .ByTarget}}<h2>Targets</h2>
<table><tr><th>target</th><th>scanned</th><th>conformant</th><th>changed</th><th>refused</th><th>findings</th><th>errors</th></tr>
{{range $name := .Targets}}{{with index $.ByTarget $name}}<tr><td><code>{{$name}}</code></td><td>{{.Scanned}}</td><td>{{.Conformant}}</td><td>{{.Changed}}</td><td>{{.Refused}}</td><td>{{.FindingTotal}}</td><td>{{.Errors}}</td></tr>
{{end}}{{end}}</table>{{end}}
<h2>Changes</h2>
{{if .Changes}}<table><tr><th>kind</th><th>op</th><th>resource</th><th>status</th><th>detail</th></tr>
{{range .Changes}}<tr><td>{{.Kind}}</td><td>{{.Op}}</td><td><code>{{.Resource}}</code></td><td class="{{.Status}}">{{.Status}}</td><td>{{.Detail}}
{{with .Impact}}<details><summary>tag by tag</summary>
{{if .Delete}}<div class="del">delete: {{range $i, $t := .Delete}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}{{with more .Deletes (len .Delete)}} and {{.}} more{{end}}</div>{{end}}
{{if .Uncertain}}<div class="uncertain">uncertain (counted as deleted by the guards): {{range $i, $u := .Uncertain}}{{if $i}}, {{end}}<code>{{$u.Tag}}</code> <span class="reason">({{$u.Reason}})</span>{{end}}{{with more .Uncertains (len .Uncertain)}} and {{.}} more{{end}}</div>{{end}}
{{if .Keep}}<div class="keep">keep: {{range $i, $t := .Keep}}{{if $i}}, {{end}}<code>{{$t}}</code>{{end}}{{with more .Keeps (len .Keep)}} and {{.}} more{{end}}</div>{{end}}
{{if .Deployed}}<div class="keep">kept because deployed: {{range $i, $d := .Deployed}}{{if $i}}, {{end}}<code>{{$d.Tag}}</code> (trigger <code>{{$d.Trigger}}</code> at {{$d.At}}){{end}}</div>{{end}}
</details>{{end}}</td></tr>
{{end}}</table>{{else}}<p>No changes.</p>{{end}}
<h2>Findings</h2>
{{if .Findings}}<table><tr><th>severity</th><th>code</th><th>resource</th><th>message</th><th>remediation</th></tr>
{{range sorted .Findings}}<tr><td class="{{.Severity}}">{{.Severity}}</td><td><code>{{.Code}}</code></td><td><code>{{.Resource}}</code></td><td>{{.Message}}</td><td>{{.Remediation}}</td></tr>
{{end}}</table>{{else}}<p>No findings.</p>{{end}}
<h2>Errors</h2>
{{if .Errors}}<table><tr><th>operation</th><th>resource</th><th>error</th></tr>
{{range .Errors}}<tr><td>{{.Op}}</td><td><code>{{.Resource}}</code></td><td class="failed">{{.Error}}</td></tr>
{{end}}</table>{{else}}<p>No errors.</p>{{end}}
</body></html>
`
