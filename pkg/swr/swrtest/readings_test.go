package swrtest_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/swr"
	"github.com/swr-autopilot/swr-autopilot/pkg/swr/swrtest"
)

// readingCase executes one rule on fresh tags under reading and returns
// what is left.
func readingCase(t *testing.T, reading string, rule map[string]any, push func(srv *swrtest.Server)) []string {
	t.Helper()
	rd, err := swr.ParseReading(reading)
	require.NoError(t, err)
	srv := newServer(t, swrtest.WithReadings(rd))
	c := newClient(t, srv)
	c.mustCreateNamespace("team-a")
	push(srv)
	requireStatus(t, c.do(http.MethodPost, repoPath("team-a", "app")+"/retentions", nil, rule), http.StatusCreated)
	return remainingTags(t, srv, "team-a", "app")
}

func TestReadingsAnchoring(t *testing.T) {
	rule := retentionBody("tag_rule", map[string]any{"num": "1"}, map[string]string{"kind": "regexp", "pattern": "rc"})
	push := func(srv *swrtest.Server) {
		for i, tag := range []string{"v1-rc1", "rc", "v1", "v2"} {
			require.NoError(t, srv.PushTag("team-a", "app", tag, testNow().Add(-time.Duration(10-i)*time.Hour)))
		}
	}
	assert.Equal(t, []string{"rc", "v1-rc1", "v2"}, readingCase(t, "", rule, push), "substring: v1-rc1 is an exception")
	assert.Equal(t, []string{"rc", "v2"}, readingCase(t, "anchoring=whole", rule, push), "whole: only rc is")
}

func TestReadingsTagRuleOrderAndTies(t *testing.T) {
	rule := tagRule("2")
	push := func(srv *swrtest.Server) {
		old, mid := testNow().Add(-48*time.Hour), testNow().Add(-24*time.Hour)
		require.NoError(t, srv.PushTag("team-a", "app", "base", old))
		require.NoError(t, srv.PushTag("team-a", "app", "a", mid))
		require.NoError(t, srv.PushTag("team-a", "app", "b", mid))
		require.NoError(t, srv.PushTag("team-a", "app", "base", testNow())) // pushed again: updated now, created 48h ago
	}
	assert.Equal(t, []string{"b", "base"}, readingCase(t, "", rule, push))
	assert.Equal(t, []string{"a", "base"}, readingCase(t, "ties=asc", rule, push))
	assert.Equal(t, []string{"a", "b"}, readingCase(t, "order=created", rule, push))
}

func TestReadingsDateRuleCutoff(t *testing.T) {
	now := testNow() // 2026-03-01T12:00Z, 20:00 in UTC+8
	rule := retentionBody("date_rule", map[string]any{"days": "1"})
	push := func(srv *swrtest.Server) {
		for tag, at := range map[string]time.Time{
			"at-cutoff":     now.Add(-24 * time.Hour),                      // 02-28 12:00Z
			"yesterday-utc": time.Date(2026, 2, 28, 1, 0, 0, 0, time.UTC),  // 02-28 in UTC and in UTC+8
			"late-utc":      time.Date(2026, 2, 28, 20, 0, 0, 0, time.UTC), // 02-28 in UTC, 03-01 in UTC+8
			"two-days":      time.Date(2026, 2, 27, 13, 0, 0, 0, time.UTC),
		} {
			require.NoError(t, srv.PushTag("team-a", "app", tag, at))
		}
	}
	for reading, want := range map[string][]string{
		"":                            {"at-cutoff", "late-utc"},
		"cutoff=inclusive":            {"late-utc"},
		"days=utc":                    {"at-cutoff", "late-utc", "yesterday-utc"},
		"days=utc,cutoff=inclusive":   {},
		"days=utc+8":                  {"at-cutoff", "late-utc", "yesterday-utc"},
		"days=utc+8,cutoff=inclusive": {"late-utc"},
	} {
		got := readingCase(t, reading, rule, push)
		if len(want) == 0 {
			assert.Empty(t, got, reading)
			continue
		}
		assert.Equal(t, want, got, reading)
	}
}

func TestReadingsControl(t *testing.T) {
	srv := newServer(t)
	code, body := control(t, srv, http.MethodGet, "readings", nil)
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"reading":"anchoring=substring,order=updated,ties=desc,cutoff=strict,days=24h"}`, string(body))

	code, body = control(t, srv, http.MethodPost, "readings", []byte(`{"reading":"anchoring=whole,days=utc+8"}`))
	assert.Equal(t, http.StatusOK, code)
	assert.JSONEq(t, `{"reading":"anchoring=whole,order=updated,ties=desc,cutoff=strict,days=utc+8"}`, string(body))
	assert.Equal(t, swr.Reading{Anchoring: swr.AnchorWhole, Days: swr.DaysChinaStd}, srv.Readings())

	code, _ = control(t, srv, http.MethodPost, "readings", []byte(`{"reading":"anchoring=partial"}`))
	assert.Equal(t, http.StatusBadRequest, code)
	code, _ = control(t, srv, http.MethodPost, "readings", []byte(`{}`))
	assert.Equal(t, http.StatusBadRequest, code)
	assert.Equal(t, swr.Reading{Anchoring: swr.AnchorWhole, Days: swr.DaysChinaStd}, srv.Readings(), "a refused change changes nothing")
}

func TestReadingsEnumerateEveryCombination(t *testing.T) {
	all := swr.Readings()
	assert.Len(t, all, 2*2*2*2*3)
	seen := map[swr.Reading]bool{}
	for _, rd := range all {
		assert.False(t, seen[rd])
		seen[rd] = true
		back, err := swr.ParseReading(rd.String())
		require.NoError(t, err)
		assert.Equal(t, rd, back)
	}
	assert.Equal(t, swr.Reading{}, all[0])
}
