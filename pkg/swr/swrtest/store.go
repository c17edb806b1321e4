package swrtest

import (
	"cmp"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// store is the registry state. Every method expects the Server's mutex to
// be held (read or write as the method implies).
type store struct {
	namespaces map[string]*namespace
	// repos is ordered by (namespace, name) so that a page of the listing
	// is a sub-slice and a namespace is a contiguous range.
	repos     []*repository
	repoIndex map[repoKey]*repository
	users     map[string]*user // seeded IAM users by access key

	nextNamespaceID int32
	nextRepoID      int64
	nextTagID       int64
	nextRetentionID int
	nextHistoryID   int64
	nextSyncID      int64
	nextJobID       int64
}

type repoKey struct{ ns, name string }

type namespace struct {
	id      int32
	name    string
	creator string
	grants  []swr.UserAuth // others_auths, ordered by user id
	repos   int
}

type repository struct {
	id          int64
	nsID        int32
	ns          string
	name        string
	category    string
	description string
	isPublic    bool
	creator     string
	created     time.Time
	updated     time.Time
	tags        []tagRecord // ordered by name
	grants      []swr.UserAuth
	retention   *swr.Retention
	histories   []swr.RetentionLog // oldest first
	triggers    []swr.Trigger      // ordered by name
	// deployResults overrides the outcome of a trigger's runs, by
	// trigger name: what SetTriggerResult set.
	deployResults map[string]deployResult
	syncRepos     []swr.SyncRepo // ordered by creation
	syncJobs      []swr.SyncJob  // oldest first
}

type tagRecord struct {
	id      int64
	name    string
	size    int64
	created time.Time
	updated time.Time // push time
	// digest is the image's manifest digest; empty means one derived
	// from the repository, the tag and its push time (a distinct image).
	digest string
}

func newStore() *store {
	return &store{
		namespaces: map[string]*namespace{},
		repoIndex:  map[repoKey]*repository{},
		users:      map[string]*user{},
	}
}

func compareRepo(r *repository, k repoKey) int {
	if c := strings.Compare(r.ns, k.ns); c != 0 {
		return c
	}
	return strings.Compare(r.name, k.name)
}

func (st *store) addNamespace(name, creator string) *namespace {
	st.nextNamespaceID++
	n := &namespace{id: st.nextNamespaceID, name: name, creator: creator}
	st.namespaces[name] = n
	return n
}

func (st *store) repo(ns, name string) *repository { return st.repoIndex[repoKey{ns, name}] }

// addRepo creates a repository in namespace n; it must not exist yet.
func (st *store) addRepo(n *namespace, name string, now time.Time) *repository {
	st.nextRepoID++
	r := &repository{id: st.nextRepoID, nsID: n.id, ns: n.name, name: name, category: "other",
		creator: n.creator, created: now, updated: now}
	k := repoKey{n.name, name}
	i, _ := slices.BinarySearchFunc(st.repos, k, compareRepo)
	st.repos = slices.Insert(st.repos, i, r)
	st.repoIndex[k] = r
	n.repos++
	return r
}

// appendRepos adds many repositories at once and restores the order with
// one sort, for seeding.
func (st *store) appendRepos(rs []*repository) {
	for _, r := range rs {
		st.repos = append(st.repos, r)
		st.repoIndex[repoKey{r.ns, r.name}] = r
		st.namespaces[r.ns].repos++
	}
	slices.SortFunc(st.repos, func(a, b *repository) int { return compareRepo(a, repoKey{b.ns, b.name}) })
}

func (st *store) removeRepo(r *repository) {
	k := repoKey{r.ns, r.name}
	if i, ok := slices.BinarySearchFunc(st.repos, k, compareRepo); ok {
		st.repos = slices.Delete(st.repos, i, i+1)
	}
	delete(st.repoIndex, k)
	st.namespaces[r.ns].repos--
}

// namespaceRange returns the half-open range of st.repos holding ns.
func (st *store) namespaceRange(ns string) (lo, hi int) {
	lo, _ = slices.BinarySearchFunc(st.repos, repoKey{ns, ""}, compareRepo)
	hi = lo + sort.Search(len(st.repos)-lo, func(i int) bool { return st.repos[lo+i].ns != ns })
	return lo, hi
}

func (r *repository) findTag(name string) (int, bool) {
	return slices.BinarySearchFunc(r.tags, name, func(t tagRecord, n string) int { return strings.Compare(t.name, n) })
}

// deployResult is the outcome recorded for a trigger's runs.
type deployResult struct{ result, detail string }

// pushTag creates or moves a tag, as docker push does; digest is the
// pushed image's (empty: a new image of its own).
func (st *store) pushTag(r *repository, name string, size int64, digest string, at time.Time) {
	i, ok := r.findTag(name)
	if ok {
		r.tags[i].updated = at
		r.tags[i].size = size
		r.tags[i].digest = digest
	} else {
		st.nextTagID++
		r.tags = slices.Insert(r.tags, i, tagRecord{id: st.nextTagID, name: name, size: size, created: at, updated: at, digest: digest})
	}
	if at.After(r.updated) {
		r.updated = at
	}
}

func (r *repository) size() int64 {
	var n int64
	for _, t := range r.tags {
		n += t.size
	}
	return n
}

func (r *repository) findTrigger(name string) (int, bool) {
	return slices.BinarySearchFunc(r.triggers, name, func(t swr.Trigger, n string) int { return strings.Compare(t.Name, n) })
}

func (r *repository) findSyncRepo(region, ns string) int {
	return slices.IndexFunc(r.syncRepos, func(s swr.SyncRepo) bool {
		return s.RemoteRegionID == region && s.RemoteNamespace == ns
	})
}

// grant lists are kept ordered by user id.
func findGrant(gs []swr.UserAuth, userID string) (int, bool) {
	return slices.BinarySearchFunc(gs, userID, func(g swr.UserAuth, id string) int { return strings.Compare(g.UserID, id) })
}

func putGrant(gs []swr.UserAuth, g swr.UserAuth) []swr.UserAuth {
	i, ok := findGrant(gs, g.UserID)
	if ok {
		gs[i] = g
		return gs
	}
	return slices.Insert(gs, i, g)
}

func sortedNamespaces(m map[string]*namespace) []*namespace {
	out := make([]*namespace, 0, len(m))
	for _, n := range m {
		out = append(out, n)
	}
	slices.SortFunc(out, func(a, b *namespace) int { return cmp.Compare(a.name, b.name) })
	return out
}
