package function_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestFunctionMainsOnlyWire: each function's main is a few lines of
// wiring around Start, and the hosting lives in this package alone.
func TestFunctionMainsOnlyWire(t *testing.T) {
	mains, err := filepath.Glob("../../functions/*/main.go")
	require.NoError(t, err)
	require.Len(t, mains, 3)
	for _, m := range mains {
		src, err := os.ReadFile(m)
		require.NoError(t, err)
		lines := 0
		for _, l := range strings.Split(string(src), "\n") {
			if strings.TrimSpace(l) != "" {
				lines++
			}
		}
		assert.LessOrEqual(t, lines, 30, "%s: non-blank lines", m)
		assert.Contains(t, string(src), "function.Start(", m)
	}
	for _, gone := range []string{"../../internal/wire", "../runtime", "../handler"} {
		_, err := os.Stat(gone)
		assert.True(t, os.IsNotExist(err), "%s is folded into pkg/function", gone)
	}
}
