package autopilot_test

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// propertySeed fixes the random cases; change it to explore others.
const propertySeed = 20260301

// simulationCase is one random repository and the policy rule written to
// it.
type simulationCase struct {
	tags    []swrtest.SeedTag
	repush  map[string]time.Time // tags pushed again at this time: created and updated differ
	rule    string               // keep_days: N or keep_last: N
	protect []string             // protect entries as the policy spells them
}

func (c simulationCase) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "rule %s protect %q, %d tags:", c.rule, c.protect, len(c.tags))
	for _, t := range c.tags {
		fmt.Fprintf(&b, " %s@%s", t.Name, testNow.Sub(t.Pushed))
		if at, ok := c.repush[t.Name]; ok {
			fmt.Fprintf(&b, "(again@%s)", testNow.Sub(at))
		}
	}
	return b.String()
}

func (c simulationCase) policy() string {
	quoted := make([]string, len(c.protect))
	for i, p := range c.protect {
		quoted[i] = strconv.Quote(p)
	}
	return fmt.Sprintf("mode: enforce\nretention:\n  - match: \"**\"\n    %s\n    protect: [%s]\n", c.rule, strings.Join(quoted, ", "))
}

// protectedByPolicy says whether the policy's protect entries cover tag,
// as the policy file means them: an exact tag, or a regexp matched
// against the whole tag.
func protectedByPolicy(protect []string, tag string) bool {
	for _, p := range protect {
		if expr, ok := strings.CutPrefix(p, "/"); ok {
			if regexp.MustCompile(`^(?:` + strings.TrimSuffix(expr, "/") + `)$`).MatchString(tag) {
				return true
			}
		} else if p == tag {
			return true
		}
	}
	return false
}

// TestPlanHoldsUnderEveryReading is the property that makes the guards
// trustworthy whatever SWR really does where no document pins it down.
// For random tag sets, push times, rules and protect entries, the policy
// is parsed, its rule emitted as plan.DesiredRetention writes it and
// simulated from the tags as the client lists them; then, under every
// swr.Reading, the emulator executes the same rule, and
//   - every tag the plan keeps survives;
//   - no tag the policy protects is deleted;
//   - every tag deleted was deleted or uncertain in the plan.
//
// The second line fails if the emitted regexp selectors depend on
// anchoring: the policy means whole-tag matches, and a selector that
// matches less under one anchoring lets that reading delete a protected
// tag.
func TestPlanHoldsUnderEveryReading(t *testing.T) {
	cases := 300
	if testing.Short() {
		cases = 40
	}
	rng := rand.New(rand.NewPCG(propertySeed, 1))
	var cover coverage
	srv := swrtest.NewServer(swrtest.WithClock(clock))
	t.Cleanup(srv.Close)
	client := newClient(t, srv, nil)
	readings := swr.Readings()

	seedCase := func(c simulationCase) {
		srv.Reset()
		require.NoError(t, srv.Seed(oneRepo("prop", swrtest.SeedRepository{Name: "app", Tags: c.tags})))
		for name, at := range c.repush {
			require.NoError(t, srv.PushTag("prop", "app", name, at))
		}
	}
	for i := range cases {
		c := randomCase(rng)
		pol, err := policy.Parse([]byte(c.policy()), "policy.yaml")
		require.NoError(t, err, "case %d: %s", i, c.policy())
		req := plan.DesiredRetention(pol.Retention[0])

		seedCase(c)
		var listed []swr.Tag
		for tag, err := range client.Repositories.AllTags(t.Context(), "prop", "app", nil) {
			require.NoError(t, err)
			listed = append(listed, tag)
		}
		require.Len(t, listed, len(c.tags), "case %d: every tag listed", i)
		impact, err := plan.Simulate(req.Rules[0], listed, testNow)
		require.NoError(t, err)
		atRisk := map[string]bool{}
		for _, name := range impact.Delete {
			atRisk[name] = true
		}
		for _, u := range impact.Uncertain {
			atRisk[u.Tag] = true
		}

		for _, rd := range readings {
			seedCase(c)
			srv.Set(swrtest.WithReadings(rd))
			_, err := client.Retentions.Create(t.Context(), "prop", "app", *req)
			require.NoError(t, err, "case %d", i)
			state, ok := srv.State().Repository("prop", "app")
			require.True(t, ok)
			kept := map[string]bool{}
			for _, name := range state.TagNames() {
				kept[name] = true
			}
			for _, name := range impact.Keep {
				if !kept[name] {
					t.Fatalf("case %d, reading %s: %q was planned kept and was deleted\n%s", i, rd, name, c)
				}
			}
			deleted := 0
			for _, tag := range c.tags {
				if kept[tag.Name] {
					continue
				}
				deleted++
				if protectedByPolicy(c.protect, tag.Name) {
					t.Fatalf("case %d, reading %s: protected tag %q was deleted (selectors %v)\n%s", i, rd, tag.Name, req.Rules[0].TagSelectors, c)
				}
				if !atRisk[tag.Name] {
					t.Fatalf("case %d, reading %s: %q was deleted, planned kept\n%s", i, rd, tag.Name, c)
				}
			}
			cover.deleted += deleted
		}
		cover.add(c, impact)
	}
	srv.Set(swrtest.WithReadings(swr.Reading{}))

	// The cases must reach the corners where a simulation could go wrong,
	// or the property proves little.
	t.Logf("coverage over %d cases × %d readings: %+v", cases, len(readings), cover)
	require.Positive(t, cover.deleted, "tags deleted")
	require.Positive(t, cover.keepingAll, "cases that delete nothing")
	require.Positive(t, cover.uncertain, "cases with uncertain tags")
	require.Positive(t, cover.protectedSaved, "cases where a protected tag is old enough to go")
	require.Positive(t, cover.repushed, "cases with tags pushed again")
	require.Positive(t, cover.paged, "cases with more tags than one list page")
}

// coverage counts the kinds of case a run of the property met.
type coverage struct {
	deleted, keepingAll, uncertain, protectedSaved, repushed, paged int
}

func (cv *coverage) add(c simulationCase, impact report.Impact) {
	if impact.AtRisk() == 0 {
		cv.keepingAll++
	}
	if len(impact.Uncertain) > 0 {
		cv.uncertain++
	}
	if len(c.repush) > 0 {
		cv.repushed++
	}
	if len(c.tags) > swr.DefaultPageSize {
		cv.paged++
	}
	for _, t := range c.tags {
		if protectedByPolicy(c.protect, t.Name) && testNow.Sub(t.Pushed) > 48*time.Hour {
			cv.protectedSaved++
			break
		}
	}
}

// randomCase draws a repository and a rule. Push times cluster around the
// date_rule cutoff (exactly on it, a nanosecond either side, either side
// of midnight) and repeat one another, to exercise every reading.
func randomCase(rng *rand.Rand) simulationCase {
	c := simulationCase{repush: map[string]time.Time{}}
	n := rng.IntN(30)
	switch rng.IntN(20) {
	case 0:
		n = 0
	case 1:
		n = 100 + rng.IntN(150) // several pages of the tag list
	}
	days := 1
	if rng.IntN(2) == 0 {
		days = []int{1, 2, 7, 30, 90, 365, 1 + rng.IntN(365)}[rng.IntN(7)]
		c.rule = fmt.Sprintf("keep_days: %d", days)
	} else {
		num := 1 + rng.IntN(n+3)
		if rng.IntN(10) == 0 {
			num = 1 + rng.IntN(1000)
		}
		c.rule = fmt.Sprintf("keep_last: %d", min(num, 1000))
	}
	cutoff := time.Duration(days) * 24 * time.Hour

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
			age = time.Duration(rng.IntN(5))*24*time.Hour + time.Duration(rng.IntN(25))*time.Hour // around midnights
		case r == 3:
			age = -time.Duration(rng.IntN(3600)) * time.Second // pushed "after now": clock skew
		default:
			age = time.Duration(rng.Int64N(int64(400 * 24 * time.Hour)))
		}
		pushed := testNow.Add(-age)
		c.tags = append(c.tags, swrtest.SeedTag{Name: name, Pushed: pushed})
		if rng.IntN(8) == 0 {
			c.repush[name] = pushed.Add(time.Duration(rng.Int64N(int64(max(age, 0))/2 + 1)))
		}
	}

	patterns := protectPatterns()
	for range rng.IntN(4) {
		var p string
		switch {
		case rng.IntN(3) == 0 && len(c.tags) > 0:
			p = c.tags[rng.IntN(len(c.tags))].Name
		case rng.IntN(5) == 0:
			p = randomTagName(rng)
		default:
			p = patterns[rng.IntN(len(patterns))]
		}
		if !slices.Contains(c.protect, p) {
			c.protect = append(c.protect, p)
		}
	}
	return c
}

// protectPatterns are regexp protect entries as a valid policy spells
// them: bound at both ends, so that they mean the same whether SWR
// matches a substring or the whole tag.
func protectPatterns() []string {
	return []string{
		`/^v\d+\.\d+\.\d+$/`, `/.*rc.*/`, `/^latest$/`, `/.*\d$/`, `/^build-\d{2}$/`, `/.*-rc\d+$/`,
		`/^(main|release)-.*/`, `/.*\.0$/`, `/^[a-f].*/`, `/.*_.*/`, `/^sha-[0-9a-f]+$/`,
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
