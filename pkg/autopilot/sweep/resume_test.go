package sweep_test

import (
	"context"
	"fmt"
	"maps"
	"net/http"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/sweep"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// sweepUntil sweeps ns000 of reg in a dry run with one worker and stops
// it once stopAfter repositories are done. It returns the cursor and the
// repositories swept.
func sweepUntil(t *testing.T, reg *registry, client *swr.Client, stopAfter int) (string, map[string]int) {
	t.Helper()
	reg.ResetLog()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	job := newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true, Concurrency: 1, Progress: func(done, _ int) {
		if done == stopAfter {
			cancel()
		}
	}})
	rep, err := job.Run(ctx, events.SweepRequested{Namespaces: []string{"ns000"}})
	require.NoError(t, err)
	require.Equal(t, stopAfter, rep.Counts.Scanned)
	require.NotEmpty(t, rep.Cursor)
	return rep.Cursor, retentionReads(reg)
}

// resume sweeps the rest of ns000 from cursor and returns the
// repositories swept.
func resume(t *testing.T, reg *registry, client *swr.Client, cursor string) map[string]int {
	t.Helper()
	reg.ResetLog()
	rep, err := newJob(t, client, keepLastPolicy, sweep.Config{DryRun: true}).
		Run(context.Background(), events.SweepRequested{Namespaces: []string{"ns000"}, Cursor: cursor})
	require.NoError(t, err)
	require.Empty(t, rep.Cursor)
	require.Empty(t, rep.Errors)
	return retentionReads(reg)
}

// repoNames returns "ns000/repo-<i>" for i in [from, to).
func repoNames(from, to int) []string {
	var out []string
	for i := from; i < to; i++ {
		out = append(out, fmt.Sprintf("ns000/repo-%04d", i))
	}
	return out
}

// onceEach is the sweep count of names swept once each.
func onceEach(names ...string) map[string]int {
	out := map[string]int{}
	for _, n := range names {
		out[n] = 1
	}
	return out
}

// both adds the sweep counts of two invocations.
func both(a, b map[string]int) map[string]int {
	out := maps.Clone(a)
	for k, n := range b {
		out[k] += n
	}
	return out
}

func TestResumeAfterDeletionsBeforeTheCursorSkipsNothing(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 10, 1))))
	client := newClient(t, reg)
	cursor, first := sweepUntil(t, reg, client, 4)
	require.Equal(t, onceEach(repoNames(0, 4)...), first)
	assert.Equal(t, sweep.Cursor{Namespace: "ns000", Offset: 4, Last: "repo-0003"}.String(), cursor)

	// repo-0004 is now at offset 3: resuming at offset 4 would pass it over.
	require.NoError(t, client.Repositories.Delete(context.Background(), "ns000", "repo-0001"))
	rest := resume(t, reg, client, cursor)

	assert.Equal(t, onceEach(repoNames(4, 10)...), rest, "the rest, from repo-0004 on")
	all := both(first, rest)
	assert.Len(t, all, 10)
	for repo, n := range all {
		assert.Equal(t, 1, n, "%s swept once", repo)
	}
}

func TestResumeAfterTheLastStartedRepositoryIsDeleted(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 10, 1))))
	client := newClient(t, reg)
	cursor, _ := sweepUntil(t, reg, client, 4)

	for _, repo := range []string{"repo-0002", "repo-0003"} {
		require.NoError(t, client.Repositories.Delete(context.Background(), "ns000", repo))
	}
	assert.Equal(t, onceEach(repoNames(4, 10)...), resume(t, reg, client, cursor))
}

func TestResumeAfterCreationsBeforeTheCursorSweepsNothingTwice(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 10, 1))))
	client := newClient(t, reg)
	cursor, first := sweepUntil(t, reg, client, 4)

	// Both land before the cursor: repo-0003 is now at offset 5, where
	// resuming at offset 4 would sweep it again.
	for _, repo := range []string{"aaa", "repo-0001a"} {
		require.NoError(t, client.Repositories.Create(context.Background(), "ns000", swr.CreateRepositoryRequest{Repository: repo}))
	}
	rest := resume(t, reg, client, cursor)

	assert.Equal(t, onceEach(repoNames(4, 10)...), rest,
		"the rest; those created in the swept part wait for the next sweep")
	for repo, n := range both(first, rest) {
		assert.Equal(t, 1, n, "%s swept once", repo)
	}
}

func TestResumeAfterMoreDeletionsThanTheSlackListsFromTheStart(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 260, 1))))
	client := newClient(t, reg)
	cursor, _ := sweepUntil(t, reg, client, 200)
	assert.Equal(t, sweep.Cursor{Namespace: "ns000", Offset: 200, Last: "repo-0199"}.String(), cursor)

	// 150 deletions move repo-0200 to offset 50, beyond any small slack.
	var wg sync.WaitGroup
	for _, name := range repoNames(0, 150) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			assert.NoError(t, client.Repositories.Delete(context.Background(), "ns000", name[len("ns000/"):]))
		}()
	}
	wg.Wait()
	rest := resume(t, reg, client, cursor)

	assert.Equal(t, onceEach(repoNames(200, 260)...), rest)
	var from []string
	for _, r := range reg.Requests() {
		if r.Endpoint == "GET /v2/manage/repos" {
			from = append(from, r.Query)
		}
	}
	require.Len(t, from, 2, "the listing near the cursor showed nothing swept: it is read again from the start")
	assert.Contains(t, from[1], "offset=0")
}

func TestResumeOfANamespaceNothingOfWhichStartedBeginsAtItsStart(t *testing.T) {
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, 10, 1))))
	client := newClient(t, reg)
	// An offset with no last name can count other namespaces' repositories
	// (a loose namespace filter): it must not make the resume skip any.
	cursor := sweep.Cursor{Namespace: "ns000", Offset: 7}.String()
	rest := resume(t, reg, client, cursor)
	assert.Equal(t, onceEach(repoNames(0, 10)...), rest)
}

// TestResumeFromAnyCursorSweepsTheRestExactlyOnce resumes a namespace of
// more than one listing page from cursors on both sides of the page
// boundary. The emulator refuses an offset that is not a multiple of the
// limit (swr-api.md §1.7), so every listing reads whole aligned pages and
// passes over what comes before the resume point.
func TestResumeFromAnyCursorSweepsTheRestExactlyOnce(t *testing.T) {
	const n = swr.MaxPageSize + 50
	reg := newRegistry(t, nil, swrtest.WithSeed(ptr(simpleSeed(1, n, 1))))
	client := newClient(t, reg)
	var cursors []sweep.Cursor
	offsets := []int{1, 101, swr.MaxPageSize - 1, swr.MaxPageSize, swr.MaxPageSize + 1, n - 1}
	for k := 150; k < n; k += 150 {
		offsets = append(offsets, k)
	}
	for _, k := range offsets {
		cursors = append(cursors, sweep.Cursor{Namespace: "ns000", Offset: k, Last: fmt.Sprintf("repo-%04d", k-1)})
	}
	for _, c := range cursors {
		t.Run(c.String(), func(t *testing.T) {
			rest := resume(t, reg, client, c.String())
			assert.Equal(t, onceEach(repoNames(c.Offset, n)...), rest, "every repository after the cursor once, none before")
			for _, r := range reg.Requests() {
				if r.Endpoint == "GET /v2/manage/repos" {
					assert.Equal(t, http.StatusOK, r.Status, r.Query)
				}
			}
		})
	}
}
