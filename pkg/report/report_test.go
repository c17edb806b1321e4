package report

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cloudevents/sdk-go/v2/event"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func sample() *Report {
	r := &Report{
		Job:      "sweep",
		Started:  time.Date(2026, 11, 29, 12, 0, 0, 0, time.UTC),
		Duration: Duration(1500 * time.Millisecond),
		Counts:   Counts{Scanned: 3, Conformant: 1},
		Changes: []Change{
			{Kind: "retention", Op: OpCreate, Namespace: "team", Repository: "web/app", Status: StatusApplied,
				Impact: &Impact{TotalTags: 4, Keep: []string{"v3", "v4"}, Delete: []string{"v1", "<script>alert(1)</script>"}}},
			{Kind: "retention", Op: OpReplace, Namespace: "team", Repository: "db", Status: StatusRefused, Reason: "would delete 90% of tags"},
		},
		Findings: []Finding{
			{Code: "visibility.public_not_allowed", Severity: SeverityWarning, Namespace: "team", Repository: "db", Message: "public"},
			{Code: "retention.guard.max_fraction", Severity: SeverityCritical, Namespace: "team", Repository: "db", Message: "refused"},
			{Code: "visibility.public_not_allowed", Severity: SeverityWarning, Namespace: "team", Repository: "x", Message: "public"},
		},
		Errors: []RepoError{{Namespace: "team", Repository: "y", Op: "list retentions", Error: "HTTP 500"}},
	}
	r.Tally()
	return r
}

func TestTallyCountsChangesFindingsAndErrors(t *testing.T) {
	r := sample()
	assert.Equal(t, 1, r.Counts.Changed)
	assert.Equal(t, 1, r.Counts.Refused)
	assert.Equal(t, 1, r.Counts.Errors)
	assert.Equal(t, map[string]int{"visibility.public_not_allowed": 2, "retention.guard.max_fraction": 1}, r.Counts.Findings)
}

func TestMergeAddsUp(t *testing.T) {
	a, b := sample(), sample()
	a.APICalls, b.APICalls = 10, 5
	a.Merge(b)
	assert.Equal(t, 6, a.Counts.Scanned)
	assert.Equal(t, 2, a.Counts.Changed)
	assert.Equal(t, 2, a.Counts.Errors)
	assert.Equal(t, int64(15), a.APICalls)
	assert.Len(t, a.Findings, 6)
}

func TestJSONRoundTrip(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, sample().WriteJSON(&buf))
	assert.Contains(t, buf.String(), `"duration": "1.5s"`)
	var back Report
	require.NoError(t, json.Unmarshal(buf.Bytes(), &back))
	assert.Equal(t, sample(), &back)
}

func TestTableListsEverything(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, sample().WriteTable(&buf))
	out := buf.String()
	for _, want := range []string{"scanned 3", "changed 1", "refused 1", "team/web/app", "deletes 2 of 4 tags",
		"would delete 90% of tags", "retention.guard.max_fraction", "list retentions", "HTTP 500"} {
		assert.Contains(t, out, want)
	}
	// Critical findings come first.
	assert.Less(t, strings.Index(out, "retention.guard.max_fraction"), strings.Index(out, "visibility.public_not_allowed"))
}

func TestHTMLIsSelfContainedAndEscaped(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, sample().WriteHTML(&buf))
	out := buf.String()
	assert.True(t, strings.HasPrefix(out, "<!doctype html>"))
	assert.NotContains(t, out, "<script>alert(1)</script>")
	assert.Contains(t, out, "&lt;script&gt;alert(1)&lt;/script&gt;")
	assert.NotContains(t, out, "src=")
	assert.NotContains(t, out, "<link")
	assert.Contains(t, out, "team/web/app")
	assert.Contains(t, out, "HTTP 500")
}

func TestSinkPublishesChangesFindingsAndSummary(t *testing.T) {
	var mu sync.Mutex
	var types, subjects []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		types = append(types, r.Header.Get("Ce-Type"))
		subjects = append(subjects, r.Header.Get("Ce-Subject"))
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	r := sample()
	require.NoError(t, Sink{URL: srv.URL}.Publish(context.Background(), r))
	assert.Len(t, types, len(r.Changes)+len(r.Findings)+1)
	assert.Equal(t, EventTypeFinding, types[0], "findings first")
	assert.Equal(t, "team/db", subjects[0], "the critical finding leads")
	assert.Equal(t, EventTypeChange, types[len(r.Findings)])
	assert.Equal(t, "team/web/app", subjects[len(r.Findings)])
	assert.Equal(t, EventTypeReport, types[len(types)-1])
}

func TestSinkReportsFailure(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusInternalServerError)
	}))
	defer srv.Close()
	err := Sink{URL: srv.URL}.Publish(context.Background(), sample())
	require.Error(t, err)
	assert.Contains(t, err.Error(), "sent 0 events")
}

func TestImpactTruncateKeepsCounts(t *testing.T) {
	i := Impact{TotalTags: 5, Keep: []string{"a", "b"}, Delete: []string{"c", "d", "e"}}
	i.Truncate(1)
	assert.Equal(t, []string{"a"}, i.Keep)
	assert.Equal(t, []string{"c"}, i.Delete)
	assert.Equal(t, 2, i.Keeps())
	assert.Equal(t, 3, i.Deletes())
	assert.InDelta(t, 0.6, i.DeleteFraction(), 1e-9)
	i.Truncate(0)
	assert.Empty(t, i.Delete)
	assert.Equal(t, 3, i.Deletes(), "counts survive a second cut")

	r := sample()
	r.Changes[0].Impact.Truncate(1)
	var buf bytes.Buffer
	require.NoError(t, r.WriteHTML(&buf))
	assert.Contains(t, buf.String(), "and 1 more")
	buf.Reset()
	require.NoError(t, r.WriteTable(&buf))
	assert.Contains(t, buf.String(), "deletes 2 of 4 tags")
}

func TestCompactBoundsListsButKeepsCounts(t *testing.T) {
	r := sample()
	before := r.Counts
	c := r.Compact(1, 1)
	assert.Len(t, c.Changes, 1)
	require.Len(t, c.Findings, 1)
	assert.Equal(t, SeverityCritical, c.Findings[0].Severity, "the most severe finding is the one kept")
	assert.Len(t, c.Errors, 1)
	assert.Equal(t, 1+2, c.Omitted)
	assert.Equal(t, before, c.Counts)
	assert.Equal(t, []string{"v1"}, c.Changes[0].Impact.Delete)
	assert.Equal(t, 2, c.Changes[0].Impact.Deletes())
	assert.Len(t, r.Changes[0].Impact.Delete, 2, "the original is untouched")
	s := r.Summary()
	assert.Equal(t, 3, s.Findings)
	assert.Equal(t, before, s.Counts)
}

func TestSinkSendsAtMostMaxEvents(t *testing.T) {
	var mu sync.Mutex
	var types []string
	var last []byte
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		types = append(types, r.Header.Get("Ce-Type"))
		last, _ = io.ReadAll(r.Body)
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	r := sample()
	require.NoError(t, Sink{URL: srv.URL, MaxEvents: 2}.Publish(context.Background(), r))
	assert.Equal(t, []string{EventTypeFinding, EventTypeFinding, EventTypeReport}, types, "a bound never hides findings behind changes")
	assert.Contains(t, string(last), `"omitted_events":3`)
}

type level string

func (l level) String() string { return string(l) }

func TestDetailDescribesBeforeAndAfter(t *testing.T) {
	assert.Equal(t, "read → write", Change{Before: level("read"), After: level("write")}.Detail())
	assert.Equal(t, "→ write", Change{After: level("write")}.Detail())
	assert.Equal(t, "read →", Change{Before: level("read")}.Detail())
	assert.Equal(t, "", Change{Before: map[string]int{"a": 1}}.Detail(), "plain values stay in the JSON")
}

// Data that came from SWR cannot drive the terminal: escape sequences,
// bells, carriage returns and bidirectional overrides are dropped from the
// table, and tabs and newlines cannot break its rows.
func TestTableStripsControlCharacters(t *testing.T) {
	hostile := "deploy\x1b]0;owned\x07\x1b[2J\rfake line\n\tFINDING\u202eevil\x9b31m"
	r := &Report{Job: "sweep",
		Findings: []Finding{{Code: "trigger.unexpected_cluster", Severity: SeverityWarning, Namespace: "team", Repository: "web",
			Subject: "trigger:" + hostile, Message: "trigger " + hostile + " deploys to an unknown cluster"}},
		Errors: []RepoError{{Namespace: "team", Repository: "web", Op: "list triggers", Error: "SWR said: " + hostile}},
	}
	var buf bytes.Buffer
	require.NoError(t, r.WriteTable(&buf))
	out := buf.String()
	for _, bad := range []string{"\x1b", "\x07", "\r", "\u202e", "\x9b", "\tFINDING"} {
		assert.NotContains(t, out, bad)
	}
	assert.Contains(t, out, "deploy]0;owned[2J fake line  FINDINGevil31m", "the printable rest is kept")
	assert.Equal(t, 8, strings.Count(out, "\n"), "two header lines, then a blank line, a heading and one line per row: %q", out)
	assert.Equal(t, "plain · ünïcode ✓", Printable("plain · ünïcode ✓"))
}

// A sink takes events as they are, e.g. a sweep's continuation, and a
// sink that is down fails without quoting its URL's token.
func TestSinkEnqueuesEventsAsTheyAre(t *testing.T) {
	var got []string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = append(got, r.Header.Get("Ce-Type")+" "+r.Header.Get("Ce-Id"))
		w.WriteHeader(http.StatusAccepted)
	}))
	defer srv.Close()
	e := event.New()
	e.SetID("cont-1")
	e.SetSource("/sweep")
	e.SetType("io.swrautopilot.sweep.requested")
	require.NoError(t, Sink{URL: srv.URL}.Enqueue(t.Context(), []event.Event{e}))
	assert.Equal(t, []string{"io.swrautopilot.sweep.requested cont-1"}, got)

	srv.Close()
	err := Sink{URL: srv.URL + "/x?sig=SINKTOKEN1"}.Enqueue(t.Context(), []event.Event{e})
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SINKTOKEN1")
	err = Sink{URL: "http://u:SINKPASS2@" + strings.TrimPrefix(srv.URL, "http://") + "/?sig=SINKTOKEN3"}.Publish(t.Context(), sample())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "SINKPASS2")
	assert.NotContains(t, err.Error(), "SINKTOKEN3")
}

func TestSinkSendsBinaryModeCloudEvents(t *testing.T) {
	var got []*http.Request
	var bodies [][]byte
	var mu sync.Mutex
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		mu.Lock()
		got, bodies = append(got, r), append(bodies, b)
		mu.Unlock()
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()
	r := &Report{Job: "onpush", Changes: []Change{{Namespace: "team", Repository: "web/app"}}}
	require.NoError(t, Sink{URL: srv.URL}.Publish(context.Background(), r))
	require.Len(t, got, 2)
	first := got[0]
	assert.Equal(t, http.MethodPost, first.Method)
	assert.Equal(t, "1.0", first.Header.Get("Ce-Specversion"))
	assert.NotEmpty(t, first.Header.Get("Ce-Id"))
	assert.NotEqual(t, first.Header.Get("Ce-Id"), got[1].Header.Get("Ce-Id"), "every event has its own id")
	assert.Equal(t, "swr-autopilot/onpush", first.Header.Get("Ce-Source"))
	_, err := time.Parse(time.RFC3339Nano, first.Header.Get("Ce-Time"))
	assert.NoError(t, err, "Ce-Time is set")
	assert.Equal(t, "application/json", first.Header.Get("Content-Type"))
	var ch Change
	require.NoError(t, json.Unmarshal(bodies[0], &ch), "the body is the change as JSON")
	assert.Equal(t, "web/app", ch.Repository)
}

func TestSinkErrorsNameNoCredentials(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {}))
	srv.Close() // refuses connections
	u := strings.Replace(srv.URL, "http://", "http://user:sink-password@", 1) + "/?token=sink-token"
	err := Sink{URL: u}.Publish(context.Background(), sample())
	require.Error(t, err)
	assert.NotContains(t, err.Error(), "sink-password")
	assert.NotContains(t, err.Error(), "sink-token")
}

func uncertainSample() *Report {
	return &Report{Job: "apply", Changes: []Change{{
		Kind: "retention", Op: OpCreate, Namespace: "team", Repository: "web", Status: StatusApplied,
		Impact: &Impact{TotalTags: 5, Keep: []string{"v5"}, Delete: []string{"v1", "v2"}, Uncertain: []UncertainTag{
			{Tag: "v3", Reason: "deleted if ties=desc, kept if ties=asc"},
			{Tag: "v4", Reason: "deleted if ties=asc, kept if ties=desc"},
		}},
	}}}
}

func TestUncertainTagsAreShownWithTheirReason(t *testing.T) {
	r := uncertainSample()
	imp := r.Changes[0].Impact
	assert.Equal(t, 2, imp.Deletes())
	assert.Equal(t, 2, imp.Uncertains())
	assert.Equal(t, 4, imp.AtRisk())
	assert.InDelta(t, 0.8, imp.AtRiskFraction(), 1e-9)

	var table bytes.Buffer
	require.NoError(t, r.WriteTable(&table))
	assert.Contains(t, table.String(), "deletes 2 of 5 tags; 2 uncertain")
	assert.Contains(t, table.String(), "UNCERTAIN TAG  RESOURCE  REASON\nv3             team/web  deleted if ties=desc, kept if ties=asc\nv4             team/web  deleted if ties=asc, kept if ties=desc\n")

	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	assert.Contains(t, js.String(), `"uncertain": [`)
	assert.Contains(t, js.String(), `"tag": "v3",`)
	assert.Contains(t, js.String(), `"reason": "deleted if ties=desc, kept if ties=asc"`)
	var back Report
	require.NoError(t, json.Unmarshal(js.Bytes(), &back))
	assert.Equal(t, r.Changes[0].Impact, back.Changes[0].Impact)

	var page bytes.Buffer
	require.NoError(t, r.WriteHTML(&page))
	assert.Contains(t, page.String(), `<div class="uncertain">uncertain (counted as deleted by the guards): <code>v3</code> <span class="reason">(deleted if ties=desc, kept if ties=asc)</span>, <code>v4</code>`)

	imp.Truncate(1)
	assert.Equal(t, []UncertainTag{{Tag: "v3", Reason: "deleted if ties=desc, kept if ties=asc"}}, imp.Uncertain)
	assert.Equal(t, 2, imp.Uncertains(), "the count stays")
	assert.Equal(t, 4, imp.AtRisk())
}
