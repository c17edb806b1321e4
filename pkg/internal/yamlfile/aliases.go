package yamlfile

import (
	"fmt"

	"go.yaml.in/yaml/v3"
)

// MaxAliasNodes bounds the nodes that expanding aliases may add to a
// document, so that a few nested aliases cannot blow a small file up into
// an enormous tree.
const MaxAliasNodes = 100_000

// expandAliases replaces every alias under n by a copy of the node it
// names, every node of the copy placed at the alias. A problem found in
// the copy is then reported at the line that uses the anchor, once per
// use, rather than at the anchor, once per use.
func expandAliases(n *yaml.Node) error {
	budget := MaxAliasNodes
	var walk func(n *yaml.Node) error
	walk = func(n *yaml.Node) error {
		for i, c := range n.Content {
			if c.Kind == yaml.AliasNode && c.Alias != nil {
				cp, err := copyAt(Resolve(c), c.Line, c.Column, &budget)
				if err != nil {
					return err
				}
				n.Content[i] = cp
				continue
			}
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	return walk(n)
}

// copyAt deep-copies n, aliases expanded, with every node at line:col.
func copyAt(n *yaml.Node, line, col int, budget *int) (*yaml.Node, error) {
	if *budget--; *budget < 0 {
		return nil, fmt.Errorf("yaml: line %d: aliases expand the document past %d nodes", line, MaxAliasNodes)
	}
	cp := *n
	cp.Line, cp.Column, cp.Anchor = line, col, ""
	cp.Content = make([]*yaml.Node, len(n.Content))
	for i, c := range n.Content {
		var err error
		if cp.Content[i], err = copyAt(Resolve(c), line, col, budget); err != nil {
			return nil, err
		}
	}
	return &cp, nil
}
