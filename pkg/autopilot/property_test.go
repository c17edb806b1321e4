package autopilot_test

import (
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// propertySeed fixes the random cases; change it to explore others.
const propertySeed = 20260301

// simulationCase is one random repository and the rule written to it.
type simulationCase struct {
	tags   []swrtest.SeedTag
	rule   swr.Rule
	update bool // the repository already holds a rule of the same template: PATCH instead of POST
}

func (c simulationCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule %s %v selectors %v (update %v), %d tags:", c.rule.Template, c.rule.Params, c.rule.TagSelectors, c.update, len(c.tags))
	for _, t := range c.tags {
		fmt.Fprintf(&b, " %s@%s", t.Name, testNow.Sub(t.Pushed))
	}
	return b.String()
}

// TestSimulateMatchesEmulator is the property that makes the guards
// trustworthy: for random tag sets, push times, rules and selectors, the
// delete list plan.Simulate computes from the tags as the client lists
// them equals what the emulator deletes when the same rule is written
// through the client. Emulator and simulation share one clock.
func TestSimulateMatchesEmulator(t *testing.T) {
	cases := 300
	if testing.Short() {
		cases = 60
	}
	rng := rand.New(rand.NewPCG(propertySeed, 1))
	var cover coverage
	srv := swrtest.NewServer(swrtest.WithClock(clock))
	t.Cleanup(srv.Close)
	client := newClient(t, srv, nil)

	for i := range cases {
		c := randomCase(rng)
		srv.Reset()
		repo := swrtest.SeedRepository{Name: "app", Tags: c.tags}
		if c.update {
			repo.Retention = otherRuleOfSameTemplate(c.rule)
		}
		require.NoError(t, srv.Seed(oneRepo("prop", repo)), "case %d", i)

		var listed []swr.Tag
		for tag, err := range client.Repositories.AllTags(t.Context(), "prop", "app") {
			require.NoError(t, err)
			listed = append(listed, tag)
		}
		require.Len(t, listed, len(c.tags), "case %d: every tag listed", i)
		impact := plan.Simulate(c.rule, listed, testNow)

		req := swr.RetentionRequest{Algorithm: "or", Rules: []swr.Rule{c.rule}}
		if c.update {
			current, err := client.Retentions.List(t.Context(), "prop", "app")
			require.NoError(t, err)
			require.NoError(t, client.Retentions.Update(t.Context(), "prop", "app", current[0].ID, req), "case %d", i)
		} else {
			_, err := client.Retentions.Create(t.Context(), "prop", "app", req)
			require.NoError(t, err, "case %d", i)
		}

		state, ok := srv.State().Repository("prop", "app")
		require.True(t, ok)
		kept := state.TagNames()
		var deleted []string
		for _, tag := range c.tags {
			if !slices.Contains(kept, tag.Name) {
				deleted = append(deleted, tag.Name)
			}
		}
		slices.Sort(deleted)
		if deleted == nil {
			deleted = []string{}
		}
		if !slices.Equal(impact.Delete, deleted) || !slices.Equal(impact.Keep, kept) {
			t.Fatalf("case %d (seed %d): simulation deletes %v, emulator deleted %v\n%s", i, propertySeed, impact.Delete, deleted, c)
		}
		cover.add(c, listed, len(deleted))
	}

	// The cases must reach the corners where a simulation could go wrong,
	// or the property proves little.
	t.Logf("coverage over %d cases: %+v", cases, cover)
	require.Positive(t, cover.deleting, "cases that delete tags")
	require.Positive(t, cover.keepingAll, "cases that delete nothing")
	require.Positive(t, cover.onCutoff, "date_rule cases with a tag pushed exactly at the cutoff")
	require.Positive(t, cover.tieAtBoundary, "tag_rule cases whose keep boundary falls between tags pushed at the same time")
	require.Positive(t, cover.savedBySelector, "cases where an exception keeps a tag the rule would delete")
	require.Positive(t, cover.paged, "cases with more tags than one list page")
	require.Positive(t, cover.updates, "cases written by update")
}

// coverage counts the kinds of case a run of the property met.
type coverage struct {
	deleting, keepingAll, onCutoff, tieAtBoundary, savedBySelector, paged, updates int
}

func (cv *coverage) add(c simulationCase, tags []swr.Tag, deleted int) {
	if deleted > 0 {
		cv.deleting++
	} else {
		cv.keepingAll++
	}
	if len(tags) > swr.DefaultPageSize {
		cv.paged++
	}
	if c.update {
		cv.updates++
	}
	bare := c.rule
	bare.TagSelectors = nil
	if len(plan.Simulate(bare, tags, testNow).Delete) > deleted {
		cv.savedBySelector++
	}
	// Simulating tag_rule num 0 with the case's selectors deletes exactly
	// the tags that are not exceptions.
	all := swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "0"}, TagSelectors: c.rule.TagSelectors}
	candidates := plan.Simulate(all, tags, testNow).Delete
	var times []time.Time
	for _, t := range tags {
		if slices.Contains(candidates, t.Tag) {
			times = append(times, t.UpdatedTime())
		}
	}
	switch c.rule.Template {
	case swr.TemplateDateRule:
		cutoff := testNow.Add(-time.Duration(c.rule.Days()) * 24 * time.Hour)
		if slices.ContainsFunc(times, cutoff.Equal) {
			cv.onCutoff++
		}
	case swr.TemplateTagRule:
		slices.SortFunc(times, func(a, b time.Time) int { return b.Compare(a) })
		if n := c.rule.Num(); n > 0 && n < len(times) && times[n-1].Equal(times[n]) {
			cv.tieAtBoundary++
		}
	}
}

// randomCase draws a repository and a rule. Push times cluster around the
// date_rule cutoff (exactly on it, a nanosecond either side) and repeat
// one another, to exercise the strict "before" and the tie order.
func randomCase(rng *rand.Rand) simulationCase {
	var c simulationCase
	n := rng.IntN(30)
	switch rng.IntN(20) {
	case 0:
		n = 0
	case 1:
		n = 100 + rng.IntN(150) // several pages of the tag list
	}
	if rng.IntN(2) == 0 {
		days := []int{1, 2, 7, 30, 90, 365, 1 + rng.IntN(365)}[rng.IntN(7)]
		c.rule = swr.Rule{Template: swr.TemplateDateRule, Params: map[string]string{"days": strconv.Itoa(days)}}
	} else {
		num := 1 + rng.IntN(n+3)
		if rng.IntN(10) == 0 {
			num = 1 + rng.IntN(1000)
		}
		c.rule = swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": strconv.Itoa(num)}}
	}
	cutoff := time.Duration(max(c.rule.Days(), 1)) * 24 * time.Hour

	seen := map[string]bool{}
	for len(c.tags) < n {
		name := randomTagName(rng)
		if seen[name] || swr.CheckTagName(name) != nil {
			continue
		}
		seen[name] = true
		var age time.Duration
		switch r := rng.IntN(10); {
		case r == 0 && len(c.tags) > 0:
			age = testNow.Sub(c.tags[rng.IntN(len(c.tags))].Pushed) // a tie
		case r == 1:
			age = cutoff + time.Duration(rng.IntN(3)-1) // on the cutoff or 1ns either side
		case r == 2:
			age = time.Duration(rng.IntN(5)) * 24 * time.Hour // whole days
		case r == 3:
			age = -time.Duration(rng.IntN(3600)) * time.Second // pushed "after now": clock skew
		default:
			age = time.Duration(rng.Int64N(int64(400 * 24 * time.Hour)))
		}
		c.tags = append(c.tags, swrtest.SeedTag{Name: name, Pushed: testNow.Add(-age)})
	}

	c.rule.TagSelectors = []swr.TagSelector{}
	patterns := selectorPatterns()
	for range rng.IntN(5) {
		if rng.IntN(2) == 0 && len(c.tags) > 0 {
			c.rule.TagSelectors = append(c.rule.TagSelectors, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: c.tags[rng.IntN(len(c.tags))].Name})
		} else if rng.IntN(4) == 0 {
			c.rule.TagSelectors = append(c.rule.TagSelectors, swr.TagSelector{Kind: swr.SelectorLabel, Pattern: randomTagName(rng)})
		} else {
			c.rule.TagSelectors = append(c.rule.TagSelectors, swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: patterns[rng.IntN(len(patterns))]})
		}
	}
	c.update = rng.IntN(3) == 0
	return c
}

// selectorPatterns are regexp exceptions: anchored and not, matching
// often, rarely or never, case-insensitive, alternations.
func selectorPatterns() []string {
	return []string{
		`^v\d+\.\d+\.\d+$`, `rc`, `^latest$`, `latest`, `\d$`, `(?i)^v2`, `^build-\d{2}$`, `.`,
		`^$`, `a|b`, `sha-[0-9a-f]+`, `^[a-f]`, `-`, `_`, `^v1\.`, `0`, `^(main|release)-`, `\.0$`, `x{3}`,
	}
}

// randomTagName draws tag names in the shapes registries hold.
func randomTagName(rng *rand.Rand) string {
	switch rng.IntN(8) {
	case 0:
		return "latest"
	case 1:
		return fmt.Sprintf("v%d.%d.%d", rng.IntN(3), rng.IntN(12), rng.IntN(20))
	case 2:
		return fmt.Sprintf("v%d.%d.%d-rc%d", rng.IntN(3), rng.IntN(5), rng.IntN(5), rng.IntN(4))
	case 3:
		return fmt.Sprintf("build-%02d", rng.IntN(120))
	case 4:
		return fmt.Sprintf("sha-%07x", rng.Uint32()>>4)
	case 5:
		return []string{"main", "release", "feature"}[rng.IntN(3)] + "-" + strconv.Itoa(rng.IntN(50))
	case 6:
		return fmt.Sprintf("V%d_%s", rng.IntN(4), []string{"alpha", "beta", "xxx", "b"}[rng.IntN(4)])
	default:
		return strconv.Itoa(rng.IntN(1000))
	}
}

// otherRuleOfSameTemplate is a rule the repository holds before the
// update; seeding does not execute it.
func otherRuleOfSameTemplate(r swr.Rule) *swrtest.SeedRetention {
	if r.Template == swr.TemplateDateRule {
		return &swrtest.SeedRetention{Template: r.Template, Params: map[string]string{"days": "365"}, TagSelectors: []swrtest.SeedSelector{}}
	}
	return &swrtest.SeedRetention{Template: r.Template, Params: map[string]string{"num": "1000"}, TagSelectors: []swrtest.SeedSelector{}}
}
