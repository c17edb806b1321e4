package events

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestNameRules(t *testing.T) {
	for _, tt := range []struct {
		rule  rule
		value string
		ok    bool
	}{
		{namespaceRule, "acme", true},
		{namespaceRule, "acme-staging.eu", true},
		{namespaceRule, "a__b", true},
		{namespaceRule, "0day", true},
		{namespaceRule, "a___b", false},
		{namespaceRule, "a-.b", false},
		{namespaceRule, "-acme", false},
		{namespaceRule, "acme-", false},
		{namespaceRule, "Acme", false},
		{namespaceRule, "team/web", false},
		{namespaceRule, strings.Repeat("a", maxNameLen+1), false},
		{repositoryRule, "team/web", true},
		{repositoryRule, "team//web", false},
		{repositoryRule, "/web", false},
		{repositoryRule, "web/", false},
		{repositoryRule, "../web", false},
		{tagRule, "v1.2.3-rc_1", true},
		{tagRule, "Latest", true},
		{tagRule, ".hidden", false},
		{tagRule, "v1:2", false},
		{tagRule, strings.Repeat("t", maxTagLen+1), false},
		{digestRule, digestWeb, true},
		{digestRule, "sha512:" + strings.Repeat("ab", 64), true},
		{digestRule, "sha256:" + strings.ToUpper(digestWeb[7:]), false},
		{digestRule, "sha256:abc", false},
		{digestRule, "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", true},
		{digestRule, "nocolon", false},
		{digestRule, ":abc", false},
		{triggerRule, "Deploy_web-1", true},
		{triggerRule, "9lives", false},
		{triggerRule, "deploy web", false},
	} {
		assert.Equal(t, tt.ok, tt.rule.valid(tt.value), "%s %q", tt.rule.what(), tt.value)
	}
}
