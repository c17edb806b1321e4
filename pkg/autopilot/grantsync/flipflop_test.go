package grantsync_test

import (
	"log/slog"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/onpush"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/policy"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// flipFlopPolicy gives every new repository an auditor grant, in the
// managed namespace payments too.
const flipFlopPolicy = `version: 1
mode: enforce
default_grants:
  - match: "**"
    users:
      - {user_id: u-auditor, user_name: auditor, level: read}
`

// TestDefaultGrantsAndTheDirectoryDoNotFlipFlop runs onpush (a repository
// is created in the managed namespace payments), grant sync, onpush and
// grant sync in a row: the default grants count as desired in grant sync,
// so after the first cycle nothing is written. Without the policy, grant
// sync removes the auditor grant every cycle and onpush gives it back.
func TestDefaultGrantsAndTheDirectoryDoNotFlipFlop(t *testing.T) {
	pol, err := policy.Parse([]byte(flipFlopPolicy), "policy.yaml")
	require.NoError(t, err)
	for _, withPolicy := range []bool{true, false} {
		h := newHarness(t, harnessOptions{})
		require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "payments",
			Repositories: []swrtest.SeedRepository{{Name: "fresh"}}}}}))
		engine := autopilot.NewEngine(h.client, pol, autopilot.Options{Now: testNow, Logger: slog.New(slog.DiscardHandler)})
		push := function.NewRunner(onpush.New(engine, onpush.Config{}), function.RunnerOptions{Client: h.client, Logger: slog.New(slog.DiscardHandler)})
		cfg := grantsync.Config{Directory: writeDirectory(t, testDirectory(t)), Logger: slog.New(slog.DiscardHandler)}
		if withPolicy {
			cfg.Policy = pol
		}
		sync := newTestJob(h.client, cfg)

		cycle := func(n string) int {
			h.reset()
			created := events.Event{ID: "created-" + n, Source: "test", Type: events.TypeRepositoryCreated, Time: testNow(),
				Kind: events.KindRepositoryCreated, Payload: events.RepositoryCreated{Namespace: "payments", Repository: "fresh"}}
			_, err := push.Handle(t.Context(), []events.Event{created})
			require.NoError(t, err)
			handle(t, sync, tick("tick-"+n))
			return h.srv.Writes()
		}
		assert.NotZero(t, cycle("1"), "the first cycle brings everything in line")
		second, third := cycle("2"), cycle("3")
		if withPolicy {
			assert.Zero(t, second, "no write after the first cycle")
			assert.Zero(t, third)
			assert.Equal(t, 1, h.grantsOf("payments", "fresh")["auditor"])
			assert.Equal(t, 1, h.grantsOf("payments", "app")["auditor"], "a default grant is desired on every repository of a managed namespace")
			continue
		}
		assert.Equal(t, 2, second, "without the policy grant sync removes what onpush adds, every cycle")
		assert.Equal(t, 2, third)
	}
}
