package events

import (
	"fmt"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
)

// Source is the CloudEvent source of the events this project emits.
const Source = "/swr-autopilot"

// NewCloudEvent wraps p in a CloudEvent of the project's own type for its
// kind, with a fresh random id, Source, the current time and p as JSON data.
// It fails for Unknown payloads and for payloads that would not decode again
// (an invalid namespace name, say).
func NewCloudEvent(p Payload) (event.Event, error) {
	if p == nil {
		return event.Event{}, fmt.Errorf("new cloudevent: nil payload")
	}
	typ := TypeOf(p.Kind())
	if typ == "" {
		return event.Event{}, fmt.Errorf("new cloudevent: kind %q has no CloudEvent type", p.Kind())
	}
	if err := validatePayload(p, "data"); err != nil {
		return event.Event{}, fmt.Errorf("new cloudevent %s: %w", typ, err)
	}
	return newCloudEvent(typ, p), nil
}

// NewSweepContinuation makes the CloudEvent that hands an unfinished sweep
// on: the next invocation resumes at cursor over namespaces (all when empty).
func NewSweepContinuation(cursor string, namespaces []string, dryRun bool) event.Event {
	return newCloudEvent(TypeSweepRequested, SweepRequested{Namespaces: namespaces, DryRun: dryRun, Cursor: cursor})
}

// NewSweepShard makes the CloudEvent for one fan-out shard: a sweep of one
// namespace, starting at cursor (empty for the beginning).
func NewSweepShard(namespace, cursor string, dryRun bool) event.Event {
	return newCloudEvent(TypeSweepRequested, SweepRequested{Namespaces: []string{namespace}, DryRun: dryRun, Cursor: cursor})
}

// newCloudEvent builds the event. SetData cannot fail for the payload
// structs, which hold only strings, bools and string slices.
func newCloudEvent(typ string, p Payload) event.Event {
	e := event.New()
	e.SetID(uuid.NewString())
	e.SetSource(Source)
	e.SetType(typ)
	e.SetTime(time.Now().UTC())
	_ = e.SetData(event.ApplicationJSON, p)
	return e
}
