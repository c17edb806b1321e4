package policy

import (
	"regexp"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// guardOverride holds the guard settings a mapping sets.
type guardOverride struct {
	fraction *float64
	tags     *int
}

func (o guardOverride) apply(g Guard) Guard {
	if o.fraction != nil {
		g.MaxDeleteFraction = *o.fraction
	}
	if o.tags != nil {
		g.MaxDeleteTags = *o.tags
	}
	return g
}

func (d *decoder) guard(n *yaml.Node, what string) guardOverride {
	var o guardOverride
	f, ok := d.mapping(n, what, "max_delete_fraction", "max_delete_tags")
	if !ok {
		return o
	}
	if n := f.Values["max_delete_fraction"]; n != nil {
		if v, ok := d.fraction(n, "max_delete_fraction"); ok {
			o.fraction = &v
		}
	}
	if n := f.Values["max_delete_tags"]; n != nil {
		if v, ok := d.intRange(n, "max_delete_tags", 0, 1_000_000); ok {
			o.tags = &v
		}
	}
	return o
}

func (d *decoder) retention(n *yaml.Node, base Guard, deployed DeployedProtection) []RetentionRule {
	items, _ := d.sequence(n, "retention")
	rules := make([]RetentionRule, 0, len(items))
	catchAll := 0            // line of the first rule matching everything
	seen := map[string]int{} // glob → line of the first rule with it
	for _, it := range items {
		r, ok := d.retentionRule(it, base, deployed)
		if !ok {
			continue
		}
		at := d.matchNode(it)
		switch first, dup := seen[r.Match.String()]; {
		case catchAll > 0:
			d.errorf(at, "rule can never match: the rule at line %d matches every repository", catchAll)
		case dup:
			d.errorf(at, "rule can never match: the rule at line %d has the same match", first)
		default:
			seen[r.Match.String()] = r.Line
		}
		if r.Match.MatchesAll() && catchAll == 0 {
			catchAll = r.Line
		}
		rules = append(rules, r)
	}
	return rules
}

// matchNode returns the node of a rule's match value (for positions).
func (d *decoder) matchNode(rule *yaml.Node) *yaml.Node {
	rule = yamlfile.Resolve(rule)
	for i := 0; i+1 < len(rule.Content); i += 2 {
		if rule.Content[i].Value == "match" {
			return yamlfile.Resolve(rule.Content[i+1])
		}
	}
	return rule
}

func (d *decoder) retentionRule(n *yaml.Node, base Guard, deployed DeployedProtection) (RetentionRule, bool) {
	f, ok := d.mapping(n, "retention rule", "match", "keep_days", "keep_last", "unmanaged", "protect", "guard", "protect_deployed")
	if !ok {
		return RetentionRule{}, false
	}
	r := RetentionRule{Line: f.Node.Line, Guard: base}
	valid := true
	if !f.Has("match") {
		d.errorf(f.Node, "retention rule needs a match")
		valid = false
	} else if r.Match, ok = d.glob(f.Values["match"], "match"); !ok {
		valid = false
	}
	if n := f.Values["unmanaged"]; n != nil {
		if r.Unmanaged, ok = d.boolean(n, "unmanaged"); !ok {
			valid = false
		}
	}
	if n := f.Values["keep_days"]; n != nil {
		if r.KeepDays, ok = d.intRange(n, "keep_days", 1, 365); !ok {
			valid = false
		}
	}
	if n := f.Values["keep_last"]; n != nil {
		if r.KeepLast, ok = d.intRange(n, "keep_last", 1, 1000); !ok {
			valid = false
		}
	}
	var kinds []string
	for _, k := range []string{"keep_days", "keep_last", "unmanaged"} {
		if f.Has(k) && (k != "unmanaged" || r.Unmanaged) {
			kinds = append(kinds, k)
		}
	}
	misspelt := f.Misspelt["keep_days"] || f.Misspelt["keep_last"] || f.Misspelt["unmanaged"]
	switch {
	case len(kinds) == 0:
		if !misspelt { // else the unknown key error says it all
			d.errorf(f.Node, "retention rule needs one of keep_days, keep_last or unmanaged: true")
		}
		valid = false
	case len(kinds) > 1:
		d.errorf(f.KeyNodes[kinds[1]], "%s conflicts with %s: a rule has exactly one of keep_days, keep_last or unmanaged: true", kinds[1], kinds[0])
		valid = false
	}
	if r.Unmanaged {
		for _, k := range []string{"protect", "guard", "protect_deployed"} {
			if f.Has(k) {
				d.errorf(f.KeyNodes[k], "%s has no effect on an unmanaged rule", k)
				valid = false
			}
		}
		return r, valid
	}
	r.Protect = []swr.TagSelector{}
	if n := f.Values["protect"]; n != nil {
		r.Protect = d.protect(n)
	}
	if n := f.Values["guard"]; n != nil {
		r.Guard = d.guard(n, "rule guard").apply(base)
	}
	r.ProtectDeployed = deployed
	if n := f.Values["protect_deployed"]; n != nil {
		r.ProtectDeployed = d.protectDeployed(n, deployed)
	}
	return r, valid
}

// protectDeployed reads a protect_deployed mapping over base: the keys it
// gives replace base's, and enabled: false switches the protection off.
func (d *decoder) protectDeployed(n *yaml.Node, base DeployedProtection) DeployedProtection {
	f, ok := d.mapping(n, "protect_deployed", "enabled", "last", "days")
	if !ok {
		return base
	}
	out := base
	if n := f.Values["last"]; n != nil {
		if v, ok := d.intRange(n, "protect_deployed.last", 0, MaxDeployedLast); ok {
			out.Last = v
		}
	}
	if n := f.Values["days"]; n != nil {
		if v, ok := d.intRange(n, "protect_deployed.days", 0, MaxDeployedDays); ok {
			out.Days = v
		}
	}
	if !d.enabled(f) {
		return DeployedProtection{}
	}
	return out
}

// protect reads the protect list: exact tags, or /regexp/ matched
// against the whole tag (see protect.go).
func (d *decoder) protect(n *yaml.Node) []swr.TagSelector {
	items, _ := d.sequence(n, "protect")
	out := make([]swr.TagSelector, 0, len(items))
	seen := map[swr.TagSelector]bool{}
	for _, it := range items {
		s, ok := d.str(it, "protect entry")
		if !ok {
			continue
		}
		it = yamlfile.Resolve(it)
		var sel swr.TagSelector
		if len(s) >= 2 && strings.HasPrefix(s, "/") && strings.HasSuffix(s, "/") {
			expr := s[1 : len(s)-1]
			if expr == "" {
				d.errorf(it, "protect entry %q: empty regular expression", s)
				continue
			}
			if _, err := regexp.Compile(expr); err != nil {
				d.errorf(it, "protect entry %q: invalid regular expression: %v", s, unwrapRegexpError(err))
				continue
			}
			if msg := checkPortable(expr); msg != "" {
				d.errorf(it, "protect entry %q: not in the portable regular expression subset: %s", s, msg)
				continue
			}
			if spelling, bound := boundSpelling(expr); !bound {
				d.errorf(it, "protect entry %q would change meaning: protect regular expressions match the whole tag; write \"/%s/\" to protect what it matched anywhere in a tag", s, spelling)
				continue
			}
			sel = swr.TagSelector{Kind: swr.SelectorRegexp, Pattern: emittedPattern(expr)}
		} else {
			if swr.CheckTagName(s) != nil {
				d.errorf(it, "protect entry %q is not a valid tag name (write a regular expression as /…/)", s)
				continue
			}
			sel = swr.TagSelector{Kind: swr.SelectorLabel, Pattern: s}
		}
		if seen[sel] {
			d.errorf(it, "duplicate protect entry %q", s)
			continue
		}
		seen[sel] = true
		out = append(out, sel)
	}
	return out
}

// unwrapRegexpError drops the "error parsing regexp: " prefix.
func unwrapRegexpError(err error) string {
	return strings.TrimPrefix(err.Error(), "error parsing regexp: ")
}
