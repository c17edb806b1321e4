package grantsync_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// iamSeed is the IAM side of the test registry: the users of the test
// directory, under the ids the directory gives them, and the group
// platform-engineers holding the platform team.
func iamSeed() swrtest.Seed {
	var users []swrtest.SeedIAMUser
	for _, name := range []string{"alice", "bob", "carol", "dave", "erin", "breakglass", "mallory"} {
		users = append(users, swrtest.SeedIAMUser{ID: "u-" + name, Name: name})
	}
	return swrtest.Seed{IAM: swrtest.SeedIAM{Users: users,
		Groups: []swrtest.SeedIAMGroup{{Name: "platform-engineers", Members: []string{"carol", "erin"}}}}}
}

var memberID = regexp.MustCompile(`\{id: u-[a-z]+, name: ([a-z]+)\}`)

// byName is the test directory with every member given by name only.
func byName(t *testing.T) string {
	return memberID.ReplaceAllString(testDirectory(t), "{name: $1}")
}

// byGroup is the test directory whose platform team is the IAM group
// platform-engineers.
func byGroup(t *testing.T) string {
	return replaceLine(t, testDirectory(t), "    members:\n      - {id: u-carol, name: carol}\n      - {id: u-erin, name: erin}\n",
		"    group: platform-engineers\n")
}

// planned describes the changes of a dry run, in order.
func planned(rep *report.Report) []string {
	var out []string
	for _, c := range rep.Changes {
		out = append(out, strings.Join([]string{string(c.Op), c.Resource(), c.Detail(), string(c.Status)}, " "))
	}
	return out
}

func TestDirectoryByNameOrGroupPlansLikeByID(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.NoError(t, h.srv.Seed(iamSeed()))
	byID := handle(t, h.newJob(testDirectory(t), true), tick("t0"))
	require.NotEmpty(t, byID.Changes)
	assert.Zero(t, h.srv.Counts()["GET /v3/users"], "a directory of ids needs no IAM lookup")

	for name, content := range map[string]string{"names only": byName(t), "an IAM group": byGroup(t)} {
		t.Run(name, func(t *testing.T) {
			require.NotEqual(t, testDirectory(t), content)
			h.reset()
			rep := handle(t, h.newJob(content, true), tick("t-"+name))
			assert.Equal(t, planned(byID), planned(rep))
			assert.Equal(t, findingCodes(byID), findingCodes(rep))
			counts := h.srv.Counts()
			if name == "names only" {
				assert.Equal(t, 5, counts["GET /v3/users"], "each of the five member names looked up once (alice is in two teams)")
			} else {
				assert.Equal(t, 1, counts["GET /v3/groups"])
				assert.Equal(t, 1, counts["GET /v3/groups/{group_id}/users"])
			}
		})
	}

	// Applied, the name-based directory converges like the id-based one.
	h.reset()
	handle(t, h.newJob(byName(t), false), tick("apply"))
	h.reset()
	handle(t, h.newJob(byName(t), false), tick("again"))
	assert.Zero(t, h.srv.Writes())
	h.assertProtectedUntouched()
}

func TestUnknownOrAmbiguousNameIsAFindingNeverARemoval(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	seed := iamSeed()
	seed.IAM.Users = append(seed.IAM.Users, swrtest.SeedIAMUser{ID: "u-twin-1", Name: "twin"}, swrtest.SeedIAMUser{ID: "u-twin-2", Name: "twin"})
	require.NoError(t, h.srv.Seed(seed))
	// erin is renamed in IAM (the directory still says erin) and mallory's
	// grant goes to a "twin": neither grant may be removed or lowered.
	content := strings.Replace(byName(t), "{name: erin}", "{name: erin-old}", 1)
	content = strings.Replace(content, "      - {name: dave}\n", "      - {name: dave}\n      - {name: mallory}\n", 1)
	content = strings.Replace(content, "{name: mallory}", "{name: twin}", 1)
	require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "payments",
		Grants: []swrtest.SeedGrant{grant("u-twin-1", "twin", 3), grant("u-erin-old", "erin-old", 7)}}}}))

	rep := handle(t, h.newJob(content, false), tick("t"))

	codes := findingCodes(rep)
	assert.Contains(t, codes, grantsync.CodeUnknownName)
	assert.Contains(t, codes, grantsync.CodeAmbiguousName)
	got := h.grantsOf("payments", "")
	assert.Equal(t, 3, got["twin"], "an ambiguous name is never grounds for a removal")
	assert.Equal(t, 7, got["erin-old"], "nor is an unknown one, nor for lowering")
	assert.NotContains(t, got, "mallory", "other removals go on")
	assert.Empty(t, rep.Errors)
}

func TestUnknownGroupRemovesNothing(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	require.NoError(t, h.srv.Seed(iamSeed()))
	content := strings.Replace(byGroup(t), "group: platform-engineers", "group: platform-typo", 1)

	rep := handle(t, h.newJob(content, false), tick("t"))

	f := findingOf(t, rep, grantsync.CodeUnknownGroup)
	assert.Equal(t, report.SeverityCritical, f.Severity)
	h.assertNoDelete()
	h.assertNothingLowered()
	assert.NotZero(t, rep.Counts.Refused)
}
