package policy

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestGlobMatch(t *testing.T) {
	cases := []struct {
		glob string
		path string
		want bool
	}{
		{"**", "prod/app", true},
		{"**", "a/b/c/d", true},
		{"prod/**", "prod/app", true},
		{"prod/**", "prod/team/app", true},
		{"prod/**", "production/app", false},
		{"prod/**", "dev/prod/app", false},
		{"prod/*", "prod/app", true},
		{"prod/*", "prod/team/app", false},
		{"*/app", "prod/app", true},
		{"*/app", "prod/x/app", false},
		{"**/app", "prod/x/app", true},
		{"**/app", "prod/app", true},
		{"**/app", "prod/apps", false},
		{"team-*/ci", "team-a/ci", true},
		{"team-*/ci", "team-/ci", true},
		{"team-*/ci", "teamb/ci", false},
		{"*-cache/*", "ci-cache/node", true},
		{"prod/**/base", "prod/base", true},
		{"prod/**/base", "prod/a/b/base", true},
		{"prod/**/base", "prod/a/b/base/x", false},
		{"prod/app", "prod/app", true},
		{"prod/app", "prod/app2", false},
		{"prod/a.b", "prod/aXb", false},
		{"prod/*.*", "prod/a.b", true},
	}
	for _, c := range cases {
		t.Run(c.glob+"|"+c.path, func(t *testing.T) {
			g, err := ParseGlob(c.glob)
			require.NoError(t, err)
			assert.Equal(t, c.want, g.MatchPath(c.path))
		})
	}
}

func TestGlobMatchJoinsNamespaceAndRepository(t *testing.T) {
	g := MustParseGlob("prod/library/*")
	assert.True(t, g.Match("prod", "library/nginx"))
	assert.False(t, g.Match("prod", "nginx"))
	assert.False(t, g.Match("prod/library", "nginx/x"))
}

func TestZeroGlobMatchesNothing(t *testing.T) {
	var g Glob
	assert.False(t, g.Match("a", "b"))
	assert.False(t, g.MatchesAll())
}

func TestParseGlobRejects(t *testing.T) {
	cases := map[string]string{
		"":           "empty glob",
		"Prod/**":    `invalid character 'P'`,
		"prod/a?":    `invalid character '?'`,
		"prod/[ab]":  `invalid character '['`,
		"prod//a":    "empty path segment",
		"/prod":      "empty path segment",
		"prod/":      "empty path segment",
		"prod/a**":   `"**" must be a whole path segment`,
		"***":        `"**" must be a whole path segment`,
		"prod/**/**": `repeated "**" segment`,
	}
	for glob, want := range cases {
		t.Run(glob, func(t *testing.T) {
			_, err := ParseGlob(glob)
			require.Error(t, err)
			assert.Contains(t, err.Error(), want)
		})
	}
}

func TestMustParseGlobPanicsOnBadGlob(t *testing.T) {
	assert.Panics(t, func() { MustParseGlob("A") })
	assert.Equal(t, "a/*", MustParseGlob("a/*").String())
}

func TestGlobMatchesNamespace(t *testing.T) {
	for pattern, want := range map[string]map[string]bool{
		"**":             {"payments": true, "x": true},
		"payments/**":    {"payments": true, "shared": false},
		"team-*/cache":   {"team-a": true, "team": false, "tools": false},
		"*/app":          {"anything": true},
		"**/ci-cache":    {"payments": true},
		"payments/a/b/c": {"payments": true, "payment": false},
	} {
		g := MustParseGlob(pattern)
		for ns, w := range want {
			assert.Equal(t, w, g.MatchesNamespace(ns), "%s in %s", pattern, ns)
		}
	}
	assert.False(t, Glob{}.MatchesNamespace("payments"))
	assert.False(t, MustParseGlob("payments").MatchesNamespace("payments"), "one segment matches no repository")
}

func TestParseGlobFollowsSWRNameRules(t *testing.T) {
	for glob, want := range map[string]string{
		"my--org/app--x": "",
		"**/a---b":       "",
		"team-*/**":      "",
		"*/a.*":          "",
		"1team/*":        "matches no namespace: a namespace name must start with a lowercase letter",
		"prod/a..b":      `matches no repository: a repository name has separators ".." touching`,
		"prod/a___b":     `matches no repository: a repository name has more than two "_" in a row`,
		"prod/*-/x":      `matches no repository: a repository name has separators "-/" touching`,
		"my.-org/*":      `matches no namespace: a namespace name has separators ".-" touching`,
	} {
		_, err := ParseGlob(glob)
		if want == "" {
			assert.NoError(t, err, glob)
		} else {
			assert.EqualError(t, err, fmt.Sprintf("glob %q: %s", glob, want), glob)
		}
	}
}
