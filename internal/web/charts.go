package web

import (
	"fmt"
	"time"

	"github.com/provisio-dev/provisio/internal/apitypes"
)

func init() {
	handle("GET", "apps/{app}/charts", (*UI).charts)
}

// chartRuns is how many of the last cycles the charts show.
const chartRuns = 30

// Chart geometry, in SVG user units (the SVG scales to its box).
const (
	chartW, chartH = 720.0, 200.0
	chartPad       = 30.0 // left, for the axis label; and bottom
)

// chart is one server-rendered SVG bar chart (SVG 1.1; no script, no
// inline style: colours come from classes in ui.css).
type chart struct {
	ID, Title string
	Summary   string // the aria-label: the chart in one sentence
	Max       string // the value at the top of the axis
	Bars      []bar
	Legend    []string // series names, classes s-<name>
	Columns   []string // the table's value columns
	W, H, Pad float64
}

// bar is one cycle's bar: its segments, stacked from the bottom.
type bar struct {
	X, W   float64
	Label  string // the cycle, for the tooltip and the table
	Title  string
	Segs   []segment
	Values []string // the table's row
}

type segment struct {
	Y, H  float64
	Class string
}

// chartsView is the data of the charts page.
type chartsView struct {
	App    apitypes.App
	Runs   int
	Charts []chart
}

func (u *UI) charts(req *request) error {
	a, err := req.API.App(req.Ctx, req.R.PathValue("app"))
	if err != nil {
		return err
	}
	runs, err := req.API.Runs(req.Ctx, a.ID, chartRuns)
	if err != nil {
		return err
	}
	// Oldest first, left to right.
	for i, j := 0, len(runs)-1; i < j; i, j = i+1, j-1 {
		runs[i], runs[j] = runs[j], runs[i]
	}
	v := chartsView{App: a, Runs: len(runs)}
	v.Charts = []chart{
		barChart("chart-actions", "Actions per cycle", []string{"created", "updated", "disabled", "deleted"}, runs,
			func(c apitypes.Cycle) []float64 {
				return []float64{float64(c.Stats.Created), float64(c.Stats.Updated), float64(c.Stats.Disabled), float64(c.Stats.Deleted)}
			}, func(x float64) string { return fmt.Sprintf("%.0f", x) }),
		barChart("chart-failures", "Failures per cycle", []string{"failed"}, runs,
			func(c apitypes.Cycle) []float64 { return []float64{float64(c.Stats.Failed)} },
			func(x float64) string { return fmt.Sprintf("%.0f", x) }),
		barChart("chart-durations", "Cycle durations (seconds)", []string{"duration"}, runs,
			func(c apitypes.Cycle) []float64 { return []float64{c.Finished.Sub(c.Started).Seconds()} },
			func(x float64) string { return fmt.Sprintf("%.2f s", x) }),
	}
	req.render(u, "charts", view{Title: a.Name + " · Charts", Nav: "logs", Data: v})
	return nil
}

// barChart draws one bar per cycle, its series stacked.
func barChart(id, title string, series []string, runs []apitypes.Cycle, values func(apitypes.Cycle) []float64, format func(float64) string) chart {
	ch := chart{ID: id, Title: title, Legend: series, Columns: series, W: chartW, H: chartH, Pad: chartPad}
	vals := make([][]float64, len(runs))
	maxV, total := 0.0, make([]float64, len(series))
	for i, c := range runs {
		vals[i] = values(c)
		sum := 0.0
		for k, x := range vals[i] {
			sum += x
			total[k] += x
		}
		maxV = max(maxV, sum)
	}
	ch.Max = format(maxV)
	scale := 0.0
	if maxV > 0 {
		scale = (chartH - chartPad) / maxV
	}
	slot := (chartW - chartPad) / float64(max(len(runs), 1))
	for i, c := range runs {
		b := bar{X: chartPad + float64(i)*slot + slot*0.15, W: slot * 0.7, Label: c.Started.UTC().Format("2006-01-02 15:04:05")}
		y := chartH - chartPad
		desc := ""
		for k, x := range vals[i] {
			h := x * scale
			y -= h
			b.Segs = append(b.Segs, segment{Y: y, H: h, Class: "s-" + series[k]})
			b.Values = append(b.Values, format(x))
			desc += fmt.Sprintf(", %s %s", series[k], format(x))
		}
		b.Title = fmt.Sprintf("%s cycle %s%s", c.Kind, b.Label, desc)
		ch.Bars = append(ch.Bars, b)
	}
	ch.Summary = fmt.Sprintf("%s: %d cycles", title, len(runs))
	if len(runs) > 0 {
		ch.Summary += fmt.Sprintf(" from %s to %s; highest %s", runs[0].Started.UTC().Format(time.DateTime),
			runs[len(runs)-1].Started.UTC().Format(time.DateTime), ch.Max)
		for k, s := range series {
			ch.Summary += fmt.Sprintf(", %s %s in all", s, format(total[k]))
		}
	}
	return ch
}
