package swrtest

import (
	"slices"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Snapshot is a deep copy of the whole registry state, for assertions.
// Namespaces are ordered by name, repositories by name, tags by name.
type Snapshot struct {
	Namespaces []NamespaceState `json:"namespaces"`
}

// NamespaceState is one namespace of a Snapshot.
type NamespaceState struct {
	ID           int32             `json:"id"`
	Name         string            `json:"name"`
	CreatorName  string            `json:"creator_name"`
	Grants       []swr.UserAuth    `json:"grants"`
	Repositories []RepositoryState `json:"repositories"`
}

// RepositoryState is one repository of a Snapshot.
type RepositoryState struct {
	ID          int64              `json:"id"`
	Namespace   string             `json:"namespace"`
	Name        string             `json:"name"`
	Category    string             `json:"category"`
	Description string             `json:"description"`
	IsPublic    bool               `json:"is_public"`
	CreatorName string             `json:"creator_name"`
	Created     time.Time          `json:"created"`
	Updated     time.Time          `json:"updated"`
	Tags        []TagState         `json:"tags"`
	Grants      []swr.UserAuth     `json:"grants"`
	Retention   *swr.Retention     `json:"retention"`
	Histories   []swr.RetentionLog `json:"histories"` // oldest first
	Triggers    []swr.Trigger      `json:"triggers"`
	SyncRepos   []swr.SyncRepo     `json:"sync_repos"`
	SyncJobs    []swr.SyncJob      `json:"sync_jobs"` // oldest first
}

// TagState is one tag of a RepositoryState.
type TagState struct {
	Name    string    `json:"name"`
	Size    int64     `json:"size"`
	Digest  string    `json:"digest"`
	Created time.Time `json:"created"`
	Pushed  time.Time `json:"pushed"`
}

// State returns a deep copy of the registry state.
func (s *Server) State() Snapshot {
	s.mu.RLock()
	defer s.mu.RUnlock()
	var snap Snapshot
	for _, n := range sortedNamespaces(s.st.namespaces) {
		ns := NamespaceState{ID: n.id, Name: n.name, CreatorName: n.creator, Grants: slices.Clone(n.grants)}
		lo, hi := s.st.namespaceRange(n.name)
		for _, r := range s.st.repos[lo:hi] {
			ns.Repositories = append(ns.Repositories, repoState(r))
		}
		snap.Namespaces = append(snap.Namespaces, ns)
	}
	return snap
}

func repoState(r *repository) RepositoryState {
	out := RepositoryState{
		ID: r.id, Namespace: r.ns, Name: r.name, Category: r.category, Description: r.description,
		IsPublic: r.isPublic, CreatorName: r.creator, Created: r.created, Updated: r.updated,
		Grants: slices.Clone(r.grants), Histories: slices.Clone(r.histories),
		SyncRepos: slices.Clone(r.syncRepos), SyncJobs: slices.Clone(r.syncJobs),
	}
	for _, t := range r.tags {
		out.Tags = append(out.Tags, TagState{Name: t.name, Size: t.size, Digest: digestOf(r, t), Created: t.created, Pushed: t.updated})
	}
	if r.retention != nil {
		rt := cloneRetention(r.retention)
		out.Retention = &rt
	}
	for _, t := range r.triggers {
		out.Triggers = append(out.Triggers, cloneTrigger(t))
	}
	return out
}

// Namespace returns the namespace called name.
func (s Snapshot) Namespace(name string) (NamespaceState, bool) {
	for _, n := range s.Namespaces {
		if n.Name == name {
			return n, true
		}
	}
	return NamespaceState{}, false
}

// Repository returns the repository ns/name (name with "/", not "$").
func (s Snapshot) Repository(ns, name string) (RepositoryState, bool) {
	n, ok := s.Namespace(ns)
	if !ok {
		return RepositoryState{}, false
	}
	for _, r := range n.Repositories {
		if r.Name == name {
			return r, true
		}
	}
	return RepositoryState{}, false
}

// RepositoryCount returns the number of repositories in all namespaces.
func (s Snapshot) RepositoryCount() int {
	n := 0
	for _, ns := range s.Namespaces {
		n += len(ns.Repositories)
	}
	return n
}

// TagNames returns the names of the repository's tags in name order.
func (r RepositoryState) TagNames() []string {
	out := make([]string, len(r.Tags))
	for i, t := range r.Tags {
		out[i] = t.Name
	}
	return out
}
