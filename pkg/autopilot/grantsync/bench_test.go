package grantsync_test

import (
	"context"
	"fmt"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// benchRegistry builds a directory of one team per namespace (members
// levels manage, write, read, …) with repository grants on reposPer
// repositories each, and a seed that either already matches it (conformant)
// or holds no grants at all.
func benchRegistry(namespaces, members, reposPer int, conformant bool) (string, swrtest.Seed) {
	levels := []string{"manage", "write", "read"}
	auths := map[string]int{"manage": 7, "write": 3, "read": 1}
	var dir strings.Builder
	dir.WriteString("teams:\n")
	var seed swrtest.Seed
	var managed []string
	for n := range namespaces {
		ns := fmt.Sprintf("ns%03d", n)
		managed = append(managed, ns)
		sn := swrtest.SeedNamespace{Name: ns}
		fmt.Fprintf(&dir, "  - name: team-%s\n    members:\n", ns)
		for m := range members {
			fmt.Fprintf(&dir, "      - {id: u-%s-%d, name: user-%s-%d}\n", ns, m, ns, m)
		}
		level := levels[n%len(levels)]
		fmt.Fprintf(&dir, "    namespaces: {%s: %s}\n    repositories:\n", ns, level)
		for r := range reposPer {
			fmt.Fprintf(&dir, "      %s/app-%d: read\n", ns, r)
			repo := swrtest.SeedRepository{Name: fmt.Sprintf("app-%d", r)}
			if conformant {
				for m := range members {
					repo.Grants = append(repo.Grants, grant(fmt.Sprintf("u-%s-%d", ns, m), fmt.Sprintf("user-%s-%d", ns, m), 1))
				}
			}
			sn.Repositories = append(sn.Repositories, repo)
		}
		if conformant {
			for m := range members {
				sn.Grants = append(sn.Grants, grant(fmt.Sprintf("u-%s-%d", ns, m), fmt.Sprintf("user-%s-%d", ns, m), auths[level]))
			}
		}
		seed.Namespaces = append(seed.Namespaces, sn)
	}
	fmt.Fprintf(&dir, "guard: {max_removals: 0}\nmanaged_namespaces: [%s]\n", strings.Join(managed, ", "))
	return dir.String(), seed
}

func benchJob(b *testing.B, conformant, dryRun bool) (*testJob, *swrtest.Server, *swr.Client) {
	b.Helper()
	const namespaces, members, reposPer = 50, 10, 4
	content, seed := benchRegistry(namespaces, members, reposPer, conformant)
	srv := swrtest.NewServer(swrtest.WithClock(testNow), swrtest.WithSeed(&seed))
	b.Cleanup(srv.Close)
	c := srv.NewClientWith(swr.AKSK{AK: srv.AK, SK: srv.SK}, swr.WithClock(testNow), swr.WithRetry(1, time.Millisecond, time.Millisecond))
	j := newTestJob(c, grantsync.Config{
		Directory: writeDirectory(b, content),
		DryRun:    dryRun,
		Logger:    slog.New(slog.DiscardHandler),
	})
	return j, srv, c
}

// BenchmarkReconcileConformant measures the steady state of a tick: 50
// managed namespaces × (10 users + 4 repositories) already in line, reads
// only: per namespace one grant read, one repository listing and four
// repository grant reads.
func BenchmarkReconcileConformant(b *testing.B) {
	j, srv, _ := benchJob(b, true, false)
	var calls int64
	for b.Loop() {
		rep, err := j.Reconcile(context.Background(), false)
		require.NoError(b, err)
		require.Empty(b, rep.Changes)
		calls += rep.APICalls
	}
	b.ReportMetric(float64(calls)/float64(b.N), "api_calls/run")
	b.ReportMetric(float64(srv.Writes())/float64(b.N), "writes/run")
}

// BenchmarkPlanFromScratch measures a dry run that plans every grant of
// the same registry from nothing: 250 plans, 2500 grants to add.
func BenchmarkPlanFromScratch(b *testing.B) {
	j, _, _ := benchJob(b, false, true)
	var calls int64
	var changes int
	for b.Loop() {
		rep, err := j.Reconcile(context.Background(), true)
		require.NoError(b, err)
		calls += rep.APICalls
		changes += len(rep.Changes)
	}
	b.ReportMetric(float64(calls)/float64(b.N), "api_calls/run")
	b.ReportMetric(float64(changes)/float64(b.N), "changes/run")
}

// BenchmarkApplyFromScratch measures a real run granting everything: the
// emulator is reseeded (untimed) before each run.
func BenchmarkApplyFromScratch(b *testing.B) {
	j, srv, _ := benchJob(b, false, false)
	_, seed := benchRegistry(50, 10, 4, false)
	var writes int
	for b.Loop() {
		b.StopTimer()
		srv.Reset()
		require.NoError(b, srv.Seed(seed))
		b.StartTimer()
		rep, err := j.Reconcile(context.Background(), false)
		require.NoError(b, err)
		require.Empty(b, rep.Errors)
		writes += srv.Writes()
	}
	b.ReportMetric(float64(writes)/float64(b.N), "writes/run")
}

// BenchmarkReconcileManagedNamespaceOfUnnamedRepositories measures what a
// tick costs per repository the directory does not name in a managed
// namespace: one namespace of 2500 repositories, none named, one of them
// holding a stray grant the tick removes (granted again, untimed, before
// each run).
func BenchmarkReconcileManagedNamespaceOfUnnamedRepositories(b *testing.B) {
	const repos = 2500
	// The fraction cap is lifted: on so small a registry one removal is
	// half of the grants the tick observes.
	content := "teams:\n  - name: a\n    members: [{id: u-a, name: a}]\n    namespaces: {big: read}\nguard: {max_removal_fraction: 1}\nmanaged_namespaces: [big]\n"
	seed := swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: "big", Grants: []swrtest.SeedGrant{grant("u-a", "a", 1)}}}}
	for i := range repos {
		seed.Namespaces[0].Repositories = append(seed.Namespaces[0].Repositories, swrtest.SeedRepository{Name: fmt.Sprintf("r%05d", i)})
	}
	srv := swrtest.NewServer(swrtest.WithClock(testNow), swrtest.WithSeed(&seed))
	b.Cleanup(srv.Close)
	c := srv.NewClientWith(swr.AKSK{AK: srv.AK, SK: srv.SK}, swr.WithClock(testNow), swr.WithRetry(1, time.Millisecond, time.Millisecond))
	j := newTestJob(c, grantsync.Config{Directory: writeDirectory(b, content), Logger: slog.New(slog.DiscardHandler)})

	var calls int64
	var listPages int
	for b.Loop() {
		b.StopTimer()
		require.NoError(b, c.RepositoryAccess.Create(context.Background(), "big", "r00000", []swr.UserAuth{{UserID: "u-x", UserName: "x", Auth: swr.AuthWrite}}))
		srv.ResetLog()
		b.StartTimer()
		rep, err := j.Reconcile(context.Background(), false)
		require.NoError(b, err)
		require.Len(b, rep.Changes, 1)
		calls += rep.APICalls
		for _, r := range srv.Requests() {
			if r.Path == "/v2/manage/repos" {
				listPages++
			}
		}
	}
	b.ReportMetric(float64(calls)/float64(b.N), "api_calls/run")
	b.ReportMetric(float64(listPages)/float64(b.N), "list_pages/run")
	b.ReportMetric(float64(calls)/float64(b.N)/repos, "api_calls/repo")
}
