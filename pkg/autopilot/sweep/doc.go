// Package sweep is the scheduled conformance sweep: it visits every
// repository of the registry (or of the namespaces asked for) and runs the
// retention engine and the audits the policy switches on, so that drift
// that no event reported is found and fixed.
//
// # Work and cost
//
// Namespaces come from one list call and are swept in name order. The
// repositories of a namespace are streamed page by page (1000 per page,
// ordered by name), never held all at once, and handed to a bounded pool
// of Config.Concurrency workers; the client's shared rate limiter bounds
// the request rate. Per repository the sweep calls Engine.Retention (one
// read when the repository conforms) and Engine.Audit (one read per
// enabled audit; the visibility audit reads the list item). A conformant
// registry therefore costs exactly one read per repository per enabled
// check plus the list pages, and no write.
//
// # Deadlines and cursors
//
// When the invocation's deadline comes within Config.DeadlineMargin, the
// sweep stops starting repositories, lets those in flight finish and
// returns a Cursor (Report.Cursor) holding the offset of the first
// repository it did not start and the name of the last one it started.
// It hands the rest on as a continuation event through
// Config.Continue; the next invocation resumes exactly there, so that
// across invocations every repository is swept once and no write is
// repeated. Without Continue the cursor in the report is all that is
// left of the unfinished work: a SweepRequested carrying it resumes it.
// The events handed on take ids derived from the event being handled
// (events.NewSweepContinuation, events.NewSweepShard), so that a retried
// invocation hands on the same ids and the receiving instance's
// de-duplication keeps one sweep chain going, not two.
//
// Repositories created or deleted in the swept part of the namespace
// between two invocations shift the offsets, so the next invocation lists
// from a little before the cursor's offset and passes over the
// repositories named up to the last one started (the listing is ordered
// by name): a deletion does not make it skip a repository, and a creation
// does not make it sweep one twice. Repositories of other namespaces that
// a loose namespace filter lists are skipped but keep their place in the
// offsets.
//
// # Fan-out
//
// With Config.FanOut, a tick that names no namespace does not sweep: it
// enqueues one shard event per namespace (events.NewSweepShard) and the
// same function, fed by the queue, sweeps each shard separately.
//
// # Targets
//
// A deployment that governs several registries (a targets file) runs one
// Job per target, Config.Target naming it: every event it hands on names
// the target (events.NewTargetSweepShard, NewTargetSweepContinuation), so
// shards are target × namespace and each comes back to its own target's
// job (package multitarget routes them); a request naming another target
// is refused.
package sweep
