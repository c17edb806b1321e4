package swrtest

import (
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"
)

// Cloud is several regions of one account, each served by its own Server
// with its own endpoint: one process, several regional SWRs. The servers
// share the credentials, the domain and the user (Huawei Cloud AK/SK are
// global to a user); each has its region's project id. A sync task or a
// manual sync from one region to another region of the Cloud really
// copies the tags into that region's registry:
//
//   - POST …/sync_images copies the named tags now; a tag the replica
//     already holds is left alone unless override is set (job status
//     "existed"); a tag the source does not hold, or a remote namespace
//     that does not exist in the replica, fails;
//   - a push (PushTag, POST …/tags, /_emulator/push) into a repository
//     with an auto-sync task copies the pushed tag the same way;
//   - the copy is a push into the replica (created now, the replica
//     repository created when missing) that fires nothing there, so
//     tasks in both directions never loop.
//
// Every copy is recorded as a sync job of the source repository. Regions
// outside the Cloud that a server offers as sync targets keep the
// single-server behaviour: a job is recorded and nothing is copied.
type Cloud struct {
	servers []*Server
}

// NewCloud starts one Server per region (see NewServer). opts apply to
// every server; WithRegion and WithProjectID among them are overridden
// per region. A region may be given as "region/project" for a further
// project in a region: a server of its own, with its own project id,
// sharing the region's name (copies into that region go to the region's
// first server). Call Close when done.
func NewCloud(regions []string, opts ...Option) *Cloud {
	c := NewUnstartedCloud(regions, opts...)
	for _, s := range c.servers {
		s.Start()
	}
	return c
}

// NewUnstartedCloud is NewCloud without starting the servers: serve each
// server's Handler yourself and set its URL. It panics when regions is
// empty or names a region twice, as a broken fixture is a bug.
func NewUnstartedCloud(regions []string, opts ...Option) *Cloud {
	if len(regions) == 0 {
		panic("swrtest: NewCloud needs at least one region")
	}
	shared := []Option{WithCredentials(strings.ToUpper(randomHex(10)), randomHex(20)), WithUser(DefaultUserName, randomHex(12))}
	c := &Cloud{}
	links := &regionLinks{peers: map[string]*Server{}, failing: map[string]bool{}}
	for i, spec := range regions {
		if spec == "" || slices.Contains(regions[:i], spec) {
			panic("swrtest: NewCloud: region " + spec + " is empty or named twice")
		}
		region, project, _ := strings.Cut(spec, "/")
		id := ""
		if project != "" {
			id = derivedID("project", spec)
		}
		all := append(append(slices.Clone(shared), opts...), WithRegion(region), WithProjectID(id))
		s := NewUnstartedServer(all...)
		for _, other := range regions {
			other, _, _ = strings.Cut(other, "/")
			if other != region && !slices.Contains(s.syncRegions, other) {
				s.syncRegions = append(s.syncRegions, other)
			}
		}
		s.links = links
		if links.peers[region] == nil {
			links.peers[region] = s
		}
		c.servers = append(c.servers, s)
	}
	return c
}

// Close stops every started server.
func (c *Cloud) Close() {
	for _, s := range c.servers {
		s.Close()
	}
}

// Regions lists the servers' regions in the order NewCloud was given
// them (a region with several projects once per project).
func (c *Cloud) Regions() []string {
	out := make([]string, len(c.servers))
	for i, s := range c.servers {
		out[i] = s.Region
	}
	return out
}

// Servers returns the servers in region order.
func (c *Cloud) Servers() []*Server { return slices.Clone(c.servers) }

// Region returns the (first) server of region, or nil.
func (c *Cloud) Region(region string) *Server {
	for _, s := range c.servers {
		if s.Region == region {
			return s
		}
	}
	return nil
}

// Project returns the server of project id, or nil.
func (c *Cloud) Project(id string) *Server {
	for _, s := range c.servers {
		if s.ProjectID == id {
			return s
		}
	}
	return nil
}

// Writes is the sum of the servers' Writes.
func (c *Cloud) Writes() int {
	n := 0
	for _, s := range c.servers {
		n += s.Writes()
	}
	return n
}

// SetSyncFailing makes every copy into region fail (true) or work again
// (false): a replica that silently stopped syncing. Failed copies are
// recorded as sync jobs with status "failed".
func (c *Cloud) SetSyncFailing(region string, failing bool) {
	if len(c.servers) == 0 {
		return
	}
	l := c.servers[0].links
	l.mu.Lock()
	defer l.mu.Unlock()
	l.failing[region] = failing
}

// regionLinks connects the servers of one Cloud.
type regionLinks struct {
	peers map[string]*Server // fixed once the Cloud is built

	mu      sync.Mutex
	failing map[string]bool
}

func (l *regionLinks) isFailing(region string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.failing[region]
}

// peer returns the server of region when s belongs to a Cloud holding it.
func (s *Server) peer(region string) *Server {
	if s.links == nil || region == s.Region {
		return nil
	}
	return s.links.peers[region]
}

// copyRequest is one tag to copy into another region, and where from.
type copyRequest struct {
	ns, repo       string // source repository
	region, remote string // replica region and namespace
	tag            string
	size           int64  // 0: the source does not hold the tag
	digest         string // the source tag's image, which the copy holds too
	override       bool
	at             time.Time
}

// replicate copies tags into the replica of each request and records a
// sync job per tag in the source repository. s.mu must not be held: the
// replica's lock is taken first, then s's, never both at once.
func (s *Server) replicate(reqs []copyRequest) []string {
	statuses := make([]string, len(reqs))
	for i, req := range reqs {
		statuses[i] = s.peer(req.region).receive(req, s.links.isFailing(req.region))
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var failed []string
	for i, req := range reqs {
		if statuses[i] == "failed" {
			failed = append(failed, req.tag)
		}
		if repo := s.st.repo(req.ns, req.repo); repo != nil {
			s.addSyncJob(repo, req.region, req.remote, req.override, req.tag, statuses[i], req.at)
		}
	}
	return failed
}

// receive stores one copied tag in s (the replica) and returns the job
// status: success, existed or failed.
func (s *Server) receive(req copyRequest, failing bool) string {
	if failing || req.size == 0 {
		return "failed"
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.st.namespaces[req.remote]
	if n == nil {
		return "failed"
	}
	r := s.st.repo(req.remote, req.repo)
	now := s.now()
	if r == nil {
		r = s.st.addRepo(n, req.repo, now)
		r.creator = s.UserName
	}
	if _, ok := r.findTag(req.tag); ok && !req.override {
		return "existed"
	}
	s.st.pushTag(r, req.tag, req.size, req.digest, now)
	return "success"
}

// queueCopy records, under s.mu, a copy to make once the lock is
// released (flushCopies).
func (s *Server) queueCopy(req copyRequest) { s.outbox = append(s.outbox, req) }

// flushCopies makes the copies queued by pushes. s.mu must not be held.
func (s *Server) flushCopies() {
	if s.links == nil {
		return
	}
	s.mu.Lock()
	reqs := s.outbox
	s.outbox = nil
	s.mu.Unlock()
	if len(reqs) > 0 {
		s.replicate(reqs)
	}
}

// syncImagesToPeer serves POST …/sync_images into another region of the
// Cloud: the tags are copied before the answer, which lists the failed
// ones.
func (s *Server) syncImagesToPeer(w http.ResponseWriter, r *http.Request, tags []string, region, remote string, override bool) {
	var reqs []copyRequest
	found := false
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		found = true
		now := s.now()
		for _, tag := range tags {
			req := copyRequest{ns: repo.ns, repo: repo.name, region: region, remote: remote, tag: tag, override: override, at: now}
			if i, ok := repo.findTag(tag); ok {
				req.size, req.digest = max(repo.tags[i].size, 1), digestOf(repo, repo.tags[i])
			}
			reqs = append(reqs, req)
		}
		return nil
	})
	if !found {
		return
	}
	failed := s.replicate(reqs)
	if failed == nil {
		failed = []string{}
	}
	writeJSON(w, http.StatusOK, failed)
}
