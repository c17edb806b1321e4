// Package config reads the environment configuration shared by the
// functions and the CLI. Every field names its variable in an envconfig tag
// and explains it in a desc tag, so Usage can print (with envconfig) the
// table that -h shows. Reading checks every variable and reports every bad
// one at once, in one *Error. Fields tagged secret:"true" are
// redacted whenever the struct is printed.
package config

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/swr-autopilot/swr-autopilot/pkg/redact"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// SWR is how to reach and authenticate to SWR. Exactly one way to
// authenticate must be configured: AK/SK (optionally temporary, with a
// security token), a ready IAM token, or an IAM user name and password.
// Embed it anonymously in a function's config struct so that its variables
// keep their names.
type SWR struct {
	AK            string `envconfig:"HUAWEICLOUD_SDK_AK" secret:"true" json:"-" desc:"access key id (AK/SK authentication)"`
	SK            string `envconfig:"HUAWEICLOUD_SDK_SK" secret:"true" json:"-" desc:"secret access key"`
	SecurityToken string `envconfig:"HUAWEICLOUD_SDK_SECURITY_TOKEN" secret:"true" json:"-" desc:"security token of temporary AK/SK"`
	ProjectID     string `envconfig:"HUAWEICLOUD_SDK_PROJECT_ID" desc:"project id, sent as X-Project-Id and used for quotas"`
	Region        string `envconfig:"HUAWEICLOUD_SDK_REGION" desc:"region, e.g. cn-north-4; picks the SWR and IAM endpoints"`
	EndpointURL   string `envconfig:"SWR_ENDPOINT" url:"true" desc:"SWR API endpoint; overrides https://swr-api.{region}.myhuaweicloud.com"`

	AuthToken   string `envconfig:"SWR_AUTH_TOKEN" secret:"true" json:"-" desc:"ready IAM token sent as X-Auth-Token, instead of AK/SK"`
	IAMEndpoint string `envconfig:"HUAWEICLOUD_SDK_IAM_ENDPOINT" desc:"IAM endpoint for password authentication and IAM user and group lookups; default https://iam.{region}.myhuaweicloud.com"`
	IAMDomain   string `envconfig:"SWR_IAM_DOMAIN" desc:"account (domain) name for password authentication"`
	IAMUser     string `envconfig:"SWR_IAM_USER" desc:"IAM user name for password authentication"`
	IAMPassword string `envconfig:"SWR_IAM_PASSWORD" secret:"true" json:"-" desc:"IAM password"`
	IAMProject  string `envconfig:"SWR_IAM_PROJECT" desc:"project name the IAM token is scoped to; default the region"`

	RateLimit      float64       `envconfig:"SWR_RATE_LIMIT" default:"10" desc:"SWR requests per second, shared by all goroutines of a process; 0 = unlimited"`
	RateBurst      int           `envconfig:"SWR_RATE_BURST" default:"10" desc:"requests allowed at once above the rate"`
	MaxAttempts    int           `envconfig:"SWR_RETRY_MAX_ATTEMPTS" default:"4" desc:"tries per request, the first included"`
	RetryBaseDelay time.Duration `envconfig:"SWR_RETRY_BASE_DELAY" default:"200ms" desc:"backoff of the first retry (full jitter, doubling)"`
	RetryMaxDelay  time.Duration `envconfig:"SWR_RETRY_MAX_DELAY" default:"10s" desc:"longest backoff between retries"`
	Timeout        time.Duration `envconfig:"SWR_HTTP_TIMEOUT" default:"30s" desc:"timeout of one HTTP request"`
}

// regionPattern is the shape of a Huawei Cloud region name (a DNS label).
var regionPattern = regexp.MustCompile(`^[a-z]+(-[a-z0-9]+)+$`)

// Load reads SWR from the environment and validates it. The error lists
// every missing or contradictory setting at once.
func Load() (SWR, error) {
	s, err := Read()
	if err != nil {
		return SWR{}, err
	}
	if err := s.Validate(); err != nil {
		return SWR{}, err
	}
	return s, nil
}

// Read reads SWR from the environment without validating it, for callers
// that complete it (e.g. from flags) before calling Validate.
func Read() (SWR, error) {
	var s SWR
	if p := readEnv(&s); len(p) > 0 {
		return SWR{}, &Error{Problems: p}
	}
	return s, nil
}

// authModes names the ways of authentication that s configures.
func (s SWR) authModes() []string {
	var modes []string
	if s.AK != "" || s.SK != "" {
		modes = append(modes, "AK/SK (HUAWEICLOUD_SDK_AK, HUAWEICLOUD_SDK_SK)")
	}
	if s.AuthToken != "" {
		modes = append(modes, "token (SWR_AUTH_TOKEN)")
	}
	if s.IAMDomain != "" || s.IAMUser != "" || s.IAMPassword != "" {
		modes = append(modes, "password (SWR_IAM_DOMAIN, SWR_IAM_USER, SWR_IAM_PASSWORD)")
	}
	return modes
}

// Validate reports every missing or contradictory setting in one *Error.
// Messages name variables, never secret values.
func (s SWR) Validate() error {
	var p []string
	add := func(format string, args ...any) { p = append(p, fmt.Sprintf(format, args...)) }

	modes := s.authModes()
	switch {
	case len(modes) == 0:
		add("no credentials: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK, or SWR_AUTH_TOKEN, " +
			"or SWR_IAM_DOMAIN, SWR_IAM_USER and SWR_IAM_PASSWORD")
	case len(modes) > 1:
		add("contradictory credentials: %s are all set; configure exactly one", strings.Join(modes, " and "))
	}
	if s.AK != "" && s.SK == "" {
		add("HUAWEICLOUD_SDK_SK is missing (HUAWEICLOUD_SDK_AK is set)")
	}
	if s.SK != "" && s.AK == "" {
		add("HUAWEICLOUD_SDK_AK is missing (HUAWEICLOUD_SDK_SK is set)")
	}
	if s.SecurityToken != "" && (s.AK == "" || s.SK == "") {
		add("HUAWEICLOUD_SDK_SECURITY_TOKEN is set without HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
	}
	if s.IAMDomain != "" || s.IAMUser != "" || s.IAMPassword != "" {
		for _, f := range []struct{ name, val string }{
			{"SWR_IAM_DOMAIN", s.IAMDomain}, {"SWR_IAM_USER", s.IAMUser}, {"SWR_IAM_PASSWORD", s.IAMPassword},
		} {
			if f.val == "" {
				add("%s is missing (password authentication is configured)", f.name)
			}
		}
		if s.Region == "" && s.IAMEndpoint == "" {
			add("HUAWEICLOUD_SDK_REGION or HUAWEICLOUD_SDK_IAM_ENDPOINT is required for password authentication")
		}
		if s.Region == "" && s.IAMProject == "" {
			add("HUAWEICLOUD_SDK_REGION or SWR_IAM_PROJECT is required for password authentication")
		}
	}

	if s.Region == "" && s.EndpointURL == "" {
		add("HUAWEICLOUD_SDK_REGION or SWR_ENDPOINT is missing")
	}
	if s.Region != "" && !regionPattern.MatchString(s.Region) {
		add("HUAWEICLOUD_SDK_REGION %q is not a region name such as cn-north-4", s.Region)
	}
	if s.EndpointURL != "" {
		if err := checkURL(s.EndpointURL); err != nil {
			add("SWR_ENDPOINT: %v", err)
		}
	}
	if s.IAMEndpoint != "" {
		if err := checkURL(s.IAMEndpoint); err != nil {
			add("HUAWEICLOUD_SDK_IAM_ENDPOINT: %v", err)
		}
	}

	var c checks
	c.number("SWR_RATE_LIMIT", s.RateLimit, 0, maxRate, "requests per second: a finite number, 0 or more (0 = unlimited)")
	switch {
	case s.RateLimit > 0 && !(s.RateBurst >= 1):
		c.addf("SWR_RATE_BURST", "at least 1 while SWR_RATE_LIMIT is above 0", "is %d", s.RateBurst)
	case !(s.RateBurst >= 0):
		c.atLeast("SWR_RATE_BURST", s.RateBurst, 0)
	}
	c.atLeast("SWR_RETRY_MAX_ATTEMPTS", s.MaxAttempts, 1)
	c.notNegative("SWR_RETRY_BASE_DELAY", s.RetryBaseDelay)
	if !(s.RetryMaxDelay >= s.RetryBaseDelay) {
		c.addf("SWR_RETRY_MAX_DELAY", "at least SWR_RETRY_BASE_DELAY", "is %v, below SWR_RETRY_BASE_DELAY (%v)", s.RetryMaxDelay, s.RetryBaseDelay)
	}
	c.positive("SWR_HTTP_TIMEOUT", s.Timeout)
	p = append(p, c.problems...)
	if len(p) > 0 {
		return &Error{Problems: p}
	}
	return nil
}

// checkURL accepts an absolute http(s) URL.
func checkURL(raw string) error {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("%q is not an http(s) URL", redact.URL(raw))
	}
	return nil
}

// Endpoint returns the SWR API endpoint: SWR_ENDPOINT when set, else the
// regional default.
func (s SWR) Endpoint() string {
	if s.EndpointURL != "" {
		return strings.TrimSuffix(s.EndpointURL, "/")
	}
	return RegionalEndpoint("swr-api", s.Region)
}

// IAMEndpointURL returns the IAM endpoint for password authentication:
// HUAWEICLOUD_SDK_IAM_ENDPOINT when set, else the regional default.
func (s SWR) IAMEndpointURL() string {
	if s.IAMEndpoint != "" {
		return strings.TrimSuffix(s.IAMEndpoint, "/")
	}
	return RegionalEndpoint("iam", s.Region)
}

// RegionalEndpoint returns https://{service}.{region}.myhuaweicloud.com, or
// the .eu domain for eu-west-101 (swr-api.md §1.1).
func RegionalEndpoint(service, region string) string {
	domain := "myhuaweicloud.com"
	if region == "eu-west-101" {
		domain = "myhuaweicloud.eu"
	}
	return "https://" + service + "." + region + "." + domain
}

// Credentials returns the swr.Credentials that s configures. Call it on a
// validated SWR.
func (s SWR) Credentials() swr.Credentials {
	switch {
	case s.AuthToken != "":
		return swr.StaticToken{Token: s.AuthToken, ProjectID: s.ProjectID}
	case s.IAMUser != "" || s.IAMPassword != "" || s.IAMDomain != "":
		project := s.IAMProject
		if project == "" {
			project = s.Region
		}
		return swr.IAMPassword{IAMEndpoint: s.IAMEndpointURL(), DomainName: s.IAMDomain, UserName: s.IAMUser,
			Password: s.IAMPassword, ProjectName: project}
	default:
		return swr.AKSK{AK: s.AK, SK: s.SK, SecurityToken: s.SecurityToken, ProjectID: s.ProjectID}
	}
}

// ClientOptions returns the swr options for the rate limit, retry and
// timeout settings of s.
func (s SWR) ClientOptions() []swr.Option {
	opts := []swr.Option{
		swr.WithRateLimit(s.RateLimit, s.RateBurst),
		swr.WithRetry(s.MaxAttempts, s.RetryBaseDelay, s.RetryMaxDelay),
		swr.WithHTTPClient(&http.Client{Timeout: s.Timeout}),
	}
	// IAM user and group lookups (directory members by name) go to the
	// configured or regional IAM endpoint; without either, the global one.
	if s.IAMEndpoint != "" || s.Region != "" {
		opts = append(opts, swr.WithIAMEndpoint(s.IAMEndpointURL()))
	}
	return opts
}

// NewClient validates s and builds an SWR client from it. opts are applied
// after the options of s, so they win.
func (s SWR) NewClient(opts ...swr.Option) (*swr.Client, error) {
	if err := s.Validate(); err != nil {
		return nil, err
	}
	return swr.NewClient(s.Endpoint(), s.Credentials(), append(s.ClientOptions(), opts...)...)
}

// String prints s with its secrets redacted.
func (s SWR) String() string { return Redact(s) }

// GoString is String, so %#v redacts too.
func (s SWR) GoString() string { return s.String() }

// Format prints the redacted String for every verb.
func (s SWR) Format(f fmt.State, verb rune) { formatRedacted(f, verb, s.String()) }

// LogValue logs the redacted String.
func (s SWR) LogValue() slog.Value { return slog.StringValue(s.String()) }
