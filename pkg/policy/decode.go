package policy

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
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
	n = yamlfile.Resolve(n)
	f := fields{node: n, values: map[string]*yaml.Node{}, keys: map[string]*yaml.Node{}, misspelt: map[string]bool{}}
	if n.Kind != yaml.MappingNode {
		d.errorf(n, "%s must be a mapping, not %s", what, describe(n))
		return f, false
	}
	for k := range yamlfile.Keys(n) {
		name := k.Node.Value
		switch {
		case k.Node.Kind != yaml.ScalarNode:
			d.errorf(k.Node, "%s: keys must be plain names", what)
		case !slices.Contains(allowed, name):
			hint := ""
			if near := yamlfile.Closest(name, allowed); near != "" {
				f.misspelt[near] = true
				hint = fmt.Sprintf(" (did you mean %q?)", near)
			}
			d.errorf(k.Node, "unknown key %q in %s%s", name, what, hint)
		case k.First != nil:
			d.errorf(k.Node, "duplicate key %q in %s (first at line %d)", name, what, k.First.Line)
		default:
			f.keys[name], f.values[name] = k.Node, k.Value
		}
	}
	return f, true
}

// sequence checks that n is a sequence and returns its items.
func (d *decoder) sequence(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = yamlfile.Resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.errorf(n, "%s must be a list, not %s", what, describe(n))
		return nil, false
	}
	return n.Content, true
}

// str returns a scalar's text. Numbers and booleans are taken as written.
func (d *decoder) str(n *yaml.Node, what string) (string, bool) {
	n = yamlfile.Resolve(n)
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

// scalar reads n with read and reports "what must be want, not …" when n
// holds no such value.
func scalar[T any](d *decoder, n *yaml.Node, what, want string, read func(*yaml.Node) (T, bool)) (T, bool) {
	n = yamlfile.Resolve(n)
	v, ok := read(n)
	if !ok {
		d.errorf(n, "%s must be %s, not %s", what, want, describe(n))
	}
	return v, ok
}

func (d *decoder) integer(n *yaml.Node, what string) (int, bool) {
	return scalar(d, n, what, "an integer", yamlfile.Int)
}

func (d *decoder) intRange(n *yaml.Node, what string, lo, hi int) (int, bool) {
	v, ok := d.integer(n, what)
	if ok && (v < lo || v > hi) {
		d.errorf(yamlfile.Resolve(n), "%s must be between %d and %d, not %d", what, lo, hi, v)
		return 0, false
	}
	return v, ok
}

func (d *decoder) number(n *yaml.Node, what string) (float64, bool) {
	return scalar(d, n, what, "a number", yamlfile.Number)
}

// fraction reads a number from 0 to 1; NaN, ±Inf and values outside the
// range are errors, quoted as written.
func (d *decoder) fraction(n *yaml.Node, what string) (float64, bool) {
	n = yamlfile.Resolve(n)
	v, ok, inRange := yamlfile.Fraction(n)
	switch {
	case !ok:
		d.errorf(n, "%s must be a number, not %s", what, describe(n))
	case !inRange:
		d.errorf(n, "%s must be between 0 and 1, not %s", what, n.Value)
	}
	return v, ok && inRange
}

func (d *decoder) boolean(n *yaml.Node, what string) (bool, bool) {
	return scalar(d, n, what, "true or false", yamlfile.Bool)
}

// oneOf returns a string that must be one of choices.
func (d *decoder) oneOf(n *yaml.Node, what string, choices ...string) (string, bool) {
	v, ok := d.str(n, what)
	if !ok {
		return "", false
	}
	if !slices.Contains(choices, v) {
		d.errorf(yamlfile.Resolve(n), "%s must be %s, not %q", what, orList(choices), v)
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
		d.errorf(yamlfile.Resolve(n), "%s: %v", what, err)
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

// describe names what a node holds, for messages: `the string "x"` for a
// string, other scalars as written.
func describe(n *yaml.Node) string {
	if shape, ok := yamlfile.Shape(n); ok {
		return shape
	}
	switch {
	case n.Kind != yaml.ScalarNode:
		return "an unsupported YAML node"
	case n.ShortTag() == "!!str":
		return fmt.Sprintf("the string %q", n.Value)
	}
	return n.Value
}

func orList(choices []string) string {
	if len(choices) == 1 {
		return choices[0]
	}
	return strings.Join(choices[:len(choices)-1], ", ") + " or " + choices[len(choices)-1]
}
