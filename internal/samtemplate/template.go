package samtemplate

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"

	"go.yaml.in/yaml/v3"
)

// FunctionType is the resource type of a SAM function.
const FunctionType = "AWS::Serverless::Function"

// Template is a parsed SAM template.
type Template struct {
	// Root is the document's top-level mapping.
	Root *yaml.Node
	// Parameters maps parameter names to their definitions.
	Parameters map[string]*yaml.Node
	// Resources maps logical ids to their definitions.
	Resources map[string]Resource
	// Functions maps the logical ids of AWS::Serverless::Function
	// resources to their properties with Globals merged in.
	Functions map[string]Function
}

// Resource is one entry of the Resources section.
type Resource struct {
	LogicalID string
	Type      string
	Line      int
	// Node is the resource's mapping (Type, Properties, Metadata, ...).
	Node *yaml.Node
}

// Function is a serverless function after the Globals merge.
type Function struct {
	LogicalID string
	Line      int
	// Properties is the merged Properties mapping.
	Properties *yaml.Node
	// Metadata is the resource's Metadata mapping, or nil.
	Metadata *yaml.Node
}

// Load reads and parses the template at path.
func Load(path string) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	t, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return t, nil
}

// Parse parses a SAM template and merges Globals.Function into every
// function.
func Parse(data []byte) (*Template, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, err
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) != 1 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, errors.New("template is not a YAML mapping")
	}
	root := doc.Content[0]
	t := &Template{
		Root:       root,
		Parameters: map[string]*yaml.Node{},
		Resources:  map[string]Resource{},
		Functions:  map[string]Function{},
	}
	if params := Lookup(root, "Parameters"); params != nil {
		for i := 0; i+1 < len(params.Content); i += 2 {
			t.Parameters[params.Content[i].Value] = params.Content[i+1]
		}
	}
	resources := Lookup(root, "Resources")
	if resources == nil || resources.Kind != yaml.MappingNode {
		return nil, errors.New("no Resources mapping")
	}
	globals := Lookup(root, "Globals", "Function")
	for i := 0; i+1 < len(resources.Content); i += 2 {
		key, node := resources.Content[i], resources.Content[i+1]
		typ, _ := Scalar(node, "Type")
		r := Resource{LogicalID: key.Value, Type: typ, Line: key.Line, Node: node}
		if typ == "" {
			return nil, fmt.Errorf("line %d: resource %s has no Type", key.Line, key.Value)
		}
		t.Resources[key.Value] = r
		if typ != FunctionType {
			continue
		}
		props := Lookup(node, "Properties")
		if props == nil {
			props = &yaml.Node{Kind: yaml.MappingNode, Tag: "!!map"}
		}
		if globals != nil {
			props = merge(globals, props)
		}
		t.Functions[key.Value] = Function{LogicalID: key.Value, Line: key.Line, Properties: props, Metadata: Lookup(node, "Metadata")}
	}
	return t, nil
}

// FunctionIDs returns the logical ids of the template's functions, sorted.
func (t *Template) FunctionIDs() []string {
	ids := make([]string, 0, len(t.Functions))
	for id := range t.Functions {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// Lookup follows a path of mapping keys from n and returns the node found,
// or nil.
func Lookup(n *yaml.Node, path ...string) *yaml.Node {
	for _, key := range path {
		if n == nil || n.Kind != yaml.MappingNode {
			return nil
		}
		var next *yaml.Node
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				next = n.Content[i+1]
				break
			}
		}
		n = next
	}
	return n
}

// Scalar returns the plain scalar value at path, and false when there is
// none or it is an intrinsic function.
func Scalar(n *yaml.Node, path ...string) (string, bool) {
	v := Lookup(n, path...)
	if v == nil || v.Kind != yaml.ScalarNode || IsIntrinsic(v) {
		return "", false
	}
	return v.Value, true
}

// Strings returns the plain scalar items of the sequence at path.
func Strings(n *yaml.Node, path ...string) []string {
	v := Lookup(n, path...)
	if v == nil || v.Kind != yaml.SequenceNode {
		return nil
	}
	out := make([]string, 0, len(v.Content))
	for _, item := range v.Content {
		if item.Kind == yaml.ScalarNode && !IsIntrinsic(item) {
			out = append(out, item.Value)
		}
	}
	return out
}

// Keys returns the keys of the mapping at path, in document order.
func Keys(n *yaml.Node, path ...string) []string {
	v := Lookup(n, path...)
	if v == nil || v.Kind != yaml.MappingNode {
		return nil
	}
	keys := make([]string, 0, len(v.Content)/2)
	for i := 0; i+1 < len(v.Content); i += 2 {
		keys = append(keys, v.Content[i].Value)
	}
	return keys
}

// IsIntrinsic reports whether n is an intrinsic function: a node with a
// short-form tag (!Ref, !GetAtt, !Sub, ...) or a one-key mapping whose key
// is Ref or starts with "Fn::".
func IsIntrinsic(n *yaml.Node) bool {
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return true
	}
	if n.Kind == yaml.MappingNode && len(n.Content) == 2 {
		k := n.Content[0].Value
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// Intrinsic returns the function name and argument node of an intrinsic
// function in either form: "Ref", "Fn::GetAtt", "Fn::Sub", ...
func Intrinsic(n *yaml.Node) (name string, arg *yaml.Node, ok bool) {
	if n == nil || !IsIntrinsic(n) {
		return "", nil, false
	}
	if n.Kind == yaml.MappingNode {
		return n.Content[0].Value, n.Content[1], true
	}
	name = strings.TrimPrefix(n.Tag, "!")
	if name != "Ref" && name != "Condition" {
		name = "Fn::" + name
	}
	arg = &yaml.Node{Kind: n.Kind, Tag: defaultTag(n.Kind), Value: n.Value, Content: n.Content, Line: n.Line, Column: n.Column}
	return name, arg, true
}

func defaultTag(k yaml.Kind) string {
	switch k {
	case yaml.MappingNode:
		return "!!map"
	case yaml.SequenceNode:
		return "!!seq"
	}
	return "!!str"
}

// merge returns the SAM Globals merge of a global value g and a resource
// value r: mappings merge key by key (r wins), sequences concatenate (g
// first), anything else (scalars, intrinsic functions) is r.
func merge(g, r *yaml.Node) *yaml.Node {
	switch {
	case g.Kind == yaml.MappingNode && r.Kind == yaml.MappingNode && !IsIntrinsic(g) && !IsIntrinsic(r):
		out := &yaml.Node{Kind: yaml.MappingNode, Tag: r.Tag, Line: r.Line, Column: r.Column}
		for i := 0; i+1 < len(g.Content); i += 2 {
			key, gv := g.Content[i], g.Content[i+1]
			if rv := Lookup(r, key.Value); rv != nil {
				out.Content = append(out.Content, key, merge(gv, rv))
			} else {
				out.Content = append(out.Content, key, gv)
			}
		}
		for i := 0; i+1 < len(r.Content); i += 2 {
			if Lookup(g, r.Content[i].Value) == nil {
				out.Content = append(out.Content, r.Content[i], r.Content[i+1])
			}
		}
		return out
	case g.Kind == yaml.SequenceNode && r.Kind == yaml.SequenceNode && !IsIntrinsic(g) && !IsIntrinsic(r):
		out := &yaml.Node{Kind: yaml.SequenceNode, Tag: r.Tag, Line: r.Line, Column: r.Column}
		out.Content = append(append(out.Content, g.Content...), r.Content...)
		return out
	}
	return r
}
