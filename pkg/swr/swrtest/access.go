package swrtest

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// WithAbsentGrantAnswer sets how a grant PATCH or DELETE that names a user
// without a grant is answered, a point no source pins down (swr-api.md
// §12): 404 (the default) or 400 refuse the whole call; any 2xx status
// makes the call succeed as usual (PATCH 201, DELETE 204), changing the
// users that have a grant and silently ignoring the others.
func WithAbsentGrantAnswer(status int) Option {
	return func(c *config) { c.absentGrant = status }
}

// WithOwnersListed makes grant listings show, as SWR may (swr-api.md §3,
// §12), the caller and the namespace creator in others_auths as well: the
// caller with its manage grant, the creator with manage unless it holds a
// grant of its own there.
func WithOwnersListed() Option {
	return func(c *config) { c.ownersListed = true }
}

// grantCodes are the error codes of one kind of grant (namespace or
// repository), and the status that answers a user without a grant.
type grantCodes struct {
	invalidAuth, exists, notFound string
	absent                        int
}

func (s *Server) namespaceGrantCodes() grantCodes {
	return grantCodes{CodeInvalidNsAuth, CodeNsGrantExists, CodeNsGrantNotFound, s.absentStatus()}
}

func (s *Server) repoGrantCodes() grantCodes {
	return grantCodes{CodeInvalidRepoAuth, CodeRepoGrantExists, CodeRepoGrantNotFound, s.absentStatus()}
}

func (s *Server) absentStatus() int {
	if s.absentGrant == 0 {
		return http.StatusNotFound
	}
	return s.absentGrant
}

// absentError answers a write naming user id, who has no grant; nil when
// the server ignores such users.
func (c grantCodes) absentError(id string) *apiError {
	msg := fmt.Sprintf("permission of user %s not found", id)
	switch {
	case c.absent >= 200 && c.absent < 300:
		return nil
	case c.absent == http.StatusNotFound:
		return swrError(http.StatusNotFound, c.notFound, msg)
	default:
		return swrError(c.absent, CodeInvalidParam, msg)
	}
}

// decodeUserAuths reads a bare JSON array of UserAuth and checks every
// element: ids and names present, auth one of 7/3/1, no user twice.
func decodeUserAuths(r *http.Request, codes grantCodes) ([]swr.UserAuth, *apiError) {
	var list []swr.UserAuth
	if e := decodeBody(r, &list); e != nil {
		return nil, e
	}
	if len(list) == 0 {
		return nil, badParams("the body must be a non-empty array of user grants")
	}
	seen := map[string]bool{}
	for i, g := range list {
		switch {
		case g.UserID == "" || g.UserName == "":
			return nil, badParams(fmt.Sprintf("grant %d: user_id and user_name are required", i))
		case !swr.ValidAuth(g.Auth):
			return nil, swrError(http.StatusBadRequest, codes.invalidAuth, fmt.Sprintf("grant %d: invalid auth %d: want 7, 3 or 1", i, g.Auth))
		case seen[g.UserID]:
			return nil, badParams(fmt.Sprintf("grant %d: user %s appears twice", i, g.UserID))
		}
		seen[g.UserID] = true
	}
	return list, nil
}

// decodeUserIDs reads the bare JSON array of user ids of a grant DELETE.
func decodeUserIDs(r *http.Request) ([]string, *apiError) {
	var ids []string
	if e := decodeBody(r, &ids); e != nil {
		return nil, e
	}
	if len(ids) == 0 || slices.Contains(ids, "") {
		return nil, badParams("the body must be a non-empty array of user ids")
	}
	return ids, nil
}

// addGrants adds new grants; any user that already has one fails the call.
func addGrants(gs []swr.UserAuth, add []swr.UserAuth, codes grantCodes) ([]swr.UserAuth, *apiError) {
	for _, g := range add {
		if _, ok := findGrant(gs, g.UserID); ok {
			return gs, swrError(http.StatusConflict, codes.exists, fmt.Sprintf("permission of user %s already exists", g.UserID))
		}
	}
	for _, g := range add {
		gs = putGrant(gs, g)
	}
	return gs, nil
}

// updateGrants changes existing grants. A user without one fails the call,
// or is ignored (see WithAbsentGrantAnswer).
func updateGrants(gs []swr.UserAuth, upd []swr.UserAuth, codes grantCodes) ([]swr.UserAuth, *apiError) {
	for _, g := range upd {
		if _, ok := findGrant(gs, g.UserID); !ok {
			if e := codes.absentError(g.UserID); e != nil {
				return gs, e
			}
		}
	}
	for _, g := range upd {
		if _, ok := findGrant(gs, g.UserID); ok {
			gs = putGrant(gs, g)
		}
	}
	return gs, nil
}

// removeGrants deletes grants. A user without one fails the call, or is
// ignored (see WithAbsentGrantAnswer).
func removeGrants(gs []swr.UserAuth, ids []string, codes grantCodes) ([]swr.UserAuth, *apiError) {
	for _, id := range ids {
		if _, ok := findGrant(gs, id); !ok {
			if e := codes.absentError(id); e != nil {
				return gs, e
			}
		}
	}
	return slices.DeleteFunc(gs, func(g swr.UserAuth) bool { return slices.Contains(ids, g.UserID) }), nil
}

func (s *Server) selfAuth() swr.UserAuth {
	return swr.UserAuth{UserID: s.UserID, UserName: s.UserName, Auth: swr.AuthManage}
}

// listedGrants is others_auths for grants gs of a namespace or repository
// whose namespace creator is creator: gs, and with WithOwnersListed the
// caller and the creator in front of them.
func (s *Server) listedGrants(gs []swr.UserAuth, creator string) []swr.UserAuth {
	out := make([]swr.UserAuth, 0, len(gs)+2)
	if s.ownersListed {
		out = append(out, s.selfAuth())
		if _, granted := findGrantByName(gs, creator); creator != "" && creator != s.UserName && !granted {
			out = append(out, swr.UserAuth{UserID: derivedID("user", s.Domain+"/"+creator), UserName: creator, Auth: swr.AuthManage})
		}
	}
	return append(out, gs...)
}

func findGrantByName(gs []swr.UserAuth, name string) (swr.UserAuth, bool) {
	for _, g := range gs {
		if g.UserName == name {
			return g, true
		}
	}
	return swr.UserAuth{}, false
}

// creatorOf names the creator of the namespace a request is about; the
// caller holds s.mu.
func (s *Server) creatorOf(r *http.Request) string {
	if n, e := s.lookupNamespace(r); e == nil {
		return n.creator
	}
	return ""
}

// showNamespaceAccess: GET …/namespaces/{ns}/access → 200.
func (s *Server) showNamespaceAccess(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	n, e := s.lookupNamespace(r)
	var v swr.NamespaceAccess
	if e == nil {
		v = swr.NamespaceAccess{ID: int64(n.id), Name: n.name, CreatorName: n.creator,
			SelfAuth: s.selfAuth(), OthersAuths: s.listedGrants(n.grants, n.creator)}
	}
	s.mu.RUnlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// namespaceGrantChange runs a namespace grant write and answers status.
func (s *Server) namespaceGrantChange(w http.ResponseWriter, r *http.Request, status int, change func(*namespace) *apiError) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, e := s.lookupNamespace(r)
	if e == nil {
		e = change(n)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	writeEmpty(w, status)
}

// createNamespaceAccess: POST …/access, bare UserAuth array → 200.
func (s *Server) createNamespaceAccess(w http.ResponseWriter, r *http.Request) {
	list, e := decodeUserAuths(r, s.namespaceGrantCodes())
	if e != nil {
		writeError(w, e)
		return
	}
	s.namespaceGrantChange(w, r, http.StatusOK, func(n *namespace) (e *apiError) {
		n.grants, e = addGrants(n.grants, list, s.namespaceGrantCodes())
		return e
	})
}

// updateNamespaceAccess: PATCH …/access, bare UserAuth array → 201.
func (s *Server) updateNamespaceAccess(w http.ResponseWriter, r *http.Request) {
	list, e := decodeUserAuths(r, s.namespaceGrantCodes())
	if e != nil {
		writeError(w, e)
		return
	}
	s.namespaceGrantChange(w, r, http.StatusCreated, func(n *namespace) (e *apiError) {
		n.grants, e = updateGrants(n.grants, list, s.namespaceGrantCodes())
		return e
	})
}

// deleteNamespaceAccess: DELETE …/access, bare array of user ids → 204.
func (s *Server) deleteNamespaceAccess(w http.ResponseWriter, r *http.Request) {
	ids, e := decodeUserIDs(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.namespaceGrantChange(w, r, http.StatusNoContent, func(n *namespace) (e *apiError) {
		n.grants, e = removeGrants(n.grants, ids, s.namespaceGrantCodes())
		return e
	})
}

// showRepoAccess: GET …/repos/{repo}/access → 200 (no creator_name).
func (s *Server) showRepoAccess(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		writeJSON(w, http.StatusOK, swr.RepositoryAccess{ID: repo.id, Name: repo.name,
			SelfAuth: s.selfAuth(), OthersAuths: s.listedGrants(repo.grants, s.creatorOf(r))})
		return nil
	})
}

// repoGrantChange runs a repository grant write and answers status.
func (s *Server) repoGrantChange(w http.ResponseWriter, r *http.Request, status int, change func(*repository) *apiError) {
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		if e := change(repo); e != nil {
			return e
		}
		writeEmpty(w, status)
		return nil
	})
}

// noSelfGrant enforces that repository grants go to other users only.
func (s *Server) noSelfGrant(list []swr.UserAuth) *apiError {
	for _, g := range list {
		if g.UserID == s.UserID {
			return swrError(http.StatusBadRequest, CodeInvalidParam, "repository permissions can only be granted to other users")
		}
	}
	return nil
}

// createRepoAccess: POST …/repos/{repo}/access, bare UserAuth array → 201.
func (s *Server) createRepoAccess(w http.ResponseWriter, r *http.Request) {
	list, e := decodeUserAuths(r, s.repoGrantCodes())
	if e == nil {
		e = s.noSelfGrant(list)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.repoGrantChange(w, r, http.StatusCreated, func(repo *repository) (e *apiError) {
		repo.grants, e = addGrants(repo.grants, list, s.repoGrantCodes())
		return e
	})
}

// updateRepoAccess: PATCH …/repos/{repo}/access → 201.
func (s *Server) updateRepoAccess(w http.ResponseWriter, r *http.Request) {
	list, e := decodeUserAuths(r, s.repoGrantCodes())
	if e == nil {
		e = s.noSelfGrant(list)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.repoGrantChange(w, r, http.StatusCreated, func(repo *repository) (e *apiError) {
		repo.grants, e = updateGrants(repo.grants, list, s.repoGrantCodes())
		return e
	})
}

// deleteRepoAccess: DELETE …/repos/{repo}/access, bare id array → 204.
func (s *Server) deleteRepoAccess(w http.ResponseWriter, r *http.Request) {
	ids, e := decodeUserIDs(r)
	if e != nil {
		writeError(w, e)
		return
	}
	s.repoGrantChange(w, r, http.StatusNoContent, func(repo *repository) (e *apiError) {
		repo.grants, e = removeGrants(repo.grants, ids, s.repoGrantCodes())
		return e
	})
}
