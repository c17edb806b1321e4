package swr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
)

// DefaultIAMEndpoint is IAM's global endpoint. IAM users and groups belong
// to the account (domain), not to a region.
const DefaultIAMEndpoint = "https://iam.myhuaweicloud.com"

// WithIAMEndpoint sets the IAM endpoint of the IAM service (Client.IAM),
// e.g. https://iam.myhuaweicloud.com. Without it the client uses the
// IAMEndpoint of IAMPassword credentials, else DefaultIAMEndpoint.
func WithIAMEndpoint(endpoint string) Option {
	return func(c *Client) { c.iamEndpoint = endpoint }
}

// IAMUser is a Keystone-style IAM user.
type IAMUser struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	DomainID string `json:"domain_id,omitempty"`
	Enabled  bool   `json:"enabled"`
}

// IAMGroup is a Keystone-style IAM user group.
type IAMGroup struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	DomainID    string `json:"domain_id,omitempty"`
	Description string `json:"description,omitempty"`
}

// IAMService reads IAM users and user groups (Keystone v3 API) from IAM's
// endpoint, with the client's credentials, signing, retries and errors.
// The calls need IAM read permission (e.g. the IAM ReadOnlyAccess policy).
type IAMService struct{ c *Client }

// UsersByName lists the users named name: GET /v3/users?name=. IAM names
// are unique within an account, so it normally returns none or one.
func (s *IAMService) UsersByName(ctx context.Context, name string) ([]IAMUser, error) {
	var out struct {
		Users []IAMUser `json:"users"`
	}
	err := s.get(ctx, "/v3/users", url.Values{"name": {name}}, &out)
	return out.Users, err
}

// GroupsByName lists the user groups named name: GET /v3/groups?name=.
func (s *IAMService) GroupsByName(ctx context.Context, name string) ([]IAMGroup, error) {
	var out struct {
		Groups []IAMGroup `json:"groups"`
	}
	err := s.get(ctx, "/v3/groups", url.Values{"name": {name}}, &out)
	return out.Groups, err
}

// GroupUsers lists the members of the group with id groupID:
// GET /v3/groups/{group_id}/users.
func (s *IAMService) GroupUsers(ctx context.Context, groupID string) ([]IAMUser, error) {
	if groupID == "" || strings.Contains(groupID, "/") {
		return nil, fmt.Errorf("swr: IAM group id %q is not an id", groupID)
	}
	var out struct {
		Users []IAMUser `json:"users"`
	}
	err := s.get(ctx, "/v3/groups/"+groupID+"/users", nil, &out)
	return out.Users, err
}

// get sends an authenticated GET to the IAM endpoint and decodes the body.
func (s *IAMService) get(ctx context.Context, path string, query url.Values, out any) error {
	base, err := s.c.iamURL()
	if err != nil {
		return err
	}
	u := *base
	u.Path += path
	if len(query) > 0 {
		u.RawQuery = strings.ReplaceAll(query.Encode(), "+", "%20")
	}
	resp, err := s.c.send(ctx, &request{method: http.MethodGet, url: &u, authed: true})
	if err != nil {
		return fmt.Errorf("IAM: %w", err)
	}
	defer closeBody(resp)
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil && !errors.Is(err, io.EOF) {
		return pathError(http.MethodGet, u.EscapedPath(), fmt.Errorf("IAM: decode response: %w", err))
	}
	return nil
}

// iamURL is the IAM endpoint: WithIAMEndpoint's, else that of IAMPassword
// credentials, else DefaultIAMEndpoint.
func (c *Client) iamURL() (*url.URL, error) {
	raw := c.iamEndpoint
	if raw == "" {
		if p, ok := c.creds.(IAMPassword); ok {
			raw = p.IAMEndpoint
		}
	}
	if raw == "" {
		raw = DefaultIAMEndpoint
	}
	u, err := parseEndpoint(raw)
	if err != nil {
		return nil, fmt.Errorf("swr: IAM endpoint: %w", err)
	}
	return u, nil
}
