package targets

import (
	"context"
	"encoding/json"
	"fmt"
	"os"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// credentialVariables are the variables of config.SWR that carry
// credentials or say how to use them; a prefix (Credentials.Env) applies to
// each.
var credentialVariables = []struct {
	name string
	set  func(*config.SWR, string)
}{
	{"HUAWEICLOUD_SDK_AK", func(c *config.SWR, v string) { c.AK = v }},
	{"HUAWEICLOUD_SDK_SK", func(c *config.SWR, v string) { c.SK = v }},
	{"HUAWEICLOUD_SDK_SECURITY_TOKEN", func(c *config.SWR, v string) { c.SecurityToken = v }},
	{"SWR_AUTH_TOKEN", func(c *config.SWR, v string) { c.AuthToken = v }},
	{"HUAWEICLOUD_SDK_IAM_ENDPOINT", func(c *config.SWR, v string) { c.IAMEndpoint = v }},
	{"SWR_IAM_DOMAIN", func(c *config.SWR, v string) { c.IAMDomain = v }},
	{"SWR_IAM_USER", func(c *config.SWR, v string) { c.IAMUser = v }},
	{"SWR_IAM_PASSWORD", func(c *config.SWR, v string) { c.IAMPassword = v }},
	{"SWR_IAM_PROJECT", func(c *config.SWR, v string) { c.IAMProject = v }},
}

// SecretSource returns the string value of a Secrets Manager secret.
// SecretsExtension is the one the functions use.
type SecretSource interface {
	SecretString(ctx context.Context, id string) (string, error)
}

// Resolver turns targets into the SWR configuration of their clients.
type Resolver struct {
	// Base holds what every target shares (rate limit, retries, timeout)
	// and, for a target that names no credentials, the credentials.
	Base config.SWR
	// Getenv reads prefixed variables; os.Getenv when nil.
	Getenv func(string) string
	// Secrets reads the secrets targets name; a target naming a secret
	// cannot be resolved without it.
	Secrets SecretSource
}

// Config returns the validated SWR configuration of t: Base with t's
// region, project and endpoint and the credentials t names. Errors name
// the target and where its credentials come from, never their values.
func (r Resolver) Config(ctx context.Context, t Target) (config.SWR, error) {
	cfg := r.Base
	if t.Name != "" {
		cfg.Region, cfg.ProjectID, cfg.EndpointURL = t.Region, t.ProjectID, t.Endpoint
	}
	switch {
	case t.Credentials.Env != "":
		getenv := r.Getenv
		if getenv == nil {
			getenv = os.Getenv
		}
		for _, v := range credentialVariables {
			v.set(&cfg, getenv(t.Credentials.Env+v.name))
		}
	case t.Credentials.Secret != "":
		if err := r.fromSecret(ctx, &cfg, t.Credentials.Secret); err != nil {
			return config.SWR{}, fmt.Errorf("target %s: %w", t.label(), err)
		}
	}
	if err := cfg.Validate(); err != nil {
		return config.SWR{}, fmt.Errorf("target %s (credentials from %s): %w", t.label(), t.Credentials, err)
	}
	return cfg, nil
}

// Client builds the SWR client of t (see Config). opts are applied last.
func (r Resolver) Client(ctx context.Context, t Target, opts ...swr.Option) (*swr.Client, error) {
	cfg, err := r.Config(ctx, t)
	if err != nil {
		return nil, err
	}
	return cfg.NewClient(opts...)
}

// secretCredentials is the JSON a credentials secret holds.
type secretCredentials struct {
	AK            string `json:"ak"`
	SK            string `json:"sk"`
	SecurityToken string `json:"security_token"`
}

// fromSecret replaces the credentials of cfg with the AK/SK of secret id.
func (r Resolver) fromSecret(ctx context.Context, cfg *config.SWR, id string) error {
	if r.Secrets == nil {
		return fmt.Errorf("secret %s: no secrets source (run where the AWS Parameters and Secrets Lambda Extension runs)", id)
	}
	value, err := r.Secrets.SecretString(ctx, id)
	if err != nil {
		return err
	}
	var sc secretCredentials
	// The decoding error may quote the value: leave it out.
	if json.Unmarshal([]byte(value), &sc) != nil || sc.AK == "" || sc.SK == "" {
		return fmt.Errorf("secret %s does not hold a JSON object with \"ak\" and \"sk\"", id)
	}
	for _, v := range credentialVariables {
		v.set(cfg, "")
	}
	cfg.AK, cfg.SK, cfg.SecurityToken = sc.AK, sc.SK, sc.SecurityToken
	return nil
}

// label names t in messages.
func (t Target) label() string {
	if t.Name == "" {
		return "(default)"
	}
	return fmt.Sprintf("%q", t.Name)
}
