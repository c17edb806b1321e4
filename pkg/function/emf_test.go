package function_test

import (
	"bytes"
	"encoding/json"
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/swr-autopilot/swr-autopilot/pkg/function"
)

// countingWriter counts Write calls.
type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(p []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(p)
}

func TestEMFWritesOneEmbeddedMetricLine(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	var w countingWriter
	err := function.EMF(&w, "SWRAutopilot",
		map[string]string{"Function": "retentionsweep", "Job": "sweep"},
		map[string]float64{"ReposScanned": 42, "DurationMs": 1234.5, "RulesWritten": 0, "PayloadBytes": 2048},
		now)
	require.NoError(t, err)

	assert.Equal(t, 1, w.writes)
	out := w.Bytes()
	require.Equal(t, byte('\n'), out[len(out)-1])
	assert.Equal(t, 1, bytes.Count(out, []byte("\n")))

	var doc struct {
		AWS struct {
			Timestamp         int64 `json:"Timestamp"`
			CloudWatchMetrics []struct {
				Namespace  string     `json:"Namespace"`
				Dimensions [][]string `json:"Dimensions"`
				Metrics    []struct {
					Name string `json:"Name"`
					Unit string `json:"Unit"`
				} `json:"Metrics"`
			} `json:"CloudWatchMetrics"`
		} `json:"_aws"`
		Function     string  `json:"Function"`
		Job          string  `json:"Job"`
		ReposScanned float64 `json:"ReposScanned"`
		DurationMs   float64 `json:"DurationMs"`
		RulesWritten *float64
		PayloadBytes float64 `json:"PayloadBytes"`
	}
	require.NoError(t, json.Unmarshal(out, &doc))
	assert.Equal(t, now.UnixMilli(), doc.AWS.Timestamp)
	require.Len(t, doc.AWS.CloudWatchMetrics, 1)
	dir := doc.AWS.CloudWatchMetrics[0]
	assert.Equal(t, "SWRAutopilot", dir.Namespace)
	assert.Equal(t, [][]string{{"Function", "Job"}}, dir.Dimensions)
	units := map[string]string{}
	for _, m := range dir.Metrics {
		units[m.Name] = m.Unit
	}
	assert.Equal(t, map[string]string{
		"DurationMs": "Milliseconds", "PayloadBytes": "Bytes", "ReposScanned": "Count", "RulesWritten": "Count",
	}, units)
	assert.Equal(t, "retentionsweep", doc.Function)
	assert.Equal(t, "sweep", doc.Job)
	assert.Equal(t, 42.0, doc.ReposScanned)
	assert.Equal(t, 1234.5, doc.DurationMs)
	assert.Equal(t, 2048.0, doc.PayloadBytes)
	require.NotNil(t, doc.RulesWritten, "a zero metric is still written")
	assert.Equal(t, 0.0, *doc.RulesWritten)
}

func TestEMFIsDeterministicAndAllowsNoDimensions(t *testing.T) {
	now := time.Unix(1700000000, 0)
	metrics := map[string]float64{"B": 2, "A": 1, "C": 3}
	var first, second bytes.Buffer
	require.NoError(t, function.EMF(&first, "NS", nil, metrics, now))
	require.NoError(t, function.EMF(&second, "NS", nil, metrics, now))
	assert.Equal(t, first.String(), second.String())
	assert.JSONEq(t, `{"_aws":{"Timestamp":1700000000000,"CloudWatchMetrics":[{"Namespace":"NS","Dimensions":[[]],`+
		`"Metrics":[{"Name":"A","Unit":"Count"},{"Name":"B","Unit":"Count"},{"Name":"C","Unit":"Count"}]}]},"A":1,"B":2,"C":3}`,
		first.String())
}

func TestEMFRejectsInvalidInput(t *testing.T) {
	now := time.Now()
	cases := []struct {
		name      string
		namespace string
		dims      map[string]string
		metrics   map[string]float64
		want      string
	}{
		{"empty namespace", "", nil, map[string]float64{"A": 1}, "namespace"},
		{"no metrics", "NS", nil, nil, "no metrics"},
		{"NaN", "NS", nil, map[string]float64{"A": math.NaN()}, `metric "A": value NaN is not a finite number`},
		{"Inf", "NS", nil, map[string]float64{"A": math.Inf(1)}, "not a finite number"},
		{"clash", "NS", map[string]string{"A": "x"}, map[string]float64{"A": 1}, `metric "A" has the name of a dimension`},
		{"reserved", "NS", nil, map[string]float64{"_aws": 1}, "reserved"},
		{"empty dimension value", "NS", map[string]string{"Function": ""}, map[string]float64{"A": 1}, `dimension "Function"`},
		{"empty metric name", "NS", nil, map[string]float64{"": 1}, "metric name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			err := function.EMF(&buf, tc.namespace, tc.dims, tc.metrics, now)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Zero(t, buf.Len(), "nothing is written on error")
		})
	}
}
