package swrtest

import (
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

type ruleBody struct {
	Template     string                     `json:"template"`
	Params       map[string]json.RawMessage `json:"params"`
	TagSelectors *[]swr.TagSelector         `json:"tag_selectors"`
}

type retentionBody struct {
	Algorithm *string    `json:"algorithm"`
	Rules     []ruleBody `json:"rules"`
}

// decodeRetention reads and checks a retention create/update body:
// algorithm "or", exactly one rule, a known template with its one string
// parameter in range, and a (possibly empty) array of valid selectors.
func decodeRetention(r *http.Request) ([]swr.Rule, *apiError) {
	var body retentionBody
	if e := decodeBody(r, &body); e != nil {
		return nil, e
	}
	if body.Algorithm == nil || *body.Algorithm != "or" {
		return nil, badParams(`algorithm must be "or"`)
	}
	if len(body.Rules) != 1 {
		return nil, badParams(fmt.Sprintf("rules must hold exactly one rule, got %d", len(body.Rules)))
	}
	rb := body.Rules[0]
	var key string
	var lo, hi int
	switch rb.Template {
	case swr.TemplateDateRule:
		key, lo, hi = "days", 1, 365
	case swr.TemplateTagRule:
		key, lo, hi = "num", 1, 1000
	default:
		return nil, badParams(fmt.Sprintf("invalid template %q", rb.Template))
	}
	if len(rb.Params) != 1 || rb.Params[key] == nil {
		return nil, badParams(fmt.Sprintf("%s params must be exactly {%q: \"N\"}", rb.Template, key))
	}
	var val string
	if err := json.Unmarshal(rb.Params[key], &val); err != nil {
		return nil, badParams(fmt.Sprintf("params.%s must be a string such as \"30\"", key))
	}
	if n, err := strconv.Atoi(val); err != nil || n < lo || n > hi {
		return nil, badParams(fmt.Sprintf("params.%s must be an integer from %d to %d, got %q", key, lo, hi, val))
	}
	if rb.TagSelectors == nil {
		return nil, badParams("tag_selectors is required (use [] for none)")
	}
	for i, sel := range *rb.TagSelectors {
		switch {
		case sel.Kind != swr.SelectorLabel && sel.Kind != swr.SelectorRegexp:
			return nil, badParams(fmt.Sprintf("tag_selectors[%d]: invalid kind %q", i, sel.Kind))
		case sel.Pattern == "":
			return nil, badParams(fmt.Sprintf("tag_selectors[%d]: pattern is required", i))
		case sel.Kind == swr.SelectorRegexp:
			if _, err := regexp.Compile(sel.Pattern); err != nil {
				return nil, badParams(fmt.Sprintf("tag_selectors[%d]: invalid regexp %q", i, sel.Pattern))
			}
		}
	}
	return []swr.Rule{{
		Template:     rb.Template,
		Params:       map[string]string{key: val},
		TagSelectors: slices.Clone(*rb.TagSelectors),
	}}, nil
}

func cloneRetention(rt *swr.Retention) swr.Retention {
	out := *rt
	out.Rules = make([]swr.Rule, len(rt.Rules))
	for i, r := range rt.Rules {
		out.Rules[i] = swr.Rule{Template: r.Template, Params: maps.Clone(r.Params), TagSelectors: slices.Clone(r.TagSelectors)}
		if out.Rules[i].TagSelectors == nil {
			out.Rules[i].TagSelectors = []swr.TagSelector{}
		}
	}
	return out
}

// listRetentions: GET …/retentions → 200, bare array.
func (s *Server) listRetentions(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		out := []swr.Retention{}
		if repo.retention != nil {
			out = append(out, cloneRetention(repo.retention))
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
}

// WithSecondRetentionAnswer sets how a retention create is answered on a
// repository that already has a policy (SWR holds one per repository),
// which no source documents (swr-api.md §6): 400 SVCSTG.SWR.4000014 (the
// default) or 409 SVCSTG.SWR.4090306. Either way nothing changes.
func WithSecondRetentionAnswer(status int) Option {
	statusIn("WithSecondRetentionAnswer", status, http.StatusBadRequest, http.StatusConflict)
	return func(c *config) { c.unpinned.secondRetention = status }
}

// createRetention: POST …/retentions → 201 {"id":N}. A repository holds one
// policy: a second create is refused as WithSecondRetentionAnswer says.
// The policy runs at once.
func (s *Server) createRetention(w http.ResponseWriter, r *http.Request) {
	rules, e := decodeRetention(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		if repo.retention != nil {
			status, code := http.StatusBadRequest, CodeInvalidParam
			if s.unpinned.secondRetention == http.StatusConflict {
				status, code = http.StatusConflict, CodeRetentionExists
			}
			return swrError(status, code,
				fmt.Sprintf("repository %s/%s already has retention policy %d; only one is allowed", repo.ns, repo.name, repo.retention.ID))
		}
		s.st.nextRetentionID++
		repo.retention = &swr.Retention{ID: s.st.nextRetentionID, Algorithm: "or", Scope: "", Rules: rules}
		s.st.executeRetention(repo, s.now(), s.Readings())
		writeJSON(w, http.StatusCreated, map[string]int{"id": repo.retention.ID})
		return nil
	})
}

// findRetention resolves {retention_id} within repo.
func findRetention(r *http.Request, repo *repository) (*swr.Retention, bool) {
	id, err := strconv.Atoi(r.PathValue("retention_id"))
	if err != nil || repo.retention == nil || repo.retention.ID != id {
		return nil, false
	}
	return repo.retention, true
}

func retentionNotFound(r *http.Request) *apiError {
	return swrError(http.StatusNotFound, CodeRetentionNotFound, fmt.Sprintf("retention %s not found", r.PathValue("retention_id")))
}

// showRetention: GET …/retentions/{retention_id} → 200.
func (s *Server) showRetention(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		rt, ok := findRetention(r, repo)
		if !ok {
			return retentionNotFound(r)
		}
		writeJSON(w, http.StatusOK, cloneRetention(rt))
		return nil
	})
}

// updateRetention: PATCH …/retentions/{retention_id} → 201, empty body.
// The template cannot change. The policy runs at once.
func (s *Server) updateRetention(w http.ResponseWriter, r *http.Request) {
	rules, e := decodeRetention(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		rt, ok := findRetention(r, repo)
		if !ok {
			return retentionNotFound(r)
		}
		if rt.Rules[0].Template != rules[0].Template {
			return swrError(http.StatusBadRequest, CodeInvalidParam,
				fmt.Sprintf("the template of retention %d cannot be changed from %s to %s", rt.ID, rt.Rules[0].Template, rules[0].Template))
		}
		rt.Rules = rules
		s.st.executeRetention(repo, s.now(), s.Readings())
		writeEmpty(w, http.StatusCreated)
		return nil
	})
}

// deleteRetention: DELETE …/retentions/{retention_id} → 200; a policy that
// is gone is 400 {"errors":[{"errorCode":"SVCSTG.SWR.4000306",…}]}.
func (s *Server) deleteRetention(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		if _, ok := findRetention(r, repo); !ok {
			return wrappedError(http.StatusBadRequest, CodeRetentionGone, fmt.Sprintf("retention %s does not exist", r.PathValue("retention_id")))
		}
		repo.retention = nil
		writeEmpty(w, http.StatusOK)
		return nil
	})
}

// listRetentionHistories: GET …/retentions/histories → 200
// {"retention_log":[…],"total":N} + Content-Range, newest first. Without
// offset and limit every entry is returned.
func (s *Server) listRetentionHistories(w http.ResponseWriter, r *http.Request) {
	p, e := parseListParams(r.URL.Query(), "limit", "offset")
	var pg page
	if e == nil {
		pg, e = parsePage(p, true)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		total := len(repo.histories)
		lo, hi := pg.window(total)
		logs := make([]swr.RetentionLog, 0, hi-lo)
		for i := lo; i < hi; i++ {
			logs = append(logs, repo.histories[total-1-i])
		}
		setContentRange(w, lo, len(logs), total)
		writeJSON(w, http.StatusOK, swr.RetentionHistories{RetentionLog: logs, Total: int64(total)})
		return nil
	})
}
