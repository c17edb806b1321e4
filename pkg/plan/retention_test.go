package plan

import (
	"encoding/json"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func TestDesiredRetention(t *testing.T) {
	days := DesiredRetention(policy.RetentionRule{KeepDays: 180, Protect: []swr.TagSelector{{Kind: "label", Pattern: "latest"}}})
	require.NotNil(t, days)
	assert.Equal(t, swr.RetentionRequest{Algorithm: "or", Rules: []swr.Rule{{
		Template:     swr.TemplateDateRule,
		Params:       map[string]string{"days": "180"},
		TagSelectors: []swr.TagSelector{{Kind: "label", Pattern: "latest"}},
	}}}, *days)

	last := DesiredRetention(policy.RetentionRule{KeepLast: 30})
	require.NotNil(t, last)
	assert.Equal(t, swr.TemplateTagRule, last.Rules[0].Template)
	assert.Equal(t, map[string]string{"num": "30"}, last.Rules[0].Params)
	body, err := json.Marshal(last)
	require.NoError(t, err)
	assert.JSONEq(t, `{"algorithm":"or","rules":[{"template":"tag_rule","params":{"num":"30"},"tag_selectors":[]}]}`, string(body))

	assert.Nil(t, DesiredRetention(policy.RetentionRule{Unmanaged: true}))
	assert.Nil(t, DesiredRetention(policy.RetentionRule{}))
}

func TestDesiredRetentionDoesNotAliasThePolicy(t *testing.T) {
	rule := policy.RetentionRule{KeepLast: 3, Protect: []swr.TagSelector{{Kind: "label", Pattern: "a"}}}
	req := DesiredRetention(rule)
	req.Rules[0].TagSelectors[0].Pattern = "changed"
	assert.Equal(t, "a", rule.Protect[0].Pattern)
}

func tagRule(num string, sels ...swr.TagSelector) swr.Rule {
	return swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": num}, TagSelectors: sels}
}

func dateRule(days string, sels ...swr.TagSelector) swr.Rule {
	return swr.Rule{Template: swr.TemplateDateRule, Params: map[string]string{"days": days}, TagSelectors: sels}
}

func request(r swr.Rule) *swr.RetentionRequest {
	if r.TagSelectors == nil {
		r.TagSelectors = []swr.TagSelector{}
	}
	return &swr.RetentionRequest{Algorithm: "or", Rules: []swr.Rule{r}}
}

func existing(id int, rules ...swr.Rule) swr.Retention {
	return swr.Retention{ID: id, Algorithm: "or", Rules: rules}
}

var (
	latest  = swr.TagSelector{Kind: swr.SelectorLabel, Pattern: "latest"}
	release = swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: `^v\d+$`}
)

// stepView is a step without its report.Change, for compact expectations.
type stepView struct {
	Op  report.Op
	ID  int
	Req *swr.RetentionRequest
}

func TestRetentionPlan(t *testing.T) {
	want := request(tagRule("30", latest, release))
	cases := []struct {
		name    string
		desired *swr.RetentionRequest
		current []swr.Retention
		action  RetentionAction
		steps   []stepView
	}{
		{"nothing yet", want, nil, RetentionCreate, []stepView{{report.OpCreate, 0, want}}},
		{"already there", want, []swr.Retention{existing(4, tagRule("30", latest, release))}, RetentionNoop, nil},
		{"params differ only in formatting", want, []swr.Retention{existing(4, tagRule("030", latest, release))}, RetentionNoop, nil},
		{"selectors in another order, repeated", want,
			[]swr.Retention{existing(4, tagRule("30", release, latest, release))}, RetentionNoop, nil},
		{"nil selectors equal empty", request(tagRule("5")),
			[]swr.Retention{existing(4, swr.Rule{Template: swr.TemplateTagRule, Params: map[string]string{"num": "5"}})}, RetentionNoop, nil},
		{"params differ", want, []swr.Retention{existing(4, tagRule("10", latest, release))},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"param not a number", want, []swr.Retention{existing(4, tagRule("thirty", latest, release))},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"extra param", want, []swr.Retention{existing(4, swr.Rule{Template: swr.TemplateTagRule,
			Params: map[string]string{"num": "30", "days": "3"}, TagSelectors: []swr.TagSelector{latest, release}})},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"selector missing", want, []swr.Retention{existing(4, tagRule("30", latest))},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"selector kind differs", want, []swr.Retention{existing(4, tagRule("30",
			swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: "latest"}, release))},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"algorithm differs", want, []swr.Retention{{ID: 4, Algorithm: "and", Rules: []swr.Rule{tagRule("30", latest, release)}}},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"two rules in one policy", want, []swr.Retention{existing(4, tagRule("30", latest, release), dateRule("3"))},
			RetentionUpdate, []stepView{{report.OpUpdate, 4, want}}},
		{"template changed", want, []swr.Retention{existing(4, dateRule("30", latest, release))},
			RetentionReplace, []stepView{{report.OpReplace, 4, want}}},
		{"empty policy is replaced", want, []swr.Retention{existing(4)},
			RetentionReplace, []stepView{{report.OpReplace, 4, want}}},
		{"extra rule next to the desired one", want,
			[]swr.Retention{existing(9, tagRule("30", latest, release)), existing(3, dateRule("7"))},
			RetentionNoop, []stepView{{report.OpDelete, 3, nil}}},
		{"same template preferred over lower id", want,
			[]swr.Retention{existing(2, dateRule("7")), existing(7, tagRule("3"))},
			RetentionUpdate, []stepView{{report.OpDelete, 2, nil}, {report.OpUpdate, 7, want}}},
		{"lowest id replaced, others deleted", want,
			[]swr.Retention{existing(8, dateRule("7")), existing(5, dateRule("9")), existing(6, dateRule("1"))},
			RetentionReplace, []stepView{{report.OpDelete, 6, nil}, {report.OpDelete, 8, nil}, {report.OpReplace, 5, want}}},
		{"unmanaged leaves everything", nil,
			[]swr.Retention{existing(8, dateRule("7")), existing(5, dateRule("9"))}, RetentionNoop, nil},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := Retention("ns", "repo", c.desired, c.current)
			assert.Equal(t, c.action, p.Action)
			assert.Equal(t, c.desired == nil, p.Unmanaged)
			var got []stepView
			for _, s := range p.Steps {
				got = append(got, stepView{s.Op, s.RetentionID, s.Request})
				assert.Equal(t, s.Op, s.Change.Op)
				assert.Equal(t, KindRetention, s.Change.Kind)
				assert.Equal(t, "ns", s.Change.Namespace)
				assert.Equal(t, "repo", s.Change.Repository)
				assert.Equal(t, report.StatusPlanned, s.Change.Status)
			}
			assert.Equal(t, c.steps, got)
		})
	}
}

func TestRetentionPlanChangesCarryBeforeAndAfter(t *testing.T) {
	want := request(tagRule("30"))
	old := existing(4, dateRule("30"))
	p := Retention("ns", "repo", want, []swr.Retention{old})
	require.Len(t, p.Steps, 1)
	c := p.Steps[0].Change
	assert.Equal(t, report.OpReplace, c.Op)
	assert.Equal(t, old, c.Before)
	assert.Equal(t, *want, c.After)
	assert.Equal(t, "4", c.Subject)
	require.NotNil(t, p.Current)
	assert.Equal(t, 4, p.Current.ID)

	del := Retention("ns", "repo", want, []swr.Retention{existing(1, tagRule("30")), old}).Steps[0].Change
	assert.Equal(t, report.OpDelete, del.Op)
	assert.Equal(t, old, del.Before)
	assert.Nil(t, del.After)
}

func TestRetentionPlanDoesNotModifyInput(t *testing.T) {
	current := []swr.Retention{existing(8, dateRule("7")), existing(5, dateRule("9"))}
	before := slices.Clone(current)
	Retention("ns", "repo", request(tagRule("3")), current)
	assert.Equal(t, before, current)
}

// applyRetention executes a plan against an in-memory list of rules the
// way SWR would, giving created rules fresh ids.
func applyRetention(p RetentionPlan, current []swr.Retention, nextID int) []swr.Retention {
	state := slices.Clone(current)
	remove := func(id int) {
		state = slices.DeleteFunc(state, func(r swr.Retention) bool { return r.ID == id })
	}
	for _, s := range p.Steps {
		switch s.Op {
		case report.OpDelete:
			remove(s.RetentionID)
		case report.OpUpdate:
			i := slices.IndexFunc(state, func(r swr.Retention) bool { return r.ID == s.RetentionID })
			state[i] = swr.Retention{ID: s.RetentionID, Algorithm: s.Request.Algorithm, Rules: s.Request.Rules}
		case report.OpReplace:
			remove(s.RetentionID)
			fallthrough
		case report.OpCreate:
			state = append(state, swr.Retention{ID: nextID, Algorithm: s.Request.Algorithm, Rules: s.Request.Rules})
			nextID++
		}
	}
	return state
}

func TestRetentionPlanAppliedTwiceWritesNothing(t *testing.T) {
	desired := []*swr.RetentionRequest{request(tagRule("30", latest)), request(dateRule("90", release))}
	currents := [][]swr.Retention{
		nil,
		{existing(1, tagRule("30", latest))},
		{existing(1, tagRule("10"))},
		{existing(1, dateRule("10", latest))},
		{existing(1, dateRule("10")), existing(2, tagRule("4")), existing(3, dateRule("90", release))},
	}
	for _, want := range desired {
		for _, cur := range currents {
			first := Retention("ns", "repo", want, cur)
			after := applyRetention(first, cur, 100)
			require.Len(t, after, 1)
			second := Retention("ns", "repo", want, after)
			assert.Equal(t, RetentionNoop, second.Action)
			assert.Empty(t, second.Steps)
		}
	}
}

func TestRetentionPlanHelpers(t *testing.T) {
	want := request(tagRule("2"))
	p := Retention("ns", "repo", want, []swr.Retention{existing(1, dateRule("3")), existing(2, tagRule("5"))})
	rule, ok := p.Rule()
	require.True(t, ok)
	assert.Equal(t, want.Rules[0], rule)

	impact := report.Impact{TotalTags: 3, Keep: []string{"a"}, Delete: []string{"b", "c"}}
	p.SetImpact(impact)
	changes := p.Changes()
	require.Len(t, changes, 2)
	assert.Nil(t, changes[0].Impact, "deleting a rule deletes no tags")
	require.NotNil(t, changes[1].Impact)
	assert.Equal(t, impact, *changes[1].Impact)

	p.Refuse("too much")
	for _, c := range p.Changes() {
		assert.Equal(t, report.StatusRefused, c.Status)
		assert.Equal(t, "too much", c.Reason)
	}

	noop := Retention("ns", "repo", want, []swr.Retention{existing(1, tagRule("2"))})
	_, ok = noop.Rule()
	assert.False(t, ok)
	assert.Empty(t, noop.Changes())
}
