package grantsync

import (
	"context"
	"fmt"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// grants is the access list of one namespace (repo empty) or one
// repository, read and written through the SWR client.
type grants struct {
	c        *swr.Client
	ns, repo string
}

// String names the namespace or repository.
func (g grants) String() string {
	if g.repo == "" {
		return g.ns
	}
	return directory.RepositoryKey(g.ns, g.repo)
}

// what names the kind of access for operation names ("namespace access").
func (g grants) what() string {
	if g.repo == "" {
		return "namespace access"
	}
	return "repository access"
}

// current reads the grants and returns them by user id, the caller's
// own included.
func (g grants) current(ctx context.Context) (map[string]swr.UserAuth, error) {
	var others []swr.UserAuth
	if g.repo == "" {
		a, err := g.c.NamespaceAccess.Get(ctx, g.ns)
		if err != nil {
			return nil, err
		}
		others = a.OthersAuths
	} else {
		a, err := g.c.RepositoryAccess.Get(ctx, g.ns, g.repo)
		if err != nil {
			return nil, err
		}
		others = a.OthersAuths
	}
	out := make(map[string]swr.UserAuth, len(others))
	for _, a := range others {
		out[a.UserID] = a
	}
	return out, nil
}

func (g grants) create(ctx context.Context, users []swr.UserAuth) error {
	if g.repo == "" {
		return g.c.NamespaceAccess.Create(ctx, g.ns, users)
	}
	return g.c.RepositoryAccess.Create(ctx, g.ns, g.repo, users)
}

func (g grants) update(ctx context.Context, users []swr.UserAuth) error {
	if g.repo == "" {
		return g.c.NamespaceAccess.Update(ctx, g.ns, users)
	}
	return g.c.RepositoryAccess.Update(ctx, g.ns, g.repo, users)
}

func (g grants) delete(ctx context.Context, userIDs []string) error {
	if g.repo == "" {
		return g.c.NamespaceAccess.Delete(ctx, g.ns, userIDs)
	}
	return g.c.RepositoryAccess.Delete(ctx, g.ns, g.repo, userIDs)
}

// add grants users. SWR refuses the whole list (409) when one of them
// already holds a grant, e.g. given meanwhile by someone else: the grants
// are then re-read, the users still without one are granted and the users
// whose level is lower than wanted are raised. A level higher than wanted
// is left alone (lowering belongs to a guarded run) and returned in
// higher.
func (g grants) add(ctx context.Context, users []swr.UserAuth) (higher []swr.UserAuth, err error) {
	err = g.create(ctx, users)
	if !swr.IsConflict(err) {
		return nil, err
	}
	cur, rerr := g.current(ctx)
	if rerr != nil {
		return nil, fmt.Errorf("%w; re-read after the conflict: %w", err, rerr)
	}
	var missing, raise []swr.UserAuth
	for _, u := range users {
		have, ok := cur[u.UserID]
		switch {
		case !ok:
			missing = append(missing, u)
		case have.Auth < u.Auth:
			raise = append(raise, u)
		case have.Auth > u.Auth:
			higher = append(higher, have)
		}
	}
	return higher, g.settle(ctx, missing, raise)
}

// change sets the levels of users. SWR refuses the whole list (404) when
// one of them has no grant any more: the grants are then re-read, users
// without a grant are granted and the others set.
func (g grants) change(ctx context.Context, users []swr.UserAuth) error {
	err := g.update(ctx, users)
	if !swr.IsNotFound(err) {
		return err
	}
	cur, rerr := g.current(ctx)
	if rerr != nil {
		return fmt.Errorf("%w; re-read after it: %w", err, rerr)
	}
	var missing, set []swr.UserAuth
	for _, u := range users {
		have, ok := cur[u.UserID]
		switch {
		case !ok:
			missing = append(missing, u)
		case have.Auth != u.Auth:
			set = append(set, u)
		}
	}
	return g.settle(ctx, missing, set)
}

// remove revokes the grants of userIDs. SWR refuses the whole list (404)
// when one of them is already gone: the grants are then re-read and only
// those still present are revoked. A grant already gone is success.
func (g grants) remove(ctx context.Context, userIDs []string) error {
	err := g.delete(ctx, userIDs)
	if !swr.IsNotFound(err) {
		return err
	}
	cur, rerr := g.current(ctx)
	if swr.IsNotFound(rerr) {
		return nil // the namespace or repository itself is gone, and its grants with it
	}
	if rerr != nil {
		return fmt.Errorf("%w; re-read after it: %w", err, rerr)
	}
	var still []string
	for _, id := range userIDs {
		if _, ok := cur[id]; ok {
			still = append(still, id)
		}
	}
	if len(still) == 0 {
		return nil
	}
	return g.delete(ctx, still)
}

// settle POSTs missing and PATCHes set, once each, without retrying.
func (g grants) settle(ctx context.Context, missing, set []swr.UserAuth) error {
	if len(missing) > 0 {
		if err := g.create(ctx, missing); err != nil {
			return err
		}
	}
	if len(set) > 0 {
		if err := g.update(ctx, set); err != nil {
			return err
		}
	}
	return nil
}
