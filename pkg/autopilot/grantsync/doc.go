// Package grantsync is the grant-sync job: it keeps SWR namespace and
// repository grants in line with the team directory (package directory).
//
// One run loads the directory, observes the grants of every namespace in
// scope (the namespaces the directory names, managed ones included), of
// every repository the directory names and, in a managed namespace, of
// every other repository SWR lists there, plans the minimal writes with
// package grantplan, guards the removals of the whole run and applies what
// the guard allows: POST for new grants, PATCH for level changes, DELETE
// for removals. A level change is never a delete followed by a create.
//
// Events choose the scope: a GrantSyncRequested (a tick, or a
// directory-changed event, which decodes as one) reconciles everything; a
// GrantsChanged reconciles only its namespace, or only its repository when
// it names one, and sends no request about any other namespace. A
// namespace's event reconciles the namespace's grants and the repositories
// the directory names there; the other repositories of a managed namespace
// are left to the next full run.
//
// Cost of a full run: one read of each namespace's grants and of each
// repository's grants in scope, plus, per managed namespace, one listing
// request per swr.MaxPageSize (1000) repositories. Every repository of a
// managed namespace is thus read once per run, conformant or not.
//
// The guard (package grantplan) holds a full run to guard.max_removals and
// to guard.max_removal_fraction of everything it observed
// (grantplan.GuardRemovals). An event's run sees only a slice, so it never
// removes or lowers anything (grantplan.GuardScopedRemovals): its removals
// are reported refused and left to the next full run. Any sequence of
// events thus removes no more than one full run may.
//
// Desired state: the directory's grants and, when Config.Policy is set,
// the policy's default grants on every repository planned (the higher
// level wins), so that grant sync and onpush's default grants never undo
// each other. Directory members given by name and teams given as an IAM
// group are looked up in IAM once per run (Client.IAM); an unknown or
// ambiguous name is a finding and its grants are kept, an unreadable group
// refuses every removal of the run.
//
// Safety: a directory that cannot be fetched stops the run (Do returns
// an error so the input is redelivered). A directory that fails validation
// or grants nobody anything, and a run whose removals exceed the
// directory's guard, remove and lower nothing, while additions and upgrades
// from what did parse still apply; each refusal is a finding. The caller
// (self_auth), the namespace creator and keep users are never removed.
//
// Every write goes through the one grant writer (package grantwrite, which
// onpush's default grants use too) and is idempotent: a POST that meets an
// existing grant (409) reads the grants again and PATCHes a level that is
// too low, and a PATCH or DELETE answered with any 4xx (SWR's answer for a
// user without a grant is undocumented: 404, 400 or a silent 2xx) reads
// again and does only what is still needed. A second run against the state
// a run produced writes nothing.
package grantsync
