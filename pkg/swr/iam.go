package swr

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// Header names of IAM token authentication (swr-api.md §10.2).
const (
	HeaderSubjectToken = "X-Subject-Token"

	// tokenRefreshMargin is how long before its expiry a cached token is replaced.
	tokenRefreshMargin = 5 * time.Minute
)

// tokenSource obtains IAM tokens with a password and caches the current one.
// Only one fetch runs at a time; concurrent callers wait for it.
type tokenSource struct {
	client *Client
	cred   IAMPassword
	url    *url.URL
	fetch  chan struct{} // one slot: held while a token is being fetched

	mu      sync.Mutex
	token   string
	expires time.Time
	project string
}

func newTokenSource(c *Client, cred IAMPassword, endpoint *url.URL) *tokenSource {
	u := *endpoint
	u.Path = strings.TrimSuffix(u.Path, "/") + "/v3/auth/tokens"
	return &tokenSource{client: c, cred: cred, url: &u, fetch: make(chan struct{}, 1)}
}

func (s *tokenSource) authorize(ctx context.Context, req *http.Request, _ []byte) (string, error) {
	tok, _, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	req.Header.Set(HeaderAuthToken, tok)
	return tok, nil
}

func (s *tokenSource) invalidate(used string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == used {
		s.token = ""
	}
	return true
}

func (s *tokenSource) projectID(ctx context.Context) (string, error) {
	_, project, err := s.current(ctx)
	if err != nil {
		return "", err
	}
	if project == "" {
		return "", errNoProjectID
	}
	return project, nil
}

// cached returns the cached token when it is still fresh.
func (s *tokenSource) cached() (token, project string, ok bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == "" || !s.client.now().Before(s.expires.Add(-tokenRefreshMargin)) {
		return "", "", false
	}
	return s.token, s.project, true
}

// current returns a fresh token, fetching one when the cache has none.
func (s *tokenSource) current(ctx context.Context) (token, project string, err error) {
	if tok, proj, ok := s.cached(); ok {
		return tok, proj, nil
	}
	select {
	case s.fetch <- struct{}{}:
	case <-ctx.Done():
		return "", "", fmt.Errorf("swr: IAM token: %w", ctx.Err())
	}
	defer func() { <-s.fetch }()
	if tok, proj, ok := s.cached(); ok {
		return tok, proj, nil
	}
	tok, proj, expires, err := s.request(ctx)
	if err != nil {
		return "", "", err
	}
	s.mu.Lock()
	s.token, s.project, s.expires = tok, proj, expires
	s.mu.Unlock()
	s.client.stats.tokenRefreshes.Add(1)
	s.client.logger.LogAttrs(ctx, slog.LevelDebug, "swr: obtained IAM token",
		slog.String("user", s.cred.UserName), slog.Time("expires", expires))
	return tok, proj, nil
}

// iamTokenRequest is the password-method body of POST /v3/auth/tokens.
type iamTokenRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					Domain struct {
						Name string `json:"name"`
					} `json:"domain"`
					Name     string `json:"name"`
					Password string `json:"password"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope struct {
			Project struct {
				Name string `json:"name"`
			} `json:"project"`
		} `json:"scope"`
	} `json:"auth"`
}

// iamTokenResponse is the part of the token body the client reads.
type iamTokenResponse struct {
	Token struct {
		ExpiresAt string `json:"expires_at"`
		Project   struct {
			ID string `json:"id"`
		} `json:"project"`
	} `json:"token"`
}

func (s *tokenSource) request(ctx context.Context) (token, project string, expires time.Time, err error) {
	var in iamTokenRequest
	in.Auth.Identity.Methods = []string{"password"}
	in.Auth.Identity.Password.User.Domain.Name = s.cred.DomainName
	in.Auth.Identity.Password.User.Name = s.cred.UserName
	in.Auth.Identity.Password.User.Password = s.cred.Password
	in.Auth.Scope.Project.Name = s.cred.ProjectName
	body, err := encodeJSON(in)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("swr: IAM token: encode request: %w", err)
	}
	resp, err := s.client.send(ctx, &request{method: http.MethodPost, url: s.url, body: body})
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("IAM token: %w", err)
	}
	defer closeBody(resp)
	token = resp.Header.Get(HeaderSubjectToken)
	if token == "" {
		return "", "", time.Time{}, errors.New("swr: IAM token: response has no X-Subject-Token header")
	}
	var out iamTokenResponse
	if err := json.NewDecoder(resp.Body).Decode(&out); err != nil {
		return "", "", time.Time{}, fmt.Errorf("swr: IAM token: decode response: %w", err)
	}
	expires, err = time.Parse(time.RFC3339Nano, out.Token.ExpiresAt)
	if err != nil {
		return "", "", time.Time{}, fmt.Errorf("swr: IAM token: token.expires_at %q is not an RFC 3339 time", out.Token.ExpiresAt)
	}
	return token, out.Token.Project.ID, expires, nil
}
