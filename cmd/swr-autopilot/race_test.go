package main

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// racingEmulator serves an emulator holding team/web/app with tags
// behind middleware (its hook), and points the SWR environment of the process at
// it. middleware sees every request before the emulator does.
func racingEmulator(t *testing.T, tags []swrtest.SeedTag, middleware func(srv *swrtest.Server, w http.ResponseWriter, r *http.Request, next http.Handler)) *swrtest.Server {
	t.Helper()
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team", Repositories: []swrtest.SeedRepository{{Name: "web/app", Tags: tags}}}}}
	srv := swrtest.NewServer(swrtest.WithCredentials("RACEAK", "race-secret"), swrtest.WithSeed(&seed))
	t.Cleanup(srv.Close)
	srv.Set(swrtest.WithHook(func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { middleware(srv, w, r, next) })
	}))
	pointAt(t, srv)
	return srv
}

// pushWhileWriting pushes n new tags the moment a retention rule write
// reaches SWR, before SWR executes it: the pushes land while the write is
// in flight.
func pushWhileWriting(t *testing.T, n int, pushed *int) func(*swrtest.Server, http.ResponseWriter, *http.Request, http.Handler) {
	return func(srv *swrtest.Server, w http.ResponseWriter, r *http.Request, next http.Handler) {
		if (r.Method == http.MethodPost || r.Method == http.MethodPatch) && strings.Contains(r.URL.Path, "/retentions") {
			for i := range n {
				require.NoError(t, srv.PushTag("team", "web/app", fmt.Sprintf("hotfix-%d", i), srv.Now()))
				*pushed++
			}
		}
		next.ServeHTTP(w, r)
	}
}

// agedTags are n tags named b00… pushed a day apart, oldest first, then
// recent ones pushed a minute apart, the newest a minute ago.
func agedTags(n, recent int) []swrtest.SeedTag {
	var out []swrtest.SeedTag
	for i := range n {
		out = append(out, swrtest.SeedTag{Name: fmt.Sprintf("b%02d", i), Age: fmt.Sprintf("%dd", 100-i)})
	}
	for i := range recent {
		out = append(out, swrtest.SeedTag{Name: fmt.Sprintf("r%02d", i), Age: fmt.Sprintf("%dm", recent-i)})
	}
	return out
}

func applyJSON(t *testing.T, policyYAML string) (int, report.Report) {
	t.Helper()
	code, out, errOut := repoCommand("apply", "-repo", "team/web/app", "-policy", writeFile(t, "policy.yaml", policyYAML), "-json")
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep), "stdout %q, stderr %q", out, errOut)
	return code, rep
}

func findingCodes(rep report.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Code)
	}
	return out
}

const racePolicy = "mode: enforce\nguard: {max_delete_fraction: 1, max_delete_tags: 10}\nretention:\n  - match: \"**\"\n    keep_last: 20\n"

// A repository that is being pushed to, where the rule would delete
// exactly what the guard allows: any push during the write would delete
// one more, so the write is deferred, with a finding and exit code 3.
func TestApplyDefersAWriteThatRacingPushesWouldPushPastTheGuard(t *testing.T) {
	pushed := 0
	srv := racingEmulator(t, agedTags(25, 5), pushWhileWriting(t, 5, &pushed))

	code, rep := applyJSON(t, racePolicy)

	assert.Equal(t, exitCritical, code)
	assert.Equal(t, []string{plan.CodeGuardPushRace}, findingCodes(rep))
	assert.Contains(t, rep.Findings[0].Message, "deferred to a later run")
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, report.StatusRefused, rep.Changes[0].Status)
	assert.Equal(t, 10, rep.Changes[0].Impact.AtRisk(), "the rule itself is within the guard")
	assert.Zero(t, srv.Writes(), "nothing written")
	assert.Zero(t, pushed)
	assert.Len(t, tagNames(t, srv), 30, "nothing deleted")
}

// A write with headroom goes ahead while tags are pushed: SWR deletes
// more than simulated, but no more than the guard allows, and the
// difference is reported (exit code 3).
func TestApplyWithHeadroomHoldsTheGuardAgainstPushesInFlight(t *testing.T) {
	pushed := 0
	srv := racingEmulator(t, agedTags(22, 2), pushWhileWriting(t, 5, &pushed))

	code, rep := applyJSON(t, racePolicy)

	require.Equal(t, 5, pushed, "the pushes landed while the write was in flight")
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, report.StatusApplied, rep.Changes[0].Status)
	assert.Equal(t, 4, rep.Changes[0].Impact.AtRisk())
	deleted := 24 + pushed - len(tagNames(t, srv))
	assert.Equal(t, 9, deleted, "four simulated, one more per push")
	assert.LessOrEqual(t, deleted, 10, "no more than max_delete_tags")
	assert.Equal(t, []string{plan.CodeImpactMismatch}, findingCodes(rep))
	assert.Equal(t, exitCritical, code)
}

// SWR answers a tag listing whose times do not parse: the write is
// refused, naming the tag, and nothing is written.
func TestApplyRefusesATagWhoseTimeDoesNotParse(t *testing.T) {
	srv := racingEmulator(t, agedTags(6, 0), func(srv *swrtest.Server, w http.ResponseWriter, r *http.Request, next http.Handler) {
		if r.Method != http.MethodGet || !strings.HasSuffix(r.URL.Path, "/tags") {
			next.ServeHTTP(w, r)
			return
		}
		rec := httptest.NewRecorder()
		next.ServeHTTP(rec, r)
		var tags []map[string]any
		require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &tags))
		for _, tg := range tags {
			if tg["Tag"] == "b02" {
				tg["updated"] = "2026-13-45 25:61"
			}
		}
		body, err := json.Marshal(tags)
		require.NoError(t, err)
		for k, v := range rec.Header() {
			w.Header()[k] = v
		}
		w.Header().Del("Content-Length")
		w.WriteHeader(rec.Code)
		_, _ = w.Write(body)
	})
	before := tagNames(t, srv)

	code, rep := applyJSON(t, "mode: enforce\nretention:\n  - match: \"**\"\n    keep_last: 5\n")

	assert.Equal(t, exitCritical, code)
	require.Len(t, rep.Findings, 1)
	f := rep.Findings[0]
	assert.Equal(t, plan.CodeTagTimeInvalid, f.Code)
	assert.Equal(t, report.SeverityCritical, f.Severity)
	assert.Equal(t, "b02", f.Subject)
	assert.Contains(t, f.Message, `tag "b02": updated time "2026-13-45 25:61" is not an RFC 3339 time`)
	require.Len(t, rep.Changes, 1)
	assert.Equal(t, report.StatusRefused, rep.Changes[0].Status)
	assert.Nil(t, rep.Changes[0].Impact, "no simulation on a wrong time")
	assert.Zero(t, srv.Writes())
	assert.Equal(t, before, tagNames(t, srv))
}

// sweep ends with exit code 3 when a write was deferred for racing pushes.
func TestSweepExitsCriticalWhenAWriteIsDeferred(t *testing.T) {
	pushed := 0
	srv := racingEmulator(t, agedTags(25, 5), pushWhileWriting(t, 5, &pushed))

	code, out, errOut := repoCommand("sweep", "-policy", writeFile(t, "policy.yaml", racePolicy), "-json")

	assert.Equal(t, exitCritical, code, errOut)
	var rep report.Report
	require.NoError(t, json.Unmarshal([]byte(out), &rep))
	assert.Equal(t, map[string]int{plan.CodeGuardPushRace: 1}, rep.Counts.Findings)
	assert.Zero(t, srv.Writes())
	assert.Zero(t, pushed)
}
