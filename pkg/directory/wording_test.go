package directory

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
)

// TestMistakesAreWordedAsInThePolicy makes the same mistakes in a team
// directory and in a policy: a misspelt key, a repeated key, a key
// nothing resembles, a boolean that is not one. Both files report them in
// the same words, the misspelling with the key meant.
func TestMistakesAreWordedAsInThePolicy(t *testing.T) {
	_, dirErr := Parse([]byte("team: []\nkeep: []\nkeep: []\nzzz: 1\ncreate_missing_namespaces: yes\n"), "dir.yaml")
	_, polErr := policy.Parse([]byte("mdoe: audit\naudits: {}\naudits: {}\nzzz: 1\naudits:\n"), "policy.yaml")
	require.Error(t, dirErr)
	require.Error(t, polErr)
	assert.Equal(t, ""+
		"dir.yaml:1:1: unknown key \"team\" in the top level (did you mean \"teams\"?)\n"+
		"dir.yaml:3:1: duplicate key \"keep\" in the top level (first at line 2:1)\n"+
		"dir.yaml:4:1: unknown key \"zzz\" in the top level; known keys are teams, keep, guard, create_missing_namespaces, managed_namespaces\n"+
		"dir.yaml:5:28: create_missing_namespaces must be true or false, not the string \"yes\"",
		dirErr.Error())
	assert.Equal(t, ""+
		"policy.yaml:1:1: unknown key \"mdoe\" in policy (did you mean \"mode\"?)\n"+
		"policy.yaml:3:1: duplicate key \"audits\" in policy (first at line 2:1)\n"+
		"policy.yaml:4:1: unknown key \"zzz\" in policy; known keys are version, mode, guard, protect_deployed, retention, default_grants, audits\n"+
		"policy.yaml:5:1: duplicate key \"audits\" in policy (first at line 2:1)",
		polErr.Error())
}
