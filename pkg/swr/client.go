// Package swr is a client for the Huawei Cloud SWR (shared edition) REST
// API v2. One Client carries the credentials, a shared rate limiter and the
// retry policy; each API area is a service field of the Client:
//
//	c, err := swr.NewClient("https://swr-api.cn-north-4.myhuaweicloud.com",
//		swr.AKSK{AK: ak, SK: sk, ProjectID: project})
//	rules, err := c.Retentions.List(ctx, "team", "team/web")
//
// Repository names are passed as they are ("team/web"); the client writes
// them in their "$" form in URL paths. Any 2xx answer is a success; any other
// answer is an *Error (see IsNotFound, IsConflict, IsThrottled, IsQuotaExceeded);
// IsTransient is the one rule for what trying again may cure.
//
// Listings take their arguments in one order: ctx, the resource's names,
// then an options struct that pages (and filters) it, nil for the first
// page: List(ctx, opts), ListTags(ctx, ns, repo, opts), Histories(ctx, ns,
// repo, opts). A paged listing also comes as a stream that pages itself,
// named like it with All for List: All(ctx, opts), AllTags(ctx, ns, repo,
// opts).
package swr

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"golang.org/x/time/rate"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/wait"
	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
)

// Client talks to one SWR endpoint. It is safe for concurrent use; all its
// goroutines share one rate limiter and one token cache.
type Client struct {
	Namespaces       *NamespacesService       // organizations (swr-api.md §2)
	NamespaceAccess  *NamespaceAccessService  // organization grants (§3)
	Repositories     *RepositoriesService     // repositories and tags (§4)
	RepositoryAccess *RepositoryAccessService // repository grants (§5)
	Retentions       *RetentionsService       // retention policies (§6)
	Triggers         *TriggersService         // CCE/CCI triggers (§7)
	Sync             *SyncService             // cross-region sync (§8)
	Meta             *MetaService             // quotas and API versions (§9)
	IAM              *IAMService              // IAM users and groups, at IAM's own endpoint

	endpoint    *url.URL
	iamEndpoint string
	creds       Credentials
	auth        authenticator
	hc          *http.Client
	limiter     *rate.Limiter
	rps         float64
	burst       int
	retry       retryPolicy
	now         func() time.Time
	userAgent   string
	logger      *slog.Logger
	sleep       func(ctx context.Context, d time.Duration) error
	stats       counters
}

// NewClient returns a client for the SWR API at endpoint (for example
// https://swr-api.cn-north-4.myhuaweicloud.com) that authenticates with creds.
func NewClient(endpoint string, creds Credentials, opts ...Option) (*Client, error) {
	u, err := parseEndpoint(endpoint)
	if err != nil {
		return nil, fmt.Errorf("swr: endpoint: %w", err)
	}
	if creds == nil {
		return nil, errors.New("swr: no credentials")
	}
	c := &Client{
		endpoint:  u,
		creds:     creds,
		hc:        &http.Client{Timeout: DefaultTimeout},
		retry:     retryPolicy{maxAttempts: DefaultMaxAttempts, baseDelay: DefaultRetryBaseDelay, maxDelay: DefaultRetryMaxDelay},
		now:       time.Now,
		userAgent: DefaultUserAgent,
		logger:    slog.New(slog.DiscardHandler),
		sleep:     wait.Sleep,
	}
	for _, opt := range opts {
		opt(c)
	}
	if err := c.validate(); err != nil {
		return nil, err
	}
	if c.rps > 0 {
		c.limiter = rate.NewLimiter(rate.Limit(c.rps), max(c.burst, 1))
	}
	if c.auth, err = creds.newAuthenticator(c); err != nil {
		return nil, err
	}
	c.Namespaces = &NamespacesService{c}
	c.NamespaceAccess = &NamespaceAccessService{c}
	c.Repositories = &RepositoriesService{c}
	c.RepositoryAccess = &RepositoryAccessService{c}
	c.Retentions = &RetentionsService{c}
	c.Triggers = &TriggersService{c}
	c.Sync = &SyncService{c}
	c.Meta = &MetaService{c}
	c.IAM = &IAMService{c}
	if c.iamEndpoint != "" {
		if _, err := c.iamURL(); err != nil {
			return nil, err
		}
	}
	return c, nil
}

func (c *Client) validate() error {
	var problems []string
	if c.hc == nil {
		problems = append(problems, "HTTP client is nil")
	}
	if c.now == nil {
		problems = append(problems, "clock is nil")
	}
	if c.logger == nil {
		problems = append(problems, "logger is nil")
	}
	if c.rps < 0 {
		problems = append(problems, fmt.Sprintf("rate limit %v is negative", c.rps))
	}
	if c.retry.maxAttempts < 1 {
		problems = append(problems, fmt.Sprintf("retry max attempts %d is below 1", c.retry.maxAttempts))
	}
	if c.retry.baseDelay < 0 || c.retry.maxDelay < c.retry.baseDelay {
		problems = append(problems, fmt.Sprintf("retry delays must satisfy 0 <= base (%v) <= max (%v)", c.retry.baseDelay, c.retry.maxDelay))
	}
	if len(problems) > 0 {
		return fmt.Errorf("swr: invalid options: %s", strings.Join(problems, "; "))
	}
	return nil
}

// Endpoint returns the base URL the client sends requests to.
func (c *Client) Endpoint() string { return c.endpoint.String() }

// String describes the client without revealing its credentials.
func (c *Client) String() string {
	return fmt.Sprintf("swr.Client{Endpoint:%q, Credentials:%s}", c.endpoint.String(), c.creds.String())
}

// GoString is String, so %#v redacts too.
func (c *Client) GoString() string { return c.String() }

// Format prints the redacted String for every verb.
func (c *Client) Format(f fmt.State, verb rune) { formatRedacted(f, verb, c.String()) }

// LogValue logs the redacted String.
func (c *Client) LogValue() slog.Value { return slog.StringValue(c.String()) }

// parseEndpoint accepts an absolute http(s) URL without query or fragment.
func parseEndpoint(raw string) (*url.URL, error) {
	if raw == "" {
		return nil, errors.New("empty URL")
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, fmt.Errorf("%q is not a URL", redact.URL(raw))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("%q: scheme must be http or https", redact.URL(raw))
	}
	if u.Host == "" {
		return nil, fmt.Errorf("%q has no host", redact.URL(raw))
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return nil, fmt.Errorf("%q must not carry user info, a query or a fragment", redact.URL(raw))
	}
	u.Path = strings.TrimSuffix(u.Path, "/")
	u.RawPath = ""
	return u, nil
}

// url returns the request URL of an API path (unescaped, repository names
// already in their $ form) and query. Spaces in the query are sent as %20.
func (c *Client) url(path string, query url.Values) *url.URL {
	u := *c.endpoint
	u.Path += path
	if len(query) > 0 {
		u.RawQuery = strings.ReplaceAll(query.Encode(), "+", "%20")
	}
	return &u
}

func closeBody(resp *http.Response) {
	io.Copy(io.Discard, io.LimitReader(resp.Body, maxErrorBodyBytes))
	resp.Body.Close()
}
