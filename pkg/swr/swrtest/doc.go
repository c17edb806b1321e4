// Package swrtest provides an in-memory Huawei Cloud SWR (shared edition)
// for tests, benchmarks and demos, in the style of net/http/httptest.
//
// The emulator follows the SWR API as documented in swr-api.md: the same
// paths (repository names with "/" appear as "$"), methods, JSON spellings,
// irregular success codes, error shapes, Content-Range paging, the namespace
// quota, one retention policy per repository that runs the moment it is
// written, grants, triggers, sync rules, quotas and API versions. Requests
// must be signed with SDK-HMAC-SHA256 (see swr.Sign) or carry an
// X-Auth-Token issued by the emulated IAM endpoint POST /v3/auth/tokens.
//
// Tests get a running server with NewServer, a client of its account with
// NewClient, seed it with Seed, LoadSeed or Generate, and inspect it with
// State, Requests (each request with its endpoint, status and body) and
// Counts. WithHook puts a handler of the test's own in front of the
// emulator, for answers the emulator cannot give. Each control (clock,
// latency, rate limit, faults, readings, hook) is set one way: with its
// option, given to NewServer or, while the server runs, to Set. The caller acts
// as a domain administrator named by WithUser (default "autopilot"): it holds
// the manage permission (7) on every namespace of the domain. A seed's IAM
// users given an AK/SK sign as themselves and see only the namespaces they
// hold grants in (SeedIAMUser).
//
// Where no source pins SWR down (swr-api.md §12), an Option switches the
// emulator to each plausible answer (WithDuplicateSyncAnswer,
// WithSecondRetentionAnswer, WithForeignNamespaceAnswer); Readings groups
// them so that a test can run under each.
//
// The control endpoints under /_emulator/ (seed, state, request log, clock,
// faults) are NOT authenticated. They exist for tests and demos that run the
// emulator as a separate process; never expose the emulator on a network
// that untrusted parties can reach.
package swrtest
