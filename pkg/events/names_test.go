package events

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
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
		{namespaceRule, "my--org", true},
		{namespaceRule, "my..org", false},
		{repositoryRule, "app--x", true},
		{repositoryRule, "a._b", false},
		{namespaceRule, "-acme", false},
		{namespaceRule, "acme-", false},
		{namespaceRule, "Acme", false},
		{namespaceRule, "team/web", false},
		{namespaceRule, strings.Repeat("a", maxNameLen), true},
		{namespaceRule, strings.Repeat("a", maxNameLen+1), false},
		{repositoryRule, "0day/" + strings.Repeat("a", maxNameLen-5), true},
		{repositoryRule, strings.Repeat("a", maxNameLen+1), false},
		{repositoryRule, "team/web", true},
		{repositoryRule, "team//web", false},
		{repositoryRule, "/web", false},
		{repositoryRule, "web/", false},
		{repositoryRule, "../web", false},
		{tagRule, "v1.2.3-rc_1", true},
		{tagRule, "Latest", true},
		{tagRule, ".hidden", false},
		{tagRule, "v1:2", false},
		{tagRule, strings.Repeat("t", swr.MaxTagNameLen+1), false},
		{digestRule, digestWeb, true},
		{digestRule, "sha512:" + strings.Repeat("ab", 64), true},
		{digestRule, "sha256:" + strings.ToUpper(digestWeb[7:]), false},
		{digestRule, "sha256:abc", false},
		{digestRule, "multihash+base58:QmRZxt2b1FVZPNqd8hsiykDL3TdBDeTSPX9Kv46HmX4Gx8", true},
		{digestRule, "nocolon", false},
		{digestRule, ":abc", false},
		{digestRule, "sha256:", false},
		{digestRule, "sha384:" + strings.Repeat("0f", 48), true},
		{digestRule, "sha384:" + strings.Repeat("0f", 47), false},
		{digestRule, "multihash..base58:abc", false},
		{digestRule, "multihash+:abc", false},
		{digestRule, "Sha256:" + digestWeb[7:], false},
		{digestRule, "tarsum.v1+sha256:abc/def", false},
		{digestRule, "x:" + strings.Repeat("a", maxNameLen), false},
		{triggerRule, "Deploy_web-1", true},
		{triggerRule, "9lives", false},
		{triggerRule, "deploy web", false},
	} {
		err := tt.rule.check(tt.value)
		assert.Equal(t, tt.ok, err == nil, "%s %q: %v", tt.rule.what(), tt.value, err)
	}
}

// TestHarborNamesAreWiderThanSWRs pins the deliberate difference: names
// SWR Enterprise / Harbor allow pass decoding although SWR itself cannot
// hold them, and the rejection of anything else says which rule broke.
func TestHarborNamesAreWiderThanSWRs(t *testing.T) {
	for _, ns := range []string{"0day", strings.Repeat("a", swr.MaxNamespaceNameLen+1)} {
		assert.NoError(t, namespaceRule.check(ns), ns)
		assert.Error(t, swr.CheckNamespaceName(ns), ns)
	}
	long := strings.Repeat("r", swr.MaxRepositoryNameLen+1)
	assert.NoError(t, repositoryRule.check(long))
	assert.Error(t, swr.CheckRepositoryName(long))

	err := checkName("body", "namespace", "Acme", namespaceRule)
	assert.EqualError(t, err, `events: body.namespace: not a valid namespace name: "Acme" must start with a lowercase letter or a digit`)
	err = checkName("body", "trigger", "9lives", triggerRule)
	assert.EqualError(t, err, `events: body.trigger: not a valid trigger name: "9lives" must start with a letter`)
}
