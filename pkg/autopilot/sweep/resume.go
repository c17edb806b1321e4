package sweep

import (
	"context"
	"iter"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// resumeSlack is how many places before a cursor's offset a resumed
// listing starts. Repositories deleted from the swept part of the
// namespace since the cursor was written move the rest forward; starting
// early by more than were deleted keeps the first repository not swept
// in view. When more were deleted, the listing is read from the start.
const resumeSlack = 100

// listed is a repository of a namespace listing and its offset there.
type listed struct {
	swr.Repository
	at int
}

// pending streams the repositories of ns that a sweep resuming at from
// has still to visit, in the listing's order, each with its offset in the
// listing it was read from (the offsets a cursor holds). Repositories of
// other namespaces that a loose filter lists are left out but keep their
// place in the offsets. The zero Cursor (or one of another namespace)
// resumes nothing: every repository of ns is pending.
//
// The listing starts where swr's All does, at any index: it reads the
// page holding it (SWR is only asked for offsets that are multiples of
// the page size) and passes over the repositories before it.
//
// A cursor is resumed resumeSlack places early, passing over the repositories of ns named up
// to and including its Last (names compare bytewise, the order a listing
// by name is taken to follow); the first repository named after Last, or
// Last itself, ends the passing over, so that everything the listing puts after it is
// visited. When the listing shows no repository of ns named up to Last,
// more may have been deleted than the slack allows for, and the listing
// is read again from the start.
//
// A failed listing is yielded with the offset the listing had reached,
// and ends the stream.
func (j *Job) pending(ctx context.Context, ns string, from Cursor) iter.Seq2[listed, error] {
	if from.Namespace != ns {
		from = Cursor{Namespace: ns}
	}
	return func(yield func(listed, error) bool) {
		begin := from.Offset
		switch {
		case from.Last == "":
			// Nothing of ns was started: its offset may count other
			// namespaces' repositories (a loose filter), so begin at the
			// start, which is exact.
			begin = 0
		default:
			begin = max(0, from.Offset-resumeSlack)
		}
		skipping := from.Last != ""
		for {
			again, ok := j.pendingFrom(ctx, ns, begin, skipping, from.Last, yield)
			if !ok || !again {
				return
			}
			begin = 0
		}
	}
}

// pendingFrom is one listing of pending, from offset begin. It reports
// whether the listing must be read again from the start (again), and
// whether the stream goes on (ok is false once yield asked to stop or a
// failure was yielded).
func (j *Job) pendingFrom(ctx context.Context, ns string, begin int, skipping bool, last string,
	yield func(listed, error) bool) (again, ok bool) {
	opts := &swr.ListReposOptions{
		Namespace: ns, Offset: begin, Limit: swr.MaxPageSize,
		OrderColumn: listOrderColumn, OrderType: listOrderType,
	}
	anchored := false // a repository of ns named up to last was seen
	at := begin
	for repo, err := range j.client.Repositories.All(ctx, opts) {
		if err != nil {
			yield(listed{at: at}, err)
			return false, false
		}
		here := at
		at++
		if repo.Namespace != ns {
			continue
		}
		if skipping {
			if repo.Name <= last {
				anchored = true
				skipping = repo.Name != last
				continue
			}
			if !anchored && begin > 0 {
				return true, true
			}
			skipping = false
		}
		if !yield(listed{Repository: repo, at: here}, nil) {
			return false, false
		}
	}
	return skipping && !anchored && begin > 0, true
}
