package policy

import (
	"slices"
)

// ForTarget returns the policy as it applies in the target called name
// (the name of a targets file entry; "" for a deployment without one):
// every rule, requirement and glob scoped to another target left out, the
// order kept. Rules scoped to a target never apply without targets.
func (p *Policy) ForTarget(name string) *Policy {
	out := *p
	out.Retention = keep(p.Retention, func(r RetentionRule) Glob { return r.Match }, name)
	out.DefaultGrants = keep(p.DefaultGrants, func(r GrantRule) Glob { return r.Match }, name)
	if a := p.Audits.Triggers; a != nil {
		t := *a
		t.Protected = keep(a.Protected, func(g Glob) Glob { return g }, name)
		out.Audits.Triggers = &t
	}
	if a := p.Audits.Sync; a != nil {
		s := *a
		s.Require = keep(a.Require, func(r SyncRequirement) Glob { return r.Match }, name)
		out.Audits.Sync = &s
	}
	if a := p.Audits.Visibility; a != nil {
		v := *a
		v.AllowPublic = keep(a.AllowPublic, func(g Glob) Glob { return g }, name)
		out.Audits.Visibility = &v
	}
	return &out
}

// Targets lists, sorted, the targets the policy's globs are scoped to.
// Each must be a target of the deployment.
func (p *Policy) Targets() []string {
	var out []string
	add := func(g Glob) {
		if t := g.Target(); t != "" && !slices.Contains(out, t) {
			out = append(out, t)
		}
	}
	for _, r := range p.Retention {
		add(r.Match)
	}
	for _, r := range p.DefaultGrants {
		add(r.Match)
	}
	if a := p.Audits.Triggers; a != nil {
		for _, g := range a.Protected {
			add(g)
		}
	}
	if a := p.Audits.Sync; a != nil {
		for _, r := range a.Require {
			add(r.Match)
		}
	}
	if a := p.Audits.Visibility; a != nil {
		for _, g := range a.AllowPublic {
			add(g)
		}
	}
	slices.Sort(out)
	return out
}

func keep[T any](list []T, glob func(T) Glob, target string) []T {
	var out []T
	for _, x := range list {
		if glob(x).InTarget(target) {
			out = append(out, x)
		}
	}
	if out == nil && list != nil {
		out = []T{}
	}
	return out
}
