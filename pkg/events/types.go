package events

// TypePrefix is the reverse-DNS prefix every CloudEvent type of this project
// carries.
const TypePrefix = "io.swrautopilot."

// The project's own CloudEvent types. Each one's data is the JSON form of the
// payload named in its comment.
const (
	// TypeSweepRequested carries SweepRequested: a cron tick, a
	// continuation or an SQS shard.
	TypeSweepRequested = TypePrefix + "sweep.requested"
	// TypeGrantSyncRequested carries GrantSyncRequested.
	TypeGrantSyncRequested = TypePrefix + "grantsync.requested"
	// TypeDirectoryChanged says the team directory changed; it carries
	// GrantSyncRequested and decodes as one.
	TypeDirectoryChanged = TypePrefix + "directory.changed"
	// TypeRepositoryCreated carries RepositoryCreated.
	TypeRepositoryCreated = TypePrefix + "repository.created"
	// TypeImagePushed carries ImagePushed.
	TypeImagePushed = TypePrefix + "image.pushed"
	// TypeTriggerChanged carries TriggerChanged.
	TypeTriggerChanged = TypePrefix + "trigger.changed"
	// TypeGrantsChanged carries GrantsChanged.
	TypeGrantsChanged = TypePrefix + "grants.changed"
	// TypeNamespaceCreated carries NamespaceCreated.
	TypeNamespaceCreated = TypePrefix + "namespace.created"
)

// Types lists the project's own CloudEvent types, in a stable order.
func Types() []string {
	return []string{
		TypeSweepRequested,
		TypeGrantSyncRequested,
		TypeDirectoryChanged,
		TypeRepositoryCreated,
		TypeImagePushed,
		TypeTriggerChanged,
		TypeGrantsChanged,
		TypeNamespaceCreated,
	}
}

// TypeOf returns the CloudEvent type that carries payloads of kind k, or ""
// for KindUnknown and kinds this package does not define.
func TypeOf(k Kind) string {
	switch k {
	case KindSweepRequested:
		return TypeSweepRequested
	case KindGrantSyncRequested:
		return TypeGrantSyncRequested
	case KindRepositoryCreated:
		return TypeRepositoryCreated
	case KindImagePushed:
		return TypeImagePushed
	case KindTriggerChanged:
		return TypeTriggerChanged
	case KindGrantsChanged:
		return TypeGrantsChanged
	case KindNamespaceCreated:
		return TypeNamespaceCreated
	}
	return ""
}
