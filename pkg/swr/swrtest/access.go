package swrtest

import (
	"fmt"
	"net/http"
	"slices"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// grantCodes are the error codes of one kind of grant (namespace or
// repository).
type grantCodes struct {
	invalidAuth, exists, notFound string
}

func namespaceGrantCodes() grantCodes {
	return grantCodes{CodeInvalidNsAuth, CodeNsGrantExists, CodeNsGrantNotFound}
}

func repoGrantCodes() grantCodes {
	return grantCodes{CodeInvalidRepoAuth, CodeRepoGrantExists, CodeRepoGrantNotFound}
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

// updateGrants changes existing grants; every user must have one.
func updateGrants(gs []swr.UserAuth, upd []swr.UserAuth, codes grantCodes) ([]swr.UserAuth, *apiError) {
	for _, g := range upd {
		if _, ok := findGrant(gs, g.UserID); !ok {
			return gs, swrError(http.StatusNotFound, codes.notFound, fmt.Sprintf("permission of user %s not found", g.UserID))
		}
	}
	for _, g := range upd {
		gs = putGrant(gs, g)
	}
	return gs, nil
}

// removeGrants deletes grants; every user must have one.
func removeGrants(gs []swr.UserAuth, ids []string, codes grantCodes) ([]swr.UserAuth, *apiError) {
	for _, id := range ids {
		if _, ok := findGrant(gs, id); !ok {
			return gs, swrError(http.StatusNotFound, codes.notFound, fmt.Sprintf("permission of user %s not found", id))
		}
	}
	return slices.DeleteFunc(gs, func(g swr.UserAuth) bool { return slices.Contains(ids, g.UserID) }), nil
}

func (s *Server) selfAuth() swr.UserAuth {
	return swr.UserAuth{UserID: s.UserID, UserName: s.UserName, Auth: swr.AuthManage}
}

func nonNilGrants(gs []swr.UserAuth) []swr.UserAuth {
	out := make([]swr.UserAuth, len(gs))
	copy(out, gs)
	return out
}

// showNamespaceAccess: GET …/namespaces/{ns}/access → 200.
func (s *Server) showNamespaceAccess(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	n, e := s.lookupNamespace(r)
	var v swr.NamespaceAccess
	if e == nil {
		v = swr.NamespaceAccess{ID: int64(n.id), Name: n.name, CreatorName: n.creator,
			SelfAuth: s.selfAuth(), OthersAuths: nonNilGrants(n.grants)}
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
	list, e := decodeUserAuths(r, namespaceGrantCodes())
	if e != nil {
		writeError(w, e)
		return
	}
	s.namespaceGrantChange(w, r, http.StatusOK, func(n *namespace) (e *apiError) {
		n.grants, e = addGrants(n.grants, list, namespaceGrantCodes())
		return e
	})
}

// updateNamespaceAccess: PATCH …/access, bare UserAuth array → 201.
func (s *Server) updateNamespaceAccess(w http.ResponseWriter, r *http.Request) {
	list, e := decodeUserAuths(r, namespaceGrantCodes())
	if e != nil {
		writeError(w, e)
		return
	}
	s.namespaceGrantChange(w, r, http.StatusCreated, func(n *namespace) (e *apiError) {
		n.grants, e = updateGrants(n.grants, list, namespaceGrantCodes())
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
		n.grants, e = removeGrants(n.grants, ids, namespaceGrantCodes())
		return e
	})
}

// showRepoAccess: GET …/repos/{repo}/access → 200 (no creator_name).
func (s *Server) showRepoAccess(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		writeJSON(w, http.StatusOK, swr.RepositoryAccess{ID: repo.id, Name: repo.name,
			SelfAuth: s.selfAuth(), OthersAuths: nonNilGrants(repo.grants)})
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
	list, e := decodeUserAuths(r, repoGrantCodes())
	if e == nil {
		e = s.noSelfGrant(list)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.repoGrantChange(w, r, http.StatusCreated, func(repo *repository) (e *apiError) {
		repo.grants, e = addGrants(repo.grants, list, repoGrantCodes())
		return e
	})
}

// updateRepoAccess: PATCH …/repos/{repo}/access → 201.
func (s *Server) updateRepoAccess(w http.ResponseWriter, r *http.Request) {
	list, e := decodeUserAuths(r, repoGrantCodes())
	if e == nil {
		e = s.noSelfGrant(list)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.repoGrantChange(w, r, http.StatusCreated, func(repo *repository) (e *apiError) {
		repo.grants, e = updateGrants(repo.grants, list, repoGrantCodes())
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
		repo.grants, e = removeGrants(repo.grants, ids, repoGrantCodes())
		return e
	})
}
