package directory

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestDirectoryQueries(t *testing.T) {
	d := &Directory{
		Teams: []Team{
			{Name: "a", Members: []Member{{ID: "u1", Name: "alice"}}, Repositories: map[string]Level{"tools/ci/runner": Read}},
			{Name: "b", Namespaces: map[string]Level{"unused": Read}}, // no members
		},
		ManagedNamespaces: []string{"payments"},
		Keep:              []Member{{ID: "k1", Name: "breakglass"}},
	}
	assert.False(t, d.Empty(), "one team has a member and a grant")
	assert.True(t, d.Managed("payments"))
	assert.False(t, d.Managed("tools"))
	assert.True(t, d.Kept("k1", ""))
	assert.True(t, d.Kept("other-id", "breakglass"), "a keep entry matches by name too")
	assert.False(t, d.Kept("", ""))
	assert.False(t, d.Kept("u1", "alice"))
	assert.Equal(t, []string{"payments", "tools", "unused"}, d.Namespaces())

	var none *Directory
	assert.True(t, none.Empty())
	assert.False(t, none.Managed("payments"))
	assert.False(t, none.Kept("k1", "breakglass"))
	assert.Nil(t, none.Namespaces())

	onlyMembers := &Directory{Teams: []Team{{Name: "a", Members: []Member{{ID: "u1", Name: "alice"}}}}}
	assert.True(t, onlyMembers.Empty(), "members without grants grant nothing")
}
