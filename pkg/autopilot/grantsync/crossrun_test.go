package grantsync_test

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/grantplan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestScopedEventsNeverGetAroundTheGuard reproduces the attack on the
// removal guard through the grant sync HTTP receiver: the managed
// namespace "team" holds 30 repository grants (3 on each of 10
// repositories) that the directory names none of, with guard.max_removals
// 10. A full run refuses all 30 removals; ten grants-changed events, one
// per repository, as a console edit sends them, must not remove them one
// slice at a time. Scoped runs only add and raise, so they remove nothing.
func TestScopedEventsNeverGetAroundTheGuard(t *testing.T) {
	h := newHarness(t, harnessOptions{})
	var repos []swrtest.SeedRepository
	for r := range 10 {
		var gs []swrtest.SeedGrant
		for u := range 3 {
			id := fmt.Sprintf("x%02d", r*3+u)
			gs = append(gs, grant("u-"+id, id, 3))
		}
		repos = append(repos, swrtest.SeedRepository{Name: fmt.Sprintf("r%02d", r), Grants: gs})
	}
	require.NoError(t, h.srv.Seed(swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "team", Repositories: repos}}}))
	dir := `teams:
  - name: devs
    members: [{id: u-alice, name: alice}]
    namespaces: {team: read}
guard:
  max_removals: 10
  max_removal_fraction: 1
managed_namespaces: [team]
`
	job := h.newJob(dir, false)
	dec, err := events.NewDecoder(events.Config{Now: testNow, Auth: events.AuthConfig{Disabled: true}})
	require.NoError(t, err)
	receiver := httptest.NewServer(function.New(job.Job, dec, function.Options{Logger: slog.New(slog.DiscardHandler), Now: testNow, Client: h.client}))
	t.Cleanup(receiver.Close)

	post := func(id, typ string, data map[string]string) report.Summary {
		t.Helper()
		body, err := json.Marshal(map[string]any{"specversion": "1.0", "id": id, "source": "/console", "type": typ,
			"datacontenttype": "application/json", "data": data})
		require.NoError(t, err)
		resp, err := http.Post(receiver.URL, "application/cloudevents+json", strings.NewReader(string(body)))
		require.NoError(t, err)
		defer resp.Body.Close()
		out, err := io.ReadAll(resp.Body)
		require.NoError(t, err)
		require.Equal(t, http.StatusOK, resp.StatusCode, "%s", out)
		var sum report.Summary
		require.NoError(t, json.Unmarshal(out, &sum))
		return sum
	}

	// The full run refuses every removal: 30 is over the cap of 10.
	full := post("tick-1", events.TypeGrantSyncRequested, map[string]string{})
	assert.Equal(t, 30, full.Counts.Refused)
	h.assertNoDelete()

	// Ten scoped events, one per repository: 3 removals each, under the
	// cap, yet none is made.
	refused := 0
	for r := range 10 {
		sum := post(fmt.Sprintf("edit-%d", r), events.TypeGrantsChanged, map[string]string{"namespace": "team", "repository": fmt.Sprintf("r%02d", r)})
		refused += sum.Counts.Refused
		assert.Equal(t, 1, sum.Findings, "one finding: %s", grantplan.CodeScopedRemovals)
	}
	assert.Equal(t, 30, refused, "every removal is left to a full run")
	h.assertNoDelete()
	for r := range 10 {
		assert.Len(t, h.grantsOf("team", fmt.Sprintf("r%02d", r)), 3)
	}

	// The guard still decides over everything: a second full run refuses.
	again := post("tick-2", events.TypeGrantSyncRequested, map[string]string{})
	assert.Equal(t, 30, again.Counts.Refused)
	h.assertNoDelete()
}
