package autopilot_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/plan"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

const auditPolicy = `mode: enforce
audits:
  triggers:
    allowed_clusters: [prod-cluster]
    flag_failures: false
    remediate: disable
  sync:
    require:
      - match: "prod/**"
        region: cn-east-3
        namespace: "{namespace}-dr"
    remediate: create
  visibility:
    allow_public: ["prod/public-*"]
    remediate: private
`

func auditSeed() swrtest.Seed {
	trigger := func(name, cluster string) swrtest.SeedTrigger {
		return swrtest.SeedTrigger{Name: name, AppType: "deployments", Application: "web", ClusterName: cluster,
			ClusterNs: "default", Condition: ".*", TriggerType: "all", Enable: "true"}
	}
	return oneRepo("prod", swrtest.SeedRepository{
		Name: "api", IsPublic: true, Category: "linux", Description: "the API image",
		Triggers: []swrtest.SeedTrigger{trigger("deploy-ok", "prod-cluster"), trigger("deploy-rogue", "dev-cluster")},
	})
}

// listItem returns ns/name as the repository list shows it.
func listItem(t *testing.T, c *swr.Client, ns, name string) swr.Repository {
	t.Helper()
	for r, err := range c.Repositories.All(t.Context(), &swr.ListReposOptions{Namespace: ns}) {
		require.NoError(t, err)
		if r.Name == name {
			return r
		}
	}
	t.Fatalf("repository %s/%s not listed", ns, name)
	return swr.Repository{}
}

func TestAuditAppliesFixes(t *testing.T) {
	f := newFixture(t, auditSeed(), nil, swrtest.WithSyncRegions("cn-east-3"))
	e := f.engine(t, auditPolicy)
	item := listItem(t, f.client, "prod", "api")
	f.srv.ResetLog()

	res := e.Audit(t.Context(), item, false)

	require.Empty(t, res.Errors)
	assert.False(t, res.Conformant)
	assert.True(t, res.Wrote)
	codes := map[string]string{}
	for _, fd := range res.Findings {
		codes[fd.Code] = fd.Subject
	}
	assert.Equal(t, map[string]string{
		plan.CodeTriggerClusterNotAllowed:   "deploy-rogue",
		plan.CodeSyncMissingReplica:         "cn-east-3/prod-dr",
		plan.CodeVisibilityPublicNotAllowed: "",
	}, codes)
	require.Len(t, res.Changes, 3)
	for _, ch := range res.Changes {
		assert.Equal(t, report.StatusApplied, ch.Status, "%s %s", ch.Kind, ch.Subject)
	}

	got := f.repo(t, "prod", "api")
	enabled := map[string]string{}
	for _, tr := range got.Triggers {
		enabled[tr.Name] = tr.Enable
	}
	assert.Equal(t, map[string]string{"deploy-ok": "true", "deploy-rogue": "false"}, enabled)
	require.Len(t, got.SyncRepos, 1)
	assert.Equal(t, "cn-east-3", got.SyncRepos[0].RemoteRegionID)
	assert.Equal(t, "prod-dr", got.SyncRepos[0].RemoteNamespace)
	assert.True(t, got.SyncRepos[0].SyncAuto)
	assert.False(t, got.SyncRepos[0].Override)
	assert.False(t, got.IsPublic)
	assert.Equal(t, "linux", got.Category, "category kept")
	assert.Equal(t, "the API image", got.Description, "description kept")
	assert.Len(t, f.writes(), 3)

	f.srv.ResetLog()
	again := e.Audit(t.Context(), listItem(t, f.client, "prod", "api"), false)
	require.Empty(t, again.Errors)
	assert.False(t, again.Wrote, "a second audit has nothing left to fix")
	assert.Empty(t, f.writes())
}

func TestAuditDryRunPlansFixes(t *testing.T) {
	f := newFixture(t, auditSeed(), nil, swrtest.WithSyncRegions("cn-east-3"))
	e := f.engine(t, auditPolicy)
	item := listItem(t, f.client, "prod", "api")
	f.srv.ResetLog()

	res := e.Audit(t.Context(), item, true)

	require.Empty(t, res.Errors)
	assert.False(t, res.Wrote)
	require.Len(t, res.Changes, 3)
	for _, ch := range res.Changes {
		assert.Equal(t, report.StatusPlanned, ch.Status)
	}
	assert.Empty(t, f.writes())
	assert.Equal(t, map[string]int{
		"GET /v2/manage/namespaces/{ns}/repos/{repo}/triggers":  1,
		"GET /v2/manage/namespaces/{ns}/repos/{repo}/sync_repo": 1,
	}, f.srv.Counts(), "one read per audit; visibility comes from the list item")
}

func TestAuditTriggersOnly(t *testing.T) {
	f := newFixture(t, auditSeed(), nil, swrtest.WithSyncRegions("cn-east-3"))
	e := f.engine(t, auditPolicy)

	res := e.AuditTriggers(t.Context(), "prod", "api", false)

	require.Empty(t, res.Errors)
	require.Len(t, res.Changes, 1)
	assert.Equal(t, plan.KindTrigger, res.Changes[0].Kind)
	assert.Equal(t, report.StatusApplied, res.Changes[0].Status)
	assert.Equal(t, []string{"PATCH /v2/manage/namespaces/{ns}/repos/{repo}/triggers/{trigger}"}, f.writes())
	got := f.repo(t, "prod", "api")
	assert.True(t, got.IsPublic, "the other audits did not run")
	assert.Empty(t, got.SyncRepos)

	off := f.engine(t, "mode: enforce\n")
	f.srv.ResetLog()
	assert.True(t, off.AuditTriggers(t.Context(), "prod", "api", false).Conformant)
	assert.Empty(t, f.srv.Requests(), "the audit is off: no read")
}

func TestAuditReportsReadErrors(t *testing.T) {
	f := newFixture(t, auditSeed(), nil, swrtest.WithSyncRegions("cn-east-3"))
	e := f.engine(t, auditPolicy)

	res := e.Audit(t.Context(), swr.Repository{Namespace: "prod", Name: "missing"}, false)

	require.Len(t, res.Errors, 2, "triggers and sync each report their failed read")
	for _, re := range res.Errors {
		assert.Contains(t, re.Error, swrtest.CodeRepositoryNotFound)
	}
	rep := &report.Report{}
	res.AddTo(rep)
	assert.Zero(t, rep.Counts.Conformant, "a repository that could not be read is not conformant")
}

func TestReconcileRunsRetentionAndAudits(t *testing.T) {
	seed := auditSeed()
	seed.Namespaces[0].Repositories[0].Tags = tags(fiveTags())
	f := newFixture(t, seed, nil, swrtest.WithSyncRegions("cn-east-3"))
	e := f.engine(t, auditPolicy+"retention:\n  - match: \"**\"\n    keep_last: 3\n    protect: [latest]\n")

	res := e.Reconcile(t.Context(), "prod", "api", false)

	require.Empty(t, res.Errors)
	kinds := map[string]report.Status{}
	for _, ch := range res.Changes {
		kinds[ch.Kind] = ch.Status
	}
	assert.Equal(t, map[string]report.Status{
		plan.KindRetention: report.StatusApplied, plan.KindTrigger: report.StatusApplied,
		plan.KindSync: report.StatusApplied, plan.KindVisibility: report.StatusApplied,
	}, kinds)
	got := f.repo(t, "prod", "api")
	assert.False(t, got.IsPublic)
	assert.Equal(t, "linux", got.Category)
	assert.Equal(t, []string{"latest", "v3", "v4", "v5"}, got.TagNames())
}

// losingResponses passes the requests match accepts on to SWR and then
// loses the answer, as a cut connection does after SWR acted.
type losingResponses struct {
	base  http.RoundTripper
	match func(*http.Request) bool
}

func (l losingResponses) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := l.base.RoundTrip(r)
	if err != nil || !l.match(r) {
		return resp, err
	}
	_ = resp.Body.Close()
	return nil, io.ErrUnexpectedEOF
}

func isSyncCreate(r *http.Request) bool {
	return r.Method == http.MethodPost && strings.HasSuffix(r.URL.Path, "/sync_repo")
}

// TestSyncCreateIsDecidedByWhatSWRHolds: a sync task create that fails
// is followed by a read of the tasks, and the task found there counts as
// created, under every answer SWR may give to a duplicate (swr-api.md
// §12): another instance created it first, or the answer to our own
// create was lost.
func TestSyncCreateIsDecidedByWhatSWRHolds(t *testing.T) {
	for _, answer := range []int{http.StatusConflict, http.StatusBadRequest, http.StatusOK} {
		for _, tc := range []struct {
			name string
			rt   func(srv **swrtest.Server) func(http.RoundTripper) http.RoundTripper
		}{
			{"raced by another instance", func(srv **swrtest.Server) func(http.RoundTripper) http.RoundTripper {
				return withHook(isSyncCreate, func() {
					other := newClient(t, *srv, nil)
					require.NoError(t, other.Sync.Create(context.Background(), "prod", "api",
						swr.CreateSyncRepoRequest{RemoteRegionID: "cn-east-3", RemoteNamespace: "prod-dr", SyncAuto: true}))
				})
			}},
			{"response lost", func(**swrtest.Server) func(http.RoundTripper) http.RoundTripper {
				return func(base http.RoundTripper) http.RoundTripper { return losingResponses{base, isSyncCreate} }
			}},
		} {
			t.Run(fmt.Sprintf("%s/duplicate answered %d", tc.name, answer), func(t *testing.T) {
				var srv *swrtest.Server
				f := newFixture(t, auditSeed(), tc.rt(&srv), swrtest.WithSyncRegions("cn-east-3"), swrtest.WithDuplicateSyncAnswer(answer))
				srv = f.srv
				e := f.engine(t, auditPolicy)

				res := e.Audit(t.Context(), listItem(t, f.client, "prod", "api"), false)

				require.Empty(t, res.Errors)
				var sync []report.Change
				for _, ch := range res.Changes {
					if ch.Kind == plan.KindSync {
						sync = append(sync, ch)
					}
				}
				require.Len(t, sync, 1)
				assert.Equal(t, report.StatusApplied, sync[0].Status, "the task SWR holds is reported applied")
				assert.Len(t, f.repo(t, "prod", "api").SyncRepos, 1, "one task")
			})
		}
	}
}

// TestSyncCreateRefusedIsReportedFailed: a create SWR refuses while
// holding no such task stays a failure.
func TestSyncCreateRefusedIsReportedFailed(t *testing.T) {
	refuse := func(base http.RoundTripper) http.RoundTripper { return &failingSyncPosts{base: base} }
	f := newFixture(t, auditSeed(), refuse, swrtest.WithSyncRegions("cn-east-3"))
	res := f.engine(t, auditPolicy).Audit(t.Context(), listItem(t, f.client, "prod", "api"), false)
	require.Len(t, res.Errors, 1)
	assert.Contains(t, res.Errors[0].Error, "SVCSTG.SWR.4000014")
	assert.Empty(t, f.repo(t, "prod", "api").SyncRepos)
}

// failingSyncPosts answers every sync task create with a 400 of its own.
type failingSyncPosts struct{ base http.RoundTripper }

func (f *failingSyncPosts) RoundTrip(r *http.Request) (*http.Response, error) {
	if !isSyncCreate(r) {
		return f.base.RoundTrip(r)
	}
	return &http.Response{StatusCode: http.StatusBadRequest, Header: http.Header{"Content-Type": {"application/json"}},
		Body: io.NopCloser(strings.NewReader(`{"errorCode":"SVCSTG.SWR.4000014","errorMessage":"refused"}`)), Request: r}, nil
}
