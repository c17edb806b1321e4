package yamlfile

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Checker walks the nodes of one file and collects its problems. The zero
// value is ready to use once File is set.
type Checker struct {
	File   string
	Errors []Error
}

// Errorf records a problem at n's position.
func (c *Checker) Errorf(n *yaml.Node, format string, args ...any) {
	c.Errors = append(c.Errors, Error{File: c.File, Line: n.Line, Column: n.Column, Msg: fmt.Sprintf(format, args...)})
}

// Fields calls fn for each key of a mapping, rejecting repeated keys,
// non-string keys and, when known is non-nil, keys not in known. A null
// value is an empty mapping. It reports false when n is not a mapping.
func (c *Checker) Fields(n *yaml.Node, what string, known []string, fn func(key, value *yaml.Node)) bool {
	n = Resolve(n)
	if IsNull(n) {
		return true
	}
	if n.Kind != yaml.MappingNode {
		c.Errorf(n, "%s must be a mapping, not %s", what, Describe(n))
		return false
	}
	for k := range Keys(n) {
		key := k.Node
		switch {
		case key.Kind != yaml.ScalarNode:
			c.Errorf(key, "a key in %s must be a string, not %s", what, Describe(key))
		case k.First != nil:
			c.Errorf(key, "key %q is repeated in %s (first at line %d:%d)", key.Value, what, k.First.Line, k.First.Column)
		case known != nil && !slices.Contains(known, key.Value):
			c.Errorf(key, "unknown key %q in %s; known keys are %s", key.Value, what, strings.Join(known, ", "))
		default:
			fn(key, Resolve(k.Value))
		}
	}
	return true
}

// Sequence calls fn for each item of a list; a null value is an empty list.
func (c *Checker) Sequence(n *yaml.Node, what string, fn func(item *yaml.Node)) {
	n = Resolve(n)
	if IsNull(n) {
		return
	}
	if n.Kind != yaml.SequenceNode {
		c.Errorf(n, "%s must be a list, not %s", what, Describe(n))
		return
	}
	for _, item := range n.Content {
		fn(Resolve(item))
	}
}

// Text returns the value of a non-empty string scalar without leading or
// trailing spaces, recording a problem otherwise.
func (c *Checker) Text(n *yaml.Node, what string) (string, bool) {
	n = Resolve(n)
	switch {
	case n.Kind != yaml.ScalarNode:
		c.Errorf(n, "%s must be a string, not %s", what, Describe(n))
	case IsNull(n) || n.Value == "":
		c.Errorf(n, "%s must not be empty", what)
	case strings.TrimSpace(n.Value) != n.Value:
		c.Errorf(n, "%s %q has leading or trailing spaces", what, n.Value)
	default:
		return n.Value, true
	}
	return "", false
}

// Describe names what a node holds, for messages: scalars quoted.
func Describe(n *yaml.Node) string {
	if shape, ok := Shape(n); ok {
		return shape
	}
	if n.Kind == yaml.ScalarNode {
		return strconv.Quote(n.Value)
	}
	return "an unexpected YAML node"
}
