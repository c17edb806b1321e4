package directory

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

func TestLoadLocal(t *testing.T) {
	example := readTestdata(t, "example.yaml")
	path := filepath.Join("testdata", "example.yaml")

	d, c, err := Load(context.Background(), path, source.Options{})
	require.NoError(t, err)
	assert.Len(t, d.Teams, 3)
	assert.Equal(t, path, c.Source)
	assert.Equal(t, example, c.Data)

	_, _, err = Load(context.Background(), filepath.Join(t.TempDir(), "missing.yaml"), source.Options{})
	assert.ErrorIs(t, err, os.ErrNotExist)

	_, _, err = Load(context.Background(), "ftp://host/dir.yaml", source.Options{})
	assert.EqualError(t, err, `team directory: fetch: unsupported source scheme "ftp": use a path, https:// or s3://`)
}

func TestLoadReturnsPartialDirectoryOnInvalidFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "dir.yaml")
	require.NoError(t, os.WriteFile(path, []byte("teams:\n  - name: a\n    members: [{id: u1, name: alice}]\n    namespaces: {ns: read, other: owner}\n"), 0o600))
	d, c, err := Load(context.Background(), path, source.Options{})
	var list ErrorList
	require.True(t, errors.As(err, &list))
	require.Len(t, list, 1)
	assert.Equal(t, path, list[0].File)
	assert.Equal(t, map[string]Level{"ns": Read}, d.Teams[0].Namespaces)
	assert.NotEmpty(t, c.SHA256)
}
