package grantsync_test

import (
	"context"
	"os"
	"path/filepath"
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
	h.assertWrites([]write{
		{"POST", sharedAccess, `[{"user_id":"u-bob","user_name":"bob","auth":1},{"user_id":"u-erin","user_name":"erin","auth":3}]`},
		{"POST", imagesAccess, `[{"user_id":"u-dave","user_name":"dave","auth":3}]`},
	})
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
	h.assertWrites(fullRunWrites[:5])
	assert.Equal(t, map[string]int{"alice": 1, "carol": 7, "zed": 3}, h.grantsOf("shared", ""))
	h.assertProtectedUntouched()
}

func TestGrantsChangedOnOneRepository(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(testDirectory(t), false), grantsChanged("e1", "payments", "ledger-api"))

	h.assertOnlyPaths(ledgerAccess)
	h.assertWrites(fullRunWrites[3:5])
	assert.Equal(t, 1, rep.Counts.Scanned)
	h.assertProtectedUntouched()
}

func TestGrantsChangedOnAnUnnamedRepositoryOfAManagedNamespace(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.NoError(t, h.srv.Seed(seedRepo("payments", "billing",
		grant("u-alice", "alice", 3), grant("u-bob", "bob", 3), grant("u-zoe", "zoe", 1))))
	const billingAccess = "/v2/manage/namespaces/payments/repos/billing/access"

	// In a managed namespace the directory is the whole truth: console
	// grants on a repository it does not name are removed (here with the
	// fraction cap lifted, as they are all the run observes).
	content := replaceLine(t, testDirectory(t), "  max_removal_fraction: 0.5\n", "  max_removal_fraction: 1\n")
	handle(t, h.newJob(content, false), grantsChanged("e1", "payments", "billing"))
	h.assertOnlyPaths(billingAccess)
	h.assertWrites([]write{
		{"DELETE", billingAccess, `["u-alice","u-bob","u-zoe"]`},
	})
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
	h.assertWrites(fullRunWrites[3:])
	assert.Equal(t, 3, rep.Counts.Scanned, "the repository is read once")
}

func TestScopedRunsGuardTheirOwnRemovals(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// The guard counts what the run observed: removing the only grant of
	// the one repository an event names is 100% of the run, over the 50%
	// cap, so the removal waits for a run that sees more.
	require.NoError(t, h.srv.Seed(seedRepo("shared", "tools", grant("u-x", "x", 1))))
	content := replaceLine(t, testDirectory(t), "managed_namespaces:\n  - payments\n", "managed_namespaces:\n  - payments\n  - shared\n")
	rep := handle(t, h.newJob(content, false), grantsChanged("e1", "shared", "tools"))

	h.assertNoDelete()
	assert.Equal(t, 1, statuses(rep)[report.StatusRefused])
	assert.Contains(t, findingCodes(rep), grantplan.CodeMaxFraction)
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
	assert.Equal(t, 4, rep.Counts.Scanned)
	assert.Equal(t, []string{"e1", "t"}, rep.EventIDs)
}
