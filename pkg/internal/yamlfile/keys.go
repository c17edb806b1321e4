package yamlfile

import (
	"iter"

	"go.yaml.in/yaml/v3"
)

// Key is one key of a mapping, with its value and the earlier key of the
// same name.
type Key struct {
	// Node is the key, aliases resolved. A parser rejects a key that is
	// not a scalar (Node.Kind != yaml.ScalarNode); First is then nil.
	Node *yaml.Node
	// Value is the key's value as written (it may be an alias).
	Value *yaml.Node
	// First is the earlier key of the same name in the mapping, or nil
	// when this is the first.
	First *yaml.Node
}

// Keys returns the keys of mapping n, in file order. n must be a mapping
// node (aliases resolved); other nodes have no keys. Whether a name is
// allowed is the caller's to say; Closest suggests the name meant.
func Keys(n *yaml.Node) iter.Seq[Key] {
	return func(yield func(Key) bool) {
		if n.Kind != yaml.MappingNode {
			return
		}
		seen := map[string]*yaml.Node{}
		for i := 0; i+1 < len(n.Content); i += 2 {
			k := Key{Node: Resolve(n.Content[i]), Value: n.Content[i+1]}
			if k.Node.Kind == yaml.ScalarNode {
				k.First = seen[k.Node.Value]
				if k.First == nil {
					seen[k.Node.Value] = k.Node
				}
			}
			if !yield(k) {
				return
			}
		}
	}
}

// maxSuggestDistance is the most edits Closest allows between a name and
// the known name it suggests.
const maxSuggestDistance = 2

// Closest returns the name in known that name is most likely a
// misspelling of: the first one within two edits (insertions, deletions,
// substitutions) of it, fewest edits first. It returns "" when none is.
func Closest(name string, known []string) string {
	best, bestDist := "", maxSuggestDistance+1
	for _, k := range known {
		if dist := editDistance(name, k); dist < bestDist {
			best, bestDist = k, dist
		}
	}
	return best
}

// editDistance is the Levenshtein distance between a and b, in bytes.
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
