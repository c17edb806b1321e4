package swrtest

import (
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// decodeEnable reads a trigger's enable value, which must be the JSON
// string "true" or "false".
func decodeEnable(raw json.RawMessage) (string, *apiError) {
	var v string
	if raw == nil || json.Unmarshal(raw, &v) != nil || (v != "true" && v != "false") {
		return "", badParams(`enable must be the string "true" or "false"`)
	}
	return v, nil
}

// decodeTrigger reads and checks a trigger create body.
func decodeTrigger(r *http.Request) (swr.Trigger, *apiError) {
	var b struct {
		swr.CreateTriggerRequest
		Enable json.RawMessage `json:"enable"`
	}
	if e := decodeBody(r, &b); e != nil {
		return swr.Trigger{}, e
	}
	enable, e := decodeEnable(b.Enable)
	if e != nil {
		return swr.Trigger{}, e
	}
	t := swr.Trigger{
		Action: b.Action, AppType: b.AppType, Application: b.Application,
		ClusterID: b.ClusterID, ClusterName: b.ClusterName, ClusterNs: b.ClusterNs,
		Condition: b.Condition, Container: b.Container, Enable: enable, Name: b.Name,
		TriggerMode: b.TriggerMode, TriggerType: b.TriggerType,
	}
	if t.TriggerMode == "" {
		t.TriggerMode = "cce"
	}
	switch {
	case swr.CheckTriggerName(t.Name) != nil:
		return t, badParams(fmt.Sprintf("invalid trigger name %q", t.Name))
	case t.Action != "update":
		return t, badParams(`action must be "update"`)
	case t.AppType != "deployments" && t.AppType != "statefulsets":
		return t, badParams(fmt.Sprintf("invalid app_type %q", t.AppType))
	case t.Application == "" || t.ClusterNs == "" || t.Condition == "":
		return t, badParams("application, cluster_ns and condition are required")
	case t.TriggerMode != "cce" && t.TriggerMode != "cci":
		return t, badParams(fmt.Sprintf("invalid trigger_mode %q", t.TriggerMode))
	}
	switch t.TriggerType {
	case "all":
		if t.Condition != ".*" {
			return t, badParams(`condition must be ".*" for trigger_type all`)
		}
	case "tag":
	case "regular":
		if _, err := regexp.Compile(t.Condition); err != nil {
			return t, badParams(fmt.Sprintf("invalid condition regexp %q", t.Condition))
		}
	default:
		return t, badParams(fmt.Sprintf("invalid trigger_type %q", t.TriggerType))
	}
	return t, nil
}

// triggerMatches reports whether a push of tag fires t.
func triggerMatches(t swr.Trigger, tag string) bool {
	switch t.TriggerType {
	case "all":
		return true
	case "tag":
		return slices.Contains(strings.Split(t.Condition, ";"), tag)
	case "regular":
		ok, err := regexp.MatchString(t.Condition, tag)
		return err == nil && ok
	}
	return false
}

func cloneTrigger(t swr.Trigger) swr.Trigger {
	t.TriggerHistory = slices.Clone(t.TriggerHistory)
	return t
}

// listTriggers: GET …/triggers → 200, bare array ordered by name.
func (s *Server) listTriggers(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		out := make([]swr.Trigger, len(repo.triggers))
		for i, t := range repo.triggers {
			out[i] = cloneTrigger(t)
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
}

// createTrigger: POST …/triggers → 201; 409 when the name is taken.
func (s *Server) createTrigger(w http.ResponseWriter, r *http.Request) {
	t, e := decodeTrigger(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		i, ok := repo.findTrigger(t.Name)
		if ok {
			return swrError(http.StatusConflict, CodeTriggerExists, fmt.Sprintf("trigger %s already exists", t.Name))
		}
		t.CreatedAt = formatTime(s.now())
		t.CreatorName = s.UserName
		repo.triggers = slices.Insert(repo.triggers, i, t)
		writeEmpty(w, http.StatusCreated)
		return nil
	})
}

func (s *Server) withTrigger(w http.ResponseWriter, r *http.Request, read bool, f func(repo *repository, i int) *apiError) {
	s.withRepo(w, r, read, func(repo *repository) *apiError {
		i, ok := repo.findTrigger(r.PathValue("trigger"))
		if !ok {
			return swrError(http.StatusNotFound, CodeTriggerNotFound, fmt.Sprintf("trigger %s not found", r.PathValue("trigger")))
		}
		return f(repo, i)
	})
}

// showTrigger: GET …/triggers/{trigger} → 200 with trigger_history.
func (s *Server) showTrigger(w http.ResponseWriter, r *http.Request) {
	s.withTrigger(w, r, true, func(repo *repository, i int) *apiError {
		writeJSON(w, http.StatusOK, cloneTrigger(repo.triggers[i]))
		return nil
	})
}

// updateTrigger: PATCH …/triggers/{trigger} with {"enable":"true"} → 201.
// Only enable can change.
func (s *Server) updateTrigger(w http.ResponseWriter, r *http.Request) {
	var body map[string]json.RawMessage
	e := decodeBody(r, &body)
	var enable string
	if e == nil {
		for k := range body {
			if k != "enable" {
				e = swrError(http.StatusBadRequest, CodeInvalidParam, fmt.Sprintf("only enable can be updated, not %s", k))
			}
		}
	}
	if e == nil {
		enable, e = decodeEnable(body["enable"])
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withTrigger(w, r, false, func(repo *repository, i int) *apiError {
		repo.triggers[i].Enable = enable
		writeEmpty(w, http.StatusCreated)
		return nil
	})
}

// deleteTrigger: DELETE …/triggers/{trigger} → 204.
func (s *Server) deleteTrigger(w http.ResponseWriter, r *http.Request) {
	s.withTrigger(w, r, false, func(repo *repository, i int) *apiError {
		repo.triggers = slices.Delete(repo.triggers, i, i+1)
		writeEmpty(w, http.StatusNoContent)
		return nil
	})
}
