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

// retentionVictims returns the tags rule deletes at now, newest first, as
// the swr.Retention doc comment specifies: selector matches are exceptions;
// date_rule deletes tags pushed strictly before now − days×24h; tag_rule
// keeps the num newest (ties: greater name first) and deletes the rest.
// Selectors must have been validated (regexps compile).
func retentionVictims(tags []tagRecord, rule swr.Rule, now time.Time) []string {
	candidates := make([]tagRecord, 0, len(tags))
	for _, t := range tags {
		if !isException(t.name, rule.TagSelectors) {
			candidates = append(candidates, t)
		}
	}
	slices.SortFunc(candidates, func(a, b tagRecord) int {
		return cmp.Or(b.updated.Compare(a.updated), strings.Compare(b.name, a.name))
	})
	var victims []string
	switch rule.Template {
	case swr.TemplateDateRule:
		cutoff := now.Add(-time.Duration(rule.Days()) * 24 * time.Hour)
		for _, t := range candidates {
			if t.updated.Before(cutoff) {
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

func isException(tag string, selectors []swr.TagSelector) bool {
	for _, sel := range selectors {
		switch sel.Kind {
		case swr.SelectorLabel:
			if tag == sel.Pattern {
				return true
			}
		case swr.SelectorRegexp:
			if ok, err := regexp.MatchString(sel.Pattern, tag); err == nil && ok {
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

// executeRetention runs the repository's policy now, as SWR does right
// after a policy is created or updated: it deletes the tags the rules
// select and records each deletion in the histories. It returns the names
// of the deleted tags.
func (st *store) executeRetention(repo *repository, now time.Time) []string {
	if repo.retention == nil {
		return nil
	}
	var deleted []string
	for _, rule := range repo.retention.Rules {
		victims := retentionVictims(repo.tags, rule, now)
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
		n += len(s.st.executeRetention(repo, now))
	}
	return n
}
