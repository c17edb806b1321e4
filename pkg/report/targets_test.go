package report_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/report"
)

func TestReportsGroupByTarget(t *testing.T) {
	dr := &report.Report{Job: "sweep", Counts: report.Counts{Scanned: 2, Conformant: 1},
		Findings: []report.Finding{{Code: "sync.replica_missing_tags", Severity: report.SeverityWarning, Namespace: "team", Repository: "web", Subject: "cn-east-3/team", Message: "missing"}},
		Cursor:   "v2:team:1:web"}
	primary := &report.Report{Job: "sweep", Counts: report.Counts{Scanned: 3, Conformant: 2},
		Changes: []report.Change{{Kind: "sync_images", Op: report.OpCreate, Namespace: "team", Repository: "web", Subject: "cn-east-3/team", Status: report.StatusApplied}},
		Errors:  []report.RepoError{{Namespace: "team", Op: "list repositories", Error: "boom"}}}
	dr.Tally()
	primary.Tally()

	total := &report.Report{Job: "sweep"}
	total.AddTarget("dr", dr)
	total.AddTarget("primary", primary)
	assert.Equal(t, 5, total.Counts.Scanned)
	assert.Equal(t, []string{"dr", "primary"}, total.Targets())
	assert.Equal(t, report.Counts{Scanned: 2, Conformant: 1, Findings: map[string]int{"sync.replica_missing_tags": 1}}, total.ByTarget["dr"])
	assert.Equal(t, 1, total.ByTarget["primary"].Changed)
	assert.Equal(t, 1, total.ByTarget["primary"].Errors)
	assert.Equal(t, "v2:team:1:web", total.Cursor)
	assert.Equal(t, "dr", total.CursorTarget)
	assert.Empty(t, dr.Findings[0].Target, "the target's own report is left alone")

	var table bytes.Buffer
	require.NoError(t, total.WriteTable(&table))
	out := table.String()
	assert.Contains(t, out, `continue from cursor "v2:team:1:web" of target dr`)
	assert.Regexp(t, `TARGET\s+SCANNED\s+CONFORMANT\s+CHANGED\s+REFUSED\s+FINDINGS\s+ERRORS\n\s*dr\s+2\s+1\s+0\s+0\s+1\s+0\n\s*primary\s+3\s+2\s+1\s+0\s+0\s+1\n`, out)
	assert.Contains(t, out, "primary:team/web#cn-east-3/team")
	assert.Contains(t, out, "dr:team/web#cn-east-3/team")
	assert.Contains(t, out, "primary:team")

	var js bytes.Buffer
	require.NoError(t, total.WriteJSON(&js))
	var decoded struct {
		ByTarget map[string]report.Counts `json:"by_target"`
		Findings []map[string]any         `json:"findings"`
		Changes  []map[string]any         `json:"changes"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.Len(t, decoded.ByTarget, 2)
	assert.Equal(t, "dr", decoded.Findings[0]["target"])
	assert.Equal(t, "primary", decoded.Changes[0]["target"])

	var html bytes.Buffer
	require.NoError(t, total.WriteHTML(&html))
	assert.Contains(t, html.String(), "<h2>Targets</h2>")
	assert.Contains(t, html.String(), "<code>dr:team/web#cn-east-3/team</code>")

	assert.Equal(t, total.ByTarget, total.Summary().ByTarget, "HTTP callers get the counts per target")

	// Storage is totalled per target and namespace.
	withImpact := &report.Report{Changes: []report.Change{{Kind: "retention", Namespace: "team", Repository: "web", Status: report.StatusApplied,
		Impact: &report.Impact{TotalTags: 3, Keep: []string{"a"}, Delete: []string{"b", "c"}}}}}
	withImpact.Tally()
	st := &report.Report{}
	st.AddTarget("dr", withImpact)
	st.AddTarget("primary", withImpact)
	require.NotNil(t, st.Storage)
	require.Len(t, st.Storage.Namespaces, 2)
	assert.Equal(t, "dr:team", st.Storage.Namespaces[0].Namespace)
	assert.Equal(t, "primary:team", st.Storage.Namespaces[1].Namespace)
	assert.Equal(t, 4, st.Storage.Total.DeletedTags)

	// Without targets nothing of this shows.
	var plain bytes.Buffer
	require.NoError(t, primary.WriteJSON(&plain))
	assert.NotContains(t, plain.String(), "target")
}
