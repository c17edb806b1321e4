package swr

import (
	"fmt"
	"slices"
	"strings"
)

// A Reading is one way SWR may execute a retention rule where no document,
// SDK or client pins its behaviour down. A retention write is irreversible,
// so what it deletes must be worked out under every reading (Readings);
// the emulator plays any one of them.
//
// The zero Reading is substring matching, push (updated) time, ties broken
// by the greater name first, a strict cutoff and whole 24 h periods.
type Reading struct {
	Anchoring Anchoring // how a regexp selector is matched against a tag
	Order     TimeKey   // which tag time orders tag_rule and dates date_rule
	Ties      Ties      // which of two tags with equal times counts as newer
	Cutoff    Cutoff    // whether date_rule deletes a tag exactly at the cutoff
	Days      DayCount  // how date_rule counts days
}

// Anchoring is how a regexp tag selector is matched.
type Anchoring int

// Anchorings.
const (
	AnchorSubstring Anchoring = iota // the pattern matches anywhere in the tag
	AnchorWhole                      // the pattern must match the whole tag
)

// TimeKey is the tag time a rule uses.
type TimeKey int

// Time keys.
const (
	TimeUpdated TimeKey = iota // the last push time ("updated")
	TimeCreated                // the first push time ("created")
)

// Ties orders tags with equal times, newest first.
type Ties int

// Tie breaks.
const (
	TiesNameDesc Ties = iota // the greater name counts as newer
	TiesNameAsc              // the smaller name counts as newer
)

// Cutoff is how date_rule compares a tag time with the cutoff.
type Cutoff int

// Cutoffs.
const (
	CutoffStrict    Cutoff = iota // deleted when strictly older than the cutoff
	CutoffInclusive               // deleted when older than or at the cutoff
)

// DayCount is how date_rule counts its N days.
type DayCount int

// Day counts.
const (
	Days24h      DayCount = iota // the cutoff is now − N×24h
	DaysUTC                      // whole calendar days in UTC: the cutoff is midnight UTC N days before today
	DaysChinaStd                 // whole calendar days in China time (UTC+8)
)

// Readings returns every reading, the zero Reading first.
func Readings() []Reading {
	var out []Reading
	for a := range 2 {
		for o := range 2 {
			for t := range 2 {
				for c := range 2 {
					for d := range 3 {
						out = append(out, Reading{Anchoring(a), TimeKey(o), Ties(t), Cutoff(c), DayCount(d)})
					}
				}
			}
		}
	}
	return out
}

// dims names the dimensions of a Reading with their value names
// and access to the value, in String order.
func (r *Reading) dims() []readingDim {
	return []readingDim{
		{"anchoring", []string{"substring", "whole"}, (*int)(&r.Anchoring)},
		{"order", []string{"updated", "created"}, (*int)(&r.Order)},
		{"ties", []string{"desc", "asc"}, (*int)(&r.Ties)},
		{"cutoff", []string{"strict", "inclusive"}, (*int)(&r.Cutoff)},
		{"days", []string{"24h", "utc", "utc+8"}, (*int)(&r.Days)},
	}
}

type readingDim struct {
	key   string
	names []string
	v     *int
}

func (d readingDim) name() string {
	if *d.v < 0 || *d.v >= len(d.names) {
		return fmt.Sprintf("%d", *d.v)
	}
	return d.names[*d.v]
}

// String spells r as ParseReading reads it:
// "anchoring=substring,order=updated,ties=desc,cutoff=strict,days=24h".
func (r Reading) String() string {
	parts := make([]string, 0, 5)
	for _, d := range r.dims() {
		parts = append(parts, d.key+"="+d.name())
	}
	return strings.Join(parts, ",")
}

// Diff describes how r differs from o, dimension by dimension, as
// "key=value" pairs of r ("anchoring=whole,ties=asc"); "" when they are
// the same.
func (r Reading) Diff(o Reading) string {
	var parts []string
	od := o.dims()
	for i, d := range r.dims() {
		if *d.v != *od[i].v {
			parts = append(parts, d.key+"="+d.name())
		}
	}
	return strings.Join(parts, ",")
}

// ParseReading reads a reading written as comma-separated key=value pairs
// (see String); keys left out keep the zero Reading's value, so "" is the
// zero Reading and "anchoring=whole" differs from it in one point.
func ParseReading(s string) (Reading, error) {
	var r Reading
	dims := r.dims()
	for _, part := range strings.Split(s, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		key, val, ok := strings.Cut(part, "=")
		if !ok {
			return Reading{}, fmt.Errorf("reading %q: %q is not key=value", s, part)
		}
		found := false
		for _, d := range dims {
			if d.key != key {
				continue
			}
			found = true
			i := slices.Index(d.names, val)
			if i < 0 {
				return Reading{}, fmt.Errorf("reading %q: %s must be %s, not %q", s, key, strings.Join(d.names, " or "), val)
			}
			*d.v = i
		}
		if !found {
			return Reading{}, fmt.Errorf("reading %q: unknown key %q (anchoring, order, ties, cutoff, days)", s, key)
		}
	}
	return r, nil
}

// MarshalText implements encoding.TextMarshaler.
func (r Reading) MarshalText() ([]byte, error) { return []byte(r.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (r *Reading) UnmarshalText(b []byte) error {
	v, err := ParseReading(string(b))
	if err == nil {
		*r = v
	}
	return err
}
