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
		{Namespace: "a", Offset: 1200, Last: "web/app"},
		{Namespace: "prod.eu_1", Offset: 999999, Last: "0.tools__x/y-z"},
	} {
		got, err := sweep.ParseCursor(c.String())
		require.NoError(t, err, c.String())
		assert.Equal(t, c, got)
	}
	assert.Equal(t, "v2:team-a:1200:web/app", sweep.Cursor{Namespace: "team-a", Offset: 1200, Last: "web/app"}.String())
	assert.Equal(t, "v2:team-a:0:", sweep.Cursor{Namespace: "team-a"}.String(), "no repository started")
}

func TestParseCursorNamesTheProblem(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", `want v2:<namespace>:<offset>:<repository>`},
		{"garbage", `want v2:<namespace>:<offset>:<repository>`},
		{"v2:team-a:1", `want v2:<namespace>:<offset>:<repository>`},
		{"v2:team-a:1:a:b", `want v2:<namespace>:<offset>:<repository>`},
		{"v1:team-a:1200", `unknown version "v1", want v2`},
		{"v3:team-a:1:a", `unknown version "v3", want v2`},
		{"v2::1:a", `namespace "" must not be empty`},
		{"v2:Team:1:a", `namespace "Team" must start with a lowercase letter`},
		{"v2:0day:1:a", `namespace "0day" must start with a lowercase letter`},
		{"v2:team/a:1:a", `namespace "team/a" contains '/'`},
		{"v2:team-:1:a", `namespace "team-" must end with a lowercase letter or a digit`},
		{"v2:te.-am:1:a", `namespace "te.-am" has separators ".-" touching`},
		{"v2:te..am:1:a", `namespace "te..am" has separators ".." touching`},
		{"v2:" + strings.Repeat("a", 65) + ":1:a", `is 65 characters long, at most 64 are allowed`},
		{"v2:team-a:x:a", `offset "x" is not a decimal number`},
		{"v2:team-a:+3:a", `offset "+3" is not a decimal number`},
		{"v2:team-a:-3:a", `offset -3 is negative`},
		{"v2:team-a:99999999999:a", `offset 99999999999 is larger than`},
		{"v2:team-a:1:wEb", `repository "wEb" contains 'E'`},
		{"v2:team-a:1:web/", `repository "web/" must end with a lowercase letter or a digit`},
		{"v2:team-a:1:" + strings.Repeat("a", 129), `is 129 characters long, at most 128 are allowed`},
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
