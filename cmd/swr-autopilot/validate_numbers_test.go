package main

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/source"
)

// badFractions are values no fraction guard may hold: NaN and the
// infinities pass a naive "v < 0 || v > 1" check.
var badFractions = []string{".nan", ".NaN", ".inf", "-.inf", "+.inf", "-0.1", "1.5"}

func TestValidateRefusesBadPolicyFractions(t *testing.T) {
	for _, v := range badFractions {
		for _, tc := range []struct {
			where, policy, at string
		}{
			{"top level", "mode: enforce\nguard:\n  max_delete_fraction: %s\nretention:\n  - match: \"**\"\n    keep_last: 1\n", ":3:24:"},
			{"per rule", "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1\n    guard:\n      max_delete_fraction: %s\n", ":6:28:"},
			{"per rule, flow", "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 1\n    guard: {max_delete_fraction: %s}\n", ":5:34:"},
		} {
			t.Run(tc.where+" "+v, func(t *testing.T) {
				path := writeFile(t, "policy.yaml", fmt.Sprintf(tc.policy, v))
				code, out, errOut := validate(path)
				assert.Equal(t, exitError, code)
				assert.Empty(t, out)
				assert.Equal(t, path+tc.at+" max_delete_fraction must be between 0 and 1, not "+v+"\n", errOut)

				// apply reads the policy through the same parser and
				// refuses before any call to SWR.
				code, _, errOut = repoCommand("apply", "-repo", "team/web/app", "-policy", path)
				assert.Equal(t, exitError, code)
				assert.Contains(t, errOut, path+tc.at)

				// and so do the functions, which refuse to start.
				_, err := function.LoadPolicy(context.Background(), path)
				require.Error(t, err)
				assert.Contains(t, err.Error(), path+tc.at+" max_delete_fraction must be between 0 and 1")
			})
		}
	}
}

func TestValidateRefusesBadDirectoryFractions(t *testing.T) {
	for _, v := range badFractions {
		t.Run(v, func(t *testing.T) {
			content := strings.Replace(grantsDirectory, "max_removal_fraction: 0.5", "max_removal_fraction: "+v, 1)
			require.NotEqual(t, grantsDirectory, content)
			path := writeFile(t, "directory.yaml", content)
			code, out, errOut := validate("-kind", "directory", path)
			assert.Equal(t, exitError, code)
			assert.Empty(t, out)
			assert.Equal(t, path+":8:31: guard.max_removal_fraction must be between 0 and 1, not "+v+"\n", errOut)

			// grants and the grant sync function load it the same way.
			_, _, err := directory.Load(context.Background(), path, source.Options{})
			require.Error(t, err)
			assert.Contains(t, err.Error(), path+":8:31: guard.max_removal_fraction must be between 0 and 1")
		})
	}
}
