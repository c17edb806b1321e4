package swr

import (
	"fmt"
	"strconv"
	"time"
)

// Auth levels used by namespace and repository grants (swr-api.md §3).
const (
	AuthRead   = 1 // pull
	AuthWrite  = 3 // pull and push
	AuthManage = 7 // pull, push and manage
)

// ValidAuth reports whether a is one of the three grant levels SWR accepts.
func ValidAuth(a int) bool { return a == AuthRead || a == AuthWrite || a == AuthManage }

// Namespace is an SWR organization (swr-api.md §2).
type Namespace struct {
	ID          int32  `json:"id"`
	Name        string `json:"name"`
	CreatorName string `json:"creator_name"`
	Auth        int    `json:"auth"`
}

// UserAuth is one user's grant on a namespace or repository (swr-api.md §3).
type UserAuth struct {
	UserID   string `json:"user_id"`
	UserName string `json:"user_name"`
	Auth     int    `json:"auth"`
}

// NamespaceAccess is the body of GET /v2/manage/namespaces/{ns}/access.
type NamespaceAccess struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	CreatorName string     `json:"creator_name"`
	SelfAuth    UserAuth   `json:"self_auth"`
	OthersAuths []UserAuth `json:"others_auths"`
}

// RepositoryAccess is the body of GET …/repos/{repo}/access. It has no creator_name.
type RepositoryAccess struct {
	ID          int64      `json:"id"`
	Name        string     `json:"name"`
	SelfAuth    UserAuth   `json:"self_auth"`
	OthersAuths []UserAuth `json:"others_auths"`
}

// Repository is one item of GET /v2/manage/repos (swr-api.md §4.1).
// Note the list spelling created_at/updated_at, unlike RepositoryDetail.
type Repository struct {
	Name         string   `json:"name"`
	Category     string   `json:"category"`
	Description  string   `json:"description"`
	Size         int64    `json:"size"`
	IsPublic     bool     `json:"is_public"`
	NumImages    int64    `json:"num_images"`
	NumDownload  int64    `json:"num_download"`
	CreatedAt    string   `json:"created_at"`
	UpdatedAt    string   `json:"updated_at"`
	Logo         string   `json:"logo"`
	URL          string   `json:"url"`
	Path         string   `json:"path"`
	InternalPath string   `json:"internal_path"`
	DomainName   string   `json:"domain_name"`
	Namespace    string   `json:"namespace"`
	Tags         []string `json:"tags"`
	Status       bool     `json:"status"`
	TotalRange   int64    `json:"total_range"`
}

// RepositoryDetail is the body of GET /v2/manage/namespaces/{ns}/repos/{repo} (swr-api.md §4.2).
type RepositoryDetail struct {
	ID           int64  `json:"id"`
	NsID         int64  `json:"ns_id"`
	Name         string `json:"name"`
	Category     string `json:"category"`
	Description  string `json:"description"`
	CreatorID    string `json:"creator_id"`
	CreatorName  string `json:"creator_name"`
	Size         int64  `json:"size"`
	IsPublic     bool   `json:"is_public"`
	NumImages    int64  `json:"num_images"`
	NumDownload  int64  `json:"num_download"`
	URL          string `json:"url"`
	Path         string `json:"path"`
	InternalPath string `json:"internal_path"`
	Created      string `json:"created"`
	Updated      string `json:"updated"`
	DomainID     string `json:"domain_id"`
	Priority     int64  `json:"priority"`
}

// CreateRepositoryRequest is the body of POST /v2/manage/namespaces/{ns}/repos.
type CreateRepositoryRequest struct {
	Repository  string `json:"repository"`
	IsPublic    bool   `json:"is_public"`
	Category    string `json:"category,omitempty"`
	Description string `json:"description,omitempty"`
}

// UpdateRepositoryRequest is the body of PATCH …/repos/{repo}. IsPublic is
// required by SWR: always send the value you want the repository to have.
type UpdateRepositoryRequest struct {
	IsPublic    bool   `json:"is_public"`
	Category    string `json:"category,omitempty"`
	Description string `json:"description,omitempty"`
}

// Tag is one item of GET …/repos/{repo}/tags (swr-api.md §4.6). The tag name
// is spelled "Tag" with a capital T in this list.
type Tag struct {
	ID           int64   `json:"id"`
	RepoID       int64   `json:"repo_id"`
	Tag          string  `json:"Tag"`
	ImageID      string  `json:"image_id"`
	Manifest     string  `json:"manifest"`
	Digest       string  `json:"digest"`
	Schema       int     `json:"schema"`
	Path         string  `json:"path"`
	InternalPath string  `json:"internal_path"`
	Size         int64   `json:"size"`
	IsTrusted    bool    `json:"is_trusted"`
	Created      string  `json:"created"`
	Updated      string  `json:"updated"`
	Deleted      *string `json:"deleted"`
	DomainID     string  `json:"domain_id"`
	Scanned      bool    `json:"scanned"`
	TagType      int     `json:"tag_type"`
}

// Time parses the tag time key names: Updated (the last push) or Created
// (the first), RFC 3339 with optional fractional seconds. A field that is
// empty or does not parse is an error naming the tag and the field, never
// the zero time: a rule simulated on a wrong time deletes the wrong tags.
func (t Tag) Time(key TimeKey) (time.Time, error) {
	field, value := "updated", t.Updated
	if key == TimeCreated {
		field, value = "created", t.Created
	}
	v, err := time.Parse(time.RFC3339Nano, value)
	if err != nil {
		return time.Time{}, fmt.Errorf("tag %q: %s time %q is not an RFC 3339 time", t.Tag, field, value)
	}
	return v, nil
}

// Retention templates (swr-api.md §6).
const (
	TemplateDateRule = "date_rule" // params {"days": "N"}: keep tags pushed within the last N days
	TemplateTagRule  = "tag_rule"  // params {"num": "N"}: keep the N most recently pushed tags
)

// Tag selector kinds. Selectors are EXCEPTIONS: matching tags are never deleted.
const (
	SelectorLabel  = "label"  // exact tag name
	SelectorRegexp = "regexp" // regular expression; anchoring and dialect are not documented (see Reading)
)

// Retention is an image retention (aging) policy (swr-api.md §6).
// A repository has at most one. IDs are integers.
//
// Execution semantics, as far as sources pin them down:
//   - A tag is an exception when any selector matches it: kind "label"
//     compares the tag name for equality, kind "regexp" matches a regular
//     expression. Exceptions are never deleted and do not count towards
//     tag_rule's num.
//   - date_rule, days=N: a non-exception tag pushed more than N days ago
//     is deleted.
//   - tag_rule, num=N: non-exception tags are ordered newest first; all but
//     the first N are deleted.
//
// Whether a regexp is anchored, which tag time orders and dates tags, how
// ties are broken and how days are counted are left open: a Reading names
// one choice for each, and a write must be safe under every Reading.
type Retention struct {
	ID        int    `json:"id"`
	Algorithm string `json:"algorithm"`
	Scope     string `json:"scope"`
	Rules     []Rule `json:"rules"`
}

// Rule is one retention rule. Params values are strings ("30").
type Rule struct {
	Template     string            `json:"template"`
	Params       map[string]string `json:"params"`
	TagSelectors []TagSelector     `json:"tag_selectors"`
}

// Days returns the date_rule "days" parameter as an int (0 when absent or malformed).
func (r Rule) Days() int { n, _ := strconv.Atoi(r.Params["days"]); return n }

// Num returns the tag_rule "num" parameter as an int (0 when absent or malformed).
func (r Rule) Num() int { n, _ := strconv.Atoi(r.Params["num"]); return n }

// TagSelector is one retention exception.
type TagSelector struct {
	Kind    string `json:"kind"`
	Pattern string `json:"pattern"`
}

// RetentionRequest is the body of retention create and update.
// Algorithm is always "or"; Rules holds exactly one rule. TagSelectors must
// be a (possibly empty) array, never null.
type RetentionRequest struct {
	Algorithm string `json:"algorithm"`
	Rules     []Rule `json:"rules"`
}

// RetentionLog is one entry of the retention histories (swr-api.md §6).
// RuleType is a JSON-encoded string, not an object.
type RetentionLog struct {
	CreatedAt   string `json:"created_at"`
	ID          int64  `json:"id"`
	Namespace   string `json:"namespace"`
	Repo        string `json:"repo"`
	RetentionID int    `json:"retention_id"`
	RuleType    string `json:"rule_type"`
	Tag         string `json:"tag"`
}

// RetentionHistories is the body of GET …/retentions/histories.
type RetentionHistories struct {
	RetentionLog []RetentionLog `json:"retention_log"`
	Total        int64          `json:"total"`
}

// Trigger is a CCE/CCI auto-deploy trigger (swr-api.md §7). Enable is the
// string "true" or "false".
type Trigger struct {
	Action         string           `json:"action"`
	AppType        string           `json:"app_type"`
	Application    string           `json:"application"`
	ClusterID      string           `json:"cluster_id"`
	ClusterName    string           `json:"cluster_name"`
	ClusterNs      string           `json:"cluster_ns"`
	Condition      string           `json:"condition"`
	Container      string           `json:"container"`
	CreatedAt      string           `json:"created_at,omitempty"`
	CreatorName    string           `json:"creator_name,omitempty"`
	Enable         string           `json:"enable"`
	Name           string           `json:"name"`
	TriggerHistory []TriggerHistory `json:"trigger_history"`
	TriggerMode    string           `json:"trigger_mode"`
	TriggerType    string           `json:"trigger_type"`
}

// Enabled reports whether Enable is "true".
func (t Trigger) Enabled() bool { return t.Enable == "true" }

// TriggerHistory is one execution record of a trigger.
type TriggerHistory struct {
	Action      string `json:"action"`
	AppType     string `json:"app_type"`
	Application string `json:"application"`
	ClusterID   string `json:"cluster_id"`
	ClusterName string `json:"cluster_name"`
	ClusterNs   string `json:"cluster_ns"`
	Condition   string `json:"condition"`
	Container   string `json:"container"`
	CreatedAt   string `json:"created_at"`
	CreatorName string `json:"creator_name"`
	Detail      string `json:"detail"`
	Result      string `json:"result"` // "success" | "failed"
	Tag         string `json:"tag"`
}

// CreateTriggerRequest is the body of POST …/triggers.
type CreateTriggerRequest struct {
	Action      string `json:"action"`
	AppType     string `json:"app_type"`
	Application string `json:"application"`
	ClusterID   string `json:"cluster_id,omitempty"`
	ClusterName string `json:"cluster_name,omitempty"`
	ClusterNs   string `json:"cluster_ns"`
	Condition   string `json:"condition"`
	Container   string `json:"container,omitempty"`
	Enable      string `json:"enable"`
	Name        string `json:"name"`
	TriggerMode string `json:"trigger_mode,omitempty"`
	TriggerType string `json:"trigger_type"`
}

// UpdateTriggerRequest is the body of PATCH …/triggers/{name}; only enable can change.
type UpdateTriggerRequest struct {
	Enable string `json:"enable"`
}

// SyncRegion is one item of GET /v2/manage/regions.
type SyncRegion struct {
	RegionID string `json:"regionID"`
}

// SyncRepo is an auto-sync (replication) rule (swr-api.md §8). Keys are camelCase.
// It is identified by (RemoteRegionID, RemoteNamespace).
type SyncRepo struct {
	ID              int64  `json:"id"`
	Namespace       string `json:"namespace"`
	RepoName        string `json:"repoName"`
	RemoteRegionID  string `json:"remoteRegionId"`
	RemoteNamespace string `json:"remoteNamespace"`
	SyncAuto        bool   `json:"syncAuto"`
	Override        bool   `json:"override"`
	DomainID        string `json:"domainID"`
	DomainName      string `json:"domainName"`
	CreatedAt       string `json:"createdAt"`
	UpdatedAt       string `json:"updatedAt"`
}

// CreateSyncRepoRequest is the body of POST …/sync_repo.
type CreateSyncRepoRequest struct {
	RemoteRegionID  string `json:"remoteRegionId"`
	RemoteNamespace string `json:"remoteNamespace"`
	SyncAuto        bool   `json:"syncAuto"`
	Override        bool   `json:"override"`
}

// DeleteSyncRepoRequest is the body of DELETE …/sync_repo.
type DeleteSyncRepoRequest struct {
	RemoteRegionID  string `json:"remoteRegionId"`
	RemoteNamespace string `json:"remoteNamespace"`
}

// SyncImagesRequest is the body of POST …/sync_images (manual sync).
type SyncImagesRequest struct {
	ImageTag        []string `json:"imageTag"`
	RemoteRegionID  string   `json:"remoteRegionId"`
	RemoteNamespace string   `json:"remoteNamespace"`
	Override        bool     `json:"override"`
}

// SyncJob is one item of GET …/sync_job.
type SyncJob struct {
	CreatedAt        string `json:"createdAt"`
	DomainID         string `json:"domainID"`
	DomainName       string `json:"domainName"`
	ID               int64  `json:"id"`
	Namespace        string `json:"namespace"`
	Override         bool   `json:"override"`
	RemoteNamespace  string `json:"remoteNamespace"`
	RemoteRegionID   string `json:"remoteRegionId"`
	RepoName         string `json:"repoName"`
	Status           string `json:"status"`
	SyncOperatorID   string `json:"syncOperatorId"`
	SyncOperatorName string `json:"syncOperatorName"`
	Tag              string `json:"tag"`
	UpdatedAt        string `json:"updatedAt"`
}

// Quota is one item of GET /v2/manage/projects/{project_id}/quotas.
type Quota struct {
	QuotaKey   string `json:"quota_key"`
	QuotaLimit int    `json:"quota_limit"`
	Used       int    `json:"used"`
	Unit       string `json:"unit"`
}

// Quotas is the body of the quotas call.
type Quotas struct {
	Quotas []Quota `json:"quotas"`
}

// APIVersion describes one API version (swr-api.md §9). Links is an object.
type APIVersion struct {
	ID         string `json:"id"`
	Links      Link   `json:"links"`
	Version    string `json:"version"`
	Status     string `json:"status"`
	Updated    string `json:"updated"`
	MinVersion string `json:"min_version"`
}

// Link is a version's self link.
type Link struct {
	Href string `json:"href"`
	Rel  string `json:"rel"`
}

// Versions is the body of GET /.
type Versions struct {
	Versions []APIVersion `json:"versions"`
}

// TimeFormat is the layout SWR uses for times in bodies.
const TimeFormat = time.RFC3339Nano
