// Package plan holds the pure planners of swr-autopilot: given the policy
// and the state observed in SWR, they say what should change and what is
// wrong, without doing any I/O.
//
// Retention is planned in four steps: DesiredRetention turns a policy rule
// into an SWR request, Retention compares it with the repository's current
// rules, Simulate computes tag by tag what the new rule would delete under
// every swr.Reading (kept, deleted or uncertain), Guard refuses writes that
// would delete too much or may delete a protected tag, and GuardPushRace
// defers writes that pushes racing the write could push past the guard.
// Deployed and WithDeployed add the tags the repository's triggers deployed
// as exact label selectors (bounded by MaxDeployedSelectors),
// KeptBecauseDeployed names those they save, and SetFreedBytes (over
// FreedBytes) says what the deletions free. The audits (AuditTriggers,
// AuditSync, AuditVisibility, AuditConflicts) produce findings and the
// writes that would fix them; DiffRetention compares what two policies do
// to a repository. Every planned write carries the request body that
// applies it and a report.Change describing it.
package plan
