package swrtest

import (
	"fmt"
	"net/http"
	"slices"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// WithDuplicateSyncAnswer sets how a sync-rule create is answered when a
// rule to the same (remoteRegionId, remoteNamespace) already exists, which
// no source documents (swr-api.md §12): 409 SVCSTG.SWR.4091158 (the
// default), 400 SVCSTG.SWR.4000014, or 200 with nothing changed.
func WithDuplicateSyncAnswer(status int) Option {
	statusIn("WithDuplicateSyncAnswer", status, http.StatusConflict, http.StatusBadRequest, http.StatusOK)
	return func(c *config) { c.unpinned.duplicateSync = status }
}

// duplicateSyncAnswer answers the create of a sync rule that exists, as
// WithDuplicateSyncAnswer says; nil means a 2xx.
func (s *Server) duplicateSyncAnswer(region, ns string) *apiError {
	msg := fmt.Sprintf("sync rule to %s/%s already exists", region, ns)
	switch s.unpinned.duplicateSync {
	case http.StatusConflict:
		return swrError(http.StatusConflict, CodeSyncRepoExists, msg)
	case http.StatusBadRequest:
		return swrError(http.StatusBadRequest, CodeInvalidParam, msg)
	}
	return nil
}

// listRegions: GET /v2/manage/regions → 200 [{"regionID":…}].
func (s *Server) listRegions(w http.ResponseWriter, r *http.Request) {
	out := make([]swr.SyncRegion, len(s.syncRegions))
	for i, id := range s.syncRegions {
		out[i] = swr.SyncRegion{RegionID: id}
	}
	writeJSON(w, http.StatusOK, out)
}

// checkSyncTarget validates a (remoteRegionId, remoteNamespace) pair.
func (s *Server) checkSyncTarget(region, ns *string) *apiError {
	switch {
	case region == nil || ns == nil || *region == "" || *ns == "":
		return badParams("remoteRegionId and remoteNamespace are required")
	case !slices.Contains(s.syncRegions, *region):
		return badParams(fmt.Sprintf("remoteRegionId %q is not a sync region", *region))
	case swr.CheckNamespaceName(*ns) != nil:
		return swrError(http.StatusBadRequest, CodeInvalidNamespace, fmt.Sprintf("invalid remoteNamespace %q", *ns))
	}
	return nil
}

// listSyncRepos: GET …/sync_repo → 200, bare array (camelCase keys).
func (s *Server) listSyncRepos(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		out := slices.Clone(repo.syncRepos)
		if out == nil {
			out = []swr.SyncRepo{}
		}
		writeJSON(w, http.StatusOK, out)
		return nil
	})
}

// createSyncRepo: POST …/sync_repo → 200, empty body. Rules are keyed by
// (remoteRegionId, remoteNamespace); a duplicate is answered as
// WithDuplicateSyncAnswer says (409 by default) and changes nothing.
func (s *Server) createSyncRepo(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RemoteRegionID  *string `json:"remoteRegionId"`
		RemoteNamespace *string `json:"remoteNamespace"`
		SyncAuto        bool    `json:"syncAuto"`
		Override        bool    `json:"override"`
	}
	e := decodeBody(r, &body)
	if e == nil {
		e = s.checkSyncTarget(body.RemoteRegionID, body.RemoteNamespace)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		if repo.findSyncRepo(*body.RemoteRegionID, *body.RemoteNamespace) >= 0 {
			if e := s.duplicateSyncAnswer(*body.RemoteRegionID, *body.RemoteNamespace); e != nil {
				return e
			}
		} else {
			s.addSyncRepo(repo, *body.RemoteRegionID, *body.RemoteNamespace, body.SyncAuto, body.Override, s.now())
		}
		writeEmpty(w, http.StatusOK)
		return nil
	})
}

func (s *Server) addSyncRepo(repo *repository, region, ns string, auto, override bool, at time.Time) {
	s.st.nextSyncID++
	repo.syncRepos = append(repo.syncRepos, swr.SyncRepo{
		ID: s.st.nextSyncID, Namespace: repo.ns, RepoName: repo.name,
		RemoteRegionID: region, RemoteNamespace: ns, SyncAuto: auto, Override: override,
		DomainID: s.DomainID, DomainName: s.Domain, CreatedAt: formatTime(at), UpdatedAt: formatTime(at),
	})
}

// deleteSyncRepo: DELETE …/sync_repo with a body → 200; a rule that is
// gone is 400 {"errors":[{"errorCode":"SVCSTG.SWR.4001158",…}]}.
func (s *Server) deleteSyncRepo(w http.ResponseWriter, r *http.Request) {
	var body struct {
		RemoteRegionID  *string `json:"remoteRegionId"`
		RemoteNamespace *string `json:"remoteNamespace"`
	}
	e := decodeBody(r, &body)
	if e == nil && (body.RemoteRegionID == nil || body.RemoteNamespace == nil) {
		e = badParams("remoteRegionId and remoteNamespace are required")
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		i := repo.findSyncRepo(*body.RemoteRegionID, *body.RemoteNamespace)
		if i < 0 {
			return wrappedError(http.StatusBadRequest, CodeSyncRepoGone,
				fmt.Sprintf("sync rule to %s/%s does not exist", *body.RemoteRegionID, *body.RemoteNamespace))
		}
		repo.syncRepos = slices.Delete(repo.syncRepos, i, i+1)
		writeEmpty(w, http.StatusOK)
		return nil
	})
}

// syncImages: POST …/sync_images → 200 with the array of tags that failed
// ([] when all were copied). Tags the repository does not have fail.
func (s *Server) syncImages(w http.ResponseWriter, r *http.Request) {
	var body struct {
		ImageTag        []string `json:"imageTag"`
		RemoteRegionID  *string  `json:"remoteRegionId"`
		RemoteNamespace *string  `json:"remoteNamespace"`
		Override        bool     `json:"override"`
	}
	e := decodeBody(r, &body)
	if e == nil && len(body.ImageTag) == 0 {
		e = badParams("imageTag is required")
	}
	if e == nil {
		e = s.checkSyncTarget(body.RemoteRegionID, body.RemoteNamespace)
	}
	if e != nil {
		writeError(w, e)
		return
	}
	if s.peer(*body.RemoteRegionID) != nil {
		s.syncImagesToPeer(w, r, body.ImageTag, *body.RemoteRegionID, *body.RemoteNamespace, body.Override)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		failed := []string{}
		now := s.now()
		for _, tag := range body.ImageTag {
			status := "success"
			if _, ok := repo.findTag(tag); !ok {
				status = "failed"
				failed = append(failed, tag)
			}
			s.addSyncJob(repo, *body.RemoteRegionID, *body.RemoteNamespace, body.Override, tag, status, now)
		}
		writeJSON(w, http.StatusOK, failed)
		return nil
	})
}

func (s *Server) addSyncJob(repo *repository, region, ns string, override bool, tag, status string, at time.Time) {
	s.st.nextJobID++
	repo.syncJobs = append(repo.syncJobs, swr.SyncJob{
		CreatedAt: formatTime(at), DomainID: s.DomainID, DomainName: s.Domain, ID: s.st.nextJobID,
		Namespace: repo.ns, Override: override, RemoteNamespace: ns, RemoteRegionID: region,
		RepoName: repo.name, Status: status, SyncOperatorID: s.UserID, SyncOperatorName: s.UserName,
		Tag: tag, UpdatedAt: formatTime(at),
	})
}

// listSyncJobs: GET …/sync_job?filter=limit::N|offset::M[|order::desc] →
// 200, bare array + Content-Range. filter with limit and offset is required.
func (s *Server) listSyncJobs(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if !q.Has("filter") {
		writeError(w, swrError(http.StatusBadRequest, CodeInvalidFilter, "filter is required"))
		return
	}
	p, e := parseListParams(q, "limit", "offset", "order")
	if e == nil && (!p.has("limit") || !p.has("offset")) {
		e = swrError(http.StatusBadRequest, CodeInvalidFilter, "filter must hold limit and offset")
	}
	var pg page
	if e == nil {
		pg, e = parsePage(p, false)
	}
	desc := true
	if e == nil && p.has("order") {
		switch p.get("order") {
		case "asc":
			desc = false
		case "desc":
		default:
			e = swrError(http.StatusBadRequest, CodeInvalidFilter, fmt.Sprintf("invalid order %q", p.get("order")))
		}
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		total := len(repo.syncJobs)
		lo, hi := pg.window(total)
		out := make([]swr.SyncJob, 0, hi-lo)
		for i := lo; i < hi; i++ {
			j := i
			if desc {
				j = total - 1 - i
			}
			out = append(out, repo.syncJobs[j])
		}
		setContentRange(w, lo, len(out), total)
		writeJSON(w, http.StatusOK, out)
		return nil
	})
}
