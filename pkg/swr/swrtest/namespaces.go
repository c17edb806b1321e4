package swrtest

import (
	"fmt"
	"net/http"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// WithForeignNamespaces makes names belong to another account of the
// region (namespace names are unique per region across tenants,
// swr-api.md §1.4): creating one is answered 409 SVCSTG.SWR.4090060, a
// read of it (the namespace, its grants, its repositories) as
// WithForeignNamespaceAnswer says, and no listing shows it.
func WithForeignNamespaces(names ...string) Option {
	return func(c *config) {
		if c.unpinned.foreign == nil {
			c.unpinned.foreign = map[string]bool{}
		}
		for _, n := range names {
			c.unpinned.foreign[n] = true
		}
	}
}

// WithForeignNamespaceAnswer sets how a read of a namespace another
// account owns is answered, which no source pins down (swr-api.md §12):
// 404 SVCSTG.SWR.4040058 (the default, as for a name nobody holds) or
// 403 SVCSTG.SWR.4039001.
func WithForeignNamespaceAnswer(status int) Option {
	statusIn("WithForeignNamespaceAnswer", status, http.StatusNotFound, http.StatusForbidden)
	return func(c *config) { c.unpinned.foreignRead = status }
}

// createNamespace: POST /v2/manage/namespaces → 201, empty body.
func (s *Server) createNamespace(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Namespace *string `json:"namespace"`
	}
	if e := decodeBody(r, &body); e != nil {
		writeError(w, e)
		return
	}
	if body.Namespace == nil {
		writeError(w, badParams("namespace is required"))
		return
	}
	name := *body.Namespace
	if swr.CheckNamespaceName(name) != nil {
		writeError(w, swrError(http.StatusBadRequest, CodeInvalidNamespace, fmt.Sprintf("invalid namespace name %q", name)))
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.st.namespaces[name] != nil || s.unpinned.foreign[name] {
		writeError(w, swrError(http.StatusConflict, CodeNamespaceExists, fmt.Sprintf("namespace %s already exists", name)))
		return
	}
	if len(s.st.namespaces) >= s.quota {
		writeError(w, swrError(http.StatusBadRequest, CodeNamespaceQuota, fmt.Sprintf("max number of organizations exceeded: quota is %d", s.quota)))
		return
	}
	s.st.addNamespace(name, s.UserName)
	writeEmpty(w, http.StatusCreated)
}

// namespaceView renders n; the caller administers the domain, so its auth is 7.
func namespaceView(n *namespace) swr.Namespace {
	return swr.Namespace{ID: n.id, Name: n.name, CreatorName: n.creator, Auth: swr.AuthManage}
}

// listNamespaces: GET /v2/manage/namespaces[?namespace=|filter=namespace::x|mode::visible].
// What it lists depends on the caller (namespaceAuth): without
// mode::visible, a user who holds only repository grants in a namespace
// does not see it.
func (s *Server) listNamespaces(w http.ResponseWriter, r *http.Request) {
	p, e := parseListParams(r.URL.Query(), "namespace", "mode")
	if e == nil && p.has("mode") && p.get("mode") != "visible" {
		e = swrError(http.StatusBadRequest, CodeInvalidFilter, fmt.Sprintf("invalid mode %q", p.get("mode")))
	}
	if e != nil {
		writeError(w, e)
		return
	}
	who := s.callerOf(r)
	s.mu.RLock()
	out := []swr.Namespace{}
	for _, n := range sortedNamespaces(s.st.namespaces) {
		if p.has("namespace") && n.name != p.get("namespace") {
			continue
		}
		if auth, ok := s.namespaceAuth(who, n, p.has("mode")); ok {
			v := namespaceView(n)
			v.Auth = auth
			out = append(out, v)
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string][]swr.Namespace{"namespaces": out})
}

// showNamespace: GET /v2/manage/namespaces/{ns} → 200.
func (s *Server) showNamespace(w http.ResponseWriter, r *http.Request) {
	s.mu.RLock()
	n, e := s.lookupNamespace(r)
	var v swr.Namespace
	if e == nil {
		v = namespaceView(n)
	}
	s.mu.RUnlock()
	if e != nil {
		writeError(w, e)
		return
	}
	writeJSON(w, http.StatusOK, v)
}

// deleteNamespace: DELETE /v2/manage/namespaces/{ns} → 204; 406 while it
// still holds repositories.
func (s *Server) deleteNamespace(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	n, e := s.lookupNamespace(r)
	if e == nil && n.repos > 0 {
		e = swrError(http.StatusNotAcceptable, CodeNamespaceNotEmpty, fmt.Sprintf("namespace %s still contains images", n.name))
	}
	if e != nil {
		writeError(w, e)
		return
	}
	delete(s.st.namespaces, n.name)
	writeEmpty(w, http.StatusNoContent)
}
