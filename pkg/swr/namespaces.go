package swr

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
)

// NamespacesService manages organizations (swr-api.md §2).
type NamespacesService struct{ client *Client }

// createNamespaceRequest is the body of POST /v2/manage/namespaces.
type createNamespaceRequest struct {
	Namespace string `json:"namespace"`
}

// namespaceList is the body of GET /v2/manage/namespaces.
type namespaceList struct {
	Namespaces []Namespace `json:"namespaces"`
}

// Create creates the organization name. Names are unique per region across
// all tenants: a conflict (IsConflict) may mean another account owns it.
// IsQuotaExceeded reports the organization quota. A name that breaks
// SWR's name rules (CheckNamespaceName) is refused without a request.
func (s *NamespacesService) Create(ctx context.Context, name string) error {
	if err := CheckNamespaceName(name); err != nil {
		return fmt.Errorf("swr: create namespace: name %q %w", name, err)
	}
	_, err := s.client.do(ctx, http.MethodPost, namespacesBase, nil, createNamespaceRequest{Namespace: name}, nil)
	if err != nil {
		return fmt.Errorf("create namespace %s: %w", name, err)
	}
	return nil
}

// List returns the organizations the caller may see: those it has a
// permission on and those where it holds only repository permissions.
// It asks with filter=mode::visible, without which SWR leaves the latter
// out (swr-api.md §2.2).
func (s *NamespacesService) List(ctx context.Context) ([]Namespace, error) {
	var out namespaceList
	q := url.Values{"filter": {"mode::visible"}}
	if _, err := s.client.do(ctx, http.MethodGet, namespacesBase, q, nil, &out); err != nil {
		return nil, fmt.Errorf("list namespaces: %w", err)
	}
	return out.Namespaces, nil
}

// Get returns the organization name.
func (s *NamespacesService) Get(ctx context.Context, name string) (*Namespace, error) {
	p, err := namespacePath(name)
	if err != nil {
		return nil, err
	}
	var out Namespace
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get namespace %s: %w", name, err)
	}
	return &out, nil
}

// Delete deletes the organization name. SWR refuses (406) while it still
// holds images.
func (s *NamespacesService) Delete(ctx context.Context, name string) error {
	p, err := namespacePath(name)
	if err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodDelete, p, nil, nil, nil); err != nil {
		return fmt.Errorf("delete namespace %s: %w", name, err)
	}
	return nil
}
