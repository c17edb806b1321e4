package swr

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
)

// TriggersService manages CCE/CCI auto-deploy triggers (swr-api.md §7).
type TriggersService struct{ client *Client }

// List returns the triggers of repository repo.
func (s *TriggersService) List(ctx context.Context, ns, repo string) ([]Trigger, error) {
	p, err := repositorySubPath(ns, repo, "triggers")
	if err != nil {
		return nil, err
	}
	var out []Trigger
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("list triggers %s/%s: %w", ns, repo, err)
	}
	return out, nil
}

// Create adds trigger req.Name to repository repo. A trigger of that name
// that already exists is a conflict (IsConflict).
func (s *TriggersService) Create(ctx context.Context, ns, repo string, req CreateTriggerRequest) error {
	p, err := repositorySubPath(ns, repo, "triggers")
	if err != nil {
		return err
	}
	if err := segment("trigger name", req.Name); err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodPost, p, nil, req, nil); err != nil {
		return fmt.Errorf("create trigger %s of %s/%s: %w", req.Name, ns, repo, err)
	}
	return nil
}

// Get returns trigger name of repository repo, with its history.
func (s *TriggersService) Get(ctx context.Context, ns, repo, name string) (*Trigger, error) {
	p, err := triggerPath(ns, repo, name)
	if err != nil {
		return nil, err
	}
	var out Trigger
	if _, err := s.client.do(ctx, http.MethodGet, p, nil, nil, &out); err != nil {
		return nil, fmt.Errorf("get trigger %s of %s/%s: %w", name, ns, repo, err)
	}
	return &out, nil
}

// Update enables or disables trigger name; nothing else can change in place.
func (s *TriggersService) Update(ctx context.Context, ns, repo, name string, enable bool) error {
	p, err := triggerPath(ns, repo, name)
	if err != nil {
		return err
	}
	body := UpdateTriggerRequest{Enable: strconv.FormatBool(enable)}
	if _, err := s.client.do(ctx, http.MethodPatch, p, nil, body, nil); err != nil {
		return fmt.Errorf("update trigger %s of %s/%s: %w", name, ns, repo, err)
	}
	return nil
}

// Delete deletes trigger name of repository repo.
func (s *TriggersService) Delete(ctx context.Context, ns, repo, name string) error {
	p, err := triggerPath(ns, repo, name)
	if err != nil {
		return err
	}
	if _, err := s.client.do(ctx, http.MethodDelete, p, nil, nil, nil); err != nil {
		return fmt.Errorf("delete trigger %s of %s/%s: %w", name, ns, repo, err)
	}
	return nil
}

func triggerPath(ns, repo, name string) (string, error) {
	if err := segment("trigger name", name); err != nil {
		return "", err
	}
	return repositorySubPath(ns, repo, "triggers/"+name)
}
