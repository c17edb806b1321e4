package directory

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestSplitRepositoryKey(t *testing.T) {
	for key, want := range map[string][3]string{
		"shared/base":     {"shared", "base", "ok"},
		"tools/ci/runner": {"tools", "ci/runner", "ok"},
		"base":            {"base", "", ""},
		"/base":           {"", "base", ""},
		"shared/":         {"shared", "", ""},
	} {
		ns, repo, ok := SplitRepositoryKey(key)
		assert.Equal(t, want, [3]string{ns, repo, map[bool]string{true: "ok"}[ok]}, key)
	}
	assert.Equal(t, "tools/ci/runner", RepositoryKey("tools", "ci/runner"))
}

func TestLevel(t *testing.T) {
	for _, l := range []Level{Read, Write, Manage} {
		parsed, ok := ParseLevel(l.String())
		assert.True(t, ok)
		assert.Equal(t, l, parsed)
	}
	assert.Equal(t, []int{1, 3, 7}, []int{int(Read), int(Write), int(Manage)}, "levels are SWR's auth values")
	_, ok := ParseLevel("Manage")
	assert.False(t, ok)
	assert.Equal(t, "level(5)", Level(5).String())
}
