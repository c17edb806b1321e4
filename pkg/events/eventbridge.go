package events

import (
	"bytes"
	"encoding/json"
	"time"
)

// EventBridge names.
const (
	// EventBridgeScheduled is the detail-type of a schedule's tick.
	EventBridgeScheduled = "Scheduled Event"
	// EventBridgeSourceEvents is the source of a classic Schedule rule.
	EventBridgeSourceEvents = "aws.events"
	// EventBridgeSourceScheduler is the source of EventBridge Scheduler's
	// default (templated) payload.
	EventBridgeSourceScheduler = "aws.scheduler"
)

// eventBridgeEnvelope is the EventBridge event. Time and Detail are decoded
// by hand: Time for a precise error, Detail because Scheduler sends it as a
// JSON string.
type eventBridgeEnvelope struct {
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       string          `json:"time"`
	Detail     json.RawMessage `json:"detail"`
}

// decodeEventBridge decodes an EventBridge envelope.
//
// A "Scheduled Event" from aws.events or aws.scheduler is a tick: a sweep
// or a grant sync as detail's "type" member says (one of TypeSweepRequested,
// TypeGrantSyncRequested, TypeDirectoryChanged), else as
// Config.ScheduledKind says; detail's other members are that type's data
// (e.g. {"type": "io.swrautopilot.sweep.requested", "dry_run": true}).
// An envelope whose detail-type is one of the project's own types carries
// that type's data in detail. Anything else is Unknown.
func (d *Decoder) decodeEventBridge(payload []byte) ([]Event, error) {
	var env eventBridgeEnvelope
	if err := json.Unmarshal(payload, &env); err != nil {
		return nil, jsonError("", err)
	}
	if env.ID == "" {
		return nil, badRequest("id", "missing")
	}
	if env.DetailType == "" {
		return nil, badRequest("detail-type", "missing")
	}
	if env.Source == "" {
		return nil, badRequest("source", "missing")
	}
	base := Event{ID: env.ID, Source: env.Source, Type: env.DetailType, Time: d.now()}
	if env.Time != "" {
		t, err := time.Parse(time.RFC3339, env.Time)
		if err != nil {
			return nil, badRequest("time", "want an RFC 3339 time, got "+quote(env.Time))
		}
		base.Time = t.UTC()
	}
	detail, err := eventBridgeDetail(env.Detail)
	if err != nil {
		return nil, err
	}
	scheduled := env.DetailType == EventBridgeScheduled &&
		(env.Source == EventBridgeSourceEvents || env.Source == EventBridgeSourceScheduler)
	var p Payload
	switch {
	case scheduled:
		p, err = d.scheduledPayload(detail)
	case IsOwnType(env.DetailType):
		p, err = decodeOwnData(env.DetailType, detail, "detail")
	default:
		p = Unknown{Type: env.Source + " " + env.DetailType, Reason: "unsupported EventBridge event"}
	}
	if err != nil {
		return nil, err
	}
	return []Event{withPayload(base, p)}, nil
}

// IsOwnType reports whether typ is one of the project's own CloudEvent
// types.
func IsOwnType(typ string) bool {
	for _, t := range Types() {
		if t == typ {
			return true
		}
	}
	return false
}

// eventBridgeDetail returns detail as a JSON object's bytes (nil when
// absent), unwrapping the JSON string form.
func eventBridgeDetail(raw json.RawMessage) ([]byte, error) {
	raw = bytes.TrimSpace(raw)
	if !present(raw) {
		return nil, nil
	}
	if raw[0] == '"' {
		var s string
		if err := json.Unmarshal(raw, &s); err != nil {
			return nil, jsonError("detail", err)
		}
		raw = bytes.TrimSpace([]byte(s))
		if len(raw) == 0 {
			return nil, nil
		}
	}
	if raw[0] != '{' {
		return nil, badRequest("detail", "want a JSON object")
	}
	return raw, nil
}

// scheduledPayload picks the tick's type and decodes the rest of detail as
// its data.
func (d *Decoder) scheduledPayload(detail []byte) (Payload, error) {
	typ := TypeOf(d.cfg.ScheduledKind)
	if detail == nil {
		return decodeOwnData(typ, nil, "detail")
	}
	var m map[string]json.RawMessage
	if err := json.Unmarshal(detail, &m); err != nil {
		return nil, jsonError("detail", err)
	}
	if raw, ok := m["type"]; ok {
		if err := json.Unmarshal(raw, &typ); err != nil {
			return nil, jsonError("detail.type", err)
		}
		switch typ {
		case TypeSweepRequested, TypeGrantSyncRequested, TypeDirectoryChanged:
		default:
			return nil, badRequest("detail.type", "want "+TypeSweepRequested+" or "+TypeGrantSyncRequested+", got "+quote(typ))
		}
		delete(m, "type")
	}
	rest, err := json.Marshal(m)
	if err != nil {
		return nil, badRequest("detail", err.Error())
	}
	return decodeOwnData(typ, rest, "detail")
}
