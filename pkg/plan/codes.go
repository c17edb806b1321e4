package plan

// Finding codes. They are stable: alerting and dashboards key on them.
const (
	CodeGuardMaxFraction           = "retention.guard.max_fraction"
	CodeGuardMaxTags               = "retention.guard.max_tags"
	CodeGuardProtectedTag          = "retention.guard.protected_tag"
	CodeGuardPushRace              = "retention.guard.push_race"
	CodeTagTimeInvalid             = "retention.tag_time_invalid"
	CodeImpactMismatch             = "retention.impact_mismatch"
	CodeImpactUnverified           = "retention.impact_unverified"
	CodeTriggerClusterNotAllowed   = "trigger.cluster_not_allowed"
	CodeTriggerTypeAllInProtected  = "trigger.type_all_in_protected_scope"
	CodeTriggerDisabled            = "trigger.disabled"
	CodeTriggerRecentFailures      = "trigger.recent_failures"
	CodeSyncMissingReplica         = "sync.missing_replica"
	CodeSyncOverrideForbidden      = "sync.override_forbidden"
	CodeVisibilityPublicNotAllowed = "visibility.public_not_allowed"
	CodeDeployedTooMany            = "retention.deployed.too_many"
	// Cross-feature conflicts (AuditConflicts).
	CodeConflictTriggerTagDeleted   = "conflict.trigger_tag_deleted"
	CodeConflictProtectUnmatched    = "conflict.protect_unmatched"
	CodeConflictLastDeployedDeleted = "conflict.last_deployed_deleted"
	CodeConflictDeployedTagMissing  = "conflict.deployed_tag_missing"
	// Replica verification (VerifyReplica).
	CodeSyncReplicaMissingTags       = "sync.replica_missing_tags"
	CodeSyncJobFailed                = "sync.job_failed"
	CodeSyncReplicaRetentionStricter = "sync.replica_retention_stricter"
)

// Change kinds used in report.Change.Kind by the planners here.
const (
	KindRetention  = "retention"
	KindTrigger    = "trigger"
	KindSync       = "sync"
	KindSyncImages = "sync_images" // a manual sync of tags into a replica
	KindVisibility = "visibility"
)
