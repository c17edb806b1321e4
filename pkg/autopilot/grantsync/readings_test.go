package grantsync_test

import (
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"testing"
)

// TestUnderEveryReading runs every other test of the package again against
// an emulator playing each reading of the points no source pins down
// (swr-api.md §12) that grant writes depend on: a PATCH or DELETE naming a
// user without a grant answered 404, 400 or a silent 2xx, and others_auths
// listing the caller and the namespace creator or not.
func TestUnderEveryReading(t *testing.T) {
	if os.Getenv(envAbsentGrant) != "" || os.Getenv(envOwnersListed) != "" {
		t.Skip("already running under one reading")
	}
	for _, absent := range []int{http.StatusNotFound, http.StatusBadRequest, http.StatusNoContent} {
		for _, listed := range []bool{false, true} {
			if absent == http.StatusNotFound && !listed {
				continue // the emulator's defaults: the package's own run
			}
			t.Run(fmt.Sprintf("absent=%d,owners_listed=%v", absent, listed), func(t *testing.T) {
				cmd := exec.CommandContext(t.Context(), os.Args[0], "-test.run=^Test", "-test.skip=^TestUnderEveryReading$", "-test.count=1")
				cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d", envAbsentGrant, absent))
				if listed {
					cmd.Env = append(cmd.Env, envOwnersListed+"=1")
				}
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("tests fail under this reading: %v\n%s", err, out)
				}
			})
		}
	}
}
