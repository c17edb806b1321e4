package policy

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decoder walks a YAML node tree and collects every problem it meets.
type decoder struct {
	file string
	errs Errors
}

func (d *decoder) errorf(n *yaml.Node, format string, args ...any) {
	d.errs = append(d.errs, Error{File: d.file, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// fields is a checked mapping: the value node and the key node of each
// key, and the allowed keys that unknown keys look like misspellings of.
type fields struct {
	node     *yaml.Node
	values   map[string]*yaml.Node
	keys     map[string]*yaml.Node
	misspelt map[string]bool
}

func (f fields) has(key string) bool { return f.values[key] != nil }

// mapping checks that n is a mapping whose keys are all in allowed and
// appear once. what names the mapping in messages ("retention rule").
// Keys it rejects are left out of the result.
func (d *decoder) mapping(n *yaml.Node, what string, allowed ...string) (fields, bool) {
	n = resolve(n)
	f := fields{node: n, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, misspelt: map[string]bool{}}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", what, describe(n))
		return f, false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := resolve(n.Content[i]), n.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			d.errorf(k, "%s: keys must be plain names", what)
			continue
		}
		name := k.Value
		if !slices.Contains(allowed, name) {
			hint := ""
			if near := closest(name, allowed); near != "" {
				f.misspelt[near] = true
				hint = fmt.Sprintf(" (did you mean %q?)", near)
			}
			d.errorf(k, "unknown key %q in %s%s", name, what, hint)
			continue
		}
		if first, dup := f.keys[name]; dup {
			d.errorf(k, "duplicate key %q in %s (first at line %d)", name, what, first.Line)
			continue
		}
		f.keys[name], f.values[name] = k, v
	}
	return f, true
}

// sequence checks that n is a sequence and returns its items.
func (d *decoder) sequence(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, not %s", what, describe(n))
		return nil, false
	}
	return n.Content, true
}

// str returns a scalar's text. Numbers and booleans are taken as written.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = resolve(n)
	switch {
	case n.Kind != yaml.ScalarNode:
		d.errorf(n, "%s must be a string, not %s", what, describe(n))
		return "", false
	case n.ShortTag() == "!!null" || n.Value == "":
		d.errorf(n, "%s must not be empty", what)
		return "", false
	}
	return n.Value, true
}

func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	n = resolve(n)
	var v int
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		d.errorf(n, "%s must be an integer, not %s", what, describe(n))
		return 0, false
	}
	return v, true
}

func (d *decoder) intRange(n *yaml.Node, what string, lo, hi int) (int, bool) {
	v, ok := d.integer(n, what)
	if ok && (v < lo || v > hi) {
		d.errorf(resolve(n), "%s must be between %d and %d, not %d", what, lo, hi, v)
		return 0, false
	}
	return v, ok
}

func (d *decoder) number(n *yaml.Node, what string) (float64, bool) {
	n = resolve(n)
	var v float64
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil {
		d.errorf(n, "%s must be a number, not %s", what, describe(n))
		return 0, false
	}
	return v, true
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	n = resolve(n)
	var v bool
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		d.errorf(n, "%s must be true or false, not %s", what, describe(n))
		return false, false
	}
	return v, true
}

// oneOf returns a string that must be one of choices.
func (d *decoder) oneOf(n *yaml.Node, what string, choices ...string) (string, bool) {
	v, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(choices, v) {
		d.errorf(resolve(n), "%s must be %s, not %q", what, orList(choices), v)
		return "", false
	}
	return v, true
}

func (d *decoder) glob(n *yaml.Node, what string) (Glob, bool) {
	s, ok := d.str(n, what)
	if !ok {
		return Glob{}, false
	}
	g, err := ParseGlob(s)
	if err != nil {
		d.errorf(resolve(n), "%s: %v", what, err)
		return Glob{}, false
	}
	return g, true
}

func (d *decoder) globs(n *yaml.Node, what string) []Glob {
	items, _ := d.sequence(n, what)
	out := make([]Glob, 0, len(items))
	for _, it := range items {
		if g, ok := d.glob(it, what+" entry"); ok {
			out = append(out, g)
		}
	}
	return out
}

// resolve follows an alias to the node it names.
func resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	case yaml.ScalarNode:
		switch n.ShortTag() {
		case "!!null":
			return "an empty value"
		case "!!str":
			return fmt.Sprintf("the string %q", n.Value)
		default:
			return n.Value
		}
	}
	return "an unsupported YAML node"
}

func orList(choices []string) string {
	if len(choices) == 1 {
		return choices[0]
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}

// closest returns the allowed key within two edits of name, if any.
func closest(name string, allowed []string) string {
	best, bestDist := "", 3
	for _, a := range allowed {
		if dist := editDistance(name, a); dist < bestDist {
			best, bestDist = a, dist
		}
	}
	return best
}

func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
