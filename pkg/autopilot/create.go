package autopilot

import (
	"context"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// createAttempts bounds how often createConfirmed sends one create.
const createAttempts = 4

// presence is what a read after a failed create found.
type presence int

const (
	absent      presence = iota // nothing of the kind: SWR did not act
	present                     // the object wanted
	conflicting                 // another object holds its place
)

// createConfirmed sends a create and, when it fails in any way, reads the
// resource again with look and decides from what is there, never from
// the error: SWR's answers to a duplicate or a lost response are not
// documented (swr-api.md §12), and a response lost after SWR acted looks
// like a failure. The object wanted being present (another instance won
// a race, SWR answered a duplicate with an error, or the answer was lost)
// counts as created. Something else in its place, or a read that fails,
// leaves the create's error. When nothing is there, SWR did not act, and
// a create that failed in a way that may pass (a 5xx, a cut connection)
// is sent again, up to createAttempts in all: the client does not re-send
// a POST itself, since it cannot know whether SWR acted. The caller holds
// the repository's lock, so no other create of this engine interleaves.
func (e *Engine) createConfirmed(ctx context.Context, kind, ns, repo string, create func() error, look func() (presence, error)) error {
	for attempt := 1; ; attempt++ {
		err := create()
		if err == nil {
			return nil
		}
		found, lerr := look()
		switch {
		case lerr != nil || found == conflicting:
			return err
		case found == present:
			e.log.InfoContext(ctx, kind+" create failed, yet SWR holds what was asked: it counts as created",
				"namespace", ns, "repository", repo, "error", err.Error())
			return nil
		}
		if attempt >= createAttempts || !swr.IsTransient(err) || ctx.Err() != nil {
			return err
		}
		e.log.InfoContext(ctx, kind+" create failed and SWR holds none; sending it again",
			"namespace", ns, "repository", repo, "attempt", attempt, "error", err.Error())
	}
}
