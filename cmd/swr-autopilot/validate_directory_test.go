package main

import (
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
)

const badDirectory = `teams:
  - name: payments
    members: [{id: u1, name: alice}]
    namespaces: {payments: admin}
  - name: platform
    members: [{id: u1, name: alicia}]
    namespaces: {Tools: read}
`

func TestValidateDirectory(t *testing.T) {
	good := writeFile(t, "directory.yaml", grantsDirectory)
	code, out, errOut := validate("-kind", "directory", good)
	assert.Equal(t, 0, code, errOut)
	assert.Equal(t, good+": ok\n", out)

	bad := writeFile(t, "directory.yaml", badDirectory)
	code, out, errOut = validate("-kind", "directory", bad)
	assert.Equal(t, 1, code)
	assert.Empty(t, out)
	assert.Equal(t, bad+`:4:28: namespace "payments": level must be read, write or manage, not "admin"`+"\n"+
		bad+`:6:30: member "u1" is named "alicia" here but "alice" at line 3:30`+"\n"+
		bad+`:7:18: namespace "Tools" must start with a lowercase letter`+"\n", errOut)
}

func TestValidateDirectoryRefusesAnEmptyOrCutFile(t *testing.T) {
	empty := writeFile(t, "empty.yaml", "teams: []\n")
	code, _, errOut := validate("-kind", "directory", empty)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "grants nobody anything")

	cut := writeFile(t, "cut.yaml", grantsDirectory[:len(grantsDirectory)-1])
	code, _, errOut = validate("-kind", "directory", cut)
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, cut+":9:31:")
	assert.Contains(t, errOut, "does not end with a newline")

	code, _, errOut = validate("-kind", "directory", filepath.Join(t.TempDir(), "absent.yaml"))
	assert.Equal(t, 1, code)
	assert.Contains(t, errOut, "team directory: fetch: open ")
}
