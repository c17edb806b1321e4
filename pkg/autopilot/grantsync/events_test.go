package grantsync_test

import (
	"context"
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

// Writes of a scoped run: additions and upgrades only; removals and
// downgrades are left to the next full run.
var (
	paymentsScopedWrites = []write{
		{"POST", paymentsAccess, `[{"user_id":"u-carol","user_name":"carol","auth":3}]`},
		{"PATCH", paymentsAccess, `[{"user_id":"u-alice","user_name":"alice","auth":7}]`},
	}
	ledgerScopedWrites = []write{
		{"POST", ledgerAccess, `[{"user_id":"u-dave","user_name":"dave","auth":1}]`},
	}
)

func TestGrantsChangedOnManagedNamespaceOnlyAddsAndRaises(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", ""))

	h.assertOnlyPaths(paymentsAccess, ledgerAccess)
	h.assertWrites(slices.Concat(paymentsScopedWrites, ledgerScopedWrites))
	assert.Equal(t, []string{grantplan.CodeScopedRemovals}, findingCodes(rep))
	assert.Equal(t, 3, statuses(rep)[report.StatusRefused], "mallory's removal, erin's downgrade, trudy's removal")
	assert.Equal(t, 7, h.grantsOf("payments", "app")["mallory"], "an event for the namespace does not list its repositories; the next full run does")
	assert.Equal(t, map[string]int{"alice": 1, "carol": 7, "zed": 3}, h.grantsOf("shared", ""))
	h.assertProtectedUntouched()

	// The next full run removes what the event left.
	h.reset()
	handle(t, h.newJob(testDirectory(t), false), tick("t"))
	assert.NotContains(t, h.grantsOf("payments", ""), "mallory")
	assert.Equal(t, 3, h.grantsOf("payments", "")["erin"])
}

func TestGrantsChangedOnOneRepository(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", "ledger-api"))

	h.assertOnlyPaths(ledgerAccess)
	h.assertWrites(ledgerScopedWrites)
	assert.Equal(t, 1, rep.Counts.Scanned)
	h.assertProtectedUntouched()
}

func TestGrantsChangedOnAnUnnamedRepositoryOfAManagedNamespace(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.NoError(t, h.srv.Seed(seedRepo("payments", "billing",
		grant("u-alice", "alice", 3), grant("u-bob", "bob", 3), grant("u-zoe", "zoe", 1))))
	const billingAccess = "/v2/manage/namespaces/payments/repos/billing/access"

	// In a managed namespace the directory is the whole truth: console
	// grants on a repository it does not name are removed, but only by a
	// full run, under the guard over everything.
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", "billing"))
	h.assertOnlyPaths(billingAccess)
	h.assertNoDelete()
	assert.Equal(t, []string{grantplan.CodeScopedRemovals}, findingCodes(rep))
	var refused []string
	for _, c := range rep.Changes {
		if c.Status == report.StatusRefused {
			refused = append(refused, c.Subject)
		}
	}
	// A run scoped to a repository does not read the namespace, so it
	// cannot tell the creator when others_auths lists it; its removal is
	// refused like the others.
	assert.Subset(t, refused, []string{"u-alice", "u-bob", "u-zoe"})
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
	h.assertWrites(slices.Concat(ledgerScopedWrites, sharedWrites, imagesWrites))
	assert.Equal(t, 3, rep.Counts.Scanned, "the repository is read once")
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
