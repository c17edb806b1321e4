package swrtest

import (
	"cmp"
	"encoding/json"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// retentionVictims returns the tags rule deletes at now when SWR behaves
// as reading says, newest first: selector matches are exceptions (a regexp
// matched anywhere in the tag, or against all of it); date_rule deletes
// tags whose time is before (or at) the cutoff, counted in 24 h periods or
// in calendar days of UTC or UTC+8; tag_rule keeps the num newest by push
// or creation time, ties by name either way, and deletes the rest.
// Selectors must have been validated (regexps compile).
func retentionVictims(tags []tagRecord, rule swr.Rule, now time.Time, reading swr.Reading) []string {
	at := func(t tagRecord) time.Time {
		if reading.Order == swr.TimeCreated {
			return t.created
		}
		return t.updated
	}
	candidates := make([]tagRecord, 0, len(tags))
	for _, t := range tags {
		if !isException(t.name, rule.TagSelectors, reading.Anchoring) {
			candidates = append(candidates, t)
		}
	}
	slices.SortFunc(candidates, func(a, b tagRecord) int {
		byName := strings.Compare(b.name, a.name)
		if reading.Ties == swr.TiesNameAsc {
			byName = -byName
		}
		return cmp.Or(at(b).Compare(at(a)), byName)
	})
	var victims []string
	switch rule.Template {
	case swr.TemplateDateRule:
		for _, t := range candidates {
			if expired(at(t), now, rule.Days(), reading) {
				victims = append(victims, t.name)
			}
		}
	case swr.TemplateTagRule:
		for i, t := range candidates {
			if i >= rule.Num() {
				victims = append(victims, t.name)
			}
		}
	}
	return victims
}

// expired reports whether a tag of time t is older than days at now.
func expired(t, now time.Time, days int, reading swr.Reading) bool {
	var age, limit time.Duration
	switch reading.Days {
	case swr.DaysUTC, swr.DaysChinaStd:
		zone := time.UTC
		if reading.Days == swr.DaysChinaStd {
			zone = time.FixedZone("CST", 8*3600)
		}
		// whole calendar days between the tag's date and today's
		date := func(v time.Time) time.Time {
			y, m, d := v.In(zone).Date()
			return time.Date(y, m, d, 0, 0, 0, 0, time.UTC)
		}
		age, limit = date(now).Sub(date(t)), time.Duration(days)*24*time.Hour
	default:
		age, limit = now.Sub(t), time.Duration(days)*24*time.Hour
	}
	if reading.Cutoff == swr.CutoffInclusive {
		return age >= limit
	}
	return age > limit
}

func isException(tag string, selectors []swr.TagSelector, anchoring swr.Anchoring) bool {
	for _, sel := range selectors {
		switch sel.Kind {
		case swr.SelectorLabel:
			if tag == sel.Pattern {
				return true
			}
		case swr.SelectorRegexp:
			re, err := regexp.Compile(sel.Pattern)
			if err != nil {
				continue
			}
			if anchoring == swr.AnchorWhole {
				// the leftmost-longest match covers the whole tag when any does
				re.Longest()
				if loc := re.FindStringIndex(tag); loc != nil && loc[0] == 0 && loc[1] == len(tag) {
					return true
				}
				continue
			}
			if re.MatchString(tag) {
				return true
			}
		}
	}
	return false
}

// ruleType is the JSON-encoded rule recorded in each history entry.
func ruleType(rule swr.Rule) string {
	sels := rule.TagSelectors
	if sels == nil {
		sels = []swr.TagSelector{}
	}
	data, _ := json.Marshal(struct {
		Template     string            `json:"template"`
		Params       map[string]string `json:"params"`
		TagSelectors []swr.TagSelector `json:"tag_selectors"`
	}{rule.Template, rule.Params, sels})
	return string(data)
}

// executeRetention runs the repository's policy now under reading, as
// SWR does right after a policy is created or updated: it deletes the tags the rules
// select and records each deletion in the histories. It returns the names
// of the deleted tags.
func (st *store) executeRetention(repo *repository, now time.Time, reading swr.Reading) []string {
	if repo.retention == nil {
		return nil
	}
	var deleted []string
	for _, rule := range repo.retention.Rules {
		victims := retentionVictims(repo.tags, rule, now, reading)
		rt := ruleType(rule)
		for _, name := range victims {
			i, ok := repo.findTag(name)
			if !ok {
				continue
			}
			repo.tags = slices.Delete(repo.tags, i, i+1)
			st.nextHistoryID++
			repo.histories = append(repo.histories, swr.RetentionLog{
				CreatedAt: formatTime(now), ID: st.nextHistoryID, Namespace: repo.ns, Repo: repo.name,
				RetentionID: repo.retention.ID, RuleType: rt, Tag: name,
			})
			deleted = append(deleted, name)
		}
	}
	return deleted
}

// RunRetentions executes every repository's retention policy at the
// current server clock, as SWR's periodic run does, and returns how many
// tags were deleted.
func (s *Server) RunRetentions() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	now := s.now()
	for _, repo := range s.st.repos {
		n += len(s.st.executeRetention(repo, now, s.Readings()))
	}
	return n
}
