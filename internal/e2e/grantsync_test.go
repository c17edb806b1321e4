//go:build linux

package e2e_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/swr-autopilot/swr-autopilot/internal/lambdatest"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// User ids; alice's is the one the grants-changed sample names.
const (
	aliceID   = "f0e1d2c3b4a5968778695a4b3c2d1e0f"
	bobID     = "2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a"
	malloryID = "3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b"
)

// grantsDirectory gives alice the payments namespace and bob the acme/web
// repository, and manages both namespaces: grants it does not name there
// are removed.
const grantsDirectory = `teams:
  - name: payments
    members:
      - {id: ` + aliceID + `, name: alice}
    namespaces:
      payments: manage
  - name: web
    members:
      - {id: ` + bobID + `, name: bob}
    repositories:
      acme/web: write
guard:
  max_removals: 10
  max_removal_fraction: 1
managed_namespaces: [acme, payments]
`

// grantsSeed is the registry just after someone granted alice write on
// acme/web in the console (the grants-changed sample); mallory holds an
// old manage grant on payments.
func grantsSeed() swrtest.Seed {
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{Name: "acme", Repositories: []swrtest.SeedRepository{{
			Name:   "web",
			Tags:   tags("1.0.0"),
			Grants: []swrtest.SeedGrant{{UserID: aliceID, UserName: "alice", Auth: 3}},
		}}},
		{
			Name:         "payments",
			Grants:       []swrtest.SeedGrant{{UserID: malloryID, UserName: "mallory", Auth: 7}},
			Repositories: []swrtest.SeedRepository{{Name: "ledger", Tags: tags("r1")}},
		},
	}}
}

func TestGrantSyncUnderTheRuntimeEmulator(t *testing.T) {
	srv := newRegistry(t, grantsSeed())
	directory := writeFile(t, "directory.yaml", grantsDirectory)
	emu := lambdatest.Start(t, lambdatest.BuildBootstrap(t, grantsyncPkg),
		functionEnv(srv, "", directory, "AWS_LAMBDA_FUNCTION_NAME=grantsync", "AUTOPILOT_SCHEDULED_KIND=grantsync"))

	t.Run("EventGrid grants changed reconciles that repository only, and only adds", func(t *testing.T) {
		srv.ResetLog()
		sum := summaryOf(t, invokeURL(t, emu, sample(t, "eventgrid-grants-changed.json")))

		assert.Equal(t, "grantsync", sum.Job)
		assert.Equal(t, []string{"6b3d8f1a-9c2e-4b7d-a0f5-3e8c1b6d9a27"}, sum.EventIDs)
		assert.Equal(t, 1, sum.Counts.Changed, "bob added")
		assert.Equal(t, 1, sum.Counts.Refused, "alice's console grant is left to a full run")
		assert.Zero(t, sum.Counts.Errors)

		after := srv.State()
		assert.Equal(t, map[string]int{"alice": 3, "bob": 3}, grantsOf(t, after, "acme", "web"))
		assert.Equal(t, map[string]int{"mallory": 7}, grantsOf(t, after, "payments", ""), "out of the event's scope")
		for _, r := range srv.Requests() {
			assert.NotContains(t, r.Path, "payments", "no request about another namespace: %s %s", r.Method, r.Path)
		}
	})

	t.Run("CloudEvent grant sync reconciles everything", func(t *testing.T) {
		var rep report.Report
		invoke(t, emu, sample(t, "cloudevent-grantsync.json"), &rep)

		assert.Equal(t, "grantsync", rep.Job)
		assert.False(t, rep.DryRun)
		assert.Equal(t, []string{"3a7d1f9c-5e2b-4c8a-b0d6-8e4f2a1c9d73"}, rep.EventIDs)
		assert.Equal(t, 3, rep.Counts.Changed, "alice added, mallory removed, alice's console grant removed")
		assert.Empty(t, rep.Errors)
		var changes []string
		for _, c := range rep.Changes {
			assert.Equal(t, report.StatusApplied, c.Status, "%s %s", c.Op, c.Resource())
			changes = append(changes, strings.Join([]string{c.Kind, string(c.Op), c.Namespace, c.Repository, c.Subject}, " "))
		}
		assert.ElementsMatch(t, []string{
			"namespace_access create payments  " + aliceID,
			"namespace_access delete payments  " + malloryID,
			"repository_access delete acme web " + aliceID,
		}, changes)

		after := srv.State()
		assert.Equal(t, map[string]int{"alice": 7}, grantsOf(t, after, "payments", ""))
		assert.Equal(t, map[string]int{"bob": 3}, grantsOf(t, after, "acme", "web"))
		assert.Empty(t, grantsOf(t, after, "payments", "ledger"))
	})

	t.Run("a second run writes nothing", func(t *testing.T) {
		srv.ResetLog()
		var rep report.Report
		invoke(t, emu, []byte(`{"specversion":"1.0","id":"second-run","source":"/e2e","type":"io.swrautopilot.grantsync.requested"}`), &rep)
		assert.Zero(t, rep.Counts.Changed)
		assert.Zero(t, srv.Writes())
	})
}
