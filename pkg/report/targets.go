package report

import (
	"maps"
	"slices"
)

// AddTarget merges the report of one target's run into r: each change,
// finding and error is stamped with the target's name, the target's counts
// go into ByTarget (added to any it has), and its cursor, when it stopped
// early, becomes r's unless r has one already. Entries stay in the order
// the targets are added, so a report built target by target is grouped
// by target.
func (r *Report) AddTarget(name string, other *Report) {
	o := *other
	o.Changes = stamp(other.Changes, func(c *Change) { c.Target = name })
	o.Findings = stamp(other.Findings, func(f *Finding) { f.Target = name })
	o.Errors = stamp(other.Errors, func(e *RepoError) { e.Target = name })
	o.Tally()
	r.Merge(&o)
	r.DryRun = r.DryRun || other.DryRun
	if r.ByTarget == nil {
		r.ByTarget = map[string]Counts{}
	}
	c := r.ByTarget[name]
	c.Scanned += o.Counts.Scanned
	c.Conformant += o.Counts.Conformant
	c.Unmanaged += o.Counts.Unmanaged
	c.Changed += o.Counts.Changed
	c.Refused += o.Counts.Refused
	c.Errors += o.Counts.Errors
	for code, n := range o.Counts.Findings {
		if c.Findings == nil {
			c.Findings = map[string]int{}
		}
		c.Findings[code] += n
	}
	r.ByTarget[name] = c
	if r.Cursor == "" && other.Cursor != "" {
		r.Cursor, r.CursorTarget = other.Cursor, name
	}
}

// Targets lists the names in ByTarget, sorted.
func (r *Report) Targets() []string { return slices.Sorted(maps.Keys(r.ByTarget)) }

// FindingTotal is the number of findings the counts hold.
func (c Counts) FindingTotal() int {
	n := 0
	for _, v := range c.Findings {
		n += v
	}
	return n
}

func stamp[T any](list []T, set func(*T)) []T {
	if list == nil {
		return nil
	}
	out := slices.Clone(list)
	for i := range out {
		set(&out[i])
	}
	return out
}
