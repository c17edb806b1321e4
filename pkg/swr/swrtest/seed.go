package swrtest

import (
	"bytes"
	_ "crypto/sha256" // digest.Digest.Validate knows the algorithms linked in
	"errors"
	"fmt"
	"io"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/opencontainers/go-digest"
	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Seed is a registry state to load into a Server, from Go, YAML or JSON
// (JSON is read as YAML). Keys are snake_case throughout. Example:
//
//	namespaces:
//	  - name: team-a
//	    creator: alice
//	    grants: [{user_id: u-1, user_name: bob, auth: 3}]
//	    repositories:
//	      - name: web/app
//	        is_public: false
//	        tags:
//	          - {name: v1, pushed: 2026-01-02T03:04:05Z}
//	          - {name: v2, age: 3d}
//	        retention: {template: tag_rule, params: {num: "10"}, tag_selectors: []}
//	        triggers:
//	          - {name: deploy, app_type: deployments, application: web, cluster_name: c1,
//	             cluster_ns: default, condition: ".*", trigger_type: all, enable: "true"}
//	        sync_repos: [{remote_region_id: cn-east-3, remote_namespace: team-a-dr, sync_auto: true}]
//	iam:
//	  users:
//	    - {id: u-1, name: bob, ak: BOBAK, sk: bob-secret}
//
// Seeding bypasses the namespace quota and does not execute retention
// policies (call RunRetentions for that).
type Seed struct {
	Namespaces []SeedNamespace `json:"namespaces" yaml:"namespaces"`
	// IAM holds the account's IAM users and groups (see SeedIAM).
	IAM SeedIAM `json:"iam,omitzero" yaml:"iam,omitempty"`
}

// SeedNamespace is one namespace of a Seed. A namespace that already
// exists in the server receives the repositories and grants.
type SeedNamespace struct {
	Name         string           `json:"name" yaml:"name"`
	Creator      string           `json:"creator,omitempty" yaml:"creator,omitempty"` // default: the server user
	Grants       []SeedGrant      `json:"grants,omitempty" yaml:"grants,omitempty"`
	Repositories []SeedRepository `json:"repositories,omitempty" yaml:"repositories,omitempty"`
}

// SeedGrant is a namespace or repository permission; Auth is 7, 3 or 1.
type SeedGrant struct {
	UserID   string `json:"user_id" yaml:"user_id"`
	UserName string `json:"user_name" yaml:"user_name"`
	Auth     int    `json:"auth" yaml:"auth"`
}

// SeedRepository is one repository of a SeedNamespace. Its name is the
// real one (with "/", not "$").
type SeedRepository struct {
	Name        string         `json:"name" yaml:"name"`
	IsPublic    bool           `json:"is_public,omitempty" yaml:"is_public,omitempty"`
	Category    string         `json:"category,omitempty" yaml:"category,omitempty"`
	Description string         `json:"description,omitempty" yaml:"description,omitempty"`
	Created     time.Time      `json:"created,omitzero" yaml:"created,omitempty"` // default: the oldest push, or now
	Tags        []SeedTag      `json:"tags,omitempty" yaml:"tags,omitempty"`
	Grants      []SeedGrant    `json:"grants,omitempty" yaml:"grants,omitempty"`
	Retention   *SeedRetention `json:"retention,omitempty" yaml:"retention,omitempty"`
	Triggers    []SeedTrigger  `json:"triggers,omitempty" yaml:"triggers,omitempty"`
	SyncRepos   []SeedSyncRepo `json:"sync_repos,omitempty" yaml:"sync_repos,omitempty"`
}

// SeedTag is one tag. Its push time is Pushed, or the server clock minus
// Age ("36h", "40d", "1d12h"); with neither it is now. Digest
// ("sha256:" and 64 hex digits) names its image: tags with the same
// digest are one image under several names. Without it the tag is an
// image of its own.
type SeedTag struct {
	Name   string    `json:"name" yaml:"name"`
	Pushed time.Time `json:"pushed,omitzero" yaml:"pushed,omitempty"`
	Age    string    `json:"age,omitempty" yaml:"age,omitempty"`
	Size   int64     `json:"size,omitempty" yaml:"size,omitempty"`
	Digest string    `json:"digest,omitempty" yaml:"digest,omitempty"`
}

// SeedRetention is a repository's retention policy (one rule).
type SeedRetention struct {
	Template     string            `json:"template" yaml:"template"`
	Params       map[string]string `json:"params" yaml:"params"`
	TagSelectors []SeedSelector    `json:"tag_selectors" yaml:"tag_selectors"`
}

// SeedSelector is a retention exception: kind "label" or "regexp".
type SeedSelector struct {
	Kind    string `json:"kind" yaml:"kind"`
	Pattern string `json:"pattern" yaml:"pattern"`
}

// SeedTrigger is a CCE/CCI trigger. Enable is "true" or "false"; Action
// defaults to "update" and TriggerMode to "cce".
type SeedTrigger struct {
	Name        string               `json:"name" yaml:"name"`
	Action      string               `json:"action,omitempty" yaml:"action,omitempty"`
	AppType     string               `json:"app_type" yaml:"app_type"`
	Application string               `json:"application" yaml:"application"`
	ClusterID   string               `json:"cluster_id,omitempty" yaml:"cluster_id,omitempty"`
	ClusterName string               `json:"cluster_name,omitempty" yaml:"cluster_name,omitempty"`
	ClusterNs   string               `json:"cluster_ns" yaml:"cluster_ns"`
	Condition   string               `json:"condition" yaml:"condition"`
	Container   string               `json:"container,omitempty" yaml:"container,omitempty"`
	Enable      string               `json:"enable" yaml:"enable"`
	TriggerMode string               `json:"trigger_mode,omitempty" yaml:"trigger_mode,omitempty"`
	TriggerType string               `json:"trigger_type" yaml:"trigger_type"`
	Creator     string               `json:"creator,omitempty" yaml:"creator,omitempty"`
	History     []SeedTriggerHistory `json:"history,omitempty" yaml:"history,omitempty"`
}

// SeedTriggerHistory is one past run of a trigger.
type SeedTriggerHistory struct {
	Tag    string    `json:"tag" yaml:"tag"`
	Result string    `json:"result" yaml:"result"` // "success" or "failed"
	Detail string    `json:"detail,omitempty" yaml:"detail,omitempty"`
	At     time.Time `json:"at" yaml:"at"`
}

// SeedSyncRepo is an auto-sync rule, keyed by region and namespace.
type SeedSyncRepo struct {
	RemoteRegionID  string `json:"remote_region_id" yaml:"remote_region_id"`
	RemoteNamespace string `json:"remote_namespace" yaml:"remote_namespace"`
	SyncAuto        bool   `json:"sync_auto,omitempty" yaml:"sync_auto,omitempty"`
	Override        bool   `json:"override,omitempty" yaml:"override,omitempty"`
}

// SeedError reports an invalid seed: the path of the offending field and,
// when the seed came from a document, its line.
type SeedError struct {
	Path string // e.g. namespaces[0].repositories[2].tags[1].name
	Line int    // 0 when unknown
	Msg  string
}

// Error names the field, the line when known, and the problem.
func (e *SeedError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("seed: line %d: %s: %s", e.Line, e.Path, e.Msg)
	}
	return fmt.Sprintf("seed: %s: %s", e.Path, e.Msg)
}

// LoadSeed reads a YAML or JSON seed file and checks it.
func LoadSeed(path string) (Seed, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Seed{}, fmt.Errorf("load seed: %w", err)
	}
	s, err := ParseSeed(data)
	if err != nil {
		return Seed{}, fmt.Errorf("load seed %s: %w", path, err)
	}
	return s, nil
}

// ParseSeed decodes a YAML or JSON seed, refusing unknown keys, and checks
// it. Errors name the field and its line.
func ParseSeed(data []byte) (Seed, error) {
	var s Seed
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(&s); err != nil && !errors.Is(err, io.EOF) {
		return Seed{}, fmt.Errorf("seed: %w", err)
	}
	if err := s.Validate(); err != nil {
		var se *SeedError
		if errors.As(err, &se) {
			var root yaml.Node
			if yaml.Unmarshal(data, &root) == nil {
				se.Line = lineOf(&root, se.Path)
			}
		}
		return Seed{}, err
	}
	return s, nil
}

// Validate checks names, grants, tags, rules and triggers of s against
// the rules SWR enforces, and that nothing appears twice.
func (s Seed) Validate() error {
	if err := s.IAM.validate(); err != nil {
		return err
	}
	nsSeen := map[string]bool{}
	for i, n := range s.Namespaces {
		p := fmt.Sprintf("namespaces[%d]", i)
		if swr.CheckNamespaceName(n.Name) != nil {
			return &SeedError{Path: p + ".name", Msg: fmt.Sprintf("invalid namespace name %q", n.Name)}
		}
		if nsSeen[n.Name] {
			return &SeedError{Path: p + ".name", Msg: fmt.Sprintf("namespace %s appears twice", n.Name)}
		}
		nsSeen[n.Name] = true
		if err := validateGrants(p+".grants", n.Grants); err != nil {
			return err
		}
		repoSeen := map[string]bool{}
		for j, r := range n.Repositories {
			rp := fmt.Sprintf("%s.repositories[%d]", p, j)
			if repoSeen[r.Name] {
				return &SeedError{Path: rp + ".name", Msg: fmt.Sprintf("repository %s appears twice", r.Name)}
			}
			repoSeen[r.Name] = true
			if err := validateSeedRepo(rp, r); err != nil {
				return err
			}
		}
	}
	return nil
}

func validateGrants(path string, gs []SeedGrant) error {
	seen := map[string]bool{}
	for i, g := range gs {
		p := fmt.Sprintf("%s[%d]", path, i)
		switch {
		case g.UserID == "" || g.UserName == "":
			return &SeedError{Path: p, Msg: "user_id and user_name are required"}
		case !swr.ValidAuth(g.Auth):
			return &SeedError{Path: p + ".auth", Msg: fmt.Sprintf("invalid auth %d: want 7, 3 or 1", g.Auth)}
		case seen[g.UserID]:
			return &SeedError{Path: p + ".user_id", Msg: fmt.Sprintf("user %s appears twice", g.UserID)}
		}
		seen[g.UserID] = true
	}
	return nil
}

func validateSeedRepo(p string, r SeedRepository) error {
	if swr.CheckRepositoryName(r.Name) != nil {
		return &SeedError{Path: p + ".name", Msg: fmt.Sprintf("invalid repository name %q", r.Name)}
	}
	if r.Category != "" && !validCategory(r.Category) {
		return &SeedError{Path: p + ".category", Msg: fmt.Sprintf("invalid category %q", r.Category)}
	}
	tagSeen := map[string]bool{}
	for k, t := range r.Tags {
		tp := fmt.Sprintf("%s.tags[%d]", p, k)
		switch {
		case swr.CheckTagName(t.Name) != nil:
			return &SeedError{Path: tp + ".name", Msg: fmt.Sprintf("invalid tag name %q", t.Name)}
		case tagSeen[t.Name]:
			return &SeedError{Path: tp + ".name", Msg: fmt.Sprintf("tag %s appears twice", t.Name)}
		case !t.Pushed.IsZero() && t.Age != "":
			return &SeedError{Path: tp, Msg: "give pushed or age, not both"}
		case t.Digest != "" && digest.Digest(t.Digest).Validate() != nil:
			return &SeedError{Path: tp + ".digest", Msg: fmt.Sprintf("invalid digest %q: want an OCI digest, such as sha256: and 64 lowercase hex digits", t.Digest)}
		case t.Size < 0:
			return &SeedError{Path: tp + ".size", Msg: "size must not be negative"}
		}
		if t.Age != "" {
			if _, err := ParseAge(t.Age); err != nil {
				return &SeedError{Path: tp + ".age", Msg: err.Error()}
			}
		}
		tagSeen[t.Name] = true
	}
	if err := validateGrants(p+".grants", r.Grants); err != nil {
		return err
	}
	if r.Retention != nil {
		if _, err := r.Retention.rule(); err != nil {
			return &SeedError{Path: p + ".retention", Msg: err.Error()}
		}
	}
	trigSeen := map[string]bool{}
	for k, t := range r.Triggers {
		tp := fmt.Sprintf("%s.triggers[%d]", p, k)
		if trigSeen[t.Name] {
			return &SeedError{Path: tp + ".name", Msg: fmt.Sprintf("trigger %s appears twice", t.Name)}
		}
		trigSeen[t.Name] = true
		if err := t.validate(); err != nil {
			return &SeedError{Path: tp, Msg: err.Error()}
		}
	}
	syncSeen := map[[2]string]bool{}
	for k, sr := range r.SyncRepos {
		sp := fmt.Sprintf("%s.sync_repos[%d]", p, k)
		key := [2]string{sr.RemoteRegionID, sr.RemoteNamespace}
		switch {
		case sr.RemoteRegionID == "" || swr.CheckNamespaceName(sr.RemoteNamespace) != nil:
			return &SeedError{Path: sp, Msg: "remote_region_id and a valid remote_namespace are required"}
		case syncSeen[key]:
			return &SeedError{Path: sp, Msg: fmt.Sprintf("sync rule to %s/%s appears twice", key[0], key[1])}
		}
		syncSeen[key] = true
	}
	return nil
}

// rule converts the seed retention into an swr.Rule, checking it as the
// API does.
func (sr SeedRetention) rule() (swr.Rule, error) {
	key, lo, hi := "", 0, 0
	switch sr.Template {
	case swr.TemplateDateRule:
		key, lo, hi = "days", 1, 365
	case swr.TemplateTagRule:
		key, lo, hi = "num", 1, 1000
	default:
		return swr.Rule{}, fmt.Errorf("invalid template %q", sr.Template)
	}
	v, ok := sr.Params[key]
	n, err := strconv.Atoi(v)
	if len(sr.Params) != 1 || !ok || err != nil || n < lo || n > hi {
		return swr.Rule{}, fmt.Errorf("params must be {%s: \"N\"} with N from %d to %d", key, lo, hi)
	}
	sels := make([]swr.TagSelector, len(sr.TagSelectors))
	for i, s := range sr.TagSelectors {
		if s.Kind != swr.SelectorLabel && s.Kind != swr.SelectorRegexp || s.Pattern == "" {
			return swr.Rule{}, fmt.Errorf("tag_selectors[%d]: want kind label or regexp and a pattern", i)
		}
		if s.Kind == swr.SelectorRegexp {
			if _, err := regexp.Compile(s.Pattern); err != nil {
				return swr.Rule{}, fmt.Errorf("tag_selectors[%d]: invalid regexp %q", i, s.Pattern)
			}
		}
		sels[i] = swr.TagSelector{Kind: s.Kind, Pattern: s.Pattern}
	}
	return swr.Rule{Template: sr.Template, Params: map[string]string{key: v}, TagSelectors: sels}, nil
}

func (t SeedTrigger) validate() error {
	switch {
	case swr.CheckTriggerName(t.Name) != nil:
		return fmt.Errorf("invalid trigger name %q", t.Name)
	case t.Action != "" && t.Action != "update":
		return fmt.Errorf(`action must be "update"`)
	case t.AppType != "deployments" && t.AppType != "statefulsets":
		return fmt.Errorf("invalid app_type %q", t.AppType)
	case t.Application == "" || t.ClusterNs == "" || t.Condition == "":
		return fmt.Errorf("application, cluster_ns and condition are required")
	case t.Enable != "true" && t.Enable != "false":
		return fmt.Errorf(`enable must be "true" or "false"`)
	case t.TriggerMode != "" && t.TriggerMode != "cce" && t.TriggerMode != "cci":
		return fmt.Errorf("invalid trigger_mode %q", t.TriggerMode)
	case t.TriggerType != "all" && t.TriggerType != "tag" && t.TriggerType != "regular":
		return fmt.Errorf("invalid trigger_type %q", t.TriggerType)
	}
	for i, h := range t.History {
		if h.Result != "success" && h.Result != "failed" {
			return fmt.Errorf("history[%d]: result must be success or failed", i)
		}
	}
	return nil
}

// ParseAge parses a tag age: a Go duration ("36h", "90m") or a number of
// days with an optional duration after it ("40d", "1d12h").
func ParseAge(s string) (time.Duration, error) {
	var days time.Duration
	rest := s
	if i := strings.IndexByte(s, 'd'); i > 0 {
		n, err := strconv.Atoi(s[:i])
		if err != nil {
			return 0, fmt.Errorf("invalid age %q", s)
		}
		days, rest = time.Duration(n)*24*time.Hour, s[i+1:]
	}
	var d time.Duration
	if rest != "" {
		var err error
		if d, err = time.ParseDuration(rest); err != nil {
			return 0, fmt.Errorf("invalid age %q: want e.g. 36h, 40d or 1d12h", s)
		}
	}
	if days+d < 0 {
		return 0, fmt.Errorf("invalid age %q: negative", s)
	}
	return days + d, nil
}

// lineOf finds the line of the node at a path such as "a[1].b" in a
// parsed YAML document; 0 when the path does not resolve.
func lineOf(root *yaml.Node, path string) int {
	n := root
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	for part := range strings.SplitSeq(path, ".") {
		key, idx := part, -1
		if i := strings.IndexByte(part, '['); i >= 0 {
			key = part[:i]
			idx, _ = strconv.Atoi(strings.TrimSuffix(part[i+1:], "]"))
		}
		n = mapValue(n, key)
		if n == nil {
			return 0
		}
		if idx >= 0 {
			if n.Kind != yaml.SequenceNode || idx >= len(n.Content) {
				return 0
			}
			n = n.Content[idx]
		}
	}
	return n.Line
}

func mapValue(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}
