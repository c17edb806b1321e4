package swr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"time"
)

// Credentials authenticate the requests of a Client. The implementations
// are AKSK (request signing), StaticToken (a ready IAM token) and
// IAMPassword (a token obtained from IAM and refreshed by the client).
// Every implementation redacts its secrets when formatted or logged.
type Credentials interface {
	fmt.Stringer
	// newAuthenticator validates the credentials and returns the per-Client
	// state that authorizes requests.
	newAuthenticator(c *Client) (authenticator, error)
}

// authenticator adds authentication to requests of one Client.
type authenticator interface {
	// authorize adds the authentication headers to req, whose body is body.
	// It returns the token it used ("" when there is none) so that a 401
	// can invalidate exactly that token.
	authorize(ctx context.Context, req *http.Request, body []byte) (used string, err error)
	// invalidate forgets the token used and reports whether a new one can
	// be obtained, i.e. whether re-sending the request may succeed.
	invalidate(used string) bool
	// projectID returns the project id the credentials are scoped to.
	projectID(ctx context.Context) (string, error)
}

// errNoProjectID is returned by calls that need a project id when the
// credentials do not carry one.
var errNoProjectID = errors.New("the credentials carry no project id")

// AKSK are access-key credentials; every request is signed with
// SDK-HMAC-SHA256 (see Sign). SecurityToken is set for temporary
// credentials; ProjectID is sent as X-Project-Id and used by Meta.Quotas.
type AKSK struct {
	AK            string
	SK            string
	SecurityToken string
	ProjectID     string
}

// String describes the credentials with AK, SK and SecurityToken redacted.
func (a AKSK) String() string {
	return fmt.Sprintf("swr.AKSK{AK:%s, SK:%s, SecurityToken:%s, ProjectID:%q}",
		masked(a.AK), masked(a.SK), masked(a.SecurityToken), a.ProjectID)
}

// GoString is String, so %#v redacts too.
func (a AKSK) GoString() string { return a.String() }

// Format prints the redacted String for every verb.
func (a AKSK) Format(f fmt.State, verb rune) { formatRedacted(f, verb, a.String()) }

// LogValue logs the redacted String.
func (a AKSK) LogValue() slog.Value { return slog.StringValue(a.String()) }

func (a AKSK) newAuthenticator(c *Client) (authenticator, error) {
	var missing []string
	if a.AK == "" {
		missing = append(missing, "AK")
	}
	if a.SK == "" {
		missing = append(missing, "SK")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("swr: AK/SK credentials: %s is empty", strings.Join(missing, " and "))
	}
	return akskAuth{cred: a, now: c.now}, nil
}

// akskAuth signs every request with a fresh date from now.
type akskAuth struct {
	cred AKSK
	now  func() time.Time
}

func (a akskAuth) authorize(_ context.Context, req *http.Request, body []byte) (string, error) {
	if a.cred.ProjectID != "" {
		req.Header.Set(HeaderProjectID, a.cred.ProjectID)
	}
	if a.cred.SecurityToken != "" {
		req.Header.Set(HeaderSecurityToken, a.cred.SecurityToken)
	}
	req.Header.Del(HeaderSdkDate)
	Sign(req, body, a.cred.AK, a.cred.SK, a.now())
	return "", nil
}

func (akskAuth) invalidate(string) bool { return false }

func (a akskAuth) projectID(context.Context) (string, error) {
	if a.cred.ProjectID == "" {
		return "", errNoProjectID
	}
	return a.cred.ProjectID, nil
}

// StaticToken authenticates with a ready IAM token sent as X-Auth-Token.
// The client cannot renew it. ProjectID is optional and used only by
// Meta.Quotas.
type StaticToken struct {
	Token     string
	ProjectID string
}

// String describes the credentials with the token redacted.
func (t StaticToken) String() string {
	return fmt.Sprintf("swr.StaticToken{Token:%s, ProjectID:%q}", masked(t.Token), t.ProjectID)
}

// GoString is String, so %#v redacts too.
func (t StaticToken) GoString() string { return t.String() }

// Format prints the redacted String for every verb.
func (t StaticToken) Format(f fmt.State, verb rune) { formatRedacted(f, verb, t.String()) }

// LogValue logs the redacted String.
func (t StaticToken) LogValue() slog.Value { return slog.StringValue(t.String()) }

func (t StaticToken) newAuthenticator(*Client) (authenticator, error) {
	if t.Token == "" {
		return nil, errors.New("swr: token credentials: Token is empty")
	}
	return staticTokenAuth(t), nil
}

type staticTokenAuth StaticToken

func (t staticTokenAuth) authorize(_ context.Context, req *http.Request, _ []byte) (string, error) {
	req.Header.Set(HeaderAuthToken, t.Token)
	return t.Token, nil
}

func (staticTokenAuth) invalidate(string) bool { return false }

func (t staticTokenAuth) projectID(context.Context) (string, error) {
	if t.ProjectID == "" {
		return "", errNoProjectID
	}
	return t.ProjectID, nil
}

// IAMPassword obtains an IAM token with a user name and password
// (POST {IAMEndpoint}/v3/auth/tokens, scoped to the project named
// ProjectName, usually the region). The client caches the token until
// shortly before it expires and, when SWR answers 401, fetches a new one
// and re-sends the request once.
type IAMPassword struct {
	IAMEndpoint string // e.g. https://iam.cn-north-4.myhuaweicloud.com
	DomainName  string // account (domain) name
	UserName    string // IAM user name
	Password    string
	ProjectName string // e.g. cn-north-4
}

// String describes the credentials with the password redacted.
func (p IAMPassword) String() string {
	return fmt.Sprintf("swr.IAMPassword{IAMEndpoint:%q, DomainName:%q, UserName:%q, Password:%s, ProjectName:%q}",
		p.IAMEndpoint, p.DomainName, p.UserName, masked(p.Password), p.ProjectName)
}

// GoString is String, so %#v redacts too.
func (p IAMPassword) GoString() string { return p.String() }

// Format prints the redacted String for every verb.
func (p IAMPassword) Format(f fmt.State, verb rune) { formatRedacted(f, verb, p.String()) }

// LogValue logs the redacted String.
func (p IAMPassword) LogValue() slog.Value { return slog.StringValue(p.String()) }

func (p IAMPassword) newAuthenticator(c *Client) (authenticator, error) {
	var missing []string
	for _, f := range []struct{ name, val string }{
		{"IAMEndpoint", p.IAMEndpoint}, {"DomainName", p.DomainName}, {"UserName", p.UserName},
		{"Password", p.Password}, {"ProjectName", p.ProjectName},
	} {
		if f.val == "" {
			missing = append(missing, f.name)
		}
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("swr: IAM password credentials: empty %s", strings.Join(missing, ", "))
	}
	u, err := parseEndpoint(p.IAMEndpoint)
	if err != nil {
		return nil, fmt.Errorf("swr: IAM password credentials: IAMEndpoint: %w", err)
	}
	return newTokenSource(c, p, u), nil
}

// masked shows whether a secret is set without showing it.
func masked(s string) string {
	if s == "" {
		return `""`
	}
	return "[redacted]"
}

// formatRedacted writes s for any verb; %q quotes it.
func formatRedacted(f fmt.State, verb rune, s string) {
	if verb == 'q' {
		fmt.Fprintf(f, "%q", s)
		return
	}
	io.WriteString(f, s)
}
