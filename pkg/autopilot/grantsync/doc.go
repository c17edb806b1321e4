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
// (grantplan.GuardRemovals). An event's run sees only a slice, so it is
// held to guard.max_removals, and to the fraction only once it observed
// grantplan.MinObservedForFraction grants (grantplan.GuardScopedRemovals).
//
// Safety: a directory that cannot be fetched stops the run (Handle returns
// an error so the input is redelivered). A directory that fails validation
// or grants nobody anything, and a run whose removals exceed the
// directory's guard, remove and lower nothing, while additions and upgrades
// from what did parse still apply; each refusal is a finding. The caller
// (self_auth), the namespace creator and keep users are never removed.
//
// Every write is idempotent: a POST that meets an existing grant (409)
// re-reads the grants and PATCHes a level that is too low, and a PATCH or
// DELETE that meets a grant already gone (404) re-reads and does only what
// is still needed. A second run against the state a run produced writes
// nothing.
package grantsync
