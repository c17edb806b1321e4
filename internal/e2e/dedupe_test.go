//go:build linux

package e2e_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

// TestEveryFunctionHonoursDedupeSize runs each function's bootstrap with
// AUTOPILOT_DEDUPE_SIZE=1 and with the default, sends it events a, b and
// a again, and checks whether the second a was skipped as a redelivery.
func TestEveryFunctionHonoursDedupeSize(t *testing.T) {
	policy := writeFile(t, "policy.yaml", onpushPolicy)
	directory := writeFile(t, "directory.yaml", grantsDirectory)
	for _, fn := range []struct{ name, pkg, typ, data string }{
		{"onpush", onpushPkg, "io.swrautopilot.image.pushed", `{"namespace":"acme","repository":"web"}`},
		{"retentionsweep", sweepPkg, "io.swrautopilot.sweep.requested", `{"namespaces":["acme"]}`},
		{"grantsync", grantsyncPkg, "io.swrautopilot.grantsync.requested", `{}`},
	} {
		t.Run(fn.name, func(t *testing.T) {
			for _, tc := range []struct {
				size        string
				skippedLast int
			}{{"1", 0}, {"", 1}} {
				srv := newRegistry(t, grantsSeed())
				env := functionEnv(srv, policy, directory, "AWS_LAMBDA_FUNCTION_NAME="+fn.name)
				if tc.size != "" {
					env = append(env, "AUTOPILOT_DEDUPE_SIZE="+tc.size)
				}
				emu := lambdatest.Start(t, lambdatest.BuildBootstrap(t, fn.pkg), env)
				var rep report.Report
				for _, id := range []string{"a", "b", "a"} {
					invoke(t, emu, []byte(fmt.Sprintf(`{"specversion":"1.0","id":%q,"source":"/e2e","type":%q,"data":%s}`, id, fn.typ, fn.data)), &rep)
				}
				assert.Equal(t, tc.skippedLast, rep.Skipped, "AUTOPILOT_DEDUPE_SIZE=%q", tc.size)
			}
		})
	}
}
