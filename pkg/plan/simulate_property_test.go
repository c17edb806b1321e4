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
		default:
			pushed = now.Add(-time.Duration(r.Int64N(int64(500 * 24 * time.Hour))))
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
// semantics, independent of exceptionMatcher.
func isExceptionRef(sels []swr.TagSelector, name string) bool {
	for _, s := range sels {
		switch s.Kind {
		case swr.SelectorLabel:
			if s.Pattern == name {
				return true
			}
		case swr.SelectorRegexp:
			if ok, _ := regexp.MatchString(s.Pattern, name); ok {
				return true
			}
		}
	}
	return false
}

func TestSimulateProperties(t *testing.T) {
	const runs = 3000
	for seed := uint64(1); seed <= runs; seed++ {
		r := rand.New(rand.NewPCG(seed, 0x5eed))
		sc := randomScenario(r)
		got := Simulate(sc.rule, sc.tags, now)
		msg := fmt.Sprintf("seed %d, rule %+v", seed, sc.rule)
		checkSimulateInvariants(t, sc, got, msg)

		// The result does not depend on the order of the tag list.
		shuffled := slices.Clone(sc.tags)
		r.Shuffle(len(shuffled), func(i, j int) { shuffled[i], shuffled[j] = shuffled[j], shuffled[i] })
		require.Equal(t, got, Simulate(sc.rule, shuffled, now), msg)

		// More exceptions never delete more.
		wider := sc.rule
		wider.TagSelectors = append(slices.Clone(sc.rule.TagSelectors), swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: "^" + tagWords[r.IntN(len(tagWords))]})
		requireSubset(t, Simulate(wider, sc.tags, now).Delete, got.Delete, msg+": wider selectors")

		// A laxer rule never deletes more.
		laxer := sc.rule
		laxer.Params = map[string]string{}
		for k, v := range sc.rule.Params {
			n, _ := strconv.Atoi(v)
			laxer.Params[k] = strconv.Itoa(n + 1 + r.IntN(10))
		}
		requireSubset(t, Simulate(laxer, sc.tags, now).Delete, got.Delete, msg+": laxer params")
	}
}

func checkSimulateInvariants(t *testing.T, sc scenario, got report.Impact, msg string) {
	t.Helper()
	require.Equal(t, len(sc.tags), got.TotalTags, msg)
	require.True(t, slices.IsSorted(got.Keep), msg)
	require.True(t, slices.IsSorted(got.Delete), msg)

	// keep ∪ delete = all tags, and they are disjoint.
	all := make([]string, 0, len(sc.tags))
	for _, tg := range sc.tags {
		all = append(all, tg.Tag)
	}
	require.ElementsMatch(t, all, append(slices.Clone(got.Keep), got.Delete...), msg)

	pushed := map[string]time.Time{}
	for _, tg := range sc.tags {
		pushed[tg.Tag] = tg.UpdatedTime()
	}
	deleted := map[string]bool{}
	for _, name := range got.Delete {
		deleted[name] = true
		require.False(t, isExceptionRef(sc.rule.TagSelectors, name), "%s: exception %q deleted", msg, name)
	}
	var keptOthers, deletedOthers []string
	for _, name := range got.Keep {
		if !isExceptionRef(sc.rule.TagSelectors, name) {
			keptOthers = append(keptOthers, name)
		}
	}
	deletedOthers = got.Delete

	switch sc.rule.Template {
	case swr.TemplateDateRule:
		cutoff := now.Add(-time.Duration(sc.rule.Days()) * 24 * time.Hour)
		for _, name := range deletedOthers {
			require.True(t, pushed[name].Before(cutoff), "%s: %q deleted though pushed at %v", msg, name, pushed[name])
		}
		for _, name := range keptOthers {
			require.False(t, pushed[name].Before(cutoff), "%s: %q kept though pushed at %v", msg, name, pushed[name])
		}
	case swr.TemplateTagRule:
		nonExceptions := len(keptOthers) + len(deletedOthers)
		require.Equal(t, min(sc.rule.Num(), nonExceptions), len(keptOthers), msg)
		// Every kept non-exception is newer than every deleted tag
		// (ties broken by the greater name).
		for _, k := range keptOthers {
			for _, d := range deletedOthers {
				newer := pushed[k].After(pushed[d]) || pushed[k].Equal(pushed[d]) && k > d
				require.True(t, newer, "%s: kept %q (%v) not newer than deleted %q (%v)", msg, k, pushed[k], d, pushed[d])
			}
		}
	}
}

func requireSubset(t *testing.T, sub, super []string, msg string) {
	t.Helper()
	for _, s := range sub {
		require.Contains(t, super, s, msg)
	}
}
