package swrtest

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Seed adds seed to the server state. Namespaces that already exist are
// extended; a repository that already exists is an error. Seeding is
// atomic: on error nothing changes. It bypasses the namespace quota and
// does not execute retention policies.
func (s *Server) Seed(seed Seed) error {
	if err := seed.Validate(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if err := s.iamConflict(seed.IAM); err != nil {
		return err
	}
	for i, n := range seed.Namespaces {
		for j, r := range n.Repositories {
			if s.st.repo(n.Name, r.Name) != nil {
				return &SeedError{Path: fmt.Sprintf("namespaces[%d].repositories[%d].name", i, j),
					Msg: fmt.Sprintf("repository %s/%s already exists", n.Name, r.Name)}
			}
		}
	}
	now := s.now()
	var added []*repository
	for _, n := range seed.Namespaces {
		ns := s.st.namespaces[n.Name]
		if ns == nil {
			ns = s.st.addNamespace(n.Name, cmp.Or(n.Creator, s.UserName))
		}
		for _, g := range n.Grants {
			ns.grants = putGrant(ns.grants, swr.UserAuth(g))
		}
		for _, r := range n.Repositories {
			added = append(added, s.seedRepo(ns, r, now))
		}
	}
	s.st.appendRepos(added)
	s.addIAM(seed.IAM)
	return nil
}

// seedRepo builds a repository from its seed without inserting it.
func (s *Server) seedRepo(ns *namespace, r SeedRepository, now time.Time) *repository {
	s.st.nextRepoID++
	repo := &repository{
		id: s.st.nextRepoID, nsID: ns.id, ns: ns.name, name: r.Name,
		category: cmp.Or(r.Category, "other"), description: r.Description, isPublic: r.IsPublic,
		creator: ns.creator,
	}
	var oldest, newest time.Time
	repo.tags = make([]tagRecord, 0, len(r.Tags))
	for _, t := range r.Tags {
		at := now
		switch {
		case !t.Pushed.IsZero():
			at = t.Pushed
		case t.Age != "":
			age, _ := ParseAge(t.Age)
			at = now.Add(-age)
		}
		if oldest.IsZero() || at.Before(oldest) {
			oldest = at
		}
		if at.After(newest) {
			newest = at
		}
		s.st.nextTagID++
		repo.tags = append(repo.tags, tagRecord{id: s.st.nextTagID, name: t.Name, size: cmp.Or(t.Size, defaultTagSize(t.Name)), created: at, updated: at, digest: t.Digest})
	}
	slices.SortFunc(repo.tags, func(a, b tagRecord) int { return strings.Compare(a.name, b.name) })
	repo.created = cmp.Or(r.Created, oldest, now)
	repo.updated = cmp.Or(newest, repo.created)
	if newest.Before(repo.created) {
		repo.updated = repo.created
	}
	for _, g := range r.Grants {
		repo.grants = putGrant(repo.grants, swr.UserAuth(g))
	}
	if r.Retention != nil {
		rule, _ := r.Retention.rule()
		s.st.nextRetentionID++
		repo.retention = &swr.Retention{ID: s.st.nextRetentionID, Algorithm: "or", Rules: []swr.Rule{rule}}
	}
	for _, t := range r.Triggers {
		repo.triggers = append(repo.triggers, s.seedTrigger(t, repo.created))
	}
	slices.SortFunc(repo.triggers, func(a, b swr.Trigger) int { return strings.Compare(a.Name, b.Name) })
	for _, sr := range r.SyncRepos {
		s.addSyncRepo(repo, sr.RemoteRegionID, sr.RemoteNamespace, sr.SyncAuto, sr.Override, repo.created)
	}
	return repo
}

func (s *Server) seedTrigger(t SeedTrigger, created time.Time) swr.Trigger {
	out := swr.Trigger{
		Action: cmp.Or(t.Action, "update"), AppType: t.AppType, Application: t.Application,
		ClusterID: t.ClusterID, ClusterName: t.ClusterName, ClusterNs: t.ClusterNs,
		Condition: t.Condition, Container: t.Container, CreatedAt: formatTime(created),
		CreatorName: cmp.Or(t.Creator, s.UserName), Enable: t.Enable, Name: t.Name,
		TriggerMode: cmp.Or(t.TriggerMode, "cce"), TriggerType: t.TriggerType,
	}
	for _, h := range t.History {
		out.TriggerHistory = append(out.TriggerHistory, swr.TriggerHistory{
			Action: out.Action, AppType: out.AppType, Application: out.Application,
			ClusterID: out.ClusterID, ClusterName: out.ClusterName, ClusterNs: out.ClusterNs,
			Condition: out.Condition, Container: out.Container, CreatedAt: formatTime(h.At),
			CreatorName: out.CreatorName, Detail: h.Detail, Result: h.Result, Tag: h.Tag,
		})
	}
	return out
}

// defaultTagSize gives seeded and pushed tags a plausible, stable size.
func defaultTagSize(name string) int64 {
	var h int64 = 7
	for i := 0; i < len(name); i++ {
		h = h*31 + int64(name[i])
	}
	return 20<<20 + (h&0xffff)<<10
}

// PushTag records a docker push of ns/repo:tag at the given time: it
// creates the repository if it is missing (private, category "other"),
// moves the tag if it exists, and fires matching enabled triggers and
// auto-sync rules. The namespace must exist.
func (s *Server) PushTag(ns, repo, tag string, at time.Time) error {
	if swr.CheckRepositoryName(repo) != nil {
		return fmt.Errorf("push %s/%s:%s: invalid repository name", ns, repo, tag)
	}
	if swr.CheckTagName(tag) != nil {
		return fmt.Errorf("push %s/%s:%s: invalid tag name", ns, repo, tag)
	}
	s.mu.Lock()
	n := s.st.namespaces[ns]
	if n == nil {
		s.mu.Unlock()
		return fmt.Errorf("push %s/%s:%s: namespace does not exist", ns, repo, tag)
	}
	r := s.st.repo(ns, repo)
	if r == nil {
		r = s.st.addRepo(n, repo, at)
		r.creator = s.UserName
	}
	s.pushLocked(r, tag, defaultTagSize(tag), "", at)
	s.mu.Unlock()
	s.flushCopies()
	return nil
}

// SetTriggerResult makes the later runs of trigger name of ns/repo record
// result ("success" or "failed") with detail in its trigger_history, as
// when the workload it updates cannot pull the image.
func (s *Server) SetTriggerResult(ns, repo, name, result, detail string) error {
	if result != "success" && result != "failed" {
		return fmt.Errorf("trigger result %q: want success or failed", result)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.st.repo(ns, repo)
	if r == nil {
		return fmt.Errorf("repository %s/%s does not exist", ns, repo)
	}
	if _, ok := r.findTrigger(name); !ok {
		return fmt.Errorf("trigger %s of %s/%s does not exist", name, ns, repo)
	}
	if r.deployResults == nil {
		r.deployResults = map[string]deployResult{}
	}
	r.deployResults[name] = deployResult{result: result, detail: detail}
	return nil
}

// Reset removes every namespace, repository and token and forgets the
// request log; credentials and options stay.
func (s *Server) Reset() {
	s.mu.Lock()
	s.st = newStore()
	s.mu.Unlock()
	s.tokens.mu.Lock()
	s.tokens.expiry = nil
	s.tokens.mu.Unlock()
	s.ResetLog()
}
