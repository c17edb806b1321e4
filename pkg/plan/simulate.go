package plan

import (
	"cmp"
	"regexp"
	"slices"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Simulate computes, tag by tag, what rule deletes from a repository
// holding tags when SWR executes it at now. It follows the execution
// semantics documented on swr.Retention:
//   - a tag matched by any selector is an exception and is kept ("label":
//     equal names; "regexp": regexp.MatchString, so a pattern that does
//     not compile matches nothing; other kinds match nothing);
//   - date_rule keeps a non-exception tag unless its push time
//     (Tag.UpdatedTime) is strictly before now − days×24h;
//   - tag_rule keeps the first num non-exception tags ordered newest first
//     (ties: greater name first) and deletes the rest;
//   - any other template deletes nothing.
//
// Keep and Delete are sorted by tag name and are never nil.
func Simulate(rule swr.Rule, tags []swr.Tag, now time.Time) report.Impact {
	isException := exceptionMatcher(rule.TagSelectors)
	impact := report.Impact{TotalTags: len(tags), Keep: []string{}, Delete: []string{}}
	candidates := make([]pushedTag, 0, len(tags))
	for _, t := range tags {
		if isException(t.Tag) {
			impact.Keep = append(impact.Keep, t.Tag)
			continue
		}
		candidates = append(candidates, pushedTag{name: t.Tag, pushed: t.UpdatedTime()})
	}

	switch rule.Template {
	case swr.TemplateDateRule:
		cutoff := now.Add(-time.Duration(rule.Days()) * 24 * time.Hour)
		for _, c := range candidates {
			if c.pushed.Before(cutoff) {
				impact.Delete = append(impact.Delete, c.name)
			} else {
				impact.Keep = append(impact.Keep, c.name)
			}
		}
	case swr.TemplateTagRule:
		slices.SortFunc(candidates, newestFirst)
		n := min(max(rule.Num(), 0), len(candidates))
		for _, c := range candidates[:n] {
			impact.Keep = append(impact.Keep, c.name)
		}
		for _, c := range candidates[n:] {
			impact.Delete = append(impact.Delete, c.name)
		}
	default:
		for _, c := range candidates {
			impact.Keep = append(impact.Keep, c.name)
		}
	}
	slices.Sort(impact.Keep)
	slices.Sort(impact.Delete)
	return impact
}

type pushedTag struct {
	name   string
	pushed time.Time
}

func newestFirst(a, b pushedTag) int {
	if c := b.pushed.Compare(a.pushed); c != 0 {
		return c
	}
	return cmp.Compare(b.name, a.name)
}

// exceptionMatcher returns a function reporting whether a tag is matched by
// any of sels. Regular expressions are compiled once.
func exceptionMatcher(sels []swr.TagSelector) func(tag string) bool {
	labels := map[string]bool{}
	var patterns []*regexp.Regexp
	for _, s := range sels {
		switch s.Kind {
		case swr.SelectorLabel:
			labels[s.Pattern] = true
		case swr.SelectorRegexp:
			if re, err := regexp.Compile(s.Pattern); err == nil {
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
