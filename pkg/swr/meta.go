package swr

import (
	"context"
	"fmt"
	"net/http"
)

// MetaService reads account quotas and the API versions (swr-api.md §9).
type MetaService struct{ client *Client }

// versionBody is the body of GET /{api_version}.
type versionBody struct {
	Version APIVersion `json:"version"`
}

// Quotas returns the account's quotas (key "namespace" counts organizations).
// It needs the project id of the credentials.
func (s *MetaService) Quotas(ctx context.Context) ([]Quota, error) {
	project, err := s.client.auth.projectID(ctx)
	if err != nil {
		return nil, fmt.Errorf("list quotas: %w", err)
	}
	if err := segment("project id", project); err != nil {
		return nil, fmt.Errorf("list quotas: %w", err)
	}
	var out Quotas
	if _, err := s.client.do(ctx, http.MethodGet, manageBase+"/projects/"+project+"/quotas", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list quotas: %w", err)
	}
	return out.Quotas, nil
}

// Versions returns every API version the endpoint offers.
func (s *MetaService) Versions(ctx context.Context) ([]APIVersion, error) {
	var out Versions
	if _, err := s.client.do(ctx, http.MethodGet, "/", nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list API versions: %w", err)
	}
	return out.Versions, nil
}

// Version returns one API version, e.g. "v2".
func (s *MetaService) Version(ctx context.Context, id string) (*APIVersion, error) {
	if err := segment("API version", id); err != nil {
		return nil, err
	}
	var out versionBody
	if _, err := s.client.do(ctx, http.MethodGet, "/"+id, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get API version %s: %w", id, err)
	}
	return &out.Version, nil
}
