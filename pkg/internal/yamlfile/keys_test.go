package yamlfile_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

func TestKeysFindsRepeatedKeys(t *testing.T) {
	root, _, err := yamlfile.Decode([]byte("a: 1\nb: 2\n? [x]\n: 3\na: 4\nk: &k a\n*k : 5\n"))
	require.NoError(t, err)

	type seen struct {
		key       string
		kind      yaml.Kind
		line      int
		value     string
		firstLine int
	}
	var got []seen
	for k := range yamlfile.Keys(root) {
		s := seen{key: k.Node.Value, kind: k.Node.Kind, line: k.Node.Line, value: k.Value.Value}
		if k.First != nil {
			s.firstLine = k.First.Line
		}
		got = append(got, s)
	}
	assert.Equal(t, []seen{
		{"a", yaml.ScalarNode, 1, "1", 0},
		{"b", yaml.ScalarNode, 2, "2", 0},
		{"", yaml.SequenceNode, 3, "3", 0},
		{"a", yaml.ScalarNode, 5, "4", 1},
		{"k", yaml.ScalarNode, 6, "a", 0},
		{"a", yaml.ScalarNode, 7, "5", 1}, // the alias key is a copy of the anchored scalar "a", at the alias
	}, got)
}

func TestKeysOfOtherNodes(t *testing.T) {
	root, _, err := yamlfile.Decode([]byte("[a, b]\n"))
	require.NoError(t, err)
	for range yamlfile.Keys(root) {
		t.Fatal("a list has no keys")
	}
}

func TestKeysStopsWhenAsked(t *testing.T) {
	root, _, err := yamlfile.Decode([]byte("a: 1\nb: 2\nc: 3\n"))
	require.NoError(t, err)
	n := 0
	for range yamlfile.Keys(root) {
		n++
		break
	}
	assert.Equal(t, 1, n)
}

func TestClosest(t *testing.T) {
	known := []string{"keep_days", "keep_last", "unmanaged", "match"}
	for name, want := range map[string]string{
		"keep_lst":  "keep_last",
		"keep_lats": "keep_days", // two edits from both: the first known wins
		"keeplast":  "keep_last",
		"keep_day":  "keep_days",
		"mach":      "match",
		"retention": "",
		"":          "",
	} {
		assert.Equal(t, want, yamlfile.Closest(name, known), name)
	}
	assert.Empty(t, yamlfile.Closest("anything", nil))
}
