package grantplan

import (
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Grants is the access a directory asks for, keyed by user id.
type Grants struct {
	// Namespaces maps a namespace to the grants wanted on it.
	Namespaces map[string]map[string]swr.UserAuth
	// Repositories maps a "namespace/repository" key (see
	// directory.RepositoryKey) to the grants wanted on that repository.
	Repositories map[string]map[string]swr.UserAuth
}

// Desired returns the union of every team's grants. A user in several
// teams gets the highest level any of them gives (manage 7 > write 3 >
// read 1), separately per namespace and per repository. Members without
// an id (given by name, not yet looked up in IAM) get nothing, and a
// team's IAM group counts only through the members it was resolved into.
func Desired(d *directory.Directory) Grants {
	g := Grants{
		Namespaces:   map[string]map[string]swr.UserAuth{},
		Repositories: map[string]map[string]swr.UserAuth{},
	}
	if d == nil {
		return g
	}
	for _, team := range d.Teams {
		for _, m := range team.Members {
			for ns, level := range team.Namespaces {
				raise(g.Namespaces, ns, m, level)
			}
			for key, level := range team.Repositories {
				raise(g.Repositories, key, m, level)
			}
		}
	}
	return g
}

// raise records m's level on target unless m already has a higher one.
func raise(grants map[string]map[string]swr.UserAuth, target string, m directory.Member, level directory.Level) {
	if m.ID == "" {
		return
	}
	users := grants[target]
	if users == nil {
		users = map[string]swr.UserAuth{}
		grants[target] = users
	}
	if have, ok := users[m.ID]; ok && have.Auth >= int(level) {
		return
	}
	users[m.ID] = swr.UserAuth{UserID: m.ID, UserName: m.Name, Auth: int(level)}
}

// ByUser keys a list of grants by user id, the highest level winning when
// a user appears twice; entries without an id are dropped.
func ByUser(list []swr.UserAuth) map[string]swr.UserAuth {
	out := make(map[string]swr.UserAuth, len(list))
	for _, u := range list {
		if have, ok := out[u.UserID]; u.UserID == "" || (ok && have.Auth >= u.Auth) {
			continue
		}
		out[u.UserID] = u
	}
	return out
}
