package swrtest

import (
	"encoding/json"
	"net/http"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// WithReadings sets how the server executes retention rules where no
// document pins SWR down (swr.Reading: regexp anchoring, the tag time
// tag_rule orders by and its tie break, date_rule's cutoff and how it
// counts days). Without it the server plays the zero swr.Reading. Tests
// run the emulator under each of swr.Readings(). Set with it applies to
// the next execution.
func WithReadings(r swr.Reading) Option {
	return controlOption(false, func(s *Server) { s.reading.Store(&r) })
}

// Readings returns the reading retention rules are executed under.
func (s *Server) Readings() swr.Reading { return *s.reading.Load() }

// controlReadings serves GET and POST /_emulator/readings:
// {"reading":"anchoring=whole,order=created,ties=asc,cutoff=inclusive,days=utc+8"};
// keys left out of a POST take the zero reading's value.
func (s *Server) controlReadings(w http.ResponseWriter, r *http.Request) {
	if r.Method == http.MethodPost {
		var body struct {
			Reading *swr.Reading `json:"reading"`
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		if err := dec.Decode(&body); err != nil {
			controlError(w, http.StatusBadRequest, "readings: "+err.Error())
			return
		}
		if body.Reading == nil {
			controlError(w, http.StatusBadRequest, `readings: give {"reading":"key=value,…"}`)
			return
		}
		s.Set(WithReadings(*body.Reading))
	}
	writeJSON(w, http.StatusOK, map[string]swr.Reading{"reading": s.Readings()})
}
