package yamlfile

import (
	"bytes"
	"errors"
	"io"

	"go.yaml.in/yaml/v3"
)

// Decode reads the first YAML document of data and returns its top node,
// or nil when data holds no document. Aliases are expanded: each is
// replaced by a copy of the node it names, placed at the alias, so that a
// problem inside names the line that uses the anchor.
// next is the start of a second document when data holds one. err is a
// syntax error of either document, for SyntaxError; when the first
// document fails, root is nil.
func Decode(data []byte) (root, next *yaml.Node, err error) {
	dec := yaml.NewDecoder(bytes.NewReader(data))
	var doc yaml.Node
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, nil, nil
		}
		return nil, nil, err
	}
	if err := expandAliases(&doc); err != nil {
		return nil, nil, err
	}
	if doc.Kind == yaml.DocumentNode && len(doc.Content) > 0 {
		root = doc.Content[0]
	}
	var extra yaml.Node
	switch err := dec.Decode(&extra); {
	case err == nil:
		next = &extra
	case !errors.Is(err, io.EOF):
		return root, nil, err
	}
	return root, next, nil
}

// Resolve follows an alias to the node it names.
func Resolve(n *yaml.Node) *yaml.Node {
	for n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	return n
}

// IsNull reports whether n is a null scalar ("", "~", "null").
func IsNull(n *yaml.Node) bool {
	return n.Kind == yaml.ScalarNode && n.ShortTag() == "!!null"
}

// Shape names, for messages, what a node that holds no plain value is:
// "a mapping", "a list" or "an empty value" (a null). ok is false for a
// scalar with a value and for other kinds of node, which the caller names
// in its own words.
func Shape(n *yaml.Node) (shape string, ok bool) {
	switch {
	case n.Kind == yaml.MappingNode:
		return "a mapping", true
	case n.Kind == yaml.SequenceNode:
		return "a list", true
	case IsNull(n):
		return "an empty value", true
	}
	return "", false
}

// Int returns the value of an integer scalar (YAML tag !!int); ok is
// false for any other node and for an integer too large for an int.
func Int(n *yaml.Node) (v int, ok bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!int" || n.Decode(&v) != nil {
		return 0, false
	}
	return v, true
}

// Number returns the value of a number scalar (YAML tag !!int or
// !!float); ok is false for any other node.
func Number(n *yaml.Node) (v float64, ok bool) {
	tag := n.ShortTag()
	if n.Kind != yaml.ScalarNode || (tag != "!!int" && tag != "!!float") || n.Decode(&v) != nil {
		return 0, false
	}
	return v, true
}

// Fraction returns the value of a number scalar that lies in [0, 1].
// inRange is false for NaN, ±Inf and any other value outside it (the
// check is written so that NaN fails); ok is false for a node that holds
// no number at all. Every fraction of the project's files is read through
// it, so that the functions, validate and apply apply one check.
func Fraction(n *yaml.Node) (v float64, ok, inRange bool) {
	v, ok = Number(n)
	if !ok {
		return 0, false, false
	}
	return v, true, InUnitInterval(v)
}

// InUnitInterval reports whether v is a finite number from 0 to 1. NaN
// and ±Inf are not.
func InUnitInterval(v float64) bool { return v >= 0 && v <= 1 }

// Bool returns the value of a boolean scalar (YAML tag !!bool: true or
// false); ok is false for any other node, "yes" and "on" included.
func Bool(n *yaml.Node) (v bool, ok bool) {
	if n.Kind != yaml.ScalarNode || n.ShortTag() != "!!bool" || n.Decode(&v) != nil {
		return false, false
	}
	return v, true
}
