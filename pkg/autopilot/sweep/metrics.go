package sweep

import "github.com/swr-autopilot/swr-autopilot/pkg/report"

// FindingMetricPrefix starts the name of the per-code finding metrics,
// e.g. "Findings.trigger.cluster_not_allowed".
const FindingMetricPrefix = "Findings."

// Metrics returns the figures of a sweep report as CloudWatch metrics, for
// runtime.EMF: the counts (Scanned, Conformant, Changed, Refused,
// Unmanaged, Errors, Findings and one FindingMetricPrefix+code per finding
// code), APICalls, DurationMilliseconds and Unfinished (1 when the sweep
// stopped at a cursor, else 0).
func Metrics(r *report.Report) map[string]float64 {
	c := r.Counts
	m := map[string]float64{
		"Scanned":              float64(c.Scanned),
		"Conformant":           float64(c.Conformant),
		"Changed":              float64(c.Changed),
		"Refused":              float64(c.Refused),
		"Unmanaged":            float64(c.Unmanaged),
		"Errors":               float64(c.Errors),
		"APICalls":             float64(r.APICalls),
		"DurationMilliseconds": float64(r.Duration) / 1e6,
		"Unfinished":           0,
	}
	if r.Cursor != "" {
		m["Unfinished"] = 1
	}
	findings := 0
	for code, n := range c.Findings {
		m[FindingMetricPrefix+code] = float64(n)
		findings += n
	}
	m["Findings"] = float64(findings)
	return m
}
