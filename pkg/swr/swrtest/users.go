package swrtest

import (
	"context"
	"fmt"
	"net/http"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// user is a SeedIAMUser with an AK/SK as the store holds it.
type user struct{ id, name, sk string }

// caller is the identity a request was authenticated as. admin is the
// server's own user, who sees every namespace.
type caller struct {
	id, name string
	admin    bool
}

type callerKey struct{}

// withCaller returns r carrying c.
func withCaller(r *http.Request, c caller) *http.Request {
	return r.WithContext(context.WithValue(r.Context(), callerKey{}, c))
}

// callerOf returns the identity r was authenticated as; a request that
// carries none (served through Handler without authentication) is the
// server's own user.
func (s *Server) callerOf(r *http.Request) caller {
	if c, ok := r.Context().Value(callerKey{}).(caller); ok {
		return c
	}
	return s.self()
}

// self is the server's own user.
func (s *Server) self() caller { return caller{id: s.UserID, name: s.UserName, admin: true} }

// iamConflict checks that no user's access key is taken, for Seed; the
// caller holds s.mu.
func (s *Server) iamConflict(iam SeedIAM) error {
	for i, u := range iam.Users {
		if u.AK == "" {
			continue
		}
		if u.AK == s.AK || s.st.users[u.AK] != nil && s.st.users[u.AK].id != u.id() {
			return &SeedError{Path: fmt.Sprintf("iam.users[%d].ak", i), Msg: "access key already belongs to another user"}
		}
	}
	return nil
}

// addIAMKeys adds or replaces the users of a seed that have an AK/SK; the
// caller holds s.mu.
func (s *Server) addIAMKeys(iam SeedIAM) {
	for _, u := range iam.Users {
		if u.AK != "" {
			s.st.users[u.AK] = &user{id: u.id(), name: u.Name, sk: u.SK}
		}
	}
}

// userByAK returns the secret key of ak and the identity it signs as.
func (s *Server) userByAK(ak string) (sk string, c caller, ok bool) {
	if ak == s.AK {
		return s.SK, s.self(), true
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	u := s.st.users[ak]
	if u == nil {
		return "", caller{}, false
	}
	return u.sk, caller{id: u.id, name: u.name}, true
}

// namespaceAuth returns the auth c has on namespace n as a listing shows
// it, and whether the listing shows n at all: the administrator and the
// creator manage every namespace they see, a namespace grant gives its
// level, and with visible (mode::visible) a namespace where c holds only
// repository grants is shown with the highest of them (which auth SWR
// shows there is not documented). The caller holds s.mu.
func (s *Server) namespaceAuth(c caller, n *namespace, visible bool) (int, bool) {
	if c.admin || n.creator == c.name {
		return swr.AuthManage, true
	}
	if i, ok := findGrant(n.grants, c.id); ok {
		return n.grants[i].Auth, true
	}
	if !visible {
		return 0, false
	}
	best := 0
	lo, hi := s.st.namespaceRange(n.name)
	for _, repo := range s.st.repos[lo:hi] {
		if i, ok := findGrant(repo.grants, c.id); ok {
			best = max(best, repo.grants[i].Auth)
		}
	}
	return best, best > 0
}
