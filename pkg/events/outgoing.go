package events

import (
	"fmt"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/google/uuid"
)

// Source is the CloudEvent source of the events this project emits.
const Source = "/swr-autopilot"

// handOnIDSpace is the UUID name space of the ids of hand-on events
// (NewSweepContinuation, NewSweepShard).
const handOnIDSpace = "99c6256c-397b-4991-9aee-c3bea3172196"

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
	return newCloudEvent(uuid.NewString(), typ, p), nil
}

// NewSweepContinuation makes the CloudEvent that hands an unfinished sweep
// on: the next invocation resumes at cursor over namespaces (all when
// empty).
//
// parentID names the event whose work is handed on (Event.Key, which is
// unique across sources). The continuation's id is derived from it alone
// (a name-based UUID), not from the cursor: an event has one continuation,
// so an invocation that is retried after it enqueued its continuation
// enqueues the same id again, even when the retry got further, and the
// receiver's de-duplication (Deduper) lets only one sweep chain go on. An
// empty parentID gives a fresh random id.
func NewSweepContinuation(parentID, cursor string, namespaces []string, dryRun bool) event.Event {
	return NewTargetSweepContinuation(parentID, "", cursor, namespaces, dryRun)
}

// NewTargetSweepContinuation is NewSweepContinuation for the sweep of one
// target of a targets file (empty: a deployment without targets).
func NewTargetSweepContinuation(parentID, target, cursor string, namespaces []string, dryRun bool) event.Event {
	p := SweepRequested{Target: target, Namespaces: namespaces, DryRun: dryRun, Cursor: cursor}
	return newCloudEvent(handOnID(parentID, "continuation", target), TypeSweepRequested, p)
}

// NewSweepShard makes the CloudEvent for one fan-out shard: a sweep of one
// namespace, starting at cursor (empty for the beginning). parentID names
// the event that fans out (Event.Key); the shard's id is derived from it
// and namespace, so that a retried fan-out enqueues the same ids again. An
// empty parentID gives a fresh random id.
func NewSweepShard(parentID, namespace, cursor string, dryRun bool) event.Event {
	return NewTargetSweepShard(parentID, "", namespace, cursor, dryRun)
}

// NewTargetSweepShard is NewSweepShard for a namespace of one target of a
// targets file (empty: a deployment without targets): shards over several
// targets are target × namespace.
func NewTargetSweepShard(parentID, target, namespace, cursor string, dryRun bool) event.Event {
	p := SweepRequested{Target: target, Namespaces: []string{namespace}, DryRun: dryRun, Cursor: cursor}
	detail := namespace
	if target != "" {
		detail = target + "\x00" + namespace
	}
	return newCloudEvent(handOnID(parentID, "shard", detail), TypeSweepRequested, p)
}

// handOnID returns the id of the hand-on event of kind role (and detail)
// of parentID: a version 5 UUID of the three, or a random one without a
// parent.
func handOnID(parentID, role, detail string) string {
	if parentID == "" {
		return uuid.NewString()
	}
	name := parentID + "\x00" + role + "\x00" + detail
	return uuid.NewSHA1(uuid.MustParse(handOnIDSpace), []byte(name)).String()
}

// newCloudEvent builds the event. SetData cannot fail for the payload
// structs, which hold only strings, bools and string slices.
func newCloudEvent(id, typ string, p Payload) event.Event {
	e := event.New()
	e.SetID(id)
	e.SetSource(Source)
	e.SetType(typ)
	e.SetTime(time.Now().UTC())
	_ = e.SetData(event.ApplicationJSON, p)
	return e
}
