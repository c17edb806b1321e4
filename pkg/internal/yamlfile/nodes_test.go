package yamlfile_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.yaml.in/yaml/v3"

	"github.com/swr-autopilot/swr-autopilot/pkg/internal/yamlfile"
)

func TestDecode(t *testing.T) {
	t.Run("no document", func(t *testing.T) {
		for _, in := range []string{"", "\n", "# only a comment\n"} {
			root, next, err := yamlfile.Decode([]byte(in))
			require.NoError(t, err, in)
			assert.Nil(t, root, in)
			assert.Nil(t, next, in)
		}
	})
	t.Run("one document", func(t *testing.T) {
		root, next, err := yamlfile.Decode([]byte("a: 1\n"))
		require.NoError(t, err)
		assert.Nil(t, next)
		require.NotNil(t, root)
		assert.Equal(t, yaml.MappingNode, root.Kind)
	})
	t.Run("second document", func(t *testing.T) {
		root, next, err := yamlfile.Decode([]byte("a: 1\n---\nb: 2\n"))
		require.NoError(t, err)
		require.NotNil(t, root)
		require.NotNil(t, next)
		assert.Equal(t, 2, next.Line, "the second document starts at its ---")
	})
	t.Run("broken first document", func(t *testing.T) {
		root, next, err := yamlfile.Decode([]byte("a: [1\n"))
		require.Error(t, err)
		assert.Nil(t, root)
		assert.Nil(t, next)
	})
	t.Run("broken second document keeps the first", func(t *testing.T) {
		root, next, err := yamlfile.Decode([]byte("a: 1\n---\nb: [2\n"))
		require.Error(t, err)
		require.NotNil(t, root)
		assert.Equal(t, yaml.MappingNode, root.Kind)
		assert.Nil(t, next)
	})
}

func TestResolveAndShape(t *testing.T) {
	root, _, err := yamlfile.Decode([]byte("base: &b [1, 2]\nalias: *b\nnone: ~\nempty:\nword: x\nmap: {}\n"))
	require.NoError(t, err)
	values := map[string]*yaml.Node{}
	for k := range yamlfile.Keys(root) {
		values[k.Node.Value] = k.Value
	}

	alias := values["alias"]
	assert.Equal(t, yaml.SequenceNode, alias.Kind, "Decode expands aliases")
	assert.Equal(t, 2, alias.Line, "the copy sits at the alias")
	assert.Len(t, alias.Content, 2)
	assert.Equal(t, 2, alias.Content[1].Line)
	assert.Same(t, values["base"], yamlfile.Resolve(values["base"]))
	unresolved := &yaml.Node{Kind: yaml.AliasNode}
	assert.Same(t, unresolved, yamlfile.Resolve(unresolved))

	for key, want := range map[string]string{"base": "a list", "none": "an empty value", "empty": "an empty value", "map": "a mapping"} {
		shape, ok := yamlfile.Shape(values[key])
		assert.True(t, ok, key)
		assert.Equal(t, want, shape, key)
	}
	assert.True(t, yamlfile.IsNull(values["none"]))
	assert.False(t, yamlfile.IsNull(values["word"]))
	_, ok := yamlfile.Shape(values["word"])
	assert.False(t, ok, "a scalar with a value is the caller's to name")
	_, ok = yamlfile.Shape(unresolved)
	assert.False(t, ok, "an unresolved alias is the caller's to name")
}

func TestScalars(t *testing.T) {
	root, _, err := yamlfile.Decode([]byte("int: 12\nneg: -3\nfloat: 0.25\nstr: \"12\"\nyes: yes\ntrue: true\nbig: 99999999999999999999\nlist: [1]\nnull: ~\n"))
	require.NoError(t, err)
	values := map[string]*yaml.Node{}
	for k := range yamlfile.Keys(root) {
		values[k.Node.Value] = k.Value
	}
	type result struct {
		i      int
		iOK    bool
		f      float64
		fOK    bool
		b, bOK bool
	}
	for key, want := range map[string]result{
		"int":   {i: 12, iOK: true, f: 12, fOK: true},
		"neg":   {i: -3, iOK: true, f: -3, fOK: true},
		"float": {f: 0.25, fOK: true},
		"str":   {},
		"yes":   {},
		"true":  {b: true, bOK: true},
		"big":   {f: 1e20, fOK: true},
		"list":  {},
		"null":  {},
	} {
		var got result
		got.i, got.iOK = yamlfile.Int(values[key])
		got.f, got.fOK = yamlfile.Number(values[key])
		got.b, got.bOK = yamlfile.Bool(values[key])
		assert.Equal(t, want, got, key)
	}
}

func TestAliasesExpandWithinABound(t *testing.T) {
	// Ten levels of ten aliases each would be 10¹⁰ nodes.
	doc := "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
	for i := 1; i <= 10; i++ {
		p := fmt.Sprintf("*a%d", i-1)
		doc += fmt.Sprintf("a%d: &a%d [%s, %s, %s, %s, %s, %s, %s, %s, %s, %s]\n", i, i, p, p, p, p, p, p, p, p, p, p)
	}
	_, _, err := yamlfile.Decode([]byte(doc))
	require.Error(t, err)
	e := yamlfile.SyntaxError("bomb.yaml", err)
	assert.Positive(t, e.Line)
	assert.Contains(t, e.Msg, "aliases expand the document past")
}
