package swrtest

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// tagDetail is the body of GET …/tags/{tag}: the list item with the tag
// name spelled "tag" in lower case.
type tagDetail struct {
	ID           int64   `json:"id"`
	RepoID       int64   `json:"repo_id"`
	Tag          string  `json:"tag"`
	ImageID      string  `json:"image_id"`
	Manifest     string  `json:"manifest"`
	Digest       string  `json:"digest"`
	Schema       int     `json:"schema"`
	Path         string  `json:"path"`
	InternalPath string  `json:"internal_path"`
	Size         int64   `json:"size"`
	IsTrusted    bool    `json:"is_trusted"`
	Created      string  `json:"created"`
	Updated      string  `json:"updated"`
	Deleted      *string `json:"deleted"`
	DomainID     string  `json:"domain_id"`
	Scanned      bool    `json:"scanned"`
	TagType      int     `json:"tag_type"`
}

// digestOf returns the manifest digest of a tag: the one it was seeded or
// re-tagged with, else one derived from the repository, the tag and its
// push time, so that a re-push changes it.
func digestOf(repo *repository, t tagRecord) string {
	if t.digest != "" {
		return t.digest
	}
	sum := sha256.Sum256(fmt.Appendf(nil, "%s/%s:%s@%d", repo.ns, repo.name, t.name, t.updated.UnixNano()))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// tagItem renders one tag.
func (s *Server) tagItem(repo *repository, t tagRecord) swr.Tag {
	digest := digestOf(repo, t)
	imageID := strings.TrimPrefix(digest, "sha256:")
	manifest := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.docker.distribution.manifest.v2+json","config":{"mediaType":"application/vnd.docker.container.image.v1+json","size":1024,"digest":"%s"},"layers":[]}`, digest)
	ref := repo.ns + "/" + repo.name + ":" + t.name
	return swr.Tag{
		ID: t.id, RepoID: repo.id, Tag: t.name, ImageID: imageID,
		Manifest: manifest, Digest: digest, Schema: 2,
		Path: s.registryHost() + "/" + ref, InternalPath: internalHost + "/" + ref,
		Size: t.size, Created: formatTime(t.created), Updated: formatTime(t.updated),
		DomainID: s.DomainID,
	}
}

func tagOrderColumns() map[string]string {
	return map[string]string{"updated_at": "updated_at", "tag": "tag"}
}

// listTags: GET …/repos/{repo}/tags → 200, bare array + Content-Range.
// Without offset and limit every tag is returned. The default order is
// push time descending, ties by tag name ascending; tag= matches a part of
// the name.
func (s *Server) listTags(w http.ResponseWriter, r *http.Request) {
	p, e := parseListParams(r.URL.Query(), "limit", "offset", "order_column", "order_type", "tag")
	var pg page
	col, desc := "updated_at", true
	if e == nil {
		pg, e = parsePage(p, true)
	}
	if e == nil && (p.has("order_column") || p.has("order_type")) {
		col, desc, e = parseOrder(p, tagOrderColumns())
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		var sel []tagRecord
		for _, t := range repo.tags {
			if strings.Contains(t.name, p.get("tag")) {
				sel = append(sel, t)
			}
		}
		slices.SortStableFunc(sel, func(a, b tagRecord) int {
			c := cmp.Compare(a.name, b.name)
			if col == "updated_at" {
				c = cmp.Or(a.updated.Compare(b.updated), -c)
			}
			if desc {
				return -c
			}
			return c
		})
		lo, hi := pg.window(len(sel))
		items := make([]swr.Tag, 0, hi-lo)
		for _, t := range sel[lo:hi] {
			items = append(items, s.tagItem(repo, t))
		}
		setContentRange(w, lo, len(items), len(sel))
		writeJSON(w, http.StatusOK, items)
		return nil
	})
}

func tagNotFound(repo *repository, tag string) *apiError {
	return swrError(http.StatusNotFound, CodeTagNotFound, fmt.Sprintf("tag %s of %s/%s not found", tag, repo.ns, repo.name))
}

// showTag: GET …/tags/{tag} → 200 with the lower-case "tag" key.
func (s *Server) showTag(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		i, ok := repo.findTag(r.PathValue("tag"))
		if !ok {
			return tagNotFound(repo, r.PathValue("tag"))
		}
		t := s.tagItem(repo, repo.tags[i])
		writeJSON(w, http.StatusOK, tagDetail{
			ID: t.ID, RepoID: t.RepoID, Tag: t.Tag, ImageID: t.ImageID, Manifest: t.Manifest,
			Digest: t.Digest, Schema: t.Schema, Path: t.Path, InternalPath: t.InternalPath,
			Size: t.Size, IsTrusted: t.IsTrusted, Created: t.Created, Updated: t.Updated,
			Deleted: t.Deleted, DomainID: t.DomainID, Scanned: t.Scanned, TagType: t.TagType,
		})
		return nil
	})
}

// deleteTag: DELETE …/tags/{tag} → 204.
func (s *Server) deleteTag(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		i, ok := repo.findTag(r.PathValue("tag"))
		if !ok {
			return tagNotFound(repo, r.PathValue("tag"))
		}
		repo.tags = slices.Delete(repo.tags, i, i+1)
		writeEmpty(w, http.StatusNoContent)
		return nil
	})
}

// createTag: POST …/tags with {"source_tag","destination_tag"[,"override"]}
// → 201. It points destination_tag at the image of source_tag (same
// digest and size), pushed now. A destination that exists is moved,
// unless override is false (then 409 SVCSTG.SWR.4090048: what SWR answers
// is not documented).
func (s *Server) createTag(w http.ResponseWriter, r *http.Request) {
	var body struct {
		SourceTag      string `json:"source_tag"`
		DestinationTag string `json:"destination_tag"`
		Override       *bool  `json:"override"`
	}
	e := decodeBody(r, &body)
	if e == nil && (swr.CheckTagName(body.SourceTag) != nil || swr.CheckTagName(body.DestinationTag) != nil) {
		e = badParams("source_tag and destination_tag must be valid tag names")
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		i, ok := repo.findTag(body.SourceTag)
		if !ok {
			return tagNotFound(repo, body.SourceTag)
		}
		if _, exists := repo.findTag(body.DestinationTag); exists && body.Override != nil && !*body.Override {
			return swrError(http.StatusConflict, CodeTagExists, fmt.Sprintf("tag %s of %s/%s exists and override is false", body.DestinationTag, repo.ns, repo.name))
		}
		src := repo.tags[i]
		s.pushLocked(repo, body.DestinationTag, src.size, digestOf(repo, src), s.now())
		writeEmpty(w, http.StatusCreated)
		return nil
	})
}

// pushLocked records a push of tag into repo and fires what a push fires:
// enabled triggers whose condition matches, each deploying the tag and
// recording the run in its trigger_history (result "success" unless
// SetTriggerResult says otherwise), and auto-sync rules.
func (s *Server) pushLocked(repo *repository, tag string, size int64, digest string, at time.Time) {
	s.st.pushTag(repo, tag, size, digest, at)
	for i := range repo.triggers {
		t := &repo.triggers[i]
		if t.Enabled() && triggerMatches(*t, tag) {
			res := deployResult{result: "success"}
			if r, ok := repo.deployResults[t.Name]; ok {
				res = r
			}
			t.TriggerHistory = append(t.TriggerHistory, swr.TriggerHistory{
				Action: t.Action, AppType: t.AppType, Application: t.Application,
				ClusterID: t.ClusterID, ClusterName: t.ClusterName, ClusterNs: t.ClusterNs,
				Condition: t.Condition, Container: t.Container, CreatedAt: formatTime(at),
				CreatorName: t.CreatorName, Detail: res.detail, Result: res.result, Tag: tag,
			})
		}
	}
	for _, rule := range repo.syncRepos {
		switch {
		case !rule.SyncAuto:
		case s.peer(rule.RemoteRegionID) != nil:
			i, _ := repo.findTag(tag)
			s.queueCopy(copyRequest{ns: repo.ns, repo: repo.name, region: rule.RemoteRegionID, remote: rule.RemoteNamespace,
				tag: tag, size: max(size, 1), digest: digestOf(repo, repo.tags[i]), override: rule.Override, at: at})
		default:
			s.addSyncJob(repo, rule.RemoteRegionID, rule.RemoteNamespace, rule.Override, tag, "success", at)
		}
	}
}
