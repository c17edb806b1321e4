package policy

import (
	"cmp"
	"slices"
	"strings"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// Mode says whether jobs write to SWR.
type Mode string

// Modes. In audit mode jobs plan, guard and report but write nothing.
const (
	ModeEnforce Mode = "enforce"
	ModeAudit   Mode = "audit"
)

// Remedy is what an audit does about what it finds.
type Remedy string

// Remedies. RemedyNone reports only; the others name the write each audit
// may make (in enforce mode).
const (
	RemedyNone    Remedy = "none"
	RemedyDisable Remedy = "disable" // triggers: set enable to "false"
	RemedyCreate  Remedy = "create"  // sync: create the missing sync task
	RemedyPrivate Remedy = "private" // visibility: set is_public to false
	RemedySync    Remedy = "sync"    // replica verification: sync_images the missing tags
)

// Defaults applied when the file leaves a setting out.
const (
	DefaultMaxDeleteFraction = 0.5
	DefaultMaxDeleteTags     = 200
	DefaultFailureLookback   = 10
	DefaultSyncNamespace     = "{namespace}"
)

// Policy is a parsed policy file.
type Policy struct {
	Version   int
	Mode      Mode
	Guard     Guard
	Retention []RetentionRule
	// ProtectDeployed is the default deployed-image protection of every
	// managed retention rule; a rule's own protect_deployed overrides it.
	ProtectDeployed DeployedProtection
	DefaultGrants   []GrantRule
	Audits          Audits
}

// Guard bounds what one retention write may delete in one repository.
// A write is refused when it would delete more than MaxDeleteFraction of
// the repository's tags or more than MaxDeleteTags tags.
type Guard struct {
	MaxDeleteFraction float64
	MaxDeleteTags     int
}

// RetentionRule is one entry of the retention list. Exactly one of
// KeepDays, KeepLast and Unmanaged is set.
type RetentionRule struct {
	Match     Glob
	KeepDays  int  // date_rule: keep tags pushed within the last KeepDays days
	KeepLast  int  // tag_rule: keep the KeepLast most recently pushed tags
	Unmanaged bool // leave the repository's retention alone
	// Protect lists the tags that are never deleted, as SWR tag selectors
	// (kind "label" for an exact tag, "regexp" for a regular expression).
	// It is never nil for a managed rule.
	Protect []swr.TagSelector
	// Guard is the effective guard: the file's guard with this rule's
	// overrides applied.
	Guard Guard
	// ProtectDeployed is the effective deployed-image protection: the
	// file's default with this rule's overrides applied.
	ProtectDeployed DeployedProtection
	// Line is where the rule starts in the file.
	Line int
}

// Bounds of the protect_deployed settings.
const (
	MaxDeployedLast = 100 // protect_deployed.last
	MaxDeployedDays = 365 // protect_deployed.days
)

// DeployedProtection keeps the tags that a repository's CCE/CCI triggers
// deployed successfully: the Last most recent per trigger, and every one
// deployed within the last Days days. Zero switches a part off; the zero
// value protects nothing.
type DeployedProtection struct {
	Last int
	Days int
}

// Enabled reports whether the protection keeps anything.
func (d DeployedProtection) Enabled() bool { return d.Last > 0 || d.Days > 0 }

// GrantRule gives Users to every new repository whose path matches.
type GrantRule struct {
	Match Glob
	Users []swr.UserAuth
	Line  int
	// MatchAt is where the rule's match is written, and UserAt where each
	// of Users is (same order), for messages that point into the file.
	MatchAt Position
	UserAt  []Position
}

// Position is a place in the policy file.
type Position struct {
	Line, Column int
}

// Audits holds the audits the file switches on; a nil field is off.
type Audits struct {
	Triggers   *TriggerAudit
	Sync       *SyncAudit
	Visibility *VisibilityAudit
	Conflicts  *ConflictAudit
}

// ConflictAudit checks where retention works against the other features
// of a repository: its triggers and the rule's own protect entries. It
// has no settings and no remedy: it reports.
type ConflictAudit struct{}

// TriggerAudit checks CCE/CCI auto-deploy triggers.
type TriggerAudit struct {
	// AllowedClusters holds cluster names or ids that triggers may deploy
	// to; the name "cci" admits CCI triggers. Empty admits every cluster.
	AllowedClusters []string
	// Protected holds scopes in which trigger_type "all" is forbidden.
	Protected []Glob
	// FlagDisabled reports triggers whose enable is "false".
	FlagDisabled bool
	// FlagFailures reports triggers with a failed run among their
	// FailureLookback most recent runs.
	FlagFailures    bool
	FailureLookback int
	// Remedy is RemedyNone or RemedyDisable.
	Remedy Remedy
}

// SyncAudit checks that repositories have the sync (replication) tasks
// their scope requires.
type SyncAudit struct {
	Require []SyncRequirement
	// Remedy is RemedyNone or RemedyCreate.
	Remedy Remedy
	// Verify, when set, reads each required replica and compares it with
	// its source.
	Verify *ReplicaVerify
}

// SyncRequirement says that repositories matching Match must be replicated
// to Region, into the namespace given by the Namespace template.
type SyncRequirement struct {
	Match  Glob
	Region string
	// Namespace is the remote namespace; "{namespace}" in it stands for
	// the repository's own namespace.
	Namespace string
	// ForbidOverride forbids sync tasks with override true on matching
	// repositories.
	ForbidOverride bool
	Line           int
}

// RemoteNamespace returns the remote namespace for a repository in ns.
func (r SyncRequirement) RemoteNamespace(ns string) string {
	return strings.ReplaceAll(r.Namespace, "{namespace}", ns)
}

// VisibilityAudit checks that only allowed repositories are public.
type VisibilityAudit struct {
	AllowPublic []Glob
	// Remedy is RemedyNone or RemedyPrivate.
	Remedy Remedy
}

// RetentionFor returns the first retention rule whose glob matches ns/repo.
// matched is false when no rule does; such a repository is not managed.
func (p *Policy) RetentionFor(ns, repo string) (rule RetentionRule, matched bool) {
	for _, r := range p.Retention {
		if r.Match.Match(ns, repo) {
			return r, true
		}
	}
	return RetentionRule{}, false
}

// GrantsFor returns the default grants for a new repository ns/repo: the
// users of every matching grant rule, one entry per user id with the
// highest level any rule gives, ordered by user id. It returns nil when no
// rule matches.
func (p *Policy) GrantsFor(ns, repo string) []swr.UserAuth {
	byID := map[string]swr.UserAuth{}
	for _, g := range p.DefaultGrants {
		if !g.Match.Match(ns, repo) {
			continue
		}
		for _, u := range g.Users {
			if cur, ok := byID[u.UserID]; !ok || u.Auth > cur.Auth {
				byID[u.UserID] = u
			}
		}
	}
	if len(byID) == 0 {
		return nil
	}
	out := make([]swr.UserAuth, 0, len(byID))
	for _, u := range byID {
		out = append(out, u)
	}
	slices.SortFunc(out, func(a, b swr.UserAuth) int { return cmp.Compare(a.UserID, b.UserID) })
	return out
}

// RequirementsFor returns the requirements whose glob matches ns/repo, in
// file order.
func (a SyncAudit) RequirementsFor(ns, repo string) []SyncRequirement {
	var out []SyncRequirement
	for _, r := range a.Require {
		if r.Match.Match(ns, repo) {
			out = append(out, r)
		}
	}
	return out
}

// InProtectedScope reports whether ns/repo lies in a scope where
// trigger_type "all" is forbidden.
func (a TriggerAudit) InProtectedScope(ns, repo string) bool {
	return anyMatch(a.Protected, ns, repo)
}

// PublicAllowed reports whether ns/repo may be public.
func (a VisibilityAudit) PublicAllowed(ns, repo string) bool {
	return anyMatch(a.AllowPublic, ns, repo)
}

func anyMatch(globs []Glob, ns, repo string) bool {
	for _, g := range globs {
		if g.Match(ns, repo) {
			return true
		}
	}
	return false
}
