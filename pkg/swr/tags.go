package swr

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"net/url"
)

// ListTagsOptions filters and pages GET …/repos/{repo}/tags. Offset and
// Limit are always sent together.
type ListTagsOptions struct {
	Tag         string // a tag name
	OrderColumn string // updated_at or tag; requires OrderType
	OrderType   string // desc or asc; requires OrderColumn
	Offset      int    // 0-based index of the first tag: 0 or a multiple of Limit
	Limit       int    // page size: 0 means DefaultPageSize, at most MaxPageSize
}

func (o *ListTagsOptions) query() (url.Values, int, int, error) {
	q, offset, limit, err := pageQuery(o.Offset, o.Limit, o.OrderColumn, o.OrderType)
	if err != nil {
		return nil, 0, 0, err
	}
	setIf(q, "tag", o.Tag)
	return q, offset, limit, nil
}

// ListTags returns one page of the tags of repository repo. The page's
// Total comes from the Content-Range header.
func (s *RepositoriesService) ListTags(ctx context.Context, ns, repo string, opts *ListTagsOptions) ([]Tag, *Page, error) {
	p, err := repositorySubPath(ns, repo, "tags")
	if err != nil {
		return nil, nil, err
	}
	var o ListTagsOptions
	if opts != nil {
		o = *opts
	}
	q, offset, limit, err := o.query()
	if err != nil {
		return nil, nil, fmt.Errorf("list tags %s/%s: %w", ns, repo, err)
	}
	var out []Tag
	h, err := s.client.do(ctx, http.MethodGet, p, q, nil, &out)
	if err != nil {
		return nil, nil, fmt.Errorf("list tags %s/%s: %w", ns, repo, err)
	}
	return out, newPage(offset, limit, h, 0, false), nil
}

// AllTags streams every tag of repository repo matching opts, from the
// one at index opts.Offset on, one page of opts.Limit at a time, as All
// streams repositories; a nil opts is every tag. Iteration stops at the
// first error, which it yields.
func (s *RepositoriesService) AllTags(ctx context.Context, ns, repo string, opts *ListTagsOptions) iter.Seq2[Tag, error] {
	var o ListTagsOptions
	if opts != nil {
		o = *opts
	}
	return allPages(o.Offset, o.Limit, func(offset, limit int) ([]Tag, *Page, error) {
		p := o
		p.Offset, p.Limit = offset, limit
		return s.ListTags(ctx, ns, repo, &p)
	})
}

// GetTag returns tag of repository repo.
func (s *RepositoriesService) GetTag(ctx context.Context, ns, repo, tag string) (*Tag, error) {
	p, err := s.tagPath(ns, repo, tag)
	if err != nil {
		return nil, err
	}
	var out Tag
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get tag %s/%s:%s: %w", ns, repo, tag, err)
	}
	return &out, nil
}

// DeleteTag deletes tag of repository repo.
func (s *RepositoriesService) DeleteTag(ctx context.Context, ns, repo, tag string) error {
	p, err := s.tagPath(ns, repo, tag)
	if err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodDelete, p, nil, nil, nil); err != nil {
		return fmt.Errorf("delete tag %s/%s:%s: %w", ns, repo, tag, err)
	}
	return nil
}

func (s *RepositoriesService) tagPath(ns, repo, tag string) (string, error) {
	if err := segment("tag", tag); err != nil {
		return "", err
	}
	return repositorySubPath(ns, repo, "tags/"+tag)
}
