package grantsync_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// assertOnlyPaths checks that every request the emulator received has one
// of the allowed paths.
func (h *harness) assertOnlyPaths(allowed ...string) {
	h.t.Helper()
	require.NotEmpty(h.t, h.srv.Requests())
	for _, r := range h.srv.Requests() {
		assert.Contains(h.t, allowed, r.Path, "%s %s is outside the event's scope", r.Method, r.Path)
	}
}

func TestGrantsChangedTouchesOnlyItsNamespace(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	before := h.srv.State()
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "shared", ""))

	h.assertOnlyPaths(sharedAccess, imagesAccess)
	for _, r := range h.srv.Requests() {
		assert.True(t, strings.HasPrefix(r.Path, "/v2/manage/namespaces/shared/"), r.Path)
	}
	h.assertWrites(slices.Concat(sharedWrites, imagesWrites))
	after := h.srv.State()
	wasPayments, _ := before.Namespace("payments")
	isPayments, _ := after.Namespace("payments")
	assert.Equal(t, wasPayments, isPayments, "the other namespace is untouched")
	h.assertProtectedUntouched()
	assert.Equal(t, []string{"e1"}, rep.EventIDs)
	assert.Equal(t, 2, rep.Counts.Scanned)
}

func TestGrantsChangedOnManagedNamespaceRemovesThere(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", ""))

	h.assertOnlyPaths(paymentsAccess, ledgerAccess)
	h.assertWrites(slices.Concat(paymentsWrites, ledgerWrites))
	assert.Equal(t, 7, h.grantsOf("payments", "app")["mallory"], "an event for the namespace does not list its repositories; the next full run does")
	assert.Equal(t, map[string]int{"alice": 1, "carol": 7, "zed": 3}, h.grantsOf("shared", ""))
	h.assertProtectedUntouched()
}

func TestGrantsChangedOnOneRepository(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", "ledger-api"))

	h.assertOnlyPaths(ledgerAccess)
	h.assertWrites(ledgerWrites)
	assert.Equal(t, 1, rep.Counts.Scanned)
	h.assertProtectedUntouched()
}

func TestGrantsChangedOnAnUnnamedRepositoryOfAManagedNamespace(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.NoError(t, h.srv.Seed(seedRepo("payments", "billing",
		grant("u-alice", "alice", 3), grant("u-bob", "bob", 3), grant("u-zoe", "zoe", 1))))
	const billingAccess = "/v2/manage/namespaces/payments/repos/billing/access"

	// In a managed namespace the directory is the whole truth: console
	// grants on a repository it does not name are removed. They are all the
	// run observes, too few grants for the fraction cap to say anything.
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", "billing"))
	h.assertOnlyPaths(billingAccess)
	h.assertWrites([]write{
		{"DELETE", billingAccess, `["u-alice","u-bob","u-zoe"]`},
	})
	assert.Empty(t, rep.Findings)
	h.assertProtectedUntouched()
}

func TestGrantsChangedOutsideTheDirectoryDoesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false),
		grantsChanged("e1", "elsewhere", ""), grantsChanged("e2", "shared", "not-named"))

	assert.Empty(t, h.srv.Requests(), "the directory neither adds nor removes anything there")
	assert.Equal(t, []string{"e1", "e2"}, rep.EventIDs)
	assert.Zero(t, rep.Counts.Scanned)
}

func TestGrantsChangedEventsAreMerged(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false),
		grantsChanged("e1", "payments", "ledger-api"), grantsChanged("e2", "shared", ""), grantsChanged("e3", "payments", "ledger-api"))

	h.assertOnlyPaths(ledgerAccess, sharedAccess, imagesAccess)
	h.assertWrites(slices.Concat(ledgerWrites, sharedWrites, imagesWrites))
	assert.Equal(t, 3, rep.Counts.Scanned, "the repository is read once")
}

func TestScopedRunsGuardTheirOwnRemovals(t *testing.T) {
	// A scoped run is held to guard.max_removals, and to
	// guard.max_removal_fraction only once it observed
	// grantplan.MinObservedForFraction grants.
	const toolsAccess = "/v2/manage/namespaces/shared/repos/tools/access"
	strangers := func(n int) []swrtest.SeedGrant {
		var out []swrtest.SeedGrant
		for i := range n {
			out = append(out, grant(fmt.Sprintf("u-x%02d", i), fmt.Sprintf("x%02d", i), 1))
		}
		return out
	}
	ids := func(n int) string {
		var out []string
		for i := range n {
			out = append(out, fmt.Sprintf("%q", fmt.Sprintf("u-x%02d", i)))
		}
		return "[" + strings.Join(out, ",") + "]"
	}
	managed := replaceLine(t, testDirectory(t), "managed_namespaces:\n  - payments\n", "managed_namespaces:\n  - payments\n  - shared\n")
	for _, tc := range []struct {
		name    string
		grants  int    // strangers on shared/tools, all to be removed
		guard   string // replaces the test directory's guard
		refused string // the refusing finding; empty when the removals apply
	}{
		// 100% of what the run saw, but one grant says nothing about the
		// directory: the event prunes it.
		{name: "the only grant of a repository", grants: 1},
		{name: "every grant, under the threshold", grants: grantplan.MinObservedForFraction - 1,
			guard: "  max_removals: 10\n  max_removal_fraction: 0.3\n"},
		{name: "over the count cap", grants: 3, guard: "  max_removals: 2\n  max_removal_fraction: 0.3\n",
			refused: grantplan.CodeMaxRemovals},
		{name: "over the fraction cap at the threshold", grants: grantplan.MinObservedForFraction,
			guard: "  max_removals: 10\n  max_removal_fraction: 0.5\n", refused: grantplan.CodeMaxFraction},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			require.NoError(t, h.srv.Seed(seedRepo("shared", "tools", strangers(tc.grants)...)))
			content := managed
			if tc.guard != "" {
				content = replaceLine(t, content, "  max_removals: 5\n  max_removal_fraction: 0.5\n", tc.guard)
			}
			rep := handle(t, h.newJob(content, false), grantsChanged("e1", "shared", "tools"))

			h.assertOnlyPaths(toolsAccess)
			if tc.refused == "" {
				h.assertWrites([]write{{"DELETE", toolsAccess, ids(tc.grants)}})
				assert.Empty(t, rep.Findings)
				assert.Empty(t, h.grantsOf("shared", "tools"))
				return
			}
			h.assertNoDelete()
			assert.Equal(t, []string{tc.refused}, findingCodes(rep))
			assert.Equal(t, tc.grants, statuses(rep)[report.StatusRefused])
			assert.Len(t, h.grantsOf("shared", "tools"), tc.grants)
		})
	}
}

func TestDirectoryChangedEventRunsEverything(t *testing.T) {
	data, err := os.ReadFile(filepath.Join("testdata", "cloudevent-directory-changed.json"))
	require.NoError(t, err)
	dec, err := events.NewDecoder(events.Config{Now: testNow})
	require.NoError(t, err)
	batch, err := dec.DecodeLambda(context.Background(), data)
	require.NoError(t, err)
	require.Len(t, batch.Events, 1)
	require.Equal(t, events.TypeDirectoryChanged, batch.Events[0].Type)

	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false), batch.Events...)
	h.assertWrites(fullRunWrites)
	assert.Equal(t, []string{batch.Events[0].ID}, rep.EventIDs)
}

func TestTickAndGrantsChangedTogetherRunEverythingOnce(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "shared", ""), tick("t"))
	h.assertWrites(fullRunWrites)
	assert.Equal(t, 5, rep.Counts.Scanned)
	assert.Equal(t, []string{"e1", "t"}, rep.EventIDs)
}
