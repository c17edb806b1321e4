package report

import (
	"fmt"
	"html/template"
	"strings"
)

// Chart geometry, in SVG user units.
const (
	chartWidth  = 820
	chartLabelW = 150 // namespace labels, right-aligned before the bars
	// chartLabelChars is the longest label that fits chartLabelW; longer
	// names are cut, and shown whole as the label's tooltip.
	chartLabelChars = 20
	chartBarW       = 400 // the longest bar
	chartRowH       = 40
	chartTop        = 30 // room for the legend
	chartTextX      = chartLabelW + chartBarW + 16
	chartKeep       = "#11743b"
	chartDelete     = "#b42318"
	chartUncertain  = "#d08700"
	chartFreed      = "#2356b5"
	// chartUncertainFree is what the uncertain tags would free too.
	chartUncertainFree = "#9db6e4"
	chartTrackBg       = "#eef1f5"
)

// storageChart draws s as an inline SVG: one row per namespace, with a
// bar of its tags (kept, deleted, uncertain) scaled to the namespace with
// the most tags, and under it a bar of the bytes freed (and, lighter, of
// what the uncertain tags would free too) scaled to the namespace that
// may free most. Every figure is also written as text, and each bar
// carries a tooltip. It returns "" for nil.
func storageChart(s *Storage) template.HTML {
	if s == nil || len(s.Namespaces) == 0 {
		return ""
	}
	maxTags, maxBytes := 1, int64(1)
	for _, t := range s.Namespaces {
		maxTags = max(maxTags, t.Tags())
		maxBytes = max(maxBytes, t.FreedBytes+t.UncertainFreedBytes)
	}
	height := chartTop + len(s.Namespaces)*chartRowH + 8
	var b strings.Builder
	fmt.Fprintf(&b, `<svg class="chart" width="%d" height="%d" viewBox="0 0 %d %d" role="img" aria-labelledby="chart-title">`,
		chartWidth, height, chartWidth, height)
	fmt.Fprintf(&b, `<title id="chart-title">Tags kept, deleted and uncertain, and bytes freed (at most), per namespace</title>`)
	b.WriteString(`<g font-family="system-ui,sans-serif" font-size="12" fill="#1d2433">`)
	legend := []struct{ color, text string }{{chartKeep, "kept"}, {chartDelete, "deleted"}, {chartUncertain, "uncertain"},
		{chartFreed, "bytes freed (at most)"}, {chartUncertainFree, "if the uncertain go too"}}
	x := 10
	for _, l := range legend {
		fmt.Fprintf(&b, `<rect x="%d" y="6" width="12" height="12" fill="%s"/><text x="%d" y="16">%s</text>`, x, l.color, x+16, l.text)
		x += 28 + 7*len(l.text)
	}
	for i, t := range s.Namespaces {
		y := chartTop + i*chartRowH
		ns := template.HTMLEscapeString(t.Namespace)
		fmt.Fprintf(&b, `<text x="%d" y="%d" text-anchor="end" font-weight="600"><title>%s</title>%s</text>`,
			chartLabelW-10, y+17, ns, template.HTMLEscapeString(shorten(t.Namespace, chartLabelChars)))
		// Tags: kept, deleted, uncertain, on a track of the longest bar.
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="14" fill="%s"/>`, chartLabelW, y+5, chartBarW, chartTrackBg)
		x := chartLabelW
		for _, seg := range []struct {
			n     int
			color string
			what  string
		}{{t.KeptTags, chartKeep, "kept"}, {t.DeletedTags, chartDelete, "deleted"}, {t.UncertainTags, chartUncertain, "uncertain"}} {
			w := scale(int64(seg.n), int64(maxTags))
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="14" fill="%s"><title>%s: %d tags %s</title></rect>`,
				x, y+5, w, seg.color, ns, seg.n, seg.what)
			x += w
		}
		text := fmt.Sprintf("%d kept · %d deleted", t.KeptTags, t.DeletedTags)
		if t.UncertainTags > 0 {
			text += fmt.Sprintf(" · %d uncertain", t.UncertainTags)
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d">%s</text>`, chartTextX, y+16, text)
		// Bytes freed, then what the uncertain tags would add.
		freedW := scale(t.FreedBytes, maxBytes)
		fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="8" fill="%s"><title>%s: at most %s freed</title></rect>`,
			chartLabelW, y+22, freedW, chartFreed, ns, FormatBytes(t.FreedBytes))
		if t.UncertainFreedBytes > 0 {
			fmt.Fprintf(&b, `<rect x="%d" y="%d" width="%d" height="8" fill="%s"><title>%s: %s more if the uncertain tags go too</title></rect>`,
				chartLabelW+freedW, y+22, scale(t.UncertainFreedBytes, maxBytes), chartUncertainFree, ns, FormatBytes(t.UncertainFreedBytes))
		}
		fmt.Fprintf(&b, `<text x="%d" y="%d" fill="%s">≤ %s freed</text>`, chartTextX, y+31, chartFreed, FormatBytes(t.FreedBytes))
	}
	b.WriteString(`</g></svg>`)
	// Every text above is escaped or a number.
	return template.HTML(b.String())
}

// scale maps v in [0, top] onto [0, chartBarW], giving any non-zero
// value at least one unit so that it stays visible.
func scale(v, top int64) int {
	if v <= 0 || top <= 0 {
		return 0
	}
	return max(1, int(v*chartBarW/top))
}

// shorten cuts s to n characters, marking the cut with "…".
func shorten(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
