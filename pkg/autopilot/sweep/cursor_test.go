package sweep_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
)

func TestCursorRoundTrip(t *testing.T) {
	for _, c := range []sweep.Cursor{
		{Namespace: "team-a", Offset: 0},
		{Namespace: "a", Offset: 1200},
		{Namespace: "prod.eu_1", Offset: 999999},
	} {
		got, err := sweep.ParseCursor(c.String())
		require.NoError(t, err, c.String())
		assert.Equal(t, c, got)
	}
	assert.Equal(t, "v1:team-a:1200", sweep.Cursor{Namespace: "team-a", Offset: 1200}.String())
}

func TestParseCursorNamesTheProblem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `want v1:<namespace>:<offset>`},
		{"garbage", `want v1:<namespace>:<offset>`},
		{"v1:team-a:1:2", `want v1:<namespace>:<offset>`},
		{"v2:team-a:1", `unknown version "v2", want v1`},
		{"v1::1", `namespace "" must not be empty`},
		{"v1:Team:1", `namespace "Team" must start with a lowercase letter`},
		{"v1:0day:1", `namespace "0day" must start with a lowercase letter`},
		{"v1:team/a:1", `namespace "team/a" contains '/'`},
		{"v1:team-:1", `namespace "team-" must end with a lowercase letter or a digit`},
		{"v1:te--am:1", `namespace "te--am" has separators "--" touching`},
		{"v1:" + strings.Repeat("a", 65) + ":1", `is 65 characters long, at most 64 are allowed`},
		{"v1:team-a:x", `offset "x" is not a decimal number`},
		{"v1:team-a:+3", `offset "+3" is not a decimal number`},
		{"v1:team-a:-3", `offset -3 is negative`},
		{"v1:team-a:99999999999", `offset 99999999999 is larger than`},
	} {
		_, err := sweep.ParseCursor(tc.in)
		require.Error(t, err, tc.in)
		assert.True(t, errors.Is(err, sweep.ErrMalformedCursor), tc.in)
		assert.Contains(t, err.Error(), tc.want, tc.in)
	}
}

func TestParseCursorShortensLongInput(t *testing.T) {
	_, err := sweep.ParseCursor(strings.Repeat("x", 5000))
	require.Error(t, err)
	assert.Less(t, len(err.Error()), 300)
}
