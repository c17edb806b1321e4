package swr

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// checkNames runs check on each name of want and compares the error text;
// "" wants no error.
func checkNames(t *testing.T, check func(string) error, want map[string]string) {
	t.Helper()
	for name, reason := range want {
		err := check(name)
		if reason == "" {
			assert.NoError(t, err, "%q", name)
		} else {
			assert.EqualError(t, err, reason, "%q", name)
		}
	}
}

func TestCheckNamespaceName(t *testing.T) {
	checkNames(t, CheckNamespaceName, map[string]string{
		"payments":              "",
		"a":                     "",
		"a1":                    "",
		"a.b":                   "",
		"team-a.b_c":            "",
		"pay__ments":            "",
		strings.Repeat("a", 64): "",
		"":                      "must not be empty",
		strings.Repeat("a", 65): "is 65 characters long, at most 64 are allowed",
		"1team":                 "must start with a lowercase letter",
		"0day":                  "must start with a lowercase letter",
		"_team":                 "must start with a lowercase letter",
		"Team":                  "must start with a lowercase letter",
		"team-":                 "must end with a lowercase letter or a digit",
		"team/a":                `contains '/': only lowercase letters, digits and '.' '_' '-' are allowed`,
		"teAm":                  `contains 'A': only lowercase letters, digits and '.' '_' '-' are allowed`,
		"té":                    `must end with a lowercase letter or a digit`,
		"tém":                   `contains 'é': only lowercase letters, digits and '.' '_' '-' are allowed`,
		"te--am":                "",
		"te._am":                `has separators "._" touching`,
		"a_.b":                  `has separators "_." touching`,
		"te___am":               `has more than two "_" in a row`,
		"te__-am":               `has separators "_-" touching`,
	})
}

func TestCheckRepositoryName(t *testing.T) {
	checkNames(t, CheckRepositoryName, map[string]string{
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
		"../web":                 "must start with a lowercase letter or a digit",
		"lib//nginx":             `has separators "//" touching`,
		"base--images":           "",
		"lib/-nginx":             `has separators "/-" touching`,
		"a/_b":                   `has separators "/_" touching`,
		"Nginx":                  "must start with a lowercase letter or a digit",
		"ng inx":                 `contains ' ': only lowercase letters, digits and '.' '/' '_' '-' are allowed`,
		"web:v1":                 `contains ':': only lowercase letters, digits and '.' '/' '_' '-' are allowed`,
	})
}

// TestNameRulesFollowTheDocExamples takes every name the reference gives
// as an example (swr-api.md §1.4 and the bodies of §2–§8): consecutive
// '-' are allowed, separators of different kinds never touch, '_' may be
// doubled and '.' and '/' stand alone.
func TestNameRulesFollowTheDocExamples(t *testing.T) {
	for _, tc := range []struct {
		check func(string) error
		name  string
		valid bool
	}{
		{CheckNamespaceName, "my--org", true},
		{CheckNamespaceName, "my.-org", false},
		{CheckNamespaceName, "my..org", false},
		{CheckNamespaceName, "my___org", false},
		{CheckNamespaceName, "group", true},
		{CheckNamespaceName, "team-a", true},
		{CheckNamespaceName, "team-a-dr", true},
		{CheckNamespaceName, "ns2", true},
		{CheckNamespaceName, "my---org", true},
		{CheckNamespaceName, "my__org", true},
		{CheckNamespaceName, "my-_org", false},
		{CheckNamespaceName, "my_.org", false},
		{CheckNamespaceName, "my--", false},
		{CheckRepositoryName, "app--x", true},
		{CheckRepositoryName, "a---b", true},
		{CheckRepositoryName, "a._b", false},
		{CheckRepositoryName, "a..b", false},
		{CheckRepositoryName, "a___b", false},
		{CheckRepositoryName, "a//b", false},
		{CheckRepositoryName, "library/nginx", true},
		{CheckRepositoryName, "experience_2048", true},
		{CheckRepositoryName, "busybox", true},
		{CheckRepositoryName, "web app", false},
		{CheckRepositoryName, "a--b/c__d.e", true},
		{CheckRepositoryName, "a-/b", false},
		{CheckRepositoryName, "a/-b", false},
	} {
		err := tc.check(tc.name)
		assert.Equal(t, tc.valid, err == nil, "%q: %v", tc.name, err)
	}
}

func TestNameRuleStatesOtherLimits(t *testing.T) {
	wide := NamespaceNameRule()
	wide.MaxLen, wide.LetterFirst = 255, false
	checkNames(t, wide.Check, map[string]string{
		"0day":                   "",
		strings.Repeat("a", 255): "",
		strings.Repeat("a", 256): "is 256 characters long, at most 255 are allowed",
		"_day":                   "must start with a lowercase letter or a digit",
		"team/a":                 `contains '/': only lowercase letters, digits and '.' '_' '-' are allowed`,
		"a___b":                  `has more than two "_" in a row`,
	})
	checkNames(t, NameRule{}.Check, map[string]string{"a": "is 1 characters long, at most 0 are allowed"})
}

func TestCheckTriggerName(t *testing.T) {
	checkNames(t, CheckTriggerName, map[string]string{
		"deploy":                "",
		"Deploy_web-1":          "",
		"x":                     "",
		strings.Repeat("t", 64): "",
		"":                      "must not be empty",
		strings.Repeat("t", 65): "is 65 characters long, at most 64 are allowed",
		"9lives":                "must start with a letter",
		"_deploy":               "must start with a letter",
		"deploy web":            `contains ' ': only letters, digits, '-' and '_' are allowed`,
		"deploy.web":            `contains '.': only letters, digits, '-' and '_' are allowed`,
	})
}

func TestCheckTagName(t *testing.T) {
	checkNames(t, CheckTagName, map[string]string{
		"latest":                 "",
		"Latest":                 "",
		"v1.2.3-rc_1":            "",
		"_build":                 "",
		"1":                      "",
		strings.Repeat("t", 128): "",
		"":                       "must not be empty",
		strings.Repeat("t", 129): "is 129 characters long, at most 128 are allowed",
		".hidden":                "must start with a letter, a digit or '_'",
		"-rc":                    "must start with a letter, a digit or '_'",
		"v1:2":                   `contains ':': only letters, digits and '_' '.' '-' are allowed`,
		"v1/2":                   `contains '/': only letters, digits and '_' '.' '-' are allowed`,
	})
}

func BenchmarkCheckRepositoryName(b *testing.B) {
	name := "platform/base-images/runtime__go.1-26"
	for b.Loop() {
		if err := CheckRepositoryName(name); err != nil {
			b.Fatal(err)
		}
	}
}
