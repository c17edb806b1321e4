package events

import "time"

// Kind says what happened. Handlers switch on it (or on the Payload type).
type Kind string

// The kinds of event the functions act on. KindUnknown is an event of a type
// this package does not know or deliberately ignores: handlers acknowledge it,
// count it and do nothing, so that it never causes a redelivery storm.
const (
	KindUnknown            Kind = "unknown"
	KindRepositoryCreated  Kind = "repository.created"
	KindImagePushed        Kind = "image.pushed"
	KindTriggerChanged     Kind = "trigger.changed"
	KindGrantsChanged      Kind = "grants.changed"
	KindNamespaceCreated   Kind = "namespace.created"
	KindSweepRequested     Kind = "sweep.requested"
	KindGrantSyncRequested Kind = "grantsync.requested"
)

// Event is one decoded event: the CloudEvent attributes that identify it and
// a typed Payload. Kind always equals Payload.Kind().
type Event struct {
	// ID is the CloudEvent id (or, for inputs without one, an id derived
	// deterministically from the content, so redeliveries share it).
	ID string
	// Source is the CloudEvent source (for EventBridge, the envelope source).
	Source string
	// Type is the type the event arrived with, e.g. "SWR:CloudTrace:ApiCall",
	// "harbor.artifact.pushed", "PUSH_ARTIFACT" or "Scheduled Event".
	Type string
	// Time is when the event happened; the decoder's clock when the input
	// carries no time.
	Time time.Time
	// Kind is what happened.
	Kind Kind
	// Payload holds the typed details: one of RepositoryCreated, ImagePushed,
	// TriggerChanged, GrantsChanged, NamespaceCreated, SweepRequested,
	// GrantSyncRequested or Unknown.
	Payload Payload
	// MessageID is the SQS message the event came in, empty for other
	// origins. A handler that fails an event reports this id as a batch item
	// failure.
	MessageID string
	// Location says where the event happened, as far as the input tells:
	// it routes the event to its target when one deployment governs
	// several.
	Location Location
}

// Location is where an event happened. Every field is empty when the
// input does not say.
type Location struct {
	// Region is the Huawei Cloud region (EventGrid events).
	Region string
	// ProjectID is the project the event belongs to (the CTS trace's
	// project_id).
	ProjectID string
	// RegistryHost is the docker registry host of a webhook's resource
	// URL, lower case, without a port.
	RegistryHost string
}

// Key identifies the event for de-duplication: CloudEvents ids are unique
// per source, so the key joins both.
func (e Event) Key() string { return e.Source + "\x00" + e.ID }

// Payload is the typed content of an Event.
type Payload interface {
	// Kind reports which Kind the payload belongs to.
	Kind() Kind
}

// RepositoryCreated reports that a repository appeared.
type RepositoryCreated struct {
	Namespace  string `json:"namespace"`
	Repository string `json:"repository"`
}

// ImagePushed reports that an image was pushed. Tag is empty when the image
// was pushed by digest; Digest is empty when the source does not report it.
type ImagePushed struct {
	Namespace  string `json:"namespace"`
	Repository string `json:"repository"`
	Tag        string `json:"tag,omitempty"`
	Digest     string `json:"digest,omitempty"`
}

// TriggerChanged reports that a CCE auto-deploy trigger was created, updated
// or deleted. Trigger is empty when the source does not name it.
type TriggerChanged struct {
	Namespace  string `json:"namespace"`
	Repository string `json:"repository"`
	Trigger    string `json:"trigger,omitempty"`
}

// GrantsChanged reports that grants changed on a namespace, or on one
// repository when Repository is set.
type GrantsChanged struct {
	Namespace  string `json:"namespace"`
	Repository string `json:"repository,omitempty"`
}

// NamespaceCreated reports that a namespace (organization) appeared.
type NamespaceCreated struct {
	Namespace string `json:"namespace"`
}

// SweepRequested asks for a retention and audit sweep: of the listed
// namespaces, or of all when Namespaces is empty, resuming at Cursor when it
// is set (a continuation).
type SweepRequested struct {
	// Target names the target (of a targets file) to sweep; empty sweeps
	// every target.
	Target     string   `json:"target,omitempty"`
	Namespaces []string `json:"namespaces,omitempty"`
	DryRun     bool     `json:"dry_run,omitempty"`
	Cursor     string   `json:"cursor,omitempty"`
}

// GrantSyncRequested asks for grants to be reconciled with the team
// directory.
type GrantSyncRequested struct {
	// Target names the target (of a targets file) to reconcile; empty
	// reconciles every target.
	Target string `json:"target,omitempty"`
	DryRun bool   `json:"dry_run,omitempty"`
}

// Unknown is an event this package does not act on. Type is the type it
// arrived with; Reason says why it is ignored.
type Unknown struct {
	Type   string
	Reason string
}

// Kind implements Payload.
func (RepositoryCreated) Kind() Kind { return KindRepositoryCreated }

// Kind implements Payload.
func (ImagePushed) Kind() Kind { return KindImagePushed }

// Kind implements Payload.
func (TriggerChanged) Kind() Kind { return KindTriggerChanged }

// Kind implements Payload.
func (GrantsChanged) Kind() Kind { return KindGrantsChanged }

// Kind implements Payload.
func (NamespaceCreated) Kind() Kind { return KindNamespaceCreated }

// Kind implements Payload.
func (SweepRequested) Kind() Kind { return KindSweepRequested }

// Kind implements Payload.
func (GrantSyncRequested) Kind() Kind { return KindGrantSyncRequested }

// Kind implements Payload.
func (Unknown) Kind() Kind { return KindUnknown }
