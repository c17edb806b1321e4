package grantplan

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

func TestDesired(t *testing.T) {
	for name, tc := range map[string]struct {
		dir   string
		ns    map[string]map[string]swr.UserAuth
		repos map[string]map[string]swr.UserAuth
	}{
		"one team": {
			dir: `teams:
  - name: a
    members: [{id: u1, name: alice}, {id: u2, name: bob}]
    namespaces: {payments: write}
`,
			ns:    map[string]map[string]swr.UserAuth{"payments": users(ua("u1", "alice", 3), ua("u2", "bob", 3))},
			repos: map[string]map[string]swr.UserAuth{},
		},
		"highest level wins whatever the team order": {
			dir: `teams:
  - name: readers
    members: [{id: u1, name: alice}]
    namespaces: {shared: read, tools: manage}
  - name: managers
    members: [{id: u1, name: alice}]
    namespaces: {shared: manage, tools: read}
  - name: writers
    members: [{id: u1, name: alice}]
    namespaces: {shared: write, tools: write}
`,
			ns: map[string]map[string]swr.UserAuth{
				"shared": users(ua("u1", "alice", 7)),
				"tools":  users(ua("u1", "alice", 7)),
			},
			repos: map[string]map[string]swr.UserAuth{},
		},
		"namespaces and repositories are separate": {
			dir: `teams:
  - name: a
    members: [{id: u1, name: alice}]
    namespaces: {shared: read}
    repositories: {shared/base: write, "tools/ci/runner": read}
  - name: b
    members: [{id: u1, name: alice}, {id: u2, name: bob}]
    repositories: {shared/base: manage}
`,
			ns: map[string]map[string]swr.UserAuth{"shared": users(ua("u1", "alice", 1))},
			repos: map[string]map[string]swr.UserAuth{
				"shared/base":     users(ua("u1", "alice", 7), ua("u2", "bob", 7)),
				"tools/ci/runner": users(ua("u1", "alice", 1)),
			},
		},
		"keep users get nothing by being kept": {
			dir: `teams:
  - name: a
    members: [{id: u1, name: alice}]
    namespaces: {shared: read}
keep: [{id: k1, name: breakglass}]
managed_namespaces: [shared]
`,
			ns:    map[string]map[string]swr.UserAuth{"shared": users(ua("u1", "alice", 1))},
			repos: map[string]map[string]swr.UserAuth{},
		},
	} {
		t.Run(name, func(t *testing.T) {
			g := Desired(parseDirectory(t, tc.dir))
			assert.Equal(t, tc.ns, g.Namespaces)
			assert.Equal(t, tc.repos, g.Repositories)
		})
	}
	assert.Empty(t, Desired(nil).Namespaces)
}
