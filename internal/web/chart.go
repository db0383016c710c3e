package web

import (
	"fmt"
	"html"
	"html/template"
	"strconv"
	"strings"
	"time"

	"github.com/foyerhq/foyer"
)

// visitsChart draws a company's visits per day.
func visitsChart(days []foyer.CompanyDay) template.HTML {
	return dayChart(days, "Visits per day", func(d foyer.CompanyDay) int64 { return d.Visits },
		func(d foyer.CompanyDay) string { return fmt.Sprintf("%d visits, %d pages", d.Visits, d.Pageviews) },
		func(n int64) string { return fmt.Sprint(n) })
}

// engagedChart draws a company's engaged time per day.
func engagedChart(days []foyer.CompanyDay) template.HTML {
	return dayChart(days, "Engaged time per day", func(d foyer.CompanyDay) int64 { return d.EngagedMS },
		func(d foyer.CompanyDay) string { return duration(d.EngagedMS) + " engaged" }, duration)
}

// dayChart draws value per day as an SVG bar chart, on the server: numbers
// and escaped labels only, no script and no style attribute, so the page's
// policy needs nothing more. tip says what a bar is; label writes the peak.
func dayChart(days []foyer.CompanyDay, title string, value func(foyer.CompanyDay) int64,
	tip func(foyer.CompanyDay) string, label func(int64) string) template.HTML {
	if len(days) == 0 {
		return ""
	}
	peak := int64(1)
	for _, d := range days {
		peak = max(peak, value(d))
	}
	f := chartFrame{w: 720, h: 180, left: 72, bottom: 24, top: 12}
	plotH := float64(f.h - f.bottom - f.top)
	bw := f.barWidth(len(days))
	var b strings.Builder
	f.open(&b, title, days[0].Day, days[len(days)-1].Day, label(peak))
	for i, d := range days {
		v := value(d)
		if v <= 0 {
			continue
		}
		bh := plotH * float64(v) / float64(peak)
		x := float64(f.left) + float64(i)*bw
		fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="#2455c3"><title>%s: %s</title></rect>`,
			x+bw*0.15, float64(f.h-f.bottom)-bh, bw*0.7, bh, html.EscapeString(d.Day.Format("Mon 2 Jan")), html.EscapeString(tip(d)))
	}
	f.close(&b, days[0].Day, days[len(days)-1].Day)
	return template.HTML(b.String())
}

// trendColours are the parts of a trend's bars: identified organisations,
// those the workspace hides, visits without a known organisation, and
// carriers and hosting networks.
var trendColours = [4]string{"#2455c3", "#e3c98a", "#9aa3b2", "#d5dbe6"}

// trendChart draws a workspace's visits per day as stacked bars: those of
// identified organisations at the bottom, then those of organisations the
// workspace hides, the unidentified, then the anonymous (carriers,
// hosting), each bar's tip saying how many of each. Like dayChart, numbers
// and escaped text only.
func trendChart(days []foyer.TrendDay) template.HTML {
	if len(days) == 0 {
		return ""
	}
	peak := int64(1)
	for _, d := range days {
		peak = max(peak, d.Visits)
	}
	f := chartFrame{w: 720, h: 130, left: 40, bottom: 24, top: 12} // wide and low: it leads the feed
	plotH := float64(f.h - f.bottom - f.top)
	bw := f.barWidth(len(days))
	var b strings.Builder
	f.open(&b, "Visits per day: identified organisations, unidentified, anonymous", days[0].Day, days[len(days)-1].Day, strconv.FormatInt(peak, 10))
	for i, d := range days {
		if d.Visits <= 0 {
			continue
		}
		x := float64(f.left) + float64(i)*bw
		tip := fmt.Sprintf("%s: %s; %d from identified organisations, ", d.Day.Format("Mon 2 Jan"), count(d.Visits, "visit", "visits"), d.CompanyVisits)
		if d.HiddenVisits > 0 {
			tip += fmt.Sprintf("%d from organisations you hide, ", d.HiddenVisits)
		}
		tip += fmt.Sprintf("%d unidentified, %d anonymous", d.UnidentifiedVisits, d.AnonymousVisits)
		y := float64(f.h - f.bottom)
		fmt.Fprintf(&b, `<g><title>%s</title>`, html.EscapeString(tip))
		for part, n := range [4]int64{d.CompanyVisits, d.HiddenVisits, d.UnidentifiedVisits, d.AnonymousVisits} {
			if n <= 0 {
				continue
			}
			bh := plotH * float64(n) / float64(peak)
			y -= bh
			fmt.Fprintf(&b, `<rect x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"/>`, x+bw*0.15, y, bw*0.7, bh, trendColours[part])
		}
		b.WriteString(`</g>`)
	}
	f.close(&b, days[0].Day, days[len(days)-1].Day)
	return template.HTML(b.String())
}

// chartFrame is the frame of a day chart: its size in the SVG's units and
// the margins left of, below and above the bars.
type chartFrame struct{ w, h, left, bottom, top int }

// barWidth is the width of each of n days' slots.
func (f chartFrame) barWidth(n int) float64 { return float64(f.w-f.left-8) / float64(n) }

// open writes the SVG's start, its title, the axis, the peak's gridline
// and the labels of the peak and 0.
func (f chartFrame) open(b *strings.Builder, title string, first, last time.Time, peak string) {
	fmt.Fprintf(b, `<svg class="chart" viewBox="0 0 %d %d" width="%d" height="%d" role="img" aria-label="%s">`, f.w, f.h, f.w, f.h, html.EscapeString(title))
	fmt.Fprintf(b, `<title>%s, %s to %s</title>`, html.EscapeString(title), first.Format("2 Jan"), last.Format("2 Jan 2006"))
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#d9dde5"/>`, f.left, f.h-f.bottom, f.w-8, f.h-f.bottom)
	fmt.Fprintf(b, `<line x1="%d" y1="%d" x2="%d" y2="%d" stroke="#eef0f4"/>`, f.left, f.top, f.w-8, f.top)
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" fill="#5b6475" text-anchor="end">%s</text>`, f.left-6, f.top+4, html.EscapeString(peak))
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" fill="#5b6475" text-anchor="end">0</text>`, f.left-6, f.h-f.bottom+4)
}

// close writes the first and last days under the axis and ends the SVG.
func (f chartFrame) close(b *strings.Builder, first, last time.Time) {
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" fill="#5b6475">%s</text>`, f.left, f.h-6, html.EscapeString(first.Format("2 Jan")))
	fmt.Fprintf(b, `<text x="%d" y="%d" font-size="11" fill="#5b6475" text-anchor="end">%s</text>`, f.w-8, f.h-6, html.EscapeString(last.Format("2 Jan")))
	b.WriteString(`</svg>`)
}
