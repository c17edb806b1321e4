package grantplan

import (
	"errors"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/swr-autopilot/swr-autopilot/pkg/directory"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
)

// guardDirectory returns a valid, non-empty directory with the given caps.
func guardDirectory(t *testing.T, guard string) *directory.Directory {
	return parseDirectory(t, `teams:
  - name: a
    members: [{id: u1, name: alice}]
    namespaces: {payments: read}
guard: `+guard+`
managed_namespaces: [payments]
`)
}

// plansWith returns plans holding the given numbers of deletions,
// downgrades, upgrades and additions.
func plansWith(deletes, downgrades, upgrades, creates int) []Plan {
	var p Plan
	for i := range deletes {
		p.Delete = append(p.Delete, "del-"+string(rune('a'+i)))
	}
	for i := range downgrades {
		id := "down-" + string(rune('a'+i))
		p.Update = append(p.Update, ua(id, id, swr.AuthRead))
		p.Downgrades = append(p.Downgrades, id)
	}
	for i := range upgrades {
		id := "up-" + string(rune('a'+i))
		p.Update = append(p.Update, ua(id, id, swr.AuthManage))
	}
	for i := range creates {
		id := "new-" + string(rune('a'+i))
		p.Create = append(p.Create, ua(id, id, swr.AuthWrite))
	}
	// Split over two plans: the guard counts over the whole run.
	half := Plan{Delete: p.Delete[:deletes/2]}
	p.Delete = p.Delete[deletes/2:]
	return []Plan{half, p}
}

func codes(findings []report.Finding) []string {
	var out []string
	for _, f := range findings {
		out = append(out, f.Code)
	}
	return out
}

func TestGuardRemovals(t *testing.T) {
	invalid := errors.New("dir.yaml:3:5: unknown key")
	for name, tc := range map[string]struct {
		dir           *directory.Directory
		plans         []Plan
		currentTotal  int
		validationErr error
		codes         []string
	}{
		"within both caps": {
			dir: guardDirectory(t, "{max_removals: 3, max_removal_fraction: 0.5}"), plans: plansWith(2, 1, 0, 0), currentTotal: 6,
		},
		"exactly at both caps": {
			dir: guardDirectory(t, "{max_removals: 3, max_removal_fraction: 0.5}"), plans: plansWith(3, 0, 0, 0), currentTotal: 6,
		},
		"over the count cap": {
			dir: guardDirectory(t, "{max_removals: 3, max_removal_fraction: 1}"), plans: plansWith(4, 0, 0, 0), currentTotal: 100,
			codes: []string{CodeMaxRemovals},
		},
		"over the fraction cap": {
			dir: guardDirectory(t, "{max_removals: 100, max_removal_fraction: 0.25}"), plans: plansWith(3, 0, 0, 0), currentTotal: 10,
			codes: []string{CodeMaxFraction},
		},
		"over both caps": {
			dir: guardDirectory(t, "{max_removals: 1, max_removal_fraction: 0.1}"), plans: plansWith(2, 0, 0, 0), currentTotal: 4,
			codes: []string{CodeMaxRemovals, CodeMaxFraction},
		},
		"downgrades count as removals": {
			dir: guardDirectory(t, "{max_removals: 2, max_removal_fraction: 1}"), plans: plansWith(1, 2, 0, 0), currentTotal: 10,
			codes: []string{CodeMaxRemovals},
		},
		"upgrades and additions never count": {
			dir: guardDirectory(t, "{max_removals: 0, max_removal_fraction: 0}"), plans: plansWith(0, 0, 5, 5), currentTotal: 1,
		},
		"a zero cap refuses any removal": {
			dir: guardDirectory(t, "{max_removals: 0}"), plans: plansWith(1, 0, 0, 0), currentTotal: 100,
			codes: []string{CodeMaxRemovals},
		},
		"removals with no observed grants": {
			dir: guardDirectory(t, "{max_removals: 10, max_removal_fraction: 1}"), plans: plansWith(1, 0, 0, 0), currentTotal: 0,
			codes: []string{CodeMaxFraction},
		},
		"empty directory": {
			dir: parseDirectory(t, "managed_namespaces: [payments]\n"), plans: plansWith(1, 0, 0, 0), currentTotal: 100,
			codes: []string{CodeEmptyDirectory},
		},
		"nil directory": {
			dir: nil, plans: nil, currentTotal: 0,
			codes: []string{CodeEmptyDirectory},
		},
		"invalid directory, even with nothing to remove": {
			dir: guardDirectory(t, "{max_removals: 10}"), plans: plansWith(0, 0, 1, 1), currentTotal: 5, validationErr: invalid,
			codes: []string{CodeInvalidDirectory},
		},
		"invalid and empty directory": {
			dir: &directory.Directory{}, plans: plansWith(50, 0, 0, 0), currentTotal: 50, validationErr: invalid,
			codes: []string{CodeInvalidDirectory, CodeEmptyDirectory},
		},
	} {
		t.Run(name, func(t *testing.T) {
			allowed, findings := GuardRemovals(tc.plans, tc.currentTotal, tc.dir, tc.validationErr)
			assert.Equal(t, len(tc.codes) == 0, allowed)
			assert.Equal(t, tc.codes, codes(findings))
			for _, f := range findings {
				assert.NotEmpty(t, f.Message)
				assert.NotEmpty(t, f.Remediation)
			}
		})
	}
}

func TestGuardRemovalsMessages(t *testing.T) {
	d := guardDirectory(t, "{max_removals: 2, max_removal_fraction: 0.25}")
	_, findings := GuardRemovals(plansWith(2, 1, 1, 0), 10, d, nil)
	require.Len(t, findings, 2)
	assert.Equal(t, "the run would remove or lower 3 grants, more than guard.max_removals (2); 3 removal(s) withheld; additions and upgrades still apply", findings[0].Message)
	assert.Equal(t, "the run would remove or lower 3 of 10 grants (30%), more than guard.max_removal_fraction (25%); 3 removal(s) withheld; additions and upgrades still apply", findings[1].Message)

	data := []byte("teams:\n  - name: a\n    member: []\n")
	bad, err := directory.Parse(data, "dir.yaml")
	require.Error(t, err)
	_, findings = GuardRemovals(nil, 0, bad, err)
	require.Equal(t, []string{CodeInvalidDirectory, CodeEmptyDirectory}, codes(findings))
	assert.Equal(t, report.SeverityCritical, findings[0].Severity)
	assert.Contains(t, findings[0].Message, `dir.yaml:2:11: team "a" has no members: give it members or an IAM group, and 2 more`)
}

func TestGuardScopedRemovals(t *testing.T) {
	invalid := errors.New("dir.yaml:3:5: unknown key")
	defaults := guardDirectory(t, "{}")
	generous := guardDirectory(t, "{max_removals: 100, max_removal_fraction: 1}")
	for name, tc := range map[string]struct {
		dir           *directory.Directory
		plans         []Plan
		validationErr error
		scoped        []string // codes of GuardScopedRemovals
	}{
		"nothing to remove": {dir: defaults, plans: plansWith(0, 0, 2, 1)},
		"one removal":       {dir: generous, plans: plansWith(1, 0, 0, 0), scoped: []string{CodeScopedRemovals}},
		"a downgrade":       {dir: generous, plans: plansWith(0, 1, 0, 0), scoped: []string{CodeScopedRemovals}},
		"empty directory": {
			dir: parseDirectory(t, "managed_namespaces: [payments]\n"), plans: plansWith(1, 0, 0, 0),
			scoped: []string{CodeEmptyDirectory, CodeScopedRemovals},
		},
		"invalid directory, nothing to remove": {
			dir: defaults, validationErr: invalid, scoped: []string{CodeInvalidDirectory},
		},
	} {
		t.Run(name, func(t *testing.T) {
			allowed, findings := GuardScopedRemovals(tc.plans, tc.dir, tc.validationErr)
			assert.Equal(t, len(tc.scoped) == 0, allowed)
			assert.Equal(t, tc.scoped, codes(findings))
		})
	}
}
