package swrtest

import (
	"cmp"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// categories are the documented repository categories (swr-api.md §4.1).
func validCategory(c string) bool {
	switch c {
	// "arm" is the documented value, "arms" the one in the official SDK's
	// enum (swr-api.md §11): a request may carry either.
	case "app_server", "linux", "framework_app", "database", "lang", "other", "windows", "arm", "arms":
		return true
	}
	return false
}

// createRepo: POST …/namespaces/{ns}/repos → 200, empty body.
func (s *Server) createRepo(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Repository  *string `json:"repository"`
		IsPublic    *bool   `json:"is_public"`
		Category    *string `json:"category"`
		Description *string `json:"description"`
	}
	e := decodeBody(r, &body)
	switch {
	case e != nil:
	case body.Repository == nil || body.IsPublic == nil:
		e = badParams("repository and is_public are required")
	case swr.CheckRepositoryName(*body.Repository) != nil:
		e = swrError(http.StatusBadRequest, CodeInvalidRepository, fmt.Sprintf("invalid repository name %q", *body.Repository))
	case body.Category != nil && *body.Category != "" && !validCategory(*body.Category):
		e = badParams(fmt.Sprintf("invalid category %q", *body.Category))
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, e := s.lookupNamespace(r)
	if e == nil && s.st.repo(n.name, *body.Repository) != nil {
		e = swrError(http.StatusConflict, CodeRepositoryExists, fmt.Sprintf("repository %s/%s already exists", n.name, *body.Repository))
	}
	if e != nil {
		writeError(w, e)
		return
	}
	repo := s.st.addRepo(n, *body.Repository, s.now())
	repo.creator = s.UserName
	repo.isPublic = *body.IsPublic
	if body.Category != nil && *body.Category != "" {
		repo.category = *body.Category
	}
	if body.Description != nil {
		repo.description = *body.Description
	}
	writeEmpty(w, http.StatusOK)
}

// showRepo: GET …/repos/{repo} → 200 with created/updated keys.
func (s *Server) showRepo(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, true, func(repo *repository) *apiError {
		writeJSON(w, http.StatusOK, swr.RepositoryDetail{
			ID: repo.id, NsID: int64(repo.nsID), Name: repo.name, Category: repo.category,
			Description: repo.description, CreatorID: s.UserID, CreatorName: repo.creator,
			Size: repo.size(), IsPublic: repo.isPublic, NumImages: int64(len(repo.tags)),
			Path:         s.registryHost() + "/" + repo.ns + "/" + repo.name,
			InternalPath: internalHost + "/" + repo.ns + "/" + repo.name,
			Created:      formatTime(repo.created), Updated: formatTime(repo.updated),
			DomainID: s.DomainID,
		})
		return nil
	})
}

// updateRepo: PATCH …/repos/{repo} → 201. is_public is required; absent
// category and description keep their values.
func (s *Server) updateRepo(w http.ResponseWriter, r *http.Request) {
	var body struct {
		IsPublic    *bool   `json:"is_public"`
		Category    *string `json:"category"`
		Description *string `json:"description"`
	}
	e := decodeBody(r, &body)
	switch {
	case e != nil:
	case body.IsPublic == nil:
		e = badParams("is_public is required")
	case body.Category != nil && *body.Category != "" && !validCategory(*body.Category):
		e = badParams(fmt.Sprintf("invalid category %q", *body.Category))
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		repo.isPublic = *body.IsPublic
		if body.Category != nil && *body.Category != "" {
			repo.category = *body.Category
		}
		if body.Description != nil {
			repo.description = *body.Description
		}
		repo.updated = s.now()
		writeEmpty(w, http.StatusCreated)
		return nil
	})
}

// deleteRepo: DELETE …/repos/{repo} → 204, with its tags, rules and grants.
func (s *Server) deleteRepo(w http.ResponseWriter, r *http.Request) {
	s.withRepo(w, r, false, func(repo *repository) *apiError {
		s.st.removeRepo(repo)
		writeEmpty(w, http.StatusNoContent)
		return nil
	})
}

// repoOrderColumns maps accepted order_column values to a sort column.
func repoOrderColumns() map[string]string {
	return map[string]string{
		"updated_time": "updated", "updated_at": "updated", "name": "name",
		"tag_count": "tag_count", "namespace": "namespace", "is_public": "is_public",
	}
}

// repoFilter holds the criteria of a repository listing.
type repoFilter struct {
	namespace  string
	nsFuzzy    bool
	name       string
	category   string
	isPublic   *bool
	exactNsSet bool
	// thirdParty is center::thirdparty: images of other accounts, which
	// the emulator has none of. center::self, the default, is the
	// account's own.
	thirdParty bool
}

// narrowsBeyondNamespace reports whether matching needs more than the
// namespace range.
func (f repoFilter) narrowsBeyondNamespace() bool {
	return f.nsFuzzy || f.name != "" || f.category != "" || f.isPublic != nil
}

func (f repoFilter) match(r *repository) bool {
	switch {
	case f.nsFuzzy && !strings.Contains(r.ns, f.namespace):
		return false
	case f.name != "" && !strings.Contains(r.name, f.name):
		return false
	case f.category != "" && r.category != f.category:
		return false
	case f.isPublic != nil && r.isPublic != *f.isPublic:
		return false
	}
	return true
}

func parseRepoFilter(p listParams) (repoFilter, *apiError) {
	f := repoFilter{namespace: p.get("namespace"), name: p.get("name"), category: p.get("category")}
	if f.namespace != "" {
		// The namespace matches exactly as a plain parameter and fuzzily
		// inside filter=, as the docs describe.
		f.nsFuzzy, f.exactNsSet = p.fromFilter, !p.fromFilter
	}
	if f.category != "" && !validCategory(f.category) {
		return f, badParams(fmt.Sprintf("invalid category %q", f.category))
	}
	switch p.get("center") {
	case "", "self":
	case "thirdparty":
		f.thirdParty = true
	default:
		return f, swrError(http.StatusBadRequest, CodeInvalidFilter, fmt.Sprintf("invalid center %q: want self or thirdparty", p.get("center")))
	}
	if p.has("is_public") {
		b, err := strconv.ParseBool(p.get("is_public"))
		if err != nil {
			return f, badParams(fmt.Sprintf("invalid is_public %q", p.get("is_public")))
		}
		f.isPublic = &b
	}
	return f, nil
}

// listRepos: GET /v2/manage/repos → 200, bare array + Content-Range, each
// item carrying total_range. The default order is (namespace, name)
// ascending, so a page of an unfiltered or namespace-filtered listing is
// a slice of the ordered index and costs O(log N + limit).
func (s *Server) listRepos(w http.ResponseWriter, r *http.Request) {
	p, e := parseListParams(r.URL.Query(), "namespace", "name", "category", "center", "limit", "offset", "order_column", "order_type", "is_public")
	var pg page
	var f repoFilter
	var col string
	var desc bool
	if e == nil {
		pg, e = parsePage(p, false)
	}
	if e == nil {
		f, e = parseRepoFilter(p)
	}
	if e == nil {
		col, desc, e = parseOrder(p, repoOrderColumns())
	}
	if e != nil {
		writeError(w, e)
		return
	}
	s.mu.RLock()
	candidates := s.st.repos
	if f.thirdParty {
		candidates = nil
	}
	if f.exactNsSet {
		lo, hi := s.st.namespaceRange(f.namespace)
		candidates = candidates[lo:hi]
	}
	var selected []*repository
	var total int
	switch {
	case col != "":
		for _, repo := range candidates {
			if f.match(repo) {
				selected = append(selected, repo)
			}
		}
		sortRepos(selected, col, desc)
		total = len(selected)
		lo, hi := pg.window(total)
		selected = selected[lo:hi]
	case f.narrowsBeyondNamespace():
		lo, hi := pg.window(len(candidates))
		for _, repo := range candidates {
			if !f.match(repo) {
				continue
			}
			if total >= lo && total < hi {
				selected = append(selected, repo)
			}
			total++
		}
	default:
		total = len(candidates)
		lo, hi := pg.window(total)
		selected = candidates[lo:hi]
	}
	items := make([]swr.Repository, len(selected))
	for i, repo := range selected {
		items[i] = s.repoListItem(repo, int64(total))
	}
	s.mu.RUnlock()
	offset, _ := pg.window(total)
	setContentRange(w, offset, len(items), total)
	writeJSON(w, http.StatusOK, items)
}

func (s *Server) repoListItem(repo *repository, total int64) swr.Repository {
	tags := make([]string, len(repo.tags))
	for i, t := range repo.tags {
		tags[i] = t.name
	}
	return swr.Repository{
		Name: repo.name, Category: repo.category, Description: repo.description,
		Size: repo.size(), IsPublic: repo.isPublic, NumImages: int64(len(repo.tags)),
		CreatedAt: formatTime(repo.created), UpdatedAt: formatTime(repo.updated),
		Path:         s.registryHost() + "/" + repo.ns + "/" + repo.name,
		InternalPath: internalHost + "/" + repo.ns + "/" + repo.name,
		DomainName:   s.Domain, Namespace: repo.ns, Tags: tags, TotalRange: total,
	}
}

func sortRepos(rs []*repository, col string, desc bool) {
	slices.SortStableFunc(rs, func(a, b *repository) int {
		var c int
		switch col {
		case "updated":
			c = a.updated.Compare(b.updated)
		case "name":
			c = cmp.Compare(a.name, b.name)
		case "tag_count":
			c = cmp.Compare(len(a.tags), len(b.tags))
		case "namespace":
			c = cmp.Compare(a.ns, b.ns)
		case "is_public":
			c = cmp.Compare(boolInt(a.isPublic), boolInt(b.isPublic))
		}
		if desc {
			c = -c
		}
		return c
	})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}
