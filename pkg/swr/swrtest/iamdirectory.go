package swrtest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
)

// SeedIAM is the account's IAM users and user groups, which the emulated
// IAM serves (GET /v3/users, /v3/groups, /v3/groups/{group_id}/users).
// The server's own user is always listed too. IAM names are unique in an
// account; a seed may still repeat a user name, to play a directory name
// that matches two users.
type SeedIAM struct {
	Users  []SeedIAMUser  `json:"users,omitempty" yaml:"users,omitempty"`
	Groups []SeedIAMGroup `json:"groups,omitempty" yaml:"groups,omitempty"`
}

// SeedIAMUser is an IAM user; ID defaults to one derived from the name.
// A user given an AK/SK signs requests as itself: a namespace listing
// shows the namespaces it created or holds a namespace grant on, and,
// with filter=mode::visible, also those where it holds only repository
// grants (swr-api.md §2.2). Grants name the user by ID.
type SeedIAMUser struct {
	ID   string `json:"id,omitempty" yaml:"id,omitempty"`
	Name string `json:"name" yaml:"name"`
	AK   string `json:"ak,omitempty" yaml:"ak,omitempty"`
	SK   string `json:"sk,omitempty" yaml:"sk,omitempty"`
}

// id returns the user's ID, derived from the name when not given.
func (u SeedIAMUser) id() string { return cmp.Or(u.ID, derivedID("iam-user", u.Name)) }

// SeedIAMGroup is an IAM user group; ID defaults to one derived from the
// name. Members are user names of SeedIAM.Users (or the server's user).
type SeedIAMGroup struct {
	ID      string   `json:"id,omitempty" yaml:"id,omitempty"`
	Name    string   `json:"name" yaml:"name"`
	Members []string `json:"members,omitempty" yaml:"members,omitempty"`
}

// iamDirectory is the IAM users and groups of the account.
type iamDirectory struct {
	users  []SeedIAMUser
	groups []SeedIAMGroup
}

// validate checks a seed's IAM: a name and a distinct id for each user,
// an AK with an SK (or neither) and no AK twice, and groups whose members
// are users of the seed.
func (s SeedIAM) validate() error {
	names, ids, aks := map[string]bool{}, map[string]bool{}, map[string]bool{}
	for i, u := range s.Users {
		p := fmt.Sprintf("iam.users[%d]", i)
		switch {
		case u.Name == "":
			return &SeedError{Path: p + ".name", Msg: "a user needs a name"}
		case ids[u.id()]:
			return &SeedError{Path: p + ".id", Msg: fmt.Sprintf("user id %s appears twice", u.id())}
		case (u.AK == "") != (u.SK == ""):
			return &SeedError{Path: p, Msg: "ak and sk go together"}
		case u.AK != "" && aks[u.AK]:
			return &SeedError{Path: p + ".ak", Msg: "access key appears twice"}
		}
		ids[u.id()], names[u.Name], aks[u.AK] = true, true, true
	}
	groups := map[string]bool{}
	for i, g := range s.Groups {
		p := fmt.Sprintf("iam.groups[%d]", i)
		switch {
		case g.Name == "":
			return &SeedError{Path: p + ".name", Msg: "a group needs a name"}
		case groups[g.Name]:
			return &SeedError{Path: p + ".name", Msg: fmt.Sprintf("group %s appears twice", g.Name)}
		}
		groups[g.Name] = true
		for j, m := range g.Members {
			if !names[m] {
				return &SeedError{Path: fmt.Sprintf("%s.members[%d]", p, j), Msg: fmt.Sprintf("user %s is not in iam.users", m)}
			}
		}
	}
	return nil
}

// addIAM adds the users and groups of seed, and the users' access keys;
// s.mu must be held.
func (s *Server) addIAM(seed SeedIAM) {
	s.addIAMKeys(seed)
	for _, u := range seed.Users {
		u.ID = u.id()
		s.iam.users = append(s.iam.users, u)
	}
	for _, g := range seed.Groups {
		g.ID = cmp.Or(g.ID, derivedID("iam-group", g.Name))
		s.iam.groups = append(s.iam.groups, g)
	}
}

// keystoneUser is a user as IAM's Keystone API shows it.
type keystoneUser struct {
	ID       string            `json:"id"`
	Name     string            `json:"name"`
	DomainID string            `json:"domain_id"`
	Enabled  bool              `json:"enabled"`
	Links    map[string]string `json:"links"`
}

type keystoneGroup struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	DomainID    string            `json:"domain_id"`
	Description string            `json:"description"`
	Links       map[string]string `json:"links"`
}

// iamUsers lists every user of the account, the server's own first; s.mu
// must be held.
func (s *Server) iamUsers() []keystoneUser {
	all := append([]SeedIAMUser{{ID: s.UserID, Name: s.UserName}}, s.iam.users...)
	out := make([]keystoneUser, 0, len(all))
	for _, u := range all {
		out = append(out, keystoneUser{ID: u.ID, Name: u.Name, DomainID: s.DomainID, Enabled: true,
			Links: map[string]string{"self": s.URL + "/v3/users/" + u.ID}})
	}
	return out
}

func (s *Server) listLinks(r *http.Request) map[string]any {
	return map[string]any{"self": s.URL + r.URL.RequestURI(), "previous": nil, "next": nil}
}

// listIAMUsers emulates IAM GET /v3/users[?name=NAME].
func (s *Server) listIAMUsers(w http.ResponseWriter, r *http.Request) {
	name, byName := r.URL.Query().Get("name"), r.URL.Query().Has("name")
	s.mu.RLock()
	users := slices.DeleteFunc(s.iamUsers(), func(u keystoneUser) bool { return byName && u.Name != name })
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "links": s.listLinks(r)})
}

// listIAMGroups emulates IAM GET /v3/groups[?name=NAME].
func (s *Server) listIAMGroups(w http.ResponseWriter, r *http.Request) {
	name, byName := r.URL.Query().Get("name"), r.URL.Query().Has("name")
	groups := []keystoneGroup{}
	s.mu.RLock()
	for _, g := range s.iam.groups {
		if !byName || g.Name == name {
			groups = append(groups, keystoneGroup{ID: g.ID, Name: g.Name, DomainID: s.DomainID,
				Links: map[string]string{"self": s.URL + "/v3/groups/" + g.ID}})
		}
	}
	s.mu.RUnlock()
	writeJSON(w, http.StatusOK, map[string]any{"groups": groups, "links": s.listLinks(r)})
}

// listIAMGroupUsers emulates IAM GET /v3/groups/{group_id}/users.
func (s *Server) listIAMGroupUsers(w http.ResponseWriter, r *http.Request) {
	id := r.PathValue("group_id")
	s.mu.RLock()
	defer s.mu.RUnlock()
	i := slices.IndexFunc(s.iam.groups, func(g SeedIAMGroup) bool { return g.ID == id })
	if i < 0 {
		writeJSON(w, http.StatusNotFound, iamError(http.StatusNotFound, "Not Found", "Could not find group: "+id+"."))
		return
	}
	members := s.iam.groups[i].Members
	users := slices.DeleteFunc(s.iamUsers(), func(u keystoneUser) bool { return !slices.Contains(members, u.Name) })
	writeJSON(w, http.StatusOK, map[string]any{"users": users, "links": s.listLinks(r)})
}
