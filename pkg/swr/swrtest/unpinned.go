package swrtest

import (
	"fmt"
	"net/http"
)

// unpinnedAnswers are the emulator's answers where no source pins SWR
// down (swr-api.md §12). Each can be switched to every plausible reading
// by an Option, so that a test can run a job under each.
type unpinnedAnswers struct {
	// duplicateSync is the status of a sync-rule create that duplicates
	// an existing rule (WithDuplicateSyncAnswer).
	duplicateSync int
	// secondRetention is the status of a retention create on a
	// repository that has a policy (WithSecondRetentionAnswer).
	secondRetention int
	// foreign holds namespace names another account owns, and
	// foreignRead the status of a read of one (WithForeignNamespaces,
	// WithForeignNamespaceAnswer).
	foreign     map[string]bool
	foreignRead int
}

// withDefaults fills what no Option set.
func (u unpinnedAnswers) withDefaults() unpinnedAnswers {
	if u.duplicateSync == 0 {
		u.duplicateSync = http.StatusConflict
	}
	if u.secondRetention == 0 {
		u.secondRetention = http.StatusBadRequest
	}
	if u.foreignRead == 0 {
		u.foreignRead = http.StatusNotFound
	}
	return u
}

// statusIn panics unless status is one of allowed: a test asking for an
// answer the emulator cannot give is a bug in the test.
func statusIn(option string, status int, allowed ...int) {
	for _, a := range allowed {
		if status == a {
			return
		}
	}
	panic(fmt.Sprintf("swrtest: %s(%d): want one of %v", option, status, allowed))
}

// AnswerSet is one way of answering every error case no source pins down
// (swr-api.md §12), as a set of Options. (How retention rules execute
// where SWR is not pinned down is set apart, by WithReadings.)
type AnswerSet struct {
	Name    string
	Options []Option
}

// AnswerSets returns answer sets that between them give every plausible
// answer to each open case at least once: a job test run under each shows
// the job does not depend on the emulator's guesses. The first is the
// emulator's default.
func AnswerSets() []AnswerSet {
	return []AnswerSet{
		{"default", nil},
		{"duplicate-sync-400/second-retention-409/foreign-403/absent-grant-400/owners-listed", []Option{
			WithDuplicateSyncAnswer(http.StatusBadRequest), WithSecondRetentionAnswer(http.StatusConflict),
			WithForeignNamespaceAnswer(http.StatusForbidden), WithAbsentGrantAnswer(http.StatusBadRequest),
			WithOwnersListed()}},
		{"duplicate-sync-200/foreign-403/absent-grant-204", []Option{
			WithDuplicateSyncAnswer(http.StatusOK), WithForeignNamespaceAnswer(http.StatusForbidden),
			WithAbsentGrantAnswer(http.StatusNoContent)}},
	}
}
