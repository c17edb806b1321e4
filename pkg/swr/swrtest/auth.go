package swrtest

import (
	"encoding/json"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

const iamTokensPattern = "POST /v3/auth/tokens"

func isIAM(pattern string) bool { return pattern == iamTokensPattern }

// authenticate checks the X-Auth-Token or the AK/SK signature of r and
// returns the identity it was made as: the server's own user, or a seeded
// user whose AK/SK signed it.
func (s *Server) authenticate(r *http.Request, body []byte) (caller, *apiError) {
	now := s.now()
	if tok := r.Header.Get(swr.HeaderAuthToken); tok != "" {
		if s.tokens.valid(tok, now) {
			return s.self(), nil
		}
		return caller{}, swrError(http.StatusUnauthorized, CodeAuthFailed, "Authentication failed: the token is invalid or has expired")
	}
	if r.Header.Get("Authorization") == "" {
		return caller{}, gatewayError(http.StatusUnauthorized, GatewayAuthFailed,
			"Incorrect IAM authentication information: neither a signature nor X-Auth-Token was given")
	}
	var who caller
	secretFor := func(ak string) (string, bool) {
		sk, c, ok := s.userByAK(ak)
		who = c
		return sk, ok
	}
	if err := swr.Verify(r, body, secretFor, now, MaxSkew); err != nil {
		return caller{}, gatewayError(http.StatusUnauthorized, GatewayAuthFailed, "Incorrect IAM authentication information: "+err.Error())
	}
	return who, nil
}

type tokenStore struct {
	mu     sync.Mutex
	expiry map[string]time.Time
}

func (ts *tokenStore) issue(now time.Time, lifetime time.Duration) (string, time.Time) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	if ts.expiry == nil {
		ts.expiry = map[string]time.Time{}
	}
	tok := "MII" + randomHex(48)
	exp := now.Add(lifetime)
	ts.expiry[tok] = exp
	return tok, exp
}

func (ts *tokenStore) valid(tok string, now time.Time) bool {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	exp, ok := ts.expiry[tok]
	return ok && now.Before(exp)
}

// iamTime is the layout IAM uses for token times.
const iamTime = "2006-01-02T15:04:05.000000Z"

type tokenRequest struct {
	Auth struct {
		Identity struct {
			Methods  []string `json:"methods"`
			Password struct {
				User struct {
					ID       string `json:"id"`
					Name     string `json:"name"`
					Password string `json:"password"`
					Domain   struct {
						ID   string `json:"id"`
						Name string `json:"name"`
					} `json:"domain"`
				} `json:"user"`
			} `json:"password"`
		} `json:"identity"`
		Scope json.RawMessage `json:"scope"`
	} `json:"auth"`
}

type iamRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

type iamUser struct {
	iamRef
	Domain iamRef `json:"domain"`
}

type iamToken struct {
	ExpiresAt string   `json:"expires_at"`
	IssuedAt  string   `json:"issued_at"`
	Methods   []string `json:"methods"`
	User      iamUser  `json:"user"`
	Project   iamUser  `json:"project"`
}

// issueToken emulates IAM POST /v3/auth/tokens with a password identity.
// The token travels in the X-Subject-Token header.
func (s *Server) issueToken(w http.ResponseWriter, r *http.Request) {
	var req tokenRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		writeJSON(w, http.StatusBadRequest, iamError(http.StatusBadRequest, "Bad Request", "The request body is not a valid token request."))
		return
	}
	id := req.Auth.Identity
	u := id.Password.User
	nameOK := u.Name == s.UserName || (u.Name == "" && u.ID == s.UserID)
	domainOK := (u.Domain.Name == "" || u.Domain.Name == s.Domain) && (u.Domain.ID == "" || u.Domain.ID == s.DomainID)
	if !slices.Contains(id.Methods, "password") || !nameOK || !domainOK || u.Password != s.Password {
		writeJSON(w, http.StatusUnauthorized, iamError(http.StatusUnauthorized, "Unauthorized", "The username or password is wrong."))
		return
	}
	now := s.now()
	tok, exp := s.tokens.issue(now, s.tokenLifetime)
	w.Header().Set("X-Subject-Token", tok)
	domain := iamRef{ID: s.DomainID, Name: s.Domain}
	writeJSON(w, http.StatusCreated, map[string]iamToken{"token": {
		ExpiresAt: exp.UTC().Format(iamTime),
		IssuedAt:  now.UTC().Format(iamTime),
		Methods:   []string{"password"},
		User:      iamUser{iamRef: iamRef{ID: s.UserID, Name: s.UserName}, Domain: domain},
		Project:   iamUser{iamRef: iamRef{ID: s.ProjectID, Name: s.Region}, Domain: domain},
	}})
}

func iamError(code int, title, msg string) map[string]any {
	return map[string]any{"error": map[string]any{"code": code, "title": title, "message": msg}}
}

type iamProject struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	DomainID string `json:"domain_id"`
	Enabled  bool   `json:"enabled"`
}

// listProjects emulates IAM GET /v3/projects?name=<region>, which the SDK
// calls to find the project id when it is not configured.
func (s *Server) listProjects(w http.ResponseWriter, r *http.Request) {
	projects := []iamProject{}
	if name := r.URL.Query().Get("name"); name == "" || name == s.Region {
		projects = append(projects, iamProject{ID: s.ProjectID, Name: s.Region, DomainID: s.DomainID, Enabled: true})
	}
	writeJSON(w, http.StatusOK, map[string]any{"projects": projects})
}
