package grantsync_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
)

// CheckDirectory is what a function runs at start-up: a directory that a
// run could not use stops it there, without quoting a token of its URL.
func TestCheckDirectoryAtStartUp(t *testing.T) {
	check := func(src string) error {
		return grantsync.New(nil, grantsync.Config{Directory: src}).CheckDirectory(t.Context())
	}
	require.NoError(t, check(filepath.Join("..", "..", "directory", "testdata", "example.yaml")))

	invalid := filepath.Join(t.TempDir(), "dir.yaml")
	require.NoError(t, os.WriteFile(invalid, []byte("managed_namespaces: [ok]\nteams: 7\n"), 0o644))
	err := check(invalid)
	require.Error(t, err)
	assert.Contains(t, err.Error(), invalid+":", "the problems name the file and line")

	require.Error(t, check(filepath.Join(t.TempDir(), "absent.yaml")))
	require.Error(t, check(""))

	err = check("https://127.0.0.1:1/teams.yaml?X-Amz-Signature=DIRTOKEN1")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "127.0.0.1:1/teams.yaml")
	assert.NotContains(t, err.Error(), "DIRTOKEN1")
}
