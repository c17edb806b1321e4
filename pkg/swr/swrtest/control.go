package swrtest

import (
	"encoding/json"
	"io"
	"net/http"
	"time"
)

// controlRoutes serves the test controls under /_emulator/. They are not
// authenticated, not logged and never faulted:
//
//	POST   /_emulator/seed            YAML or JSON Seed body → 204
//	POST   /_emulator/generate        JSON GenOptions (max_age as "720h") → 204
//	POST   /_emulator/reset           empty the registry and the log → 204
//	GET    /_emulator/state           Snapshot
//	GET    /_emulator/requests        []RequestRecord
//	DELETE /_emulator/requests        reset the request log → 204
//	GET    /_emulator/counts          {"counts":{endpoint:n},"writes":n}
//	GET    /_emulator/clock           {"now":…}
//	POST   /_emulator/clock           {"now":RFC3339} | {"advance":"24h"} | {"real":true}
//	GET    /_emulator/faults          faults (slow as "200ms")
//	POST   /_emulator/faults          same shape → 204
//	POST   /_emulator/push            {"namespace","repository","tag","pushed"} → 204
//	POST   /_emulator/trigger-result  {"namespace","repository","trigger","result","detail"} → 204
//	POST   /_emulator/retentions/run  {"deleted":n}
//	GET    /_emulator/readings        {"reading":"anchoring=substring,order=updated,…"}
//	POST   /_emulator/readings        {"reading":"anchoring=whole,…"} (keys left out: zero reading)
func (s *Server) controlRoutes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("POST /_emulator/seed", s.controlSeed)
	m.HandleFunc("POST /_emulator/generate", s.controlGenerate)
	m.HandleFunc("POST /_emulator/reset", func(w http.ResponseWriter, r *http.Request) {
		s.Reset()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/state", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, s.State())
	})
	m.HandleFunc("GET /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		recs := s.Requests()
		if recs == nil {
			recs = []RequestRecord{}
		}
		writeJSON(w, http.StatusOK, recs)
	})
	m.HandleFunc("DELETE /_emulator/requests", func(w http.ResponseWriter, r *http.Request) {
		s.ResetLog()
		w.WriteHeader(http.StatusNoContent)
	})
	m.HandleFunc("GET /_emulator/counts", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"counts": s.Counts(), "writes": s.Writes()})
	})
	m.HandleFunc("GET /_emulator/clock", s.controlClock)
	m.HandleFunc("POST /_emulator/clock", s.controlClock)
	m.HandleFunc("GET /_emulator/faults", s.controlFaults)
	m.HandleFunc("POST /_emulator/faults", s.controlFaults)
	m.HandleFunc("POST /_emulator/push", s.controlPush)
	m.HandleFunc("POST /_emulator/trigger-result", s.controlTriggerResult)
	m.HandleFunc("GET /_emulator/readings", s.controlReadings)
	m.HandleFunc("POST /_emulator/readings", s.controlReadings)
	m.HandleFunc("POST /_emulator/retentions/run", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]int{"deleted": s.RunRetentions()})
	})
	return m
}

func controlError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

func (s *Server) controlSeed(w http.ResponseWriter, r *http.Request) {
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 256<<20))
	if err != nil {
		controlError(w, http.StatusBadRequest, "read seed: "+err.Error())
		return
	}
	seed, err := ParseSeed(data)
	if err == nil {
		err = s.Seed(seed)
	}
	if err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// genOptionsJSON is GenOptions on the wire, with max_age as a duration string.
type genOptionsJSON struct {
	Namespaces          int       `json:"namespaces"`
	ReposPerNamespace   int       `json:"repos_per_namespace"`
	TagsPerRepo         int       `json:"tags_per_repo"`
	Seed                int64     `json:"seed"`
	Now                 time.Time `json:"now"`
	MaxAge              string    `json:"max_age"`
	NamespacePrefix     string    `json:"namespace_prefix"`
	RetentionShare      float64   `json:"retention_share"`
	RepoGrantShare      float64   `json:"repo_grant_share"`
	NamespaceGrantShare float64   `json:"namespace_grant_share"`
	TriggerShare        float64   `json:"trigger_share"`
	SyncShare           float64   `json:"sync_share"`
	PublicShare         float64   `json:"public_share"`
}

func (s *Server) controlGenerate(w http.ResponseWriter, r *http.Request) {
	var o genOptionsJSON
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&o); err != nil {
		controlError(w, http.StatusBadRequest, "generate options: "+err.Error())
		return
	}
	var maxAge time.Duration
	if o.MaxAge != "" {
		var err error
		if maxAge, err = ParseAge(o.MaxAge); err != nil {
			controlError(w, http.StatusBadRequest, "max_age: "+err.Error())
			return
		}
	}
	now := o.Now
	if now.IsZero() {
		now = s.now()
	}
	seed := Generate(GenOptions{
		Namespaces: o.Namespaces, ReposPerNamespace: o.ReposPerNamespace, TagsPerRepo: o.TagsPerRepo,
		Seed: o.Seed, Now: now, MaxAge: maxAge, NamespacePrefix: o.NamespacePrefix,
		RetentionShare: o.RetentionShare, RepoGrantShare: o.RepoGrantShare, NamespaceGrantShare: o.NamespaceGrantShare,
		TriggerShare: o.TriggerShare, SyncShare: o.SyncShare, PublicShare: o.PublicShare,
	})
	if err := s.Seed(seed); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) controlClock(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var body struct {
			Now     time.Time `json:"now"`
			Advance string    `json:"advance"`
			Real    bool      `json:"real"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			controlError(w, http.StatusBadRequest, "clock: "+err.Error())
			return
		}
		switch {
		case body.Real:
			s.Set(WithClock(time.Now))
		case !body.Now.IsZero():
			fixed := body.Now
			s.Set(WithClock(func() time.Time { return fixed }))
		case body.Advance != "":
			d, err := ParseAge(body.Advance)
			if err != nil {
				controlError(w, http.StatusBadRequest, "clock advance: "+err.Error())
				return
			}
			prev := *s.clock.Load()
			s.Set(WithClock(func() time.Time { return prev().Add(d) }))
		default:
			controlError(w, http.StatusBadRequest, "clock: give now, advance or real")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]string{"now": formatTime(s.now())})
}

// faultsJSON is Faults on the wire, with slow as a duration string.
type faultsJSON struct {
	Rate500   float64 `json:"rate_500"`
	Rate503   float64 `json:"rate_503"`
	RateReset float64 `json:"rate_reset"`
	Slow      string  `json:"slow"`
	RateSlow  float64 `json:"rate_slow"`
	Seed      int64   `json:"seed"`
}

func (s *Server) controlFaults(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var fj faultsJSON
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&fj); err != nil {
			controlError(w, http.StatusBadRequest, "faults: "+err.Error())
			return
		}
		var slow time.Duration
		if fj.Slow != "" {
			var err error
			if slow, err = time.ParseDuration(fj.Slow); err != nil {
				controlError(w, http.StatusBadRequest, "faults slow: "+err.Error())
				return
			}
		}
		s.Set(WithFaults(Faults{Rate500: fj.Rate500, Rate503: fj.Rate503, RateReset: fj.RateReset, Slow: slow, RateSlow: fj.RateSlow, Seed: fj.Seed}))
		w.WriteHeader(http.StatusNoContent)
		return
	}
	f := s.Faults()
	writeJSON(w, http.StatusOK, faultsJSON{Rate500: f.Rate500, Rate503: f.Rate503, RateReset: f.RateReset,
		Slow: f.Slow.String(), RateSlow: f.RateSlow, Seed: f.Seed})
}

func (s *Server) controlPush(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Namespace  string    `json:"namespace"`
		Repository string    `json:"repository"`
		Tag        string    `json:"tag"`
		Pushed     time.Time `json:"pushed"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "push: "+err.Error())
		return
	}
	at := body.Pushed
	if at.IsZero() {
		at = s.now()
	}
	if err := s.PushTag(body.Namespace, body.Repository, body.Tag, at); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// controlTriggerResult sets the result later runs of a trigger record
// (SetTriggerResult).
func (s *Server) controlTriggerResult(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Namespace  string `json:"namespace"`
		Repository string `json:"repository"`
		Trigger    string `json:"trigger"`
		Result     string `json:"result"`
		Detail     string `json:"detail"`
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&body); err != nil {
		controlError(w, http.StatusBadRequest, "trigger-result: "+err.Error())
		return
	}
	if err := s.SetTriggerResult(body.Namespace, body.Repository, body.Trigger, body.Result, body.Detail); err != nil {
		controlError(w, http.StatusBadRequest, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}
