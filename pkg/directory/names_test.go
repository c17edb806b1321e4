package directory

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestCheckNamespaceName(t *testing.T) {
	for name, want := range map[string]string{
		"payments":              "",
		"a":                     "",
		"team-a.b_c":            "",
		"pay__ments":            "",
		"a1":                    "",
		strings.Repeat("a", 64): "",
		"":                      "must not be empty",
		strings.Repeat("a", 65): "is 65 characters long, at most 64 are allowed",
		"1team":                 "must start with a lowercase letter",
		"_team":                 "must start with a lowercase letter",
		"Team":                  "must start with a lowercase letter",
		"team-":                 "must end with a lowercase letter or a digit",
		"team/a":                `contains '/': only lowercase letters, digits and '.' '_' '-' are allowed`,
		"teAm":                  `contains 'A': only lowercase letters, digits and '.' '_' '-' are allowed`,
		"te--am":                `has separators "--" touching`,
		"te._am":                `has separators "._" touching`,
		"te___am":               `has more than two "_" in a row`,
		"te__-am":               `has separators "_-" touching`,
	} {
		err := CheckNamespaceName(name)
		if want == "" {
			assert.NoError(t, err, name)
		} else {
			assert.EqualError(t, err, want, name)
		}
	}
}

func TestCheckRepositoryName(t *testing.T) {
	for name, want := range map[string]string{
		"nginx":                  "",
		"1app":                   "",
		"library/nginx":          "",
		"a/b/c.d_e-f":            "",
		"base__images":           "",
		strings.Repeat("a", 128): "",
		"":                       "must not be empty",
		strings.Repeat("a", 129): "is 129 characters long, at most 128 are allowed",
		"/nginx":                 "must start with a lowercase letter or a digit",
		"nginx/":                 "must end with a lowercase letter or a digit",
		"lib//nginx":             `has separators "//" touching`,
		"lib/-nginx":             `has separators "/-" touching`,
		"Nginx":                  "must start with a lowercase letter or a digit",
		"ng inx":                 `contains ' ': only lowercase letters, digits and '.' '/' '_' '-' are allowed`,
	} {
		err := CheckRepositoryName(name)
		if want == "" {
			assert.NoError(t, err, name)
		} else {
			assert.EqualError(t, err, want, name)
		}
	}
}

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
