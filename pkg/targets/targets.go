package targets

import (
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/config"
)

// Target is one SWR registry the deployment governs.
type Target struct {
	// Name identifies the target in reports, events and policies. The
	// target of a deployment without a targets file has no name.
	Name string
	// Region is the Huawei Cloud region, e.g. cn-north-4.
	Region string
	// ProjectID is the project id in that region, sent as X-Project-Id;
	// empty leaves it to the credentials.
	ProjectID string
	// Endpoint overrides https://swr-api.{region}.myhuaweicloud.com.
	Endpoint string
	// RegistryHosts are the docker registry hosts whose webhooks belong to
	// this target; swr.{region}.myhuaweicloud.com always does.
	RegistryHosts []string
	// Credentials say where the target's credentials come from.
	Credentials Credentials
}

// Credentials name where a target's credentials come from; at most one
// field is set. With neither, the target uses the unprefixed variables
// (HUAWEICLOUD_SDK_AK, …) of the function itself.
type Credentials struct {
	// Env is an environment variable prefix: "PROD_" reads
	// PROD_HUAWEICLOUD_SDK_AK, PROD_HUAWEICLOUD_SDK_SK and the other
	// credential variables.
	Env string
	// Secret is a Secrets Manager secret id (name or ARN) whose JSON holds
	// "ak" and "sk", and optionally "security_token".
	Secret string
}

// String says where the credentials come from, never what they are.
func (c Credentials) String() string {
	switch {
	case c.Env != "":
		return "environment " + c.Env + "*"
	case c.Secret != "":
		return "secret " + c.Secret
	}
	return "environment"
}

// RegistryHost returns the docker registry host of a region,
// swr.{region}.myhuaweicloud.com (.eu for eu-west-101).
func RegistryHost(region string) string {
	return strings.TrimPrefix(config.RegionalEndpoint("swr", region), "https://")
}

// Hosts returns every registry host of t: its own region's and those the
// file adds, lower case.
func (t Target) Hosts() []string {
	hosts := []string{RegistryHost(t.Region)}
	for _, h := range t.RegistryHosts {
		h = strings.ToLower(h)
		if !slices.Contains(hosts, h) {
			hosts = append(hosts, h)
		}
	}
	return hosts
}

// Set is the targets of one deployment, in the order of the file.
type Set struct {
	// File names where the set came from; empty for Default.
	File    string
	Targets []Target
}

// Default returns the set of a deployment without a targets file: one
// unnamed target with the region, project and endpoint of cfg and the
// function's own credential variables.
func Default(cfg config.SWR) *Set {
	return &Set{Targets: []Target{{Region: cfg.Region, ProjectID: cfg.ProjectID, Endpoint: cfg.EndpointURL}}}
}

// Named reports whether the set came from a targets file, so that reports
// name the target of each entry.
func (s *Set) Named() bool { return len(s.Targets) > 0 && s.Targets[0].Name != "" }

// Names lists the targets' names in order.
func (s *Set) Names() []string {
	out := make([]string, len(s.Targets))
	for i, t := range s.Targets {
		out[i] = t.Name
	}
	return out
}

// ByName returns the target called name.
func (s *Set) ByName(name string) (Target, bool) {
	i := slices.IndexFunc(s.Targets, func(t Target) bool { return t.Name == name })
	if i < 0 {
		return Target{}, false
	}
	return s.Targets[i], true
}

// ByRegion returns the targets in region, in set order.
func (s *Set) ByRegion(region string) []Target {
	var out []Target
	for _, t := range s.Targets {
		if t.Region == region {
			out = append(out, t)
		}
	}
	return out
}

// ByHost returns the targets a registry host (as a webhook names it, with
// or without a port) belongs to, in set order.
func (s *Set) ByHost(host string) []Target {
	host = strings.ToLower(host)
	if h, _, ok := strings.Cut(host, ":"); ok {
		host = h
	}
	var out []Target
	for _, t := range s.Targets {
		if slices.Contains(t.Hosts(), host) {
			out = append(out, t)
		}
	}
	return out
}
