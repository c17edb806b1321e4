package policy

import (
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// authLevel maps a grant level name to SWR's auth value.
func authLevel(name string) int {
	switch name {
	case "manage":
		return swr.AuthManage
	case "write":
		return swr.AuthWrite
	default:
		return swr.AuthRead
	}
}

func (d *decoder) grants(n *yaml.Node) []GrantRule {
	items, _ := d.sequence(n, "default_grants")
	out := make([]GrantRule, 0, len(items))
	for _, it := range items {
		f, ok := d.mapping(it, "default_grants entry", "match", "users")
		if !ok {
			continue
		}
		g := GrantRule{Line: f.Node.Line}
		valid := true
		if !f.Has("match") {
			d.errorf(f.Node, "default_grants entry needs a match")
			valid = false
		} else if g.Match, ok = d.glob(f.Values["match"], "match"); !ok {
			valid = false
		} else {
			m := yamlfile.Resolve(f.Values["match"])
			g.MatchAt = Position{m.Line, m.Column}
		}
		if !f.Has("users") {
			d.errorf(f.Node, "default_grants entry needs users")
			valid = false
		} else {
			g.Users, g.UserAt = d.users(f.Values["users"])
		}
		if valid {
			out = append(out, g)
		}
	}
	return out
}

func (d *decoder) users(n *yaml.Node) ([]swr.UserAuth, []Position) {
	items, _ := d.sequence(n, "users")
	out := make([]swr.UserAuth, 0, len(items))
	var at []Position
	seen := map[string]int{}
	for _, it := range items {
		f, ok := d.mapping(it, "user", "user_id", "user_name", "level")
		if !ok {
			continue
		}
		var u swr.UserAuth
		valid := true
		for _, k := range []string{"user_id", "user_name", "level"} {
			if !f.Has(k) {
				d.errorf(f.Node, "user needs %s", k)
				valid = false
			}
		}
		if n := f.Values["user_id"]; n != nil {
			if u.UserID, ok = d.str(n, "user_id"); !ok {
				valid = false
			} else if strings.ContainsAny(u.UserID, " \t/") {
				d.errorf(yamlfile.Resolve(n), "user_id %q must not contain spaces or '/'", u.UserID)
				valid = false
			} else if first, dup := seen[u.UserID]; dup {
				d.errorf(yamlfile.Resolve(n), "duplicate user_id %q (first at line %d)", u.UserID, first)
				valid = false
			} else {
				seen[u.UserID] = yamlfile.Resolve(n).Line
			}
		}
		if n := f.Values["user_name"]; n != nil {
			if u.UserName, ok = d.str(n, "user_name"); !ok {
				valid = false
			}
		}
		if n := f.Values["level"]; n != nil {
			if l, ok := d.oneOf(n, "level", "read", "write", "manage"); ok {
				u.Auth = authLevel(l)
			} else {
				valid = false
			}
		}
		if valid {
			out = append(out, u)
			at = append(at, Position{f.Node.Line, f.Node.Column})
		}
	}
	return out, at
}
