package swr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
)

// RetentionsService manages image retention (aging) policies (swr-api.md
// §6). Writing a policy makes SWR delete the tags it does not keep at once.
type RetentionsService struct{ client *Client }

// retentionCreated is the body of a successful retention create.
type retentionCreated struct {
	ID int `json:"id"`
}

// List returns the retention policies of repository repo (at most one in practice).
func (s *RetentionsService) List(ctx context.Context, ns, repo string) ([]Retention, error) {
	p, err := repositorySubPath(ns, repo, "retentions")
	if err != nil {
		return nil, err
	}
	var out []Retention
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list retentions %s/%s: %w", ns, repo, err)
	}
	return out, nil
}

// Create adds a retention policy to repository repo and returns its id.
// SWR runs the policy immediately. An empty Algorithm is sent as "or" and
// nil TagSelectors as [].
func (s *RetentionsService) Create(ctx context.Context, ns, repo string, req RetentionRequest) (int, error) {
	p, err := repositorySubPath(ns, repo, "retentions")
	if err != nil {
		return 0, err
	}
	body, err := normalizeRetention(req)
	if err != nil {
		return 0, fmt.Errorf("create retention %s/%s: %w", ns, repo, err)
	}
	var out retentionCreated
	if _, err := s.client.do(ctx, http.MethodPost, p, nil, body, &out); err != nil {
		return 0, fmt.Errorf("create retention %s/%s: %w", ns, repo, err)
	}
	return out.ID, nil
}

// Get returns retention policy id of repository repo.
func (s *RetentionsService) Get(ctx context.Context, ns, repo string, id int) (*Retention, error) {
	p, err := retentionPath(ns, repo, id)
	if err != nil {
		return nil, err
	}
	var out Retention
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get retention %d of %s/%s: %w", id, ns, repo, err)
	}
	return &out, nil
}

// Update replaces the params and tag selectors of retention policy id. SWR
// cannot change a rule's template in place.
func (s *RetentionsService) Update(ctx context.Context, ns, repo string, id int, req RetentionRequest) error {
	p, err := retentionPath(ns, repo, id)
	if err != nil {
		return err
	}
	body, err := normalizeRetention(req)
	if err != nil {
		return fmt.Errorf("update retention %d of %s/%s: %w", id, ns, repo, err)
	}
	if _, err := s.client.do(ctx, http.MethodPatch, p, nil, body, nil); err != nil {
		return fmt.Errorf("update retention %d of %s/%s: %w", id, ns, repo, err)
	}
	return nil
}

// Delete deletes retention policy id. A policy that is already gone gives
// an error for which IsNotFound is true.
func (s *RetentionsService) Delete(ctx context.Context, ns, repo string, id int) error {
	p, err := retentionPath(ns, repo, id)
	if err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodDelete, p, nil, nil, nil); err != nil {
		return fmt.Errorf("delete retention %d of %s/%s: %w", id, ns, repo, err)
	}
	return nil
}

// Histories returns one page of the tags retention policies deleted from
// repository repo, with the total count; a nil opts is the first page.
func (s *RetentionsService) Histories(ctx context.Context, ns, repo string, opts *ListOptions) (*RetentionHistories, error) {
	p, err := repositorySubPath(ns, repo, "retentions/histories")
	if err != nil {
		return nil, err
	}
	offset, limit, err := opts.bounds()
	if err != nil {
		return nil, fmt.Errorf("list retention histories %s/%s: %w", ns, repo, err)
	}
	q := url.Values{"offset": {strconv.Itoa(offset)}, "limit": {strconv.Itoa(limit)}}
	var out RetentionHistories
	if _, err := s.client.do(ctx, http.MethodGet, p, q, nil, &out); err != nil {
		return nil, fmt.Errorf("list retention histories %s/%s: %w", ns, repo, err)
	}
	return &out, nil
}

func retentionPath(ns, repo string, id int) (string, error) {
	if id <= 0 {
		return "", fmt.Errorf("swr: retention id %d is not positive", id)
	}
	return repositorySubPath(ns, repo, "retentions/"+strconv.Itoa(id))
}

// normalizeRetention fills the fields SWR requires without changing req:
// Algorithm "or" and non-null tag_selectors.
func normalizeRetention(req RetentionRequest) (RetentionRequest, error) {
	if len(req.Rules) == 0 {
		return req, errors.New("swr: retention has no rules")
	}
	if req.Algorithm == "" {
		req.Algorithm = "or"
	}
	rules := make([]Rule, len(req.Rules))
	for i, r := range req.Rules {
		if r.Template == "" {
			return req, fmt.Errorf("swr: retention rule %d has no template", i)
		}
		if r.TagSelectors == nil {
			r.TagSelectors = []TagSelector{}
		}
		rules[i] = r
	}
	req.Rules = rules
	return req, nil
}
