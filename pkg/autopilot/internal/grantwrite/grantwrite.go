// Package grantwrite is the one idempotent writer of SWR namespace and
// repository grants. Both default grants (onpush) and grant sync apply
// their grantplan.Plan through it.
//
// SWR refuses a whole list when one user in it meets the unexpected: a
// POST meets an existing grant (409), a PATCH or DELETE meets a user
// without one. What SWR answers in the latter case is not documented (404,
// 400 or a silent 2xx are all plausible), so the writer never branches on
// the code: after any 4xx answer to a write it reads the grants again and
// does, once, only what is still needed. A PATCH is always followed by a
// read, since a silent 2xx would otherwise leave a user without the grant
// the report calls applied.
package grantwrite

import (
	"context"
	"errors"
	"fmt"
	"net/http"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Grants is the access list of one namespace (Repo empty) or one
// repository, read and written through the SWR client.
type Grants struct {
	Client   *swr.Client
	NS, Repo string
}

// String names the namespace or repository.
func (g Grants) String() string {
	if g.Repo == "" {
		return g.NS
	}
	return directory.RepositoryKey(g.NS, g.Repo)
}

// What names the kind of access for operation names ("namespace access").
func (g Grants) What() string {
	if g.Repo == "" {
		return "namespace access"
	}
	return "repository access"
}

// Current reads the grants and returns them by user id, the caller's
// own included when SWR lists it.
func (g Grants) Current(ctx context.Context) (map[string]swr.UserAuth, error) {
	var others []swr.UserAuth
	if g.Repo == "" {
		a, err := g.Client.NamespaceAccess.Get(ctx, g.NS)
		if err != nil {
			return nil, err
		}
		others = a.OthersAuths
	} else {
		a, err := g.Client.RepositoryAccess.Get(ctx, g.NS, g.Repo)
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

func (g Grants) create(ctx context.Context, users []swr.UserAuth) error {
	if g.Repo == "" {
		return g.Client.NamespaceAccess.Create(ctx, g.NS, users)
	}
	return g.Client.RepositoryAccess.Create(ctx, g.NS, g.Repo, users)
}

func (g Grants) update(ctx context.Context, users []swr.UserAuth) error {
	if g.Repo == "" {
		return g.Client.NamespaceAccess.Update(ctx, g.NS, users)
	}
	return g.Client.RepositoryAccess.Update(ctx, g.NS, g.Repo, users)
}

func (g Grants) delete(ctx context.Context, userIDs []string) error {
	if g.Repo == "" {
		return g.Client.NamespaceAccess.Delete(ctx, g.NS, userIDs)
	}
	return g.Client.RepositoryAccess.Delete(ctx, g.NS, g.Repo, userIDs)
}

// Add grants users. SWR refuses the whole list (409) when one of them
// already holds a grant, e.g. given meanwhile by someone else: the grants
// are then read again, the users still without one are granted and the
// users whose level is lower than wanted are raised. A level higher than
// wanted is left alone (lowering belongs to a guarded run) and returned in
// higher.
func (g Grants) Add(ctx context.Context, users []swr.UserAuth) (higher []swr.UserAuth, err error) {
	err = g.create(ctx, users)
	if !swr.IsConflict(err) {
		return nil, err
	}
	cur, rerr := g.Current(ctx)
	if rerr != nil {
		return nil, fmt.Errorf("%w; read again after the conflict: %w", err, rerr)
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

// Change sets the levels of users. SWR may refuse the list with a 4xx, or
// accept it while ignoring, one user who has no grant any more (e.g.
// removed meanwhile by someone else): either way the grants are read
// again afterwards, and users without a grant are granted. After a 4xx
// the users with another level are also set, once.
func (g Grants) Change(ctx context.Context, users []swr.UserAuth) error {
	err := g.update(ctx, users)
	if err != nil && !clientError(err) {
		return err
	}
	cur, rerr := g.Current(ctx)
	if rerr != nil {
		if err == nil {
			return fmt.Errorf("read again after the update: %w", rerr)
		}
		return fmt.Errorf("%w; read again after it: %w", err, rerr)
	}
	var missing, set []swr.UserAuth
	for _, u := range users {
		have, ok := cur[u.UserID]
		switch {
		case !ok:
			missing = append(missing, u)
		case err != nil && have.Auth != u.Auth:
			set = append(set, u)
		}
	}
	return g.settle(ctx, missing, set)
}

// Remove revokes the grants of userIDs. When SWR refuses the list with any
// 4xx (one of them may be gone already), the grants are read again and only
// those still present are revoked. A grant already gone is success.
func (g Grants) Remove(ctx context.Context, userIDs []string) error {
	err := g.delete(ctx, userIDs)
	if !clientError(err) {
		return err
	}
	cur, rerr := g.Current(ctx)
	if swr.IsNotFound(rerr) {
		return nil // the namespace or repository itself is gone, and its grants with it
	}
	if rerr != nil {
		return fmt.Errorf("%w; read again after it: %w", err, rerr)
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
func (g Grants) settle(ctx context.Context, missing, set []swr.UserAuth) error {
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

// clientError reports whether err is a 4xx answer other than throttling
// (which the client retries on its own).
func clientError(err error) bool {
	var e *swr.Error
	if !errors.As(err, &e) || swr.IsThrottled(err) {
		return false
	}
	return e.StatusCode >= http.StatusBadRequest && e.StatusCode < http.StatusInternalServerError
}
