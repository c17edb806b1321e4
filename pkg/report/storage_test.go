package report

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func storageReport() *Report {
	r := &Report{Job: "sweep", Changes: []Change{
		{Kind: "retention", Op: OpCreate, Namespace: "prod", Repository: "api", Status: StatusApplied,
			Impact: &Impact{TotalTags: 5, Keep: []string{"a", "b"}, Delete: []string{"c", "d", "e"}, FreedBytes: 3 << 20,
				Deployed: []DeployedTag{{Tag: "b", Trigger: "deploy-api", At: "2026-11-29T12:00:00Z"}}}},
		{Kind: "retention", Op: OpUpdate, Namespace: "prod", Repository: "web", Status: StatusPlanned,
			Impact: &Impact{TotalTags: 4, Keep: []string{"x"}, Delete: []string{"y"}, FreedBytes: 1 << 20,
				Uncertain:           []UncertainTag{{Tag: "t1", Reason: "deleted if ties=asc, kept if ties=desc"}, {Tag: "t2", Reason: "deleted if ties=desc, kept if ties=asc"}},
				UncertainFreedBytes: 2 << 20}},
		{Kind: "retention", Op: OpCreate, Namespace: "dev", Repository: "tools", Status: StatusApplied,
			Impact: &Impact{TotalTags: 4, Keep: []string{"p"}, Delete: []string{"q", "r", "s"}, FreedBytes: 5 << 30}},
		// A refused write deletes nothing, and counts nothing.
		{Kind: "retention", Op: OpCreate, Namespace: "dev", Repository: "big", Status: StatusRefused,
			Impact: &Impact{TotalTags: 9, Delete: []string{"1", "2", "3", "4", "5", "6", "7", "8"}, FreedBytes: 1 << 40}},
	}}
	r.Tally()
	return r
}

func TestStorageTotalsPerNamespaceAndReport(t *testing.T) {
	r := storageReport()
	require.NotNil(t, r.Storage)
	assert.Equal(t, []StorageTotals{
		{Namespace: "dev", Repositories: 1, KeptTags: 1, DeletedTags: 3, FreedBytes: 5 << 30},
		{Namespace: "prod", Repositories: 2, KeptTags: 3, DeletedTags: 4, UncertainTags: 2, FreedBytes: 4 << 20, UncertainFreedBytes: 2 << 20},
	}, r.Storage.Namespaces)
	assert.Equal(t, StorageTotals{Repositories: 3, KeptTags: 4, DeletedTags: 7, UncertainTags: 2, FreedBytes: 5<<30 + 4<<20, UncertainFreedBytes: 2 << 20}, r.Storage.Total)
	assert.Nil(t, (&Report{}).Storage)
	assert.Nil(t, StorageOf([]Change{{Kind: "trigger", Status: StatusApplied}}))

	// Truncated impacts keep their counts.
	r.Changes[0].Impact.Truncate(0)
	r.Tally()
	assert.Equal(t, 7, r.Storage.Total.DeletedTags)
}

func TestStorageInJSONTableAndHTML(t *testing.T) {
	r := storageReport()
	var js bytes.Buffer
	require.NoError(t, r.WriteJSON(&js))
	var decoded struct {
		Storage Storage `json:"storage"`
		Changes []struct {
			Impact struct {
				Freed    int64         `json:"freed_bytes_upper_bound"`
				Deployed []DeployedTag `json:"deployed"`
			} `json:"impact"`
		} `json:"changes"`
	}
	require.NoError(t, json.Unmarshal(js.Bytes(), &decoded))
	assert.Equal(t, *r.Storage, decoded.Storage)
	assert.Equal(t, int64(3<<20), decoded.Changes[0].Impact.Freed)
	assert.Equal(t, "deploy-api", decoded.Changes[0].Impact.Deployed[0].Trigger)

	var tb bytes.Buffer
	require.NoError(t, r.WriteTable(&tb))
	table := tb.String()
	assert.Contains(t, table, "storage: retention deletes 7 of 13 tags in 3 repositories and may delete 2 more (uncertain), freeing at most 5.0 GiB (+2.0 MiB if the uncertain tags go too) (an upper bound")
	assert.Regexp(t, `dev\s+1\s+1\s+3\s+0\s+5\.0 GiB\n`, table)
	assert.Regexp(t, `prod\s+2\s+3\s+4\s+2\s+4\.0 MiB \(\+2\.0 MiB if the uncertain tags go too\)\n`, table)
	assert.Contains(t, table, "deletes 3 of 5 tags; frees at most 3.0 MiB; keeps b (deployed by trigger deploy-api at 2026-11-29T12:00:00Z)")
	assert.Contains(t, table, "deletes 1 of 4 tags; 2 uncertain; frees at most 1.0 MiB (+2.0 MiB if the uncertain tags go too)")

	var h bytes.Buffer
	require.NoError(t, r.WriteHTML(&h))
	page := h.String()
	svg := page[strings.Index(page, "<svg"):strings.Index(page, "</svg>")]
	assert.Contains(t, svg, `role="img"`)
	assert.Contains(t, svg, "<title>prod</title>prod</text>")
	assert.Contains(t, svg, "3 kept · 4 deleted · 2 uncertain")
	assert.Contains(t, svg, "<title>prod: 2 tags uncertain</title>")
	assert.Contains(t, svg, "<title>prod: 2.0 MiB more if the uncertain tags go too</title>")
	assert.Contains(t, svg, "≤ 5.0 GiB freed")
	assert.Contains(t, svg, "<title>dev: 3 tags deleted</title>")
	assert.NotContains(t, page, "http://", "no external assets")
	assert.NotContains(t, page, "https://")
	assert.NotContains(t, page, "<script")
	assert.Contains(t, page, "kept because deployed: <code>b</code> (trigger <code>deploy-api</code> at 2026-11-29T12:00:00Z)")
}

func TestFormatBytes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 B", 1023: "1023 B", 1024: "1.0 KiB", 1536: "1.5 KiB", 20 << 20: "20.0 MiB", 3 << 40: "3.0 TiB"} {
		assert.Equal(t, want, FormatBytes(n), "%d", n)
	}
}

func TestChartScalesBarsToTheLargestNamespace(t *testing.T) {
	s := &Storage{Namespaces: []StorageTotals{
		{Namespace: "a", KeptTags: 10, DeletedTags: 20, UncertainTags: 10, FreedBytes: 75, UncertainFreedBytes: 25},
		{Namespace: "b<x>", KeptTags: 1, DeletedTags: 1, FreedBytes: 1},
	}}
	svg := string(storageChart(s))
	assert.Contains(t, svg, `x="150" y="35" width="100" height="14" fill="#11743b"`, "a: 10 of 40 tags kept, a quarter of the bar")
	assert.Contains(t, svg, `x="250" y="35" width="200" height="14" fill="#b42318"`, "then 20 deleted")
	assert.Contains(t, svg, `x="450" y="35" width="100" height="14" fill="#d08700"`, "then 10 uncertain")
	assert.Contains(t, svg, `x="150" y="52" width="300" height="8" fill="#2356b5"`, "a may free most: 75 of a full bar")
	assert.Contains(t, svg, `x="450" y="52" width="100" height="8" fill="#9db6e4"`, "and 25 more if the uncertain go")
	assert.Contains(t, svg, `width="4" height="8"`, "b frees 1/100")
	assert.Contains(t, svg, "b&lt;x&gt;")
	assert.NotContains(t, svg, "b<x>")
	assert.Empty(t, storageChart(nil))

	long := "a-namespace-name-of-forty-characters-xyz"
	svg = string(storageChart(&Storage{Namespaces: []StorageTotals{{Namespace: long, KeptTags: 1}}}))
	assert.Contains(t, svg, "<title>"+long+"</title>a-namespace-name-of…</text>", "cut to fit, whole in the tooltip")
}
