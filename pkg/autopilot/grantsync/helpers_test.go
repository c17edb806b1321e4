package grantsync_test

import (
	"context"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/uuid"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/autopilot/grantsync"
	"github.com/swr-autopilot/swr-autopilot/pkg/events"
	"github.com/swr-autopilot/swr-autopilot/pkg/function"
	"github.com/swr-autopilot/swr-autopilot/pkg/report"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// testNow is the fixed clock of the tests.
func testNow() time.Time { return time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC) }

// write is one non-GET request as it reached the emulator.
type write struct {
	Method, Path string
	Body         string
}

// harness is an emulator seeded with the registry of testdata/directory.yaml
// and a real SWR client talking to it. The emulator's hook calls before
// and answer.
type harness struct {
	t      *testing.T
	srv    *swrtest.Server
	client *swr.Client

	mu     sync.Mutex
	before func(r *http.Request) // called before each request is served
	// answer, when set and returning true, has answered the request in
	// place of the emulator (for answers the emulator cannot give, such as
	// a namespace name owned by another account).
	answer func(w http.ResponseWriter, r *http.Request) bool
}

type harnessOptions struct {
	emulator  []swrtest.Option
	noProject bool // the client's credentials carry no project id
}

func newHarness(t *testing.T, o harnessOptions) *harness {
	t.Helper()
	opts := append([]swrtest.Option{swrtest.WithClock(testNow)}, readingOptions(t)...)
	srv := swrtest.NewServer(append(opts, o.emulator...)...)
	t.Cleanup(srv.Close)
	h := &harness{t: t, srv: srv}
	srv.Set(swrtest.WithHook(h.hook))
	require.NoError(t, srv.Seed(seed(srv)))

	h.client = h.newClient(!o.noProject)
	return h
}

// newClient returns an SWR client of the emulator's account, with or
// without the project id in its credentials.
// Environment variables choosing how the emulator plays the points no
// source pins down (see TestUnderEveryReading).
const (
	envAbsentGrant  = "GRANTSYNC_TEST_ABSENT_GRANT"  // status of a PATCH/DELETE of a user without a grant
	envOwnersListed = "GRANTSYNC_TEST_OWNERS_LISTED" // others_auths lists the caller and the creator
)

// readingOptions are the emulator options of the reading the environment
// chooses; none for the emulator's defaults.
func readingOptions(t testing.TB) []swrtest.Option {
	var opts []swrtest.Option
	if v := os.Getenv(envAbsentGrant); v != "" {
		status, err := strconv.Atoi(v)
		require.NoError(t, err, envAbsentGrant)
		opts = append(opts, swrtest.WithAbsentGrantAnswer(status))
	}
	if os.Getenv(envOwnersListed) != "" {
		opts = append(opts, swrtest.WithOwnersListed())
	}
	return opts
}

// absentAnswer is the status text the emulator answers a PATCH or DELETE
// (method) naming a user without a grant with, under the reading in force.
func absentAnswer(method string) string {
	switch {
	case absentSilent() && method == http.MethodPatch:
		return http.StatusText(http.StatusCreated)
	case absentSilent():
		return http.StatusText(http.StatusNoContent)
	}
	if v := os.Getenv(envAbsentGrant); v != "" {
		status, _ := strconv.Atoi(v)
		return http.StatusText(status)
	}
	return http.StatusText(http.StatusNotFound)
}

// absentSilent reports whether, under the reading in force, the emulator
// answers such a PATCH or DELETE with a 2xx and ignores the user.
func absentSilent() bool {
	status, _ := strconv.Atoi(os.Getenv(envAbsentGrant))
	return status >= 200 && status < 300
}

func (h *harness) newClient(withProject bool) *swr.Client {
	h.t.Helper()
	creds := swr.AKSK{AK: h.srv.AK, SK: h.srv.SK}
	if withProject {
		creds.ProjectID = h.srv.ProjectID
	}
	return h.srv.NewClientWith(creds, swr.WithRetry(1, time.Millisecond, time.Millisecond), swr.WithClock(testNow))
}

// hook is the emulator's hook: it calls before, then lets answer answer,
// else the emulator.
func (h *harness) hook(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mu.Lock()
		before, answer := h.before, h.answer
		h.mu.Unlock()
		if before != nil {
			before(r)
		}
		if answer == nil || !answer(w, r) {
			next.ServeHTTP(w, r)
		}
	})
}

// reset forgets the recorded requests.
func (h *harness) reset() { h.srv.ResetLog() }

// recordedWrites returns the non-GET requests the emulator received, with
// their bodies, oldest first, whoever answered them.
func (h *harness) recordedWrites() []write {
	var out []write
	for _, r := range h.srv.Requests() {
		if r.Method != http.MethodGet {
			out = append(out, write{Method: r.Method, Path: r.Path, Body: r.Body})
		}
	}
	return out
}

// loggedWrites returns the non-GET requests the emulator itself answered
// as "METHOD path", checking that each succeeded.
func (h *harness) loggedWrites() []string {
	h.t.Helper()
	var out []string
	for _, r := range h.srv.Requests() {
		if r.Method == http.MethodGet || r.Hooked {
			continue
		}
		assert.True(h.t, r.Status >= 200 && r.Status < 300, "%s %s answered %d", r.Method, r.Path, r.Status)
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

// assertWrites checks the writes, in order, against the emulator's
// request log (method and path) and the recorded bodies (as JSON).
func (h *harness) assertWrites(want []write) {
	h.t.Helper()
	lines := make([]string, len(want))
	for i, w := range want {
		lines[i] = w.Method + " " + w.Path
	}
	require.Equal(h.t, lines, h.loggedWrites())
	h.assertRecorded(want)
}

// assertRecorded checks the writes that reached the emulator, in order,
// with their bodies (as JSON), whatever their answers.
func (h *harness) assertRecorded(want []write) {
	h.t.Helper()
	got := h.recordedWrites()
	require.Len(h.t, got, len(want))
	for i := range want {
		assert.Equal(h.t, want[i].Method+" "+want[i].Path, got[i].Method+" "+got[i].Path)
		assert.JSONEq(h.t, want[i].Body, got[i].Body, "body of %s %s", got[i].Method, got[i].Path)
	}
}

// assertNoDelete checks that no grant was deleted.
func (h *harness) assertNoDelete() {
	h.t.Helper()
	for _, r := range h.srv.Requests() {
		assert.NotEqual(h.t, http.MethodDelete, r.Method, "DELETE %s", r.Path)
	}
}

// grantsOf returns the grants of a namespace (repo empty) or repository
// as user name → auth.
func (h *harness) grantsOf(ns, repo string) map[string]int {
	h.t.Helper()
	st := h.srv.State()
	var gs []swr.UserAuth
	if repo == "" {
		n, ok := st.Namespace(ns)
		require.True(h.t, ok, "namespace %s", ns)
		gs = n.Grants
	} else {
		r, ok := st.Repository(ns, repo)
		require.True(h.t, ok, "repository %s/%s", ns, repo)
		gs = r.Grants
	}
	out := map[string]int{}
	for _, g := range gs {
		out[g.UserName] = g.Auth
	}
	return out
}

// assertProtectedUntouched checks that the caller (self), the namespace
// creator and the keep user hold exactly their seeded grants.
func (h *harness) assertProtectedUntouched() {
	h.t.Helper()
	payments := h.grantsOf("payments", "")
	assert.Equal(h.t, swr.AuthManage, payments[h.srv.UserName], "self in payments")
	assert.Equal(h.t, swr.AuthManage, payments["owner"], "creator of payments")
	assert.Equal(h.t, swr.AuthManage, payments["breakglass"], "keep user in payments")
	assert.Equal(h.t, swr.AuthWrite, h.grantsOf("payments", "app")["breakglass"], "keep user in payments/app")
	ns, _ := h.srv.State().Namespace("payments")
	assert.Equal(h.t, "owner", ns.CreatorName)
}

// assertNothingLowered checks that every seeded grant is still there with
// at least its seeded level.
func (h *harness) assertNothingLowered() {
	h.t.Helper()
	for _, n := range seed(h.srv).Namespaces {
		got := h.grantsOf(n.Name, "")
		for _, g := range n.Grants {
			assert.GreaterOrEqual(h.t, got[g.UserName], g.Auth, "%s in %s", g.UserName, n.Name)
		}
		for _, r := range n.Repositories {
			got := h.grantsOf(n.Name, r.Name)
			for _, g := range r.Grants {
				assert.GreaterOrEqual(h.t, got[g.UserName], g.Auth, "%s in %s/%s", g.UserName, n.Name, r.Name)
			}
		}
	}
}

// seed is the registry the test directory is compared with:
//
//	payments (managed, created by owner): self 7, owner 7, alice 1, bob 3,
//	  erin 7, mallory 3, breakglass 7 (keep)
//	  app (not in the directory): mallory 7, breakglass 3 (keep)
//	  ledger-api: alice 3, bob 3, trudy 1
//	shared (created by self): alice 1, carol 7, zed 3
//	  base/images: no grants
//	  scratch (not in the directory): mallory 3
func seed(srv *swrtest.Server) swrtest.Seed {
	g := func(id, name string, auth int) swrtest.SeedGrant {
		return swrtest.SeedGrant{UserID: id, UserName: name, Auth: auth}
	}
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{
		{
			Name: "payments", Creator: "owner",
			Grants: []swrtest.SeedGrant{
				g(srv.UserID, srv.UserName, 7), g("u-owner", "owner", 7), g("u-alice", "alice", 1), g("u-bob", "bob", 3),
				g("u-erin", "erin", 7), g("u-mallory", "mallory", 3), g("u-breakglass", "breakglass", 7),
			},
			Repositories: []swrtest.SeedRepository{
				{
					Name:   "ledger-api",
					Grants: []swrtest.SeedGrant{g("u-alice", "alice", 3), g("u-bob", "bob", 3), g("u-trudy", "trudy", 1)},
				},
				{
					Name:   "app",
					Grants: []swrtest.SeedGrant{g("u-mallory", "mallory", 7), g("u-breakglass", "breakglass", 3)},
				},
			},
		},
		{
			Name:   "shared",
			Grants: []swrtest.SeedGrant{g("u-alice", "alice", 1), g("u-carol", "carol", 7), g("u-zed", "zed", 3)},
			Repositories: []swrtest.SeedRepository{
				{Name: "base/images"},
				{Name: "scratch", Grants: []swrtest.SeedGrant{g("u-mallory", "mallory", 3)}},
			},
		},
	}}
}

// Paths of the grant lists of the seeded registry, and of the repository
// listing.
const (
	paymentsAccess = "/v2/manage/namespaces/payments/access"
	appAccess      = "/v2/manage/namespaces/payments/repos/app/access"
	ledgerAccess   = "/v2/manage/namespaces/payments/repos/ledger-api/access"
	sharedAccess   = "/v2/manage/namespaces/shared/access"
	imagesAccess   = "/v2/manage/namespaces/shared/repos/base$images/access"
	scratchAccess  = "/v2/manage/namespaces/shared/repos/scratch/access"
	reposList      = "/v2/manage/repos"
)

// The writes that bring each grant list of the seed in line with
// testdata/directory.yaml.
var (
	paymentsWrites = []write{
		{"POST", paymentsAccess, `[{"user_id":"u-carol","user_name":"carol","auth":3}]`},
		{"PATCH", paymentsAccess, `[{"user_id":"u-alice","user_name":"alice","auth":7},{"user_id":"u-erin","user_name":"erin","auth":3}]`},
		{"DELETE", paymentsAccess, `["u-mallory"]`},
	}
	// The directory does not name payments/app, and payments is managed:
	// a full run removes its console grants (the keep user stays).
	appWrites = []write{
		{"DELETE", appAccess, `["u-mallory"]`},
	}
	ledgerWrites = []write{
		{"POST", ledgerAccess, `[{"user_id":"u-dave","user_name":"dave","auth":1}]`},
		{"DELETE", ledgerAccess, `["u-trudy"]`},
	}
	sharedWrites = []write{
		{"POST", sharedAccess, `[{"user_id":"u-bob","user_name":"bob","auth":1},{"user_id":"u-erin","user_name":"erin","auth":3}]`},
	}
	imagesWrites = []write{
		{"POST", imagesAccess, `[{"user_id":"u-dave","user_name":"dave","auth":3}]`},
	}
	// fullRunWrites are all of them, in the order of a full run:
	// namespaces in name order, each followed by its repositories in name
	// order.
	fullRunWrites = slices.Concat(paymentsWrites, appWrites, ledgerWrites, sharedWrites, imagesWrites)
)

// testDirectory returns the test directory file's content.
func testDirectory(t testing.TB) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join("testdata", "directory.yaml"))
	require.NoError(t, err)
	return string(data)
}

// writeDirectory stores content as a directory file and returns its path.
func writeDirectory(t testing.TB, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "directory.yaml")
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// newJob returns a job reading the directory file holding content.
func (h *harness) newJob(content string, dryRun bool) *testJob {
	return newTestJob(h.client, grantsync.Config{
		Directory: writeDirectory(h.t, content),
		DryRun:    dryRun,
		Logger:    slog.New(slog.DiscardHandler),
	})
}

// testJob is a grant-sync job in the runner the functions and the CLI
// use, on the test clock.
type testJob struct {
	*function.Runner
	Job *grantsync.Job
}

func newTestJob(c *swr.Client, cfg grantsync.Config) *testJob {
	job := grantsync.New(c, cfg)
	return &testJob{Runner: function.NewRunner(job, function.RunnerOptions{Client: c, Now: testNow, Logger: slog.New(slog.DiscardHandler)}), Job: job}
}

// Reconcile runs one grant sync as the CLI does: of everything, or
// (dryRun false) of the targets only.
func (j *testJob) Reconcile(ctx context.Context, dryRun bool, targets ...grantsync.Target) (*report.Report, error) {
	evs := []events.Event{{ID: uuid.NewString(), Source: "test", Time: testNow(), Kind: events.KindGrantSyncRequested,
		Payload: events.GrantSyncRequested{DryRun: dryRun}}}
	if len(targets) > 0 {
		evs = nil
		for _, t := range targets {
			evs = append(evs, events.Event{ID: uuid.NewString(), Source: "test", Time: testNow(), Kind: events.KindGrantsChanged,
				Payload: events.GrantsChanged{Namespace: t.Namespace, Repository: t.Repository}})
		}
	}
	return j.Handle(ctx, evs)
}

// tick is a scheduled full grant sync.
func tick(id string) events.Event {
	return events.Event{ID: id, Source: "test", Type: events.TypeGrantSyncRequested, Time: testNow(),
		Kind: events.KindGrantSyncRequested, Payload: events.GrantSyncRequested{}}
}

// grantsChanged is a console edit of the grants of ns (or of repo in it).
func grantsChanged(id, ns, repo string) events.Event {
	return events.Event{ID: id, Source: "HC.SWR", Type: "SWR:CloudTrace:ApiCall", Time: testNow(),
		Kind: events.KindGrantsChanged, Payload: events.GrantsChanged{Namespace: ns, Repository: repo}}
}

// handle runs the job on evs and checks it returned no error.
func handle(t *testing.T, j *testJob, evs ...events.Event) *report.Report {
	t.Helper()
	rep, err := j.Handle(context.Background(), evs)
	require.NoError(t, err)
	require.NotNil(t, rep)
	return rep
}

// findingCodes lists the codes of the report's findings.
func findingCodes(rep *report.Report) []string {
	var out []string
	for _, f := range rep.Findings {
		out = append(out, f.Code)
	}
	return out
}

// findingOf returns the first finding with code.
func findingOf(t *testing.T, rep *report.Report, code string) report.Finding {
	t.Helper()
	for _, f := range rep.Findings {
		if f.Code == code {
			return f
		}
	}
	require.Failf(t, "finding missing", "no %s finding in %v", code, findingCodes(rep))
	return report.Finding{}
}

// statuses counts the report's changes by status.
func statuses(rep *report.Report) map[report.Status]int {
	out := map[report.Status]int{}
	for _, c := range rep.Changes {
		out[c.Status]++
	}
	return out
}

// replaceLine swaps one exact line of content for another.
func replaceLine(t testing.TB, content, old, repl string) string {
	t.Helper()
	require.Contains(t, content, old)
	return strings.Replace(content, old, repl, 1)
}

func grant(id, name string, auth int) swrtest.SeedGrant {
	return swrtest.SeedGrant{UserID: id, UserName: name, Auth: auth}
}

// seedRepo is a seed adding repository repo, with grants, to namespace ns.
func seedRepo(ns, repo string, grants ...swrtest.SeedGrant) swrtest.Seed {
	return swrtest.Seed{Namespaces: []swrtest.SeedNamespace{{Name: ns,
		Repositories: []swrtest.SeedRepository{{Name: repo, Grants: grants}}}}}
}

// onRequest sets the function called before each request is served.
func (h *harness) onRequest(fn func(r *http.Request)) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.before = fn
}

// answerWith sets the function that may answer requests in place of the
// emulator.
func (h *harness) answerWith(fn func(w http.ResponseWriter, r *http.Request) bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.answer = fn
}
