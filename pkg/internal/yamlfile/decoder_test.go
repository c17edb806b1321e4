package yamlfile

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestDecoderMappingChecksKeys(t *testing.T) {
	root, _, err := Decode([]byte("mode: a\nmdoe: b\nmode: c\nzzz: d\n[x]: e\n"))
	require.NoError(t, err)
	d := &Decoder{File: "f.yaml"}
	m, ok := d.Mapping(root, "policy", []string{"mode", "retention"})
	require.True(t, ok)
	assert.Equal(t, []string{
		`f.yaml:2:1: unknown key "mdoe" in policy (did you mean "mode"?)`,
		`f.yaml:3:1: duplicate key "mode" in policy (first at line 1:1)`,
		`f.yaml:4:1: unknown key "zzz" in policy; known keys are mode, retention`,
		`f.yaml:5:1: a key in policy must be a string, not a list`,
	}, messages(d.Errs))
	assert.Equal(t, "a", m.Values["mode"].Value, "the first of repeated keys counts")
	assert.True(t, m.Misspelt["mode"])
	assert.True(t, m.Has("mode"))
	assert.False(t, m.Has("retention"))

	d = &Decoder{File: "f.yaml"}
	_, ok = d.Mapping(root.Content[1], "mode", nil)
	assert.False(t, ok)
	assert.Equal(t, []string{`f.yaml:1:7: mode must be a mapping, not the string "a"`}, messages(d.Errs))
}

func messages(errs []Error) []string {
	out := make([]string, len(errs))
	for i, e := range errs {
		out[i] = e.Error()
	}
	return out
}
