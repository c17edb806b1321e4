// Package report holds the outcome of one run of a job (onpush, sweep,
// grant sync): what was observed, planned, refused and applied, plus
// findings. Planners produce Changes and Findings; the apply step fills in
// each Change's Status; renderers turn a Report into JSON, a table, HTML,
// CloudEvents and metrics.
package report

import "time"

// Severity ranks a finding.
type Severity string

// Severities, lowest first.
const (
	SeverityInfo     Severity = "info"
	SeverityWarning  Severity = "warning"
	SeverityCritical Severity = "critical"
)

// Finding is something noticed about a resource. Code is stable across
// releases (e.g. "retention.guard.max_fraction", "trigger.cluster_not_allowed")
// so that alerting can key on it.
type Finding struct {
	// Target names the target (of a targets file) the resource is in;
	// empty without targets.
	Target      string   `json:"target,omitempty"`
	Code        string   `json:"code"`
	Severity    Severity `json:"severity"`
	Namespace   string   `json:"namespace,omitempty"`
	Repository  string   `json:"repository,omitempty"`
	Subject     string   `json:"subject,omitempty"` // trigger name, user id, sync target…
	Message     string   `json:"message"`
	Remediation string   `json:"remediation,omitempty"` // what a fix does, when one exists
}

// Op is what a Change does.
type Op string

// Change operations. A replace is a delete followed by a create.
const (
	OpCreate  Op = "create"
	OpUpdate  Op = "update"
	OpReplace Op = "replace"
	OpDelete  Op = "delete"
)

// Status is what became of a Change.
type Status string

// Change statuses.
const (
	StatusPlanned Status = "planned" // dry run or audit mode: not attempted
	StatusRefused Status = "refused" // a guard stopped it; nothing was written
	StatusApplied Status = "applied"
	StatusFailed  Status = "failed"
)

// Change is one planned write to SWR. Before and After hold the resource as
// JSON-ready values (nil when absent).
type Change struct {
	Target     string  `json:"target,omitempty"` // as in Finding
	Kind       string  `json:"kind"`             // "retention", "namespace_access", "repository_access", "trigger", "sync", "visibility", "namespace"
	Op         Op      `json:"op"`
	Namespace  string  `json:"namespace"`
	Repository string  `json:"repository,omitempty"`
	Subject    string  `json:"subject,omitempty"`
	Before     any     `json:"before,omitempty"`
	After      any     `json:"after,omitempty"`
	Impact     *Impact `json:"impact,omitempty"`
	Status     Status  `json:"status"`
	Reason     string  `json:"reason,omitempty"` // why refused or failed
}

// Impact is what a retention write will delete, tag by tag, under every
// way SWR may execute it: Keep lists the tags kept under every reading,
// Delete those deleted under every reading, and Uncertain the others, each
// with the reason. A report that must stay small may cut the lists
// (Truncate), in which case KeepCount, DeleteCount and UncertainCount
// still say how many there are.
type Impact struct {
	TotalTags   int      `json:"total_tags"`
	Keep        []string `json:"keep"`
	Delete      []string `json:"delete"`
	KeepCount   int      `json:"keep_count,omitempty"`   // set by Truncate: len(Keep) before the cut
	DeleteCount int      `json:"delete_count,omitempty"` // set by Truncate: len(Delete) before the cut
	// Uncertain are the tags kept under some readings of SWR's retention
	// semantics and deleted under others. Guards count them as deleted.
	Uncertain      []UncertainTag `json:"uncertain,omitempty"`
	UncertainCount int            `json:"uncertain_count,omitempty"` // set by Truncate: len(Uncertain) before the cut
	// Deployed lists the kept tags that the rule would delete but for
	// the label selectors of deployed-image protection, each with the
	// trigger that deployed it and when.
	Deployed []DeployedTag `json:"deployed,omitempty"`
	// FreedBytes is what the deletions free, from tag sizes: each image
	// (digest) deleted counts once, and an image that a kept or
	// uncertain tag still holds frees nothing. It is an upper bound:
	// images share layers.
	FreedBytes int64 `json:"freed_bytes_upper_bound"`
	// UncertainFreedBytes is what the uncertain tags would free on top of
	// FreedBytes if SWR deleted them too, counted the same way.
	UncertainFreedBytes int64 `json:"uncertain_freed_bytes_upper_bound,omitempty"`
}

// Freed renders the bytes freed: "1.2 GiB", and with uncertain tags that
// free more, "1.2 GiB (+300.0 MiB if the uncertain tags go too)".
func (i Impact) Freed() string {
	s := FormatBytes(i.FreedBytes)
	if i.UncertainFreedBytes > 0 {
		s += " (+" + FormatBytes(i.UncertainFreedBytes) + " if the uncertain tags go too)"
	}
	return s
}

// DeployedTag is a tag that a CCE/CCI trigger deployed successfully: the
// latest such run, by trigger name and time.
type DeployedTag struct {
	Tag     string `json:"tag"`
	Trigger string `json:"trigger"`
	At      string `json:"at"`
}

// String says why the tag is kept: "v3 (deployed by trigger deploy-web at
// 2026-11-29T12:00:00Z)".
func (d DeployedTag) String() string {
	return d.Tag + " (deployed by trigger " + d.Trigger + " at " + d.At + ")"
}

// UncertainTag is a tag whose fate depends on how SWR executes the rule.
// Reason names the readings that delete it and those that keep it
// ("deleted if ties=asc, kept if ties=desc").
type UncertainTag struct {
	Tag    string `json:"tag"`
	Reason string `json:"reason"`
}

// Deletes is how many tags the write deletes under every reading.
func (i Impact) Deletes() int { return max(i.DeleteCount, len(i.Delete)) }

// Keeps is how many tags the write keeps under every reading.
func (i Impact) Keeps() int { return max(i.KeepCount, len(i.Keep)) }

// Uncertains is how many tags the write may or may not delete.
func (i Impact) Uncertains() int { return max(i.UncertainCount, len(i.Uncertain)) }

// AtRisk is how many tags the write may delete: Deletes() plus
// Uncertains(). Guards count these.
func (i Impact) AtRisk() int { return i.Deletes() + i.Uncertains() }

// DeleteFraction is Deletes()/TotalTags (0 for an empty repository).
func (i Impact) DeleteFraction() float64 {
	if i.TotalTags == 0 {
		return 0
	}
	return float64(i.Deletes()) / float64(i.TotalTags)
}

// AtRiskFraction is AtRisk()/TotalTags (0 for an empty repository).
func (i Impact) AtRiskFraction() float64 {
	if i.TotalTags == 0 {
		return 0
	}
	return float64(i.AtRisk()) / float64(i.TotalTags)
}

// Truncate keeps at most n names in each of Keep, Delete and Uncertain,
// recording the full counts in KeepCount, DeleteCount and UncertainCount
// first. It can be called again with any n; the counts stay those of the
// full lists.
func (i *Impact) Truncate(n int) {
	i.KeepCount, i.DeleteCount, i.UncertainCount = i.Keeps(), i.Deletes(), i.Uncertains()
	if n < 0 {
		n = 0
	}
	// Copy, so that the full lists can be collected.
	if len(i.Keep) > n {
		i.Keep = append([]string(nil), i.Keep[:n]...)
	}
	if len(i.Delete) > n {
		i.Delete = append([]string(nil), i.Delete[:n]...)
	}
	if len(i.Uncertain) > n {
		i.Uncertain = append([]UncertainTag(nil), i.Uncertain[:n]...)
	}
}

// RepoError is an error met while working on one repository; runs go on
// past it and report every one.
type RepoError struct {
	Target     string `json:"target,omitempty"` // as in Finding
	Namespace  string `json:"namespace"`
	Repository string `json:"repository,omitempty"`
	Op         string `json:"op"`
	Error      string `json:"error"`
}

// Counts summarises a run.
type Counts struct {
	Scanned    int            `json:"scanned"`
	Conformant int            `json:"conformant"`
	Changed    int            `json:"changed"`
	Refused    int            `json:"refused"`
	Unmanaged  int            `json:"unmanaged"`
	Errors     int            `json:"errors"`
	Findings   map[string]int `json:"findings_by_code,omitempty"`
}

// Report is the outcome of one run.
type Report struct {
	Job      string      `json:"job"` // "onpush", "sweep", "grantsync"
	DryRun   bool        `json:"dry_run"`
	Started  time.Time   `json:"started"`
	Duration Duration    `json:"duration"`
	Counts   Counts      `json:"counts"`
	Changes  []Change    `json:"changes,omitempty"`
	Findings []Finding   `json:"findings,omitempty"`
	Errors   []RepoError `json:"errors,omitempty"`
	APICalls int64       `json:"api_calls"`
	Cursor   string      `json:"cursor,omitempty"` // set when the run stopped early and must be continued
	// CursorTarget names the target Cursor belongs to, with targets.
	CursorTarget string `json:"cursor_target,omitempty"`
	// ByTarget holds the counts of each target, with targets (AddTarget).
	ByTarget map[string]Counts `json:"by_target,omitempty"`
	EventIDs []string          `json:"event_ids,omitempty"`
	Skipped  int               `json:"skipped_events,omitempty"` // duplicate or unknown events acknowledged without work
	// Omitted counts the changes, findings and errors that Compact left
	// out; the counts above still include them.
	Omitted int `json:"omitted,omitempty"`
	// Storage totals the retention writes' tags and bytes freed, per
	// namespace and in all (Tally sets it; nil without retention writes).
	Storage *Storage `json:"storage,omitempty"`
}

// Summary is a report without its lists: what an HTTP caller is told.
type Summary struct {
	Job      string    `json:"job"`
	DryRun   bool      `json:"dry_run"`
	Started  time.Time `json:"started"`
	Duration Duration  `json:"duration"`
	Counts   Counts    `json:"counts"`
	Findings int       `json:"findings"`
	APICalls int64     `json:"api_calls"`
	Cursor   string    `json:"cursor,omitempty"`
	EventIDs []string  `json:"event_ids,omitempty"`
	Skipped  int       `json:"skipped_events,omitempty"`
	// ByTarget is Report.ByTarget.
	ByTarget map[string]Counts `json:"by_target,omitempty"`
}

// Summary returns r's counts and identifiers without its lists.
func (r *Report) Summary() Summary {
	return Summary{Job: r.Job, DryRun: r.DryRun, Started: r.Started, Duration: r.Duration, Counts: r.Counts,
		Findings: len(r.Findings), APICalls: r.APICalls, Cursor: r.Cursor, EventIDs: r.EventIDs, Skipped: r.Skipped, ByTarget: r.ByTarget}
}

// Compact returns a copy of r that keeps at most maxItems of each of its
// changes, findings and errors and at most maxTags tag names per impact,
// so that it fits where size is bounded (a Lambda response is at most
// 6 MB). Counts are unchanged; Omitted says how many items were left out.
func (r *Report) Compact(maxItems, maxTags int) *Report {
	c := *r
	c.Changes = headOf(r.Changes, maxItems, &c.Omitted)
	c.Findings = headOf(sortedFindings(r.Findings), maxItems, &c.Omitted) // most severe kept
	c.Errors = headOf(r.Errors, maxItems, &c.Omitted)
	for i := range c.Changes {
		if imp := c.Changes[i].Impact; imp != nil {
			cut := *imp
			cut.Truncate(maxTags)
			c.Changes[i].Impact = &cut
		}
	}
	return &c
}

// headOf copies the first n items of s, adding the rest to *omitted.
func headOf[T any](s []T, n int, omitted *int) []T {
	if len(s) > n {
		*omitted += len(s) - n
		s = s[:n]
	}
	return append([]T(nil), s...)
}

// Duration marshals as a Go duration string ("1.5s").
type Duration time.Duration

// MarshalText implements encoding.TextMarshaler.
func (d Duration) MarshalText() ([]byte, error) { return []byte(time.Duration(d).String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (d *Duration) UnmarshalText(b []byte) error {
	v, err := time.ParseDuration(string(b))
	*d = Duration(v)
	return err
}
