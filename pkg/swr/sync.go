package swr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// SyncService manages cross-region image synchronisation (swr-api.md §8).
type SyncService struct{ client *Client }

// Regions returns the regions images can be synchronised to.
func (s *SyncService) Regions(ctx context.Context) ([]SyncRegion, error) {
	var out []SyncRegion
	if _, err := s.client.do(ctx, http.MethodGet, manageBase+"/regions", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list sync regions: %w", err)
	}
	return out, nil
}

// List returns the auto-sync rules of repository repo. A rule is
// identified by (RemoteRegionID, RemoteNamespace).
func (s *SyncService) List(ctx context.Context, ns, repo string) ([]SyncRepo, error) {
	p, err := repositorySubPath(ns, repo, "sync_repo")
	if err != nil {
		return nil, err
	}
	var out []SyncRepo
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list sync rules %s/%s: %w", ns, repo, err)
	}
	return out, nil
}

// Create adds an auto-sync rule. It replicates only images pushed after it
// exists; use SyncImages for existing tags.
func (s *SyncService) Create(ctx context.Context, ns, repo string, req CreateSyncRepoRequest) error {
	p, err := repositorySubPath(ns, repo, "sync_repo")
	if err != nil {
		return err
	}
	if err := checkRemote(req.RemoteRegionID, req.RemoteNamespace); err != nil {
		return fmt.Errorf("create sync rule %s/%s: %w", ns, repo, err)
	}
	if err := CheckNamespaceName(req.RemoteNamespace); err != nil {
		return fmt.Errorf("create sync rule %s/%s: remote namespace %q %w", ns, repo, req.RemoteNamespace, err)
	}
	if _, err := s.client.do(ctx, http.MethodPost, p, nil, req, nil); err != nil {
		return fmt.Errorf("create sync rule %s/%s to %s/%s: %w", ns, repo, req.RemoteRegionID, req.RemoteNamespace, err)
	}
	return nil
}

// Delete removes an auto-sync rule (a DELETE with a body). A rule that is
// already gone gives an error for which IsNotFound is true.
func (s *SyncService) Delete(ctx context.Context, ns, repo string, req DeleteSyncRepoRequest) error {
	p, err := repositorySubPath(ns, repo, "sync_repo")
	if err != nil {
		return err
	}
	if err := checkRemote(req.RemoteRegionID, req.RemoteNamespace); err != nil {
		return fmt.Errorf("delete sync rule %s/%s: %w", ns, repo, err)
	}
	if _, err := s.client.do(ctx, http.MethodDelete, p, nil, req, nil); err != nil {
		return fmt.Errorf("delete sync rule %s/%s to %s/%s: %w", ns, repo, req.RemoteRegionID, req.RemoteNamespace, err)
	}
	return nil
}

// SyncImages copies the tags req.ImageTag to another region now and
// returns the tags that failed to sync (empty when all succeeded).
func (s *SyncService) SyncImages(ctx context.Context, ns, repo string, req SyncImagesRequest) ([]string, error) {
	p, err := repositorySubPath(ns, repo, "sync_images")
	if err != nil {
		return nil, err
	}
	if err := checkRemote(req.RemoteRegionID, req.RemoteNamespace); err != nil {
		return nil, fmt.Errorf("sync images %s/%s: %w", ns, repo, err)
	}
	if len(req.ImageTag) == 0 {
		return nil, fmt.Errorf("sync images %s/%s: no tags given", ns, repo)
	}
	var failed []string
	if _, err := s.client.do(ctx, http.MethodPost, p, nil, req, &failed); err != nil {
		return nil, fmt.Errorf("sync images %s/%s to %s/%s: %w", ns, repo, req.RemoteRegionID, req.RemoteNamespace, err)
	}
	return failed, nil
}

// Jobs returns one page of the sync job records of repository repo, newest
// first; a nil opts is the first page.
func (s *SyncService) Jobs(ctx context.Context, ns, repo string, opts *ListOptions) ([]SyncJob, *Page, error) {
	p, err := repositorySubPath(ns, repo, "sync_job")
	if err != nil {
		return nil, nil, err
	}
	offset, limit, err := opts.bounds()
	if err != nil {
		return nil, nil, fmt.Errorf("list sync jobs %s/%s: %w", ns, repo, err)
	}
	q := url.Values{"filter": {fmt.Sprintf("limit::%d|offset::%d|order::desc", limit, offset)}}
	var out []SyncJob
	h, err := s.client.do(ctx, http.MethodGet, p, q, nil, &out)
	if err != nil {
		return nil, nil, fmt.Errorf("list sync jobs %s/%s: %w", ns, repo, err)
	}
	return out, newPage(offset, limit, h, 0, false), nil
}

func checkRemote(region, ns string) error {
	if region == "" || ns == "" {
		return errors.New("swr: remoteRegionId and remoteNamespace are required")
	}
	return nil
}
