package yamlfile

import (
	"fmt"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Decoder is the walk of one file's nodes that the policy and the team
// directory parsers share: it collects every problem, at its position, and
// words the checks both files make (mappings and their keys, lists,
// strings, booleans) the same way.
type Decoder struct {
	File string
	// Errs is every problem found so far, in the order found.
	Errs []Error
}

// Errorf records a problem at n's position.
func (d *Decoder) Errorf(n *yaml.Node, format string, args ...any) {
	d.Errs = append(d.Errs, Error{File: d.File, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// Mapping is a mapping whose keys Decoder.Mapping checked.
type Mapping struct {
	// Node is the mapping, aliases resolved.
	Node *yaml.Node
	// Keys are the keys accepted, in file order.
	Keys []*yaml.Node
	// Values holds the value of each accepted key, aliases resolved.
	Values map[string]*yaml.Node
	// KeyNodes holds each accepted key's node.
	KeyNodes map[string]*yaml.Node
	// Misspelt marks the known keys that an unknown key was suggested as
	// a misspelling of, so that a parser does not also report them
	// missing.
	Misspelt map[string]bool
}

// Has reports whether key was given (and accepted).
func (m Mapping) Has(key string) bool { return m.Values[key] != nil }

// Mapping checks that n is a mapping whose keys are plain names, each
// given once and, when known is not nil, each one of known: an unknown key
// is reported with the known key it is most likely a misspelling of (did
// you mean …?), or else with the list of known keys. what names the
// mapping in messages ("retention rule"). Keys it rejects are left out of
// the result. It reports false, with a problem, when n is not a mapping.
func (d *Decoder) Mapping(n *yaml.Node, what string, known []string) (Mapping, bool) {
	n = Resolve(n)
	m := Mapping{Node: n, Values: map[string]*yaml.Node{}, KeyNodes: map[string]*yaml.Node{}, Misspelt: map[string]bool{}}
	if n.Kind != yaml.MappingNode {
		d.Errorf(n, "%s must be a mapping, not %s", what, Describe(n))
		return m, false
	}
	for k := range Keys(n) {
		name := k.Node.Value
		switch {
		case k.Node.Kind != yaml.ScalarNode:
			d.Errorf(k.Node, "a key in %s must be a string, not %s", what, Describe(k.Node))
		case known != nil && !slices.Contains(known, name):
			if near := Closest(name, known); near != "" {
				m.Misspelt[near] = true
				d.Errorf(k.Node, "unknown key %q in %s (did you mean %q?)", name, what, near)
			} else {
				d.Errorf(k.Node, "unknown key %q in %s; known keys are %s", name, what, strings.Join(known, ", "))
			}
		case k.First != nil:
			d.Errorf(k.Node, "duplicate key %q in %s (first at line %d:%d)", name, what, k.First.Line, k.First.Column)
		default:
			m.Keys = append(m.Keys, k.Node)
			m.KeyNodes[name], m.Values[name] = k.Node, Resolve(k.Value)
		}
	}
	return m, true
}

// Fields calls fn for each key of mapping n that Mapping accepts, with
// its value, aliases resolved. A null is an empty mapping. It reports
// false, with a problem, when n is not a mapping.
func (d *Decoder) Fields(n *yaml.Node, what string, known []string, fn func(key, value *yaml.Node)) bool {
	if IsNull(Resolve(n)) {
		return true
	}
	m, ok := d.Mapping(n, what, known)
	for _, key := range m.Keys {
		fn(key, m.Values[key.Value])
	}
	return ok
}

// Sequence calls fn for each item of list n, aliases resolved. A null is
// an empty list.
func (d *Decoder) Sequence(n *yaml.Node, what string, fn func(item *yaml.Node)) {
	if IsNull(Resolve(n)) {
		return
	}
	items, _ := d.List(n, what)
	for _, item := range items {
		fn(item)
	}
}

// List checks that n is a list and returns its items, aliases resolved.
// It reports false, with a problem, when n is not a list (a null
// included).
func (d *Decoder) List(n *yaml.Node, what string) ([]*yaml.Node, bool) {
	n = Resolve(n)
	if n.Kind != yaml.SequenceNode {
		d.Errorf(n, "%s must be a list, not %s", what, Describe(n))
		return nil, false
	}
	items := make([]*yaml.Node, len(n.Content))
	for i, it := range n.Content {
		items[i] = Resolve(it)
	}
	return items, true
}

// String returns a scalar's text, which must not be empty. Numbers and
// booleans are taken as written.
func (d *Decoder) String(n *yaml.Node, what string) (string, bool) {
	n = Resolve(n)
	switch {
	case n.Kind != yaml.ScalarNode:
		d.Errorf(n, "%s must be a string, not %s", what, Describe(n))
		return "", false
	case IsNull(n) || n.Value == "":
		d.Errorf(n, "%s must not be empty", what)
		return "", false
	}
	return n.Value, true
}

// Text is String for names: the text must not start or end with spaces.
func (d *Decoder) Text(n *yaml.Node, what string) (string, bool) {
	s, ok := d.String(n, what)
	if ok && strings.TrimSpace(s) != s {
		d.Errorf(Resolve(n), "%s %q has leading or trailing spaces", what, s)
		return "", false
	}
	return s, ok
}

// Bool reads true or false.
func (d *Decoder) Bool(n *yaml.Node, what string) (bool, bool) {
	n = Resolve(n)
	v, ok := Bool(n)
	if !ok {
		d.Errorf(n, "%s must be true or false, not %s", what, Describe(n))
	}
	return v, ok
}

// Describe names what a node holds, for messages: `the string "x"` for a
// string, other scalars as written, and the shape of the rest.
func Describe(n *yaml.Node) string {
	if shape, ok := Shape(n); ok {
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
