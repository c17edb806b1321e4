package swr

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"strconv"
)

// RepositoriesService manages repositories and their tags (swr-api.md §4).
type RepositoriesService struct{ client *Client }

// ListReposOptions filters and pages GET /v2/manage/repos. Zero fields are
// not sent; Offset and Limit are always sent together.
type ListReposOptions struct {
	Namespace   string // organization
	Name        string // repository name; SWR matches it fuzzily
	Category    string // app_server, linux, framework_app, database, lang, other, windows, arm
	IsPublic    *bool  // only public (true) or private (false) repositories
	OrderColumn string // updated_time, name or tag_count; requires OrderType
	OrderType   string // desc or asc; requires OrderColumn
	Offset      int    // 0-based index of the first repository: 0 or a multiple of Limit for List, any for All
	Limit       int    // page size: 0 means DefaultPageSize, at most MaxPageSize
}

func (o *ListReposOptions) query() (url.Values, int, int, error) {
	q, offset, limit, err := pageQuery(o.Offset, o.Limit, o.OrderColumn, o.OrderType)
	if err != nil {
		return nil, 0, 0, err
	}
	setIf(q, "namespace", o.Namespace)
	setIf(q, "name", o.Name)
	setIf(q, "category", o.Category)
	if o.IsPublic != nil {
		q.Set("is_public", strconv.FormatBool(*o.IsPublic))
	}
	return q, offset, limit, nil
}

// List returns one page of repositories. The page's Total comes from the
// Content-Range header, else from the items' total_range.
func (s *RepositoriesService) List(ctx context.Context, opts *ListReposOptions) ([]Repository, *Page, error) {
	var o ListReposOptions
	if opts != nil {
		o = *opts
	}
	q, offset, limit, err := o.query()
	if err != nil {
		return nil, nil, fmt.Errorf("list repositories: %w", err)
	}
	var out []Repository
	h, err := s.client.do(ctx, http.MethodGet, manageBase+"/repos", q, nil, &out)
	if err != nil {
		return nil, nil, fmt.Errorf("list repositories: %w", err)
	}
	var totalRange int64
	if len(out) > 0 {
		totalRange = out[0].TotalRange
	}
	// total_range is absent (0) from servers that do not send it; a
	// non-empty page cannot belong to an empty listing.
	return out, newPage(offset, limit, h, totalRange, totalRange > 0), nil
}

// All streams every repository matching opts, from the one at index
// opts.Offset on, one page of opts.Limit at a time. opts.Offset may be
// any index: the page holding it is read (SWR is only ever asked for
// offsets that are multiples of the limit) and the repositories before
// it are passed over. Iteration stops at the first error, which it
// yields.
func (s *RepositoriesService) All(ctx context.Context, opts *ListReposOptions) iter.Seq2[Repository, error] {
	var o ListReposOptions
	if opts != nil {
		o = *opts
	}
	return allPages(o.Offset, o.Limit, func(offset, limit int) ([]Repository, *Page, error) {
		p := o
		p.Offset, p.Limit = offset, limit
		return s.List(ctx, &p)
	})
}

// Get returns repository repo of organization ns.
func (s *RepositoriesService) Get(ctx context.Context, ns, repo string) (*RepositoryDetail, error) {
	p, err := repositoryPath(ns, repo)
	if err != nil {
		return nil, err
	}
	var out RepositoryDetail
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get repository %s/%s: %w", ns, repo, err)
	}
	return &out, nil
}

// Create creates repository req.Repository in organization ns. A name
// that breaks SWR's name rules (CheckRepositoryName) is refused without a
// request.
func (s *RepositoriesService) Create(ctx context.Context, ns string, req CreateRepositoryRequest) error {
	p, err := namespacePath(ns)
	if err != nil {
		return err
	}
	if err := CheckRepositoryName(req.Repository); err != nil {
		return fmt.Errorf("swr: create repository: name %q %w", req.Repository, err)
	}
	if _, err := s.client.do(ctx, http.MethodPost, p+"/repos", nil, req, nil); err != nil {
		return fmt.Errorf("create repository %s/%s: %w", ns, req.Repository, err)
	}
	return nil
}

// Update changes visibility, category and description of a repository.
// req.IsPublic is always sent: pass the current value to keep it.
func (s *RepositoriesService) Update(ctx context.Context, ns, repo string, req UpdateRepositoryRequest) error {
	p, err := repositoryPath(ns, repo)
	if err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodPatch, p, nil, req, nil); err != nil {
		return fmt.Errorf("update repository %s/%s: %w", ns, repo, err)
	}
	return nil
}

// Delete deletes repository repo of organization ns.
func (s *RepositoriesService) Delete(ctx context.Context, ns, repo string) error {
	p, err := repositoryPath(ns, repo)
	if err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodDelete, p, nil, nil, nil); err != nil {
		return fmt.Errorf("delete repository %s/%s: %w", ns, repo, err)
	}
	return nil
}
