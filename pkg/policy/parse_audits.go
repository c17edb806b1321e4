package policy

import (
	"regexp"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func (d *decoder) audits(n *yaml.Node) Audits {
	var a Audits
	f, ok := d.mapping(n, "audits", "triggers", "sync", "visibility", "conflicts")
	if !ok {
		return a
	}
	if n := f.Values["triggers"]; n != nil {
		a.Triggers = d.triggerAudit(n)
	}
	if n := f.Values["sync"]; n != nil {
		a.Sync = d.syncAudit(n)
	}
	if n := f.Values["visibility"]; n != nil {
		a.Visibility = d.visibilityAudit(n)
	}
	if n := f.Values["conflicts"]; n != nil {
		a.Conflicts = d.conflictAudit(n)
	}
	return a
}

// conflictAudit reads audits.conflicts: a mapping ({} turns it on);
// enabled: false leaves it off.
func (d *decoder) conflictAudit(n *yaml.Node) *ConflictAudit {
	f, ok := d.mapping(n, "conflicts audit", "enabled")
	if !ok || !d.enabled(f) {
		return nil
	}
	return &ConflictAudit{}
}

// enabled reads an audit's optional enabled switch (default true).
func (d *decoder) enabled(f yamlfile.Mapping) bool {
	n := f.Values["enabled"]
	if n == nil {
		return true
	}
	v, ok := d.boolean(n, "enabled")
	return v || !ok
}

func (d *decoder) remedy(f yamlfile.Mapping, choices ...Remedy) Remedy {
	n := f.Values["remediate"]
	if n == nil {
		return RemedyNone
	}
	names := make([]string, len(choices))
	for i, c := range choices {
		names[i] = string(c)
	}
	v, _ := d.oneOf(n, "remediate", names...)
	return Remedy(v)
}

func (d *decoder) triggerAudit(n *yaml.Node) *TriggerAudit {
	f, ok := d.mapping(n, "triggers audit", "enabled", "allowed_clusters", "protected",
		"flag_disabled", "flag_failures", "failure_lookback", "remediate")
	if !ok {
		return nil
	}
	a := &TriggerAudit{FlagDisabled: true, FlagFailures: true, FailureLookback: DefaultFailureLookback}
	if n := f.Values["allowed_clusters"]; n != nil {
		items, _ := d.sequence(n, "allowed_clusters")
		for _, it := range items {
			if s, ok := d.str(it, "allowed_clusters entry"); ok {
				a.AllowedClusters = append(a.AllowedClusters, s)
			}
		}
	}
	if n := f.Values["protected"]; n != nil {
		a.Protected = d.globs(n, "protected")
	}
	if n := f.Values["flag_disabled"]; n != nil {
		a.FlagDisabled, _ = d.boolean(n, "flag_disabled")
	}
	if n := f.Values["flag_failures"]; n != nil {
		a.FlagFailures, _ = d.boolean(n, "flag_failures")
	}
	if n := f.Values["failure_lookback"]; n != nil {
		a.FailureLookback, _ = d.intRange(n, "failure_lookback", 1, 100)
	}
	a.Remedy = d.remedy(f, RemedyDisable, RemedyNone)
	if !d.enabled(f) {
		return nil
	}
	return a
}

var regionName = regexp.MustCompile(`^[a-z]+(-[a-z]+)+-[0-9]+$`)

func (d *decoder) syncAudit(n *yaml.Node) *SyncAudit {
	f, ok := d.mapping(n, "sync audit", "enabled", "require", "remediate", "verify")
	if !ok {
		return nil
	}
	a := &SyncAudit{}
	if n := f.Values["require"]; n != nil {
		items, _ := d.sequence(n, "require")
		for _, it := range items {
			if r, ok := d.syncRequirement(it); ok {
				a.Require = append(a.Require, r)
			}
		}
	} else {
		d.errorf(f.Node, "sync audit needs a require list")
	}
	a.Remedy = d.remedy(f, RemedyCreate, RemedyNone)
	if n := f.Values["verify"]; n != nil {
		a.Verify = d.replicaVerify(n)
	}
	if !d.enabled(f) {
		return nil
	}
	return a
}

func (d *decoder) syncRequirement(n *yaml.Node) (SyncRequirement, bool) {
	f, ok := d.mapping(n, "sync requirement", "match", "region", "namespace", "forbid_override")
	if !ok {
		return SyncRequirement{}, false
	}
	r := SyncRequirement{Line: f.Node.Line, Namespace: DefaultSyncNamespace}
	valid := true
	for _, k := range []string{"match", "region"} {
		if !f.Has(k) {
			d.errorf(f.Node, "sync requirement needs a %s", k)
			valid = false
		}
	}
	if n := f.Values["match"]; n != nil {
		if r.Match, ok = d.glob(n, "match"); !ok {
			valid = false
		}
	}
	if n := f.Values["region"]; n != nil {
		if r.Region, ok = d.str(n, "region"); !ok {
			valid = false
		} else if !regionName.MatchString(r.Region) {
			d.errorf(yamlfile.Resolve(n), "region %q is not a region id such as cn-north-4", r.Region)
			valid = false
		}
	}
	if n := f.Values["namespace"]; n != nil {
		if r.Namespace, ok = d.str(n, "namespace"); !ok {
			valid = false
		} else if err := swr.CheckNamespaceName(r.RemoteNamespace("ns")); err != nil {
			d.errorf(yamlfile.Resolve(n), "namespace %q: use lowercase letters, digits, '.', '_', '-' and the placeholder {namespace}; as a name it %v", r.Namespace, err)
			valid = false
		}
	}
	if n := f.Values["forbid_override"]; n != nil {
		if r.ForbidOverride, ok = d.boolean(n, "forbid_override"); !ok {
			valid = false
		}
	}
	return r, valid
}

func (d *decoder) visibilityAudit(n *yaml.Node) *VisibilityAudit {
	f, ok := d.mapping(n, "visibility audit", "enabled", "allow_public", "remediate")
	if !ok {
		return nil
	}
	a := &VisibilityAudit{}
	if n := f.Values["allow_public"]; n != nil {
		a.AllowPublic = d.globs(n, "allow_public")
	}
	a.Remedy = d.remedy(f, RemedyPrivate, RemedyNone)
	if !d.enabled(f) {
		return nil
	}
	return a
}
