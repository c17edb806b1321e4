package plan

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// scenario is one random repository and rule for the property test.
type scenario struct {
	tags []swr.Tag
	rule swr.Rule
}

var tagWords = []string{"latest", "stable", "v1", "v1.2", "v2.0.1", "build", "rc", "dev", "main", "nightly"}

// randomScenario builds up to 60 tags with unique names whose push times
// cluster around a few instants (so ties happen) and around the date_rule
// cutoff (so the boundary is hit), plus a rule with random selectors.
func randomScenario(r *rand.Rand) scenario {
	n := r.IntN(61)
	days := 1 + r.IntN(365)
	cutoff := now.Add(-time.Duration(days) * 24 * time.Hour)
	anchors := []time.Time{cutoff, now, now.Add(-time.Duration(r.IntN(400*24)) * time.Hour)}
	seen := map[string]bool{}
	var tags []swr.Tag
	for len(tags) < n {
		name := tagWords[r.IntN(len(tagWords))]
		if r.IntN(2) == 0 {
			name += "-" + strconv.Itoa(r.IntN(50))
		}
		if seen[name] {
			continue
		}
		seen[name] = true
		var pushed time.Time
		switch r.IntN(4) {
		case 0:
			pushed = anchors[r.IntN(len(anchors))]
		case 1:
			pushed = cutoff.Add(time.Duration(r.IntN(3)-1) * time.Nanosecond)
			if r.IntN(2) == 0 { // around a calendar-day boundary
				pushed = time.Date(pushed.Year(), pushed.Month(), pushed.Day(), 0, 0, 0, 0, time.UTC).Add(time.Duration(r.IntN(48)-24) * time.Hour)
			}
		default:
			pushed = now.Add(-time.Duration(r.Int64N(int64(500 * 24 * time.Hour))))
		}
		if r.IntN(5) == 0 { // pushed again later: created and updated differ
			tags = append(tags, repushed(name, pushed, pushed.Add(time.Duration(r.Int64N(int64(30*24*time.Hour))))))
			continue
		}
		tags = append(tags, tag(name, pushed))
	}

	var sels []swr.TagSelector
	for range r.IntN(4) {
		if r.IntN(2) == 0 {
			sels = append(sels, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: tagWords[r.IntN(len(tagWords))]})
		} else {
			patterns := []string{`^v\d+`, `-1\d$`, `rc`, `^(main|dev)$`, `\.`, `^nightly-`}
			sels = append(sels, swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: patterns[r.IntN(len(patterns))]})
		}
	}
	if r.IntN(2) == 0 {
		return scenario{tags, dateRule(strconv.Itoa(days), sels...)}
	}
	return scenario{tags, tagRule(strconv.Itoa(r.IntN(40)+1), sels...)}
}

// isExceptionRef is a straightforward restatement of the selector
// semantics under one anchoring, independent of selectorMatcher.
func isExceptionRef(sels []swr.TagSelector, name string, a swr.Anchoring) bool {
	for _, s := range sels {
		switch s.Kind {
		case swr.SelectorLabel:
			if s.Pattern == name {
				return true
			}
		case swr.SelectorRegexp:
			re, err := regexp.Compile(s.Pattern)
			if err != nil {
				continue
			}
			if a == swr.AnchorWhole {
				if loc := re.FindAllStringIndex(name, -1); !slices.ContainsFunc(loc, func(l []int) bool { return l[0] == 0 && l[1] == len(name) }) {
					// leftmost-first may miss a whole match: ask again
					if ok, _ := regexp.MatchString(`^(?:`+s.Pattern+`)$`, name); !ok {
						continue
					}
				}
				return true
			}
			if re.MatchString(name) {
				return true
			}
		}
	}
	return false
}

// victimsRef restates what rule deletes under rd, independently of
// simulateReading: date_rule compares calendar dates as day numbers.
func victimsRef(rule swr.Rule, tags []swr.Tag, rd swr.Reading) map[string]bool {
	type cand struct {
		name string
		at   time.Time
	}
	var cands []cand
	for _, tg := range tags {
		if isExceptionRef(rule.TagSelectors, tg.Tag, rd.Anchoring) {
			continue
		}
		at, _ := tg.Time(rd.Order)
		cands = append(cands, cand{tg.Tag, at})
	}
	out := map[string]bool{}
	switch rule.Template {
	case swr.TemplateDateRule:
		n := rule.Days()
		for _, c := range cands {
			var older bool
			if rd.Days == swr.Days24h {
				age := now.Sub(c.at)
				limit := time.Duration(n) * 24 * time.Hour
				older = age > limit || (rd.Cutoff == swr.CutoffInclusive && age == limit)
			} else {
				offset := 0
				if rd.Days == swr.DaysChinaStd {
					offset = 8 * 3600
				}
				dayOf := func(t time.Time) int64 { return (t.Unix() + int64(offset)) / 86400 }
				gap := dayOf(now) - dayOf(c.at) // whole calendar days between the two dates
				older = gap > int64(n) || (rd.Cutoff == swr.CutoffInclusive && gap == int64(n))
			}
			if older {
				out[c.name] = true
			}
		}
	case swr.TemplateTagRule:
		// count how many candidates are newer than each one
		for _, c := range cands {
			newer := 0
			for _, o := range cands {
				switch {
				case o.at.After(c.at):
					newer++
				case o.at.Equal(c.at) && o.name != c.name:
					if (rd.Ties == swr.TiesNameDesc && o.name > c.name) || (rd.Ties == swr.TiesNameAsc && o.name < c.name) {
						newer++
					}
				}
			}
			if newer >= rule.Num() {
				out[c.name] = true
			}
		}
	}
	return out
}

func TestSimulateProperties(t *testing.T) {
	const runs = 300
	readings := swr.Readings()
	for seed := uint64(1); seed <= runs; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		sc := randomScenario(r)
		got := simulate(t, sc.rule, sc.tags)
		msg := fmt.Sprintf("seed %d, rule %+v", seed, sc.rule)
		checkSimulateInvariants(t, sc, got, msg)

		// Each tag is kept, deleted or uncertain exactly as the readings
		// say, one by one.
		votes := map[string]int{}
		for _, rd := range readings {
			for name := range victimsRef(sc.rule, sc.tags, rd) {
				votes[name]++
			}
		}
		for _, name := range got.Keep {
			require.Zero(t, votes[name], "%s: %q kept but some reading deletes it", msg, name)
		}
		for _, name := range got.Delete {
			require.Equal(t, len(readings), votes[name], "%s: %q deleted but some reading keeps it", msg, name)
		}
		for _, u := range got.Uncertain {
			require.True(t, votes[u.Tag] > 0 && votes[u.Tag] < len(readings), "%s: %q uncertain, votes %d", msg, u.Tag, votes[u.Tag])
			require.Regexp(t, `^deleted if \S+=\S+, kept if \S+=\S+$`, u.Reason, msg)
		}

		// The result does not depend on the order of the tag list.
		shuffled := slices.Clone(sc.tags)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		require.Equal(t, got, simulate(t, sc.rule, shuffled), msg)

		// More exceptions never put more at risk.
		wider := sc.rule
		wider.TagSelectors = append(slices.Clone(sc.rule.TagSelectors), swr.TagSelector{Kind: swr.SelectorLabel, Pattern: tagWords[r.IntN(len(tagWords))]})
		requireSubset(t, atRisk(simulate(t, wider, sc.tags)), atRisk(got), msg+": wider selectors")

		// A laxer rule never puts more at risk.
		laxer := sc.rule
		laxer.Params = map[string]string{}
		for k, v := range sc.rule.Params {
			n, _ := strconv.Atoi(v)
			laxer.Params[k] = strconv.Itoa(n + 1 + r.IntN(10))
		}
		requireSubset(t, atRisk(simulate(t, laxer, sc.tags)), atRisk(got), msg+": laxer params")
	}
}

func atRisk(i report.Impact) []string {
	return append(slices.Clone(i.Delete), uncertainNames(i)...)
}

func checkSimulateInvariants(t *testing.T, sc scenario, got report.Impact, msg string) {
	t.Helper()
	require.Equal(t, len(sc.tags), got.TotalTags, msg)
	require.True(t, slices.IsSorted(got.Keep), msg)
	require.True(t, slices.IsSorted(got.Delete), msg)
	require.True(t, slices.IsSorted(uncertainNames(got)), msg)

	// keep, delete and uncertain partition the tags.
	all := make([]string, 0, len(sc.tags))
	for _, tg := range sc.tags {
		all = append(all, tg.Tag)
	}
	require.ElementsMatch(t, all, append(append(slices.Clone(got.Keep), got.Delete...), uncertainNames(got)...), msg)

	// An exception under every anchoring is never at risk.
	for _, name := range atRisk(got) {
		sure := isExceptionRef(sc.rule.TagSelectors, name, swr.AnchorSubstring) && isExceptionRef(sc.rule.TagSelectors, name, swr.AnchorWhole)
		require.False(t, sure, "%s: exception %q at risk", msg, name)
	}
}

func requireSubset(t *testing.T, sub, super []string, msg string) {
	t.Helper()
	for _, s := range sub {
		require.Contains(t, super, s, msg)
	}
}
