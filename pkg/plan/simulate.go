package plan

import (
	"cmp"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Simulate computes, tag by tag, what rule deletes from a repository
// holding tags when SWR executes it at now, under every swr.Reading:
//   - a tag matched by any selector is an exception and is kept ("label":
//     equal names; "regexp": matched anywhere in the tag, or against the
//     whole tag, as the reading says; a pattern that does not compile
//     matches nothing; other kinds match nothing);
//   - date_rule deletes a non-exception tag whose time (updated or
//     created) is before the cutoff: now − days×24h, or midnight (UTC or
//     UTC+8) days calendar days before today, strictly or inclusively;
//   - tag_rule keeps the first num non-exception tags ordered newest first
//     by that time (ties by name, descending or ascending) and deletes the
//     rest;
//   - any other template deletes nothing.
//
// A tag kept under every reading is in Keep, one deleted under every
// reading in Delete, any other in Uncertain with the reason. Keep, Delete
// and Uncertain are sorted by tag name; Keep and Delete are never nil.
//
// A tag whose created or updated time does not parse makes the simulation
// fail with a *TagTimeError: it is never read as time zero.
func Simulate(rule swr.Rule, tags []swr.Tag, now time.Time) (report.Impact, error) {
	timed, err := tagTimes(tags)
	if err != nil {
		return report.Impact{}, err
	}
	// Many readings agree on a rule (tag_rule ignores the cutoff, date_rule
	// the tie break): each distinct effective reading is simulated once,
	// and weighs as many readings as it stands for.
	var distinct []swr.Reading
	weight := map[swr.Reading]int{}
	for _, rd := range swr.Readings() {
		eff := relevant(rule, rd)
		if weight[eff] == 0 {
			distinct = append(distinct, eff)
		}
		weight[eff]++
	}
	exceptions := map[swr.Anchoring][]bool{}
	for _, rd := range distinct {
		if exceptions[rd.Anchoring] == nil {
			isException := selectorMatcher(rule.TagSelectors, rd.Anchoring)
			exc := make([]bool, len(timed))
			for i, t := range timed {
				exc[i] = isException(t.name)
			}
			exceptions[rd.Anchoring] = exc
		}
	}
	// deletedBy[i] has bit j set when distinct reading j deletes tag i.
	deletedBy := make([]uint64, len(timed))
	for j, rd := range distinct {
		for _, i := range simulateReading(rule, timed, exceptions[rd.Anchoring], now, rd) {
			deletedBy[i] |= 1 << j
		}
	}

	all := uint64(1)<<len(distinct) - 1
	reasons := map[uint64]string{}
	impact := report.Impact{TotalTags: len(tags), Keep: []string{}, Delete: []string{}}
	for i, t := range timed {
		switch mask := deletedBy[i]; mask {
		case 0:
			impact.Keep = append(impact.Keep, t.name)
		case all:
			impact.Delete = append(impact.Delete, t.name)
		default:
			reason, ok := reasons[mask]
			if !ok {
				reason = uncertainReason(mask, distinct)
				reasons[mask] = reason
			}
			impact.Uncertain = append(impact.Uncertain, report.UncertainTag{Tag: t.name, Reason: reason})
		}
	}
	slices.Sort(impact.Keep)
	slices.Sort(impact.Delete)
	slices.SortFunc(impact.Uncertain, func(a, b report.UncertainTag) int { return cmp.Compare(a.Tag, b.Tag) })
	return impact, nil
}

// TagTimeError says that a tag's time does not parse, so that what a rule
// would delete cannot be known.
type TagTimeError struct {
	Tag string
	Err error
}

func (e *TagTimeError) Error() string { return e.Err.Error() }

func (e *TagTimeError) Unwrap() error { return e.Err }

// timedTag is a tag with both its times.
type timedTag struct {
	name             string
	created, updated time.Time
}

func (t timedTag) time(key swr.TimeKey) time.Time {
	if key == swr.TimeCreated {
		return t.created
	}
	return t.updated
}

func tagTimes(tags []swr.Tag) ([]timedTag, error) {
	out := make([]timedTag, 0, len(tags))
	for _, t := range tags {
		updated, err := t.Time(swr.TimeUpdated)
		if err == nil {
			var created time.Time
			if created, err = t.Time(swr.TimeCreated); err == nil {
				out = append(out, timedTag{name: t.Tag, created: created, updated: updated})
				continue
			}
		}
		return nil, &TagTimeError{Tag: t.Tag, Err: err}
	}
	return out, nil
}

// relevant returns rd with the points that cannot change what rule
// deletes set to their zero value.
func relevant(rule swr.Rule, rd swr.Reading) swr.Reading {
	if !hasRegexp(rule.TagSelectors) {
		rd.Anchoring = 0
	}
	switch rule.Template {
	case swr.TemplateTagRule:
		rd.Cutoff, rd.Days = 0, 0
	case swr.TemplateDateRule:
		rd.Ties = 0
	default:
		return swr.Reading{}
	}
	return rd
}

func hasRegexp(sels []swr.TagSelector) bool {
	return slices.ContainsFunc(sels, func(s swr.TagSelector) bool { return s.Kind == swr.SelectorRegexp })
}

// simulateReading returns the indexes of the tags rule deletes under rd;
// exception[i] says whether tags[i] is matched by a selector under rd.
func simulateReading(rule swr.Rule, tags []timedTag, exception []bool, now time.Time, rd swr.Reading) []int {
	candidates := make([]int, 0, len(tags))
	for i := range tags {
		if !exception[i] {
			candidates = append(candidates, i)
		}
	}
	var deleted []int
	switch rule.Template {
	case swr.TemplateDateRule:
		older := olderThan(rule.Days(), now, rd)
		for _, i := range candidates {
			if older(tags[i].time(rd.Order)) {
				deleted = append(deleted, i)
			}
		}
	case swr.TemplateTagRule:
		slices.SortFunc(candidates, func(x, y int) int {
			a, b := tags[x], tags[y]
			if c := b.time(rd.Order).Compare(a.time(rd.Order)); c != 0 {
				return c
			}
			if rd.Ties == swr.TiesNameAsc {
				return cmp.Compare(a.name, b.name)
			}
			return cmp.Compare(b.name, a.name)
		})
		n := min(max(rule.Num(), 0), len(candidates))
		deleted = candidates[n:]
	}
	return deleted
}

// olderThan returns whether a tag time lies beyond date_rule's cutoff of
// days under rd.
func olderThan(days int, now time.Time, rd swr.Reading) func(time.Time) bool {
	var cutoff time.Time
	switch rd.Days {
	case swr.DaysUTC, swr.DaysChinaStd:
		loc := time.UTC
		if rd.Days == swr.DaysChinaStd {
			loc = time.FixedZone("UTC+8", 8*60*60) // China time, SWR's home zone
		}
		n := now.In(loc)
		cutoff = time.Date(n.Year(), n.Month(), n.Day()-days, 0, 0, 0, 0, loc)
		if rd.Cutoff == swr.CutoffInclusive {
			// a tag of the cutoff day itself is deleted too
			return func(t time.Time) bool { return t.Before(cutoff.AddDate(0, 0, 1)) }
		}
		return func(t time.Time) bool { return t.Before(cutoff) }
	default:
		cutoff = now.Add(-time.Duration(days) * 24 * time.Hour)
		if rd.Cutoff == swr.CutoffInclusive {
			return func(t time.Time) bool { return !t.After(cutoff) }
		}
		return func(t time.Time) bool { return t.Before(cutoff) }
	}
}

// uncertainReason names, for a tag deleted under the distinct readings
// whose bits are set in mask and kept under the others, the closest such
// pair of readings: their points of difference decide its fate.
func uncertainReason(mask uint64, distinct []swr.Reading) string {
	best, bestDiff := "", -1
	for i, d := range distinct {
		if mask&(1<<i) == 0 {
			continue
		}
		for j, k := range distinct {
			if mask&(1<<j) != 0 {
				continue
			}
			diff := d.Diff(k)
			n := strings.Count(diff, ",") // one less than the points of difference
			if bestDiff < 0 || n < bestDiff {
				best, bestDiff = fmt.Sprintf("deleted if %s, kept if %s", diff, k.Diff(d)), n
			}
		}
	}
	return best
}

// selectorMatcher returns a function reporting whether a tag is matched
// by any of sels, regexps anchored as a says. Regular expressions are
// compiled once; one that does not compile matches nothing.
func selectorMatcher(sels []swr.TagSelector, a swr.Anchoring) func(tag string) bool {
	labels := map[string]bool{}
	var patterns []*regexp.Regexp
	for _, s := range sels {
		switch s.Kind {
		case swr.SelectorLabel:
			labels[s.Pattern] = true
		case swr.SelectorRegexp:
			expr := s.Pattern
			if a == swr.AnchorWhole {
				expr = `^(?:` + expr + `)$`
			}
			if _, err := regexp.Compile(s.Pattern); err != nil {
				continue
			}
			if re, err := regexp.Compile(expr); err == nil {
				patterns = append(patterns, re)
			}
		}
	}
	return func(tag string) bool {
		if labels[tag] {
			return true
		}
		for _, re := range patterns {
			if re.MatchString(tag) {
				return true
			}
		}
		return false
	}
}

// TagTimeFinding is the finding that refuses a retention write on ns/repo
// when err, from Simulate, says a tag's time does not parse: what the
// rule would delete cannot be known.
func TagTimeFinding(ns, repo string, err error) report.Finding {
	f := report.Finding{
		Code: CodeTagTimeInvalid, Severity: report.SeverityCritical, Namespace: ns, Repository: repo,
		Message:     fmt.Sprintf("retention write refused: %v, so what the rule would delete is unknown", err),
		Remediation: "push the tag again, or delete it by hand; the next run simulates again",
	}
	var te *TagTimeError
	if errors.As(err, &te) {
		f.Subject = te.Tag
	}
	return f
}
