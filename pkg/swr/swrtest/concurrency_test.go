package swrtest_test

import (
	"fmt"
	"net/http"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// TestConcurrentRequests drives writers, readers and pushes at once; run
// with -race it proves the server is safe for concurrent use.
func TestConcurrentRequests(t *testing.T) {
	srv := newServer(t, swrtest.WithNamespaceQuota(10))
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")

	const workers, perWorker = 6, 10
	var wg sync.WaitGroup
	errs := make(chan string, workers*perWorker*3)
	for w := range workers {
		wg.Go(func() {
			wc := newClient(t, srv)
			for i := range perWorker {
				name := fmt.Sprintf("w%d/r%02d", w, i)
				if r := wc.do(http.MethodPost, nsPath+"/team-a/repos", nil, map[string]any{"repository": name, "is_public": false}); r.Status != http.StatusOK {
					errs <- fmt.Sprintf("create %s: %d %s", name, r.Status, r.Body)
				}
				if err := srv.PushTag("team-a", name, "v1", testNow()); err != nil {
					errs <- err.Error()
				}
				if r := wc.do(http.MethodGet, "/v2/manage/repos", url.Values{"offset": {"0"}, "limit": {"1000"}}, nil); r.Status != http.StatusOK {
					errs <- fmt.Sprintf("list: %d", r.Status)
				}
				if r := wc.do(http.MethodPost, repoPath("team-a", name)+"/retentions", nil, tagRule("1")); r.Status != http.StatusCreated {
					errs <- fmt.Sprintf("retention %s: %d %s", name, r.Status, r.Body)
				}
				_ = srv.State()
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	st := srv.State()
	require.Equal(t, workers*perWorker, st.RepositoryCount())
	assert.Equal(t, 1+workers*perWorker*2, srv.Writes(), "the namespace, then a repository and a rule each")
	assert.Equal(t, workers*perWorker, srv.Counts()["GET /v2/manage/repos"])
}
