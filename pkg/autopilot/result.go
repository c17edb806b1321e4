package autopilot

import (
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// RepoResult is what the engine did for one repository.
type RepoResult struct {
	Namespace  string
	Repository string
	Unmanaged  bool // the policy leaves the repository's retention alone
	Conformant bool // every check passed with nothing to change
	// Wrote is set when at least one write was sent to SWR, whether or
	// not it succeeded: what was observed before may no longer hold.
	Wrote    bool
	Changes  []report.Change
	Findings []report.Finding
	Errors   []report.RepoError

	errs []error // the errors behind Errors, for Retryable
}

// Failed returns the result of work on ns/repo that failed at op with err
// before anything was observed.
func Failed(ns, repo, op string, err error) RepoResult {
	r := RepoResult{Namespace: ns, Repository: repo}
	r.fail(op, err)
	return r
}

func (r *RepoResult) fail(op string, err error) {
	r.Errors = append(r.Errors, report.RepoError{Namespace: r.Namespace, Repository: r.Repository, Op: op, Error: err.Error()})
	r.errs = append(r.errs, err)
}

// AddTo records the result in rep, counting it as one scanned repository.
func (r *RepoResult) AddTo(rep *report.Report) {
	rep.Counts.Scanned++
	switch {
	case r.Unmanaged && len(r.Changes) == 0 && len(r.Findings) == 0 && len(r.Errors) == 0:
		rep.Counts.Unmanaged++
	case r.Conformant && len(r.Errors) == 0:
		rep.Counts.Conformant++
	}
	rep.Changes = append(rep.Changes, r.Changes...)
	rep.Findings = append(rep.Findings, r.Findings...)
	rep.Errors = append(rep.Errors, r.Errors...)
}

// Merge folds the result of another check of the same repository into r:
// r stays conformant only if o is.
func (r *RepoResult) Merge(o RepoResult) {
	r.Conformant = r.Conformant && o.Conformant
	r.Wrote = r.Wrote || o.Wrote
	r.Changes = append(r.Changes, o.Changes...)
	r.Findings = append(r.Findings, o.Findings...)
	r.Errors = append(r.Errors, o.Errors...)
	r.errs = append(r.errs, o.errs...)
}

// Retryable reports whether r failed in a way that trying again later may
// cure: it has errors and each of them is a network failure, a timeout or
// cancellation, SWR throttling or a 5xx answer, rather than an SWR answer
// about the request itself (a missing repository, an invalid body…).
// Errors that no retry cures, such as a rule write that could not be
// verified afterwards, do not count; r is not retryable when they are all
// it has.
func (r *RepoResult) Retryable() bool {
	if len(r.errs) == 0 {
		return false
	}
	for _, err := range r.errs {
		if !swr.IsTransient(err) {
			return false
		}
	}
	return true
}

// failFinal records an error that trying again would not cure, whatever
// caused it: Retryable leaves it out.
func (r *RepoResult) failFinal(op string, err error) {
	r.Errors = append(r.Errors, report.RepoError{Namespace: r.Namespace, Repository: r.Repository, Op: op, Error: err.Error()})
}

// note records findings; any finding makes the repository non-conformant.
func (r *RepoResult) note(findings []report.Finding) {
	if len(findings) > 0 {
		r.Conformant = false
		r.Findings = append(r.Findings, findings...)
	}
}

// apply runs one fix when writing is allowed and records its change.
func (r *RepoResult) apply(write bool, ch report.Change, do func() error) {
	r.Conformant = false
	if !write {
		ch.Status = report.StatusPlanned
		r.Changes = append(r.Changes, ch)
		return
	}
	r.Wrote = true
	if err := do(); err != nil {
		ch.Status, ch.Reason = report.StatusFailed, err.Error()
		r.fail("apply "+ch.Kind, err)
	} else {
		ch.Status = report.StatusApplied
	}
	r.Changes = append(r.Changes, ch)
}
