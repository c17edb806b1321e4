package grantsync_test

import (
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// additionsOnly are the writes of a full run whose removals are refused:
// the additions and upgrades of fullRunWrites.
var additionsOnly = []write{
	{"POST", paymentsAccess, `[{"user_id":"u-carol","user_name":"carol","auth":3}]`},
	{"PATCH", paymentsAccess, `[{"user_id":"u-alice","user_name":"alice","auth":7}]`},
	{"POST", ledgerAccess, `[{"user_id":"u-dave","user_name":"dave","auth":1}]`},
	{"POST", sharedAccess, `[{"user_id":"u-bob","user_name":"bob","auth":1},{"user_id":"u-erin","user_name":"erin","auth":3}]`},
	{"POST", imagesAccess, `[{"user_id":"u-dave","user_name":"dave","auth":3}]`},
}

func TestEmptyDirectoryRemovesNothing(t *testing.T) {
	for name, content := range map[string]string{
		"zero bytes":       "",
		"only comments":    "# the directory\n# is being rewritten\n",
		"no teams":         "teams: []\nmanaged_namespaces: [payments, shared]\n",
		"teams grant none": "teams:\n  - name: a\n    members: [{id: u-alice, name: alice}]\n    namespaces: {}\nmanaged_namespaces: [payments]\n",
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			rep := handle(t, h.newJob(content, false), tick("t"))

			h.assertNoDelete()
			assert.Zero(t, h.srv.Writes())
			h.assertNothingLowered()
			h.assertProtectedUntouched()
			assert.Contains(t, findingCodes(rep), grantplan.CodeEmptyDirectory)
			assert.Zero(t, statuses(rep)[report.StatusApplied])
		})
	}
}

func TestEmptyDirectoryRefusesItsRemovals(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob("teams: []\nmanaged_namespaces: [payments]\n", false), tick("t"))

	h.assertNoDelete()
	f := findingOf(t, rep, grantplan.CodeEmptyDirectory)
	assert.Equal(t, report.SeverityCritical, f.Severity)
	// Without teams or a keep list, everyone but the caller and the creator
	// would go from the managed namespace: all refused and reported as such.
	// The repositories of the managed namespace too, named or not.
	var refused []string
	for _, c := range rep.Changes {
		assert.Equal(t, report.OpDelete, c.Op)
		assert.Equal(t, report.StatusRefused, c.Status)
		assert.Equal(t, "removal refused by "+grantplan.CodeEmptyDirectory, c.Reason)
		refused = append(refused, c.Resource())
	}
	assert.Equal(t, []string{
		"payments#u-alice", "payments#u-bob", "payments#u-breakglass", "payments#u-erin", "payments#u-mallory",
		"payments/app#u-breakglass", "payments/app#u-mallory",
		"payments/ledger-api#u-alice", "payments/ledger-api#u-bob", "payments/ledger-api#u-trudy",
	}, refused)
	assert.Equal(t, 10, rep.Counts.Refused)
	h.assertProtectedUntouched()
}

func TestTruncatedDirectoryRemovesNothing(t *testing.T) {
	full := testDirectory(t)
	for _, cut := range []int{len(full) - 1, len(full) - 5, 700, 600, 400, 300, 100, 10} {
		t.Run(fmt.Sprintf("cut at %d", cut), func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			rep := handle(t, h.newJob(full[:cut], false), tick("t"))

			h.assertNoDelete()
			h.assertNothingLowered()
			h.assertProtectedUntouched()
			assert.Contains(t, findingCodes(rep), grantplan.CodeInvalidDirectory)
			for _, c := range rep.Changes {
				if c.Op == report.OpDelete || c.Subject == "u-erin" && c.Op == report.OpUpdate && c.Namespace == "payments" {
					assert.Equal(t, report.StatusRefused, c.Status, "%s %s on %s", c.Op, c.Subject, c.Resource())
				}
			}
		})
	}
}

func TestTruncatedDirectoryStillAddsWhatParsed(t *testing.T) {
	full := testDirectory(t)
	h := newHarness(t, harnessOptions{})
	// Cut at the last byte: every team, the keep list and the managed
	// namespaces parsed, but the file fails validation.
	rep := handle(t, h.newJob(full[:len(full)-1], false), tick("t"))

	h.assertWrites(additionsOnly)
	f := findingOf(t, rep, grantplan.CodeInvalidDirectory)
	assert.Contains(t, f.Message, "does not end with a newline")
	assert.Contains(t, f.Message, "4 removal(s) withheld")
	assert.Equal(t, 6, statuses(rep)[report.StatusApplied])
	assert.Equal(t, 4, statuses(rep)[report.StatusRefused], "mallory, erin's downgrade, mallory on app and trudy")
	assert.Equal(t, 4, rep.Counts.Refused)
	h.assertNothingLowered()
	h.assertProtectedUntouched()
}

func TestInvalidDirectoryAddsButRemovesNothing(t *testing.T) {
	content := replaceLine(t, testDirectory(t), "      shared/base/images: write\n", "      shared/base/images: admin\n")
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(content, false), tick("t"))

	h.assertNoDelete()
	h.assertNothingLowered()
	h.assertProtectedUntouched()
	f := findingOf(t, rep, grantplan.CodeInvalidDirectory)
	assert.Contains(t, f.Message, `level must be read, write or manage, not "admin"`)
	assert.Equal(t, map[string]int{"alice": 7, "bob": 3, "carol": 3, "erin": 7, "mallory": 3,
		"owner": 7, "breakglass": 7, h.srv.UserName: 7}, h.grantsOf("payments", ""))
}

func TestRemovalsOverTheCapAreAllRefused(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// Four more strangers in the managed namespace: 8 removals, cap 5.
	require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "payments", Grants: []swrtest.SeedGrant{
		{UserID: "u-s1", UserName: "s1", Auth: 1}, {UserID: "u-s2", UserName: "s2", Auth: 1},
		{UserID: "u-s3", UserName: "s3", Auth: 3}, {UserID: "u-s4", UserName: "s4", Auth: 7},
	}}}}))
	rep := handle(t, h.newJob(testDirectory(t), false), tick("t"))

	h.assertWrites(additionsOnly)
	h.assertNothingLowered()
	h.assertProtectedUntouched()
	assert.Equal(t, 1, h.grantsOf("payments", "")["s1"])
	f := findingOf(t, rep, grantplan.CodeMaxRemovals)
	assert.Contains(t, f.Message, "8 grants, more than guard.max_removals (5)")
	assert.NotContains(t, findingCodes(rep), grantplan.CodeMaxFraction, "8 of 18 observed is under the 50% cap")
	assert.Equal(t, 8, rep.Counts.Refused)
	for _, c := range rep.Changes {
		if c.Status == report.StatusRefused {
			assert.Equal(t, "removal refused by "+grantplan.CodeMaxRemovals, c.Reason)
		}
	}

	// Raising the cap lets the same removals through on the next run.
	h.reset()
	raised := replaceLine(t, testDirectory(t), "  max_removals: 5\n", "  max_removals: 8\n")
	rep = handle(t, h.newJob(raised, false), tick("t2"))
	assert.Equal(t, 8, statuses(rep)[report.StatusApplied])
	assert.Equal(t, map[string]int{"breakglass": 3}, h.grantsOf("payments", "app"))
	assert.Equal(t, map[string]int{h.srv.UserName: 7, "owner": 7, "breakglass": 7, "alice": 7, "bob": 3, "carol": 3, "erin": 3},
		h.grantsOf("payments", ""))
	h.assertProtectedUntouched()
}

func TestRemovalFractionCap(t *testing.T) {
	content := replaceLine(t, testDirectory(t), "  max_removal_fraction: 0.5\n", "  max_removal_fraction: 0.2\n")
	h := newHarness(t, harnessOptions{})
	rep := handle(t, h.newJob(content, false), tick("t"))

	h.assertNoDelete()
	h.assertNothingLowered()
	f := findingOf(t, rep, grantplan.CodeMaxFraction)
	assert.Contains(t, f.Message, "4 of 13 grants (31%)")
}

func TestProtectedUsersAreNeverChangedEvenWhenTheDirectoryAsks(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	// The directory asks for read for the caller, the creator and the keep
	// user on the managed namespace.
	content := replaceLine(t, testDirectory(t), "keep:\n", fmt.Sprintf(`  - name: demoted
    members:
      - {id: %s, name: %s}
      - {id: u-owner, name: owner}
      - {id: u-breakglass, name: breakglass}
    namespaces:
      payments: read
keep:
`, h.srv.UserID, h.srv.UserName))
	rep := handle(t, h.newJob(content, false), tick("t"))

	h.assertWrites(fullRunWrites)
	h.assertProtectedUntouched()
	var subjects []string
	for _, f := range rep.Findings {
		require.Equal(t, grantplan.CodeProtectedUser, f.Code)
		subjects = append(subjects, f.Subject)
	}
	assert.ElementsMatch(t, []string{h.srv.UserID, "u-owner", "u-breakglass"}, subjects)
}

func TestScopedRunsOfABrokenDirectoryRemoveNothing(t *testing.T) {
	// An event's run over a few grants is not held to the fraction cap, but
	// an empty, truncated or invalid directory still refuses every removal.
	full := testDirectory(t)
	for name, tc := range map[string]struct {
		content, code string
	}{
		"empty":     {"teams: []\nmanaged_namespaces: [payments]\n", grantplan.CodeEmptyDirectory},
		"truncated": {full[:len(full)-1], grantplan.CodeInvalidDirectory},
		"invalid":   {replaceLine(t, full, "      shared/base/images: write\n", "      shared/base/images: admin\n"), grantplan.CodeInvalidDirectory},
	} {
		t.Run(name, func(t *testing.T) {
			h := newHarness(t, harnessOptions{})
			for _, target := range [][2]string{{"payments", "ledger-api"}, {"payments", "app"}, {"payments", ""}} {
				rep := handle(t, h.newJob(tc.content, false), grantsChanged("e-"+target[1], target[0], target[1]))
				assert.Contains(t, findingCodes(rep), tc.code)
				assert.NotZero(t, rep.Counts.Refused, "%s/%s", target[0], target[1])
			}
			h.assertNoDelete()
			h.assertNothingLowered()
			h.assertProtectedUntouched()
		})
	}
}
