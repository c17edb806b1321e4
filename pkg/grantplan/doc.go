// Package grantplan computes, without any I/O, how SWR namespace and
// repository grants must change to follow the team directory.
//
// The flow of a grant sync run is:
//
//	grants := grantplan.Desired(dir)
//	// for every observed namespace and repository:
//	p := grantplan.Namespace(ns, grants.Namespaces[ns], nsAccess, dir)
//	p := grantplan.Repository(ns, repo, grants.Repositories[directory.RepositoryKey(ns, repo)], repoAccess, creatorName, dir)
//	// once for the whole run (GuardScopedRemovals, which refuses every
//	// removal, when the run covers only what an event names):
//	ok, findings := grantplan.GuardRemovals(plans, observed, dir, parseErr) // observed: the plans' Observed, summed
//	// when !ok, for every plan:
//	p = p.WithoutRemovals(reason)
//
// and then, per plan, POST p.Create, PATCH p.Update and DELETE p.Delete.
//
// Safety rules, applied in every plan:
//   - Access is removed or lowered only in namespaces listed in the
//     directory's managed_namespaces (and the repositories inside them).
//     Elsewhere the directory only adds access or raises its level.
//   - The caller (self_auth, matched in others_auths by user id or by user
//     name), the namespace creator (creator_name) and keep users are never
//     removed or lowered. The caller and the creator are never changed at
//     all; a keep user may still be added or raised by the directory.
//   - A level change is a PATCH, never a delete followed by a create, so no
//     user is ever without access in between.
//   - Lowering a level counts as a removal for GuardRemovals: when the guard
//     refuses, deletions and downgrades are withheld together while
//     additions and upgrades still apply.
//
// The guard refuses every removal of a run whose directory failed
// validation or grants nobody anything, whatever the run's scope. A full
// run (everything the directory governs) is held to guard.max_removals and
// to guard.max_removal_fraction of the grants it observed (GuardRemovals).
// A scoped run (the namespace or repository an event names) removes and
// lowers nothing (GuardScopedRemovals): held to the caps slice by slice,
// a series of events could remove what one full run is refused.
//
// The same planner serves onpush's default grants: Repository with the
// policy's grants as desired and no directory (nothing is managed, so it
// only adds and raises).
package grantplan
