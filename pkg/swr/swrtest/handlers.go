package swrtest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// routes maps every API of swr-api.md §2–§9 plus the emulated IAM calls.
// Path wildcards are {ns}, {repo} (in its "$" form), {tag}, {retention_id},
// {trigger}, {project_id} and {api_version}.
func (s *Server) routes() *http.ServeMux {
	m := http.NewServeMux()
	m.HandleFunc("GET /{$}", s.listVersions)
	m.HandleFunc("GET /{api_version}", s.showVersion)
	m.HandleFunc(iamTokensPattern, s.issueToken)
	m.HandleFunc("GET /v3/projects", s.listProjects)
	m.HandleFunc("GET /v3/users", s.listIAMUsers)
	m.HandleFunc("GET /v3/groups", s.listIAMGroups)
	m.HandleFunc("GET /v3/groups/{group_id}/users", s.listIAMGroupUsers)
	m.HandleFunc("GET /v2/manage/projects/{project_id}/quotas", s.listQuotas)
	m.HandleFunc("GET /v2/manage/regions", s.listRegions)

	const ns = "/v2/manage/namespaces"
	m.HandleFunc("POST "+ns, s.createNamespace)
	m.HandleFunc("GET "+ns, s.listNamespaces)
	m.HandleFunc("GET "+ns+"/{ns}", s.showNamespace)
	m.HandleFunc("DELETE "+ns+"/{ns}", s.deleteNamespace)
	m.HandleFunc("POST "+ns+"/{ns}/access", s.createNamespaceAccess)
	m.HandleFunc("GET "+ns+"/{ns}/access", s.showNamespaceAccess)
	m.HandleFunc("PATCH "+ns+"/{ns}/access", s.updateNamespaceAccess)
	m.HandleFunc("DELETE "+ns+"/{ns}/access", s.deleteNamespaceAccess)

	m.HandleFunc("GET /v2/manage/repos", s.listRepos)
	const repos = ns + "/{ns}/repos"
	const repo = repos + "/{repo}"
	m.HandleFunc("POST "+repos, s.createRepo)
	m.HandleFunc("GET "+repo, s.showRepo)
	m.HandleFunc("PATCH "+repo, s.updateRepo)
	m.HandleFunc("DELETE "+repo, s.deleteRepo)

	m.HandleFunc("GET "+repo+"/tags", s.listTags)
	m.HandleFunc("POST "+repo+"/tags", s.createTag)
	m.HandleFunc("GET "+repo+"/tags/{tag}", s.showTag)
	m.HandleFunc("DELETE "+repo+"/tags/{tag}", s.deleteTag)

	m.HandleFunc("POST "+repo+"/access", s.createRepoAccess)
	m.HandleFunc("GET "+repo+"/access", s.showRepoAccess)
	m.HandleFunc("PATCH "+repo+"/access", s.updateRepoAccess)
	m.HandleFunc("DELETE "+repo+"/access", s.deleteRepoAccess)

	m.HandleFunc("GET "+repo+"/retentions", s.listRetentions)
	m.HandleFunc("POST "+repo+"/retentions", s.createRetention)
	m.HandleFunc("GET "+repo+"/retentions/histories", s.listRetentionHistories)
	m.HandleFunc("GET "+repo+"/retentions/{retention_id}", s.showRetention)
	m.HandleFunc("PATCH "+repo+"/retentions/{retention_id}", s.updateRetention)
	m.HandleFunc("DELETE "+repo+"/retentions/{retention_id}", s.deleteRetention)

	m.HandleFunc("GET "+repo+"/triggers", s.listTriggers)
	m.HandleFunc("POST "+repo+"/triggers", s.createTrigger)
	m.HandleFunc("GET "+repo+"/triggers/{trigger}", s.showTrigger)
	m.HandleFunc("PATCH "+repo+"/triggers/{trigger}", s.updateTrigger)
	m.HandleFunc("DELETE "+repo+"/triggers/{trigger}", s.deleteTrigger)

	m.HandleFunc("GET "+repo+"/sync_repo", s.listSyncRepos)
	m.HandleFunc("POST "+repo+"/sync_repo", s.createSyncRepo)
	m.HandleFunc("DELETE "+repo+"/sync_repo", s.deleteSyncRepo)
	m.HandleFunc("POST "+repo+"/sync_images", s.syncImages)
	m.HandleFunc("GET "+repo+"/sync_job", s.listSyncJobs)
	return m
}

// decodeBody decodes the JSON body into v, refusing unknown fields and
// trailing data so that misspelled keys surface in tests.
func decodeBody(r *http.Request, v any) *apiError {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return badParams("cannot read request body")
	}
	if len(bytes.TrimSpace(data)) == 0 {
		return badParams("request body is required")
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return badParams("invalid request body: " + err.Error())
	}
	if dec.More() {
		return badParams("invalid request body: trailing data")
	}
	return nil
}

// repoName turns the {repo} path value back into the real name.
func repoName(r *http.Request) string { return strings.ReplaceAll(r.PathValue("repo"), "$", "/") }

// lookupNamespace finds {ns}; s.mu must be held.
func (s *Server) lookupNamespace(r *http.Request) (*namespace, *apiError) {
	name := r.PathValue("ns")
	n := s.st.namespaces[name]
	if n == nil && s.unpinned.foreign[name] && s.unpinned.foreignRead == http.StatusForbidden {
		return nil, swrError(http.StatusForbidden, CodeNotYourResource, fmt.Sprintf("namespace %s belongs to another account", name))
	}
	if n == nil {
		return nil, swrError(http.StatusNotFound, CodeNamespaceNotFound, fmt.Sprintf("namespace %s not found", name))
	}
	return n, nil
}

// lookupRepo finds {ns}/{repo}; s.mu must be held.
func (s *Server) lookupRepo(r *http.Request) (*repository, *apiError) {
	n, e := s.lookupNamespace(r)
	if e != nil {
		return nil, e
	}
	name := repoName(r)
	repo := s.st.repo(n.name, name)
	if repo == nil {
		return nil, swrError(http.StatusNotFound, CodeRepositoryNotFound, fmt.Sprintf("repository %s/%s not found", n.name, name))
	}
	return repo, nil
}

// withRepo runs f on {ns}/{repo} under the write lock (or the read lock
// when read is true) and writes the error it returns.
func (s *Server) withRepo(w http.ResponseWriter, r *http.Request, read bool, f func(*repository) *apiError) {
	if read {
		s.mu.RLock()
		defer s.mu.RUnlock()
	} else {
		s.mu.Lock()
		defer s.mu.Unlock()
	}
	repo, e := s.lookupRepo(r)
	if e == nil {
		e = f(repo)
	}
	if e != nil {
		writeError(w, e)
	}
}

// formatTime renders a time as SWR does: UTC, RFC 3339, variable fraction.
func formatTime(t time.Time) string { return t.UTC().Format(swr.TimeFormat) }

// registryHost is the docker registry host of the region.
func (s *Server) registryHost() string { return "swr." + s.Region + ".myhuaweicloud.com" }

// internalHost is the registry address SWR reports as internal_path.
const internalHost = "10.125.0.198:20202"
