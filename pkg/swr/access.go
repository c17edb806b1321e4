package swr

import (
	"context"
	"errors"
	"fmt"
	"net/http"
)

// NamespaceAccessService manages organization grants (swr-api.md §3).
type NamespaceAccessService struct{ client *Client }

// RepositoryAccessService manages repository grants (swr-api.md §5).
type RepositoryAccessService struct{ client *Client }

// Get returns the grants on organization ns. OthersAuths may include the caller.
func (s *NamespaceAccessService) Get(ctx context.Context, ns string) (*NamespaceAccess, error) {
	p, err := namespacePath(ns)
	if err != nil {
		return nil, err
	}
	var out NamespaceAccess
	if _, err := s.client.do(ctx, http.MethodGet, p+"/access", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get namespace access %s: %w", ns, err)
	}
	return &out, nil
}

// Create grants users access to organization ns. A grant that already
// exists for a user is a conflict (IsConflict).
func (s *NamespaceAccessService) Create(ctx context.Context, ns string, users []UserAuth) error {
	return s.write(ctx, http.MethodPost, "create", ns, users)
}

// Update changes the access level of users already granted on organization ns.
func (s *NamespaceAccessService) Update(ctx context.Context, ns string, users []UserAuth) error {
	return s.write(ctx, http.MethodPatch, "update", ns, users)
}

// Delete revokes the grants of the users with the given IAM user ids on organization ns.
func (s *NamespaceAccessService) Delete(ctx context.Context, ns string, userIDs []string) error {
	return s.write(ctx, http.MethodDelete, "delete", ns, userIDs)
}

func (s *NamespaceAccessService) write(ctx context.Context, method, verb, ns string, body any) error {
	p, err := namespacePath(ns)
	if err != nil {
		return err
	}
	if err := checkAccessBody(body); err != nil {
		return fmt.Errorf("%s namespace access %s: %w", verb, ns, err)
	}
	if _, err := s.client.do(ctx, method, p+"/access", nil, body, nil); err != nil {
		return fmt.Errorf("%s namespace access %s: %w", verb, ns, err)
	}
	return nil
}

// Get returns the grants on repository repo of organization ns.
func (s *RepositoryAccessService) Get(ctx context.Context, ns, repo string) (*RepositoryAccess, error) {
	p, err := repositorySubPath(ns, repo, "access")
	if err != nil {
		return nil, err
	}
	var out RepositoryAccess
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get repository access %s/%s: %w", ns, repo, err)
	}
	return &out, nil
}

// Create grants users access to repository repo of organization ns. SWR
// accepts grants to other users only.
func (s *RepositoryAccessService) Create(ctx context.Context, ns, repo string, users []UserAuth) error {
	return s.write(ctx, http.MethodPost, "create", ns, repo, users)
}

// Update changes the access level of users already granted on the repository.
func (s *RepositoryAccessService) Update(ctx context.Context, ns, repo string, users []UserAuth) error {
	return s.write(ctx, http.MethodPatch, "update", ns, repo, users)
}

// Delete revokes the grants of the users with the given IAM user ids on the repository.
func (s *RepositoryAccessService) Delete(ctx context.Context, ns, repo string, userIDs []string) error {
	return s.write(ctx, http.MethodDelete, "delete", ns, repo, userIDs)
}

func (s *RepositoryAccessService) write(ctx context.Context, method, verb, ns, repo string, body any) error {
	p, err := repositorySubPath(ns, repo, "access")
	if err != nil {
		return err
	}
	if err := checkAccessBody(body); err != nil {
		return fmt.Errorf("%s repository access %s/%s: %w", verb, ns, repo, err)
	}
	if _, err := s.client.do(ctx, method, p, nil, body, nil); err != nil {
		return fmt.Errorf("%s repository access %s/%s: %w", verb, ns, repo, err)
	}
	return nil
}

// checkAccessBody rejects empty lists and invalid grants before they reach SWR.
func checkAccessBody(body any) error {
	switch b := body.(type) {
	case []UserAuth:
		if len(b) == 0 {
			return errors.New("swr: no users given")
		}
		for i, u := range b {
			if u.UserID == "" || u.UserName == "" {
				return fmt.Errorf("swr: user %d: user_id and user_name are required", i)
			}
			if !ValidAuth(u.Auth) {
				return fmt.Errorf("swr: user %s: auth %d is not 1 (read), 3 (write) or 7 (manage)", u.UserID, u.Auth)
			}
		}
	case []string:
		if len(b) == 0 {
			return errors.New("swr: no user ids given")
		}
		for i, id := range b {
			if id == "" {
				return fmt.Errorf("swr: user id %d is empty", i)
			}
		}
	}
	return nil
}
