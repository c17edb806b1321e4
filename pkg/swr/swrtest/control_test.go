package swrtest_test

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// control calls an /_emulator/ endpoint without any credentials.
func control(t *testing.T, srv *swrtest.Server, method, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(method, srv.URL+"/_emulator/"+path, bytes.NewReader(body))
	require.NoError(t, err)
	resp, err := srv.Client().Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	return resp.StatusCode, data
}

func TestControlEndpoints(t *testing.T) {
	srv := newServer(t)
	c := newClient(t, srv)

	seedYAML, err := os.ReadFile("testdata/seed.yaml")
	require.NoError(t, err)
	code, _ := control(t, srv, http.MethodPost, "seed", seedYAML)
	require.Equal(t, http.StatusNoContent, code)
	code, body := control(t, srv, http.MethodPost, "seed", []byte("namespaces: [{name: BAD}]"))
	require.Equal(t, http.StatusBadRequest, code)
	assert.Contains(t, string(body), "invalid namespace name")

	code, body = control(t, srv, http.MethodGet, "state", nil)
	require.Equal(t, http.StatusOK, code)
	var snap swrtest.Snapshot
	require.NoError(t, json.Unmarshal(body, &snap))
	assert.Equal(t, srv.State().RepositoryCount(), snap.RepositoryCount())
	assert.Equal(t, 2, snap.RepositoryCount())

	code, _ = control(t, srv, http.MethodPost, "generate", []byte(`{"namespaces":2,"repos_per_namespace":5,"tags_per_repo":2,"seed":1,"namespace_prefix":"gen","max_age":"30d"}`))
	require.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, 12, srv.State().RepositoryCount())

	code, _ = control(t, srv, http.MethodPost, "push", []byte(`{"namespace":"team-b","repository":"db","tag":"v9"}`))
	require.Equal(t, http.StatusNoContent, code)
	repo, _ := srv.State().Repository("team-b", "db")
	assert.Equal(t, []string{"v9"}, repo.TagNames())

	requireStatus(t, c.get(nsPath), http.StatusOK)
	code, body = control(t, srv, http.MethodGet, "counts", nil)
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"counts":{"GET /v2/manage/namespaces":1},"writes":0}`, string(body))
	code, body = control(t, srv, http.MethodGet, "requests", nil)
	require.Equal(t, http.StatusOK, code)
	var recs []swrtest.RequestRecord
	require.NoError(t, json.Unmarshal(body, &recs))
	require.Len(t, recs, 1, "control calls are not logged")
	code, _ = control(t, srv, http.MethodDelete, "requests", nil)
	require.Equal(t, http.StatusNoContent, code)
	assert.Empty(t, srv.Requests())

	code, body = control(t, srv, http.MethodPost, "clock", []byte(`{"now":"2030-01-01T00:00:00Z"}`))
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"now":"2030-01-01T00:00:00Z"}`, string(body))
	code, body = control(t, srv, http.MethodPost, "clock", []byte(`{"advance":"2d"}`))
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"now":"2030-01-03T00:00:00Z"}`, string(body))
	assert.Equal(t, time.Date(2030, 1, 3, 0, 0, 0, 0, time.UTC), srv.Now())
	code, _ = control(t, srv, http.MethodPost, "retentions/run", nil)
	require.Equal(t, http.StatusOK, code)

	code, _ = control(t, srv, http.MethodPost, "faults", []byte(`{"rate_503":1,"seed":3,"slow":"1ms"}`))
	require.Equal(t, http.StatusNoContent, code)
	assert.Equal(t, swrtest.Faults{Rate503: 1, Seed: 3, Slow: time.Millisecond}, srv.Faults())
	code, body = control(t, srv, http.MethodGet, "faults", nil)
	require.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"rate_500":0,"rate_503":1,"rate_reset":0,"slow":"1ms","rate_slow":0,"seed":3}`, string(body))
	srv.Set(swrtest.WithClock(fixedClock(testNow())))
	requireStatus(t, c.get(nsPath), http.StatusServiceUnavailable)
	code, _ = control(t, srv, http.MethodGet, "state", nil)
	assert.Equal(t, http.StatusOK, code, "faults never touch the controls")

	code, _ = control(t, srv, http.MethodPost, "reset", nil)
	require.Equal(t, http.StatusNoContent, code)
	assert.Empty(t, srv.State().Namespaces)
}
