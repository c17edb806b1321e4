package grantsync

// Finding codes raised by the job itself; the guard and planner codes come
// from package grantplan (grantplan.CodeEmptyDirectory, …).
const (
	// CodeNamespaceMissing: the directory names a namespace SWR does not
	// have and does not ask for it to be created.
	CodeNamespaceMissing = "grants.namespace_missing"
	// CodeNamespaceQuota: a namespace could not be created because the
	// account's namespace quota (SVCSTG.SWR.4000097) is used up.
	CodeNamespaceQuota = "grants.namespace_quota"
	// CodeNamespaceTaken: a namespace could not be created because another
	// account owns the name (names are unique per region).
	CodeNamespaceTaken = "grants.namespace_taken"
	// CodeRepositoryMissing: the directory grants on a repository SWR does
	// not have (repositories appear with their first push).
	CodeRepositoryMissing = "grants.repository_missing"
	// CodeConcurrentGrant: while the run added a grant, someone else gave
	// the user a higher level; it was left as it is, for a guarded run to
	// lower.
	CodeConcurrentGrant = "grants.concurrent_grant"
)

// KindNamespace is the report.Change kind of a namespace creation.
const KindNamespace = "namespace"
