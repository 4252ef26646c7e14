package reports

import (
	"cmp"
	"math"
	"slices"
	"strconv"
	"unicode/utf8"

	"github.com/licenseplan/licenseplan/planner"
	"github.com/licenseplan/licenseplan/rules"
)

// Chart geometry, in SVG user units. Every chart is 960 wide and scales to
// the page (width: 100%), so it fits A4 and Letter as well as a screen.
const (
	chartWidth  = 960
	chartLabelW = 290 // room for a license name left of the plot
	chartLabelN = 40  // runes of a label before it is cut with "…"
	chartPlotX  = chartLabelW + 10
	chartNodeW  = 12 // the flow chart's license bars
	// chartRightX is where the flow chart's target licenses stand.
	chartRightX = chartWidth - chartLabelW - 10 - chartNodeW
	// chartCapacityW is the capacity chart's plot width; its figures
	// follow at chartCapacityText.
	chartCapacityW    = 360
	chartCapacityText = chartPlotX + chartCapacityW + 14
	// chartFlowMax is how many flows the flow chart draws; the rest are in its
	// table.
	chartFlowMax = 40
	// chartFlowHeight is the height the flow chart's bands share.
	chartFlowHeight = 420
	// chartBarMax is how many target licenses the outcome chart draws before
	// it groups the rest.
	chartBarMax = 30
)

// flowChart is the license flow, current license (left) to target license
// (right), with a band per (from, to, outcome) as thick as its users. Only
// users whose outcome changes the org are drawn, as in the capacity figures.
type flowChart struct {
	Height      int
	Nodes       []flowNode
	Bands       []flowBand
	Table       htmlList[flowRow]
	Users       int // users drawn
	Hidden      int // flows not drawn
	HiddenUsers int
}

type flowNode struct {
	X, Y, H     string
	LabelX      string
	LabelY      string
	Anchor      string // start or end
	Label, Full string
	Users       int
	Right       bool
}

type flowBand struct {
	D     string
	Class string
	Title string
}

type flowRow struct {
	From, To string
	Outcome  string
	Class    string
	Users    int
}

type flowKey struct {
	from, to string
	outcome  rules.Outcome
}

// flowTally counts the users of each license change, for newFlowChart.
type flowTally map[flowKey]int

// newFlowTally counts the users of each change whose outcome changes the
// license (a profile change within one license is no flow between
// licenses).
func newFlowTally(changes []planner.ChangeUsers) flowTally {
	t := flowTally{}
	for _, c := range changes {
		if c.Outcome.ChangesLicense() {
			t[flowKey{c.From, c.To, c.Outcome}] += c.Users
		}
	}
	return t
}

func newFlowChart(counts flowTally) flowChart {
	type flow struct {
		flowKey
		users int
	}
	flows := make([]flow, 0, len(counts))
	for k, n := range counts {
		flows = append(flows, flow{k, n})
	}
	slices.SortFunc(flows, func(a, b flow) int {
		return cmp.Or(cmp.Compare(b.users, a.users), cmp.Compare(a.from, b.from), cmp.Compare(a.to, b.to), cmp.Compare(a.outcome, b.outcome))
	})
	var c flowChart
	rows := make([]flowRow, 0, min(len(flows), htmlMaxRows))
	for _, f := range flows[:min(len(flows), htmlMaxRows)] {
		rows = append(rows, flowRow{From: htmlClean(f.from), To: htmlClean(f.to), Outcome: f.outcome.Label(), Class: htmlOutcomeClass(f.outcome.String()), Users: f.users})
	}
	c.Table = htmlCapped(rows, len(flows))
	drawn := flows[:min(len(flows), chartFlowMax)]
	for _, f := range flows[len(drawn):] {
		c.Hidden++
		c.HiddenUsers += f.users
	}
	if len(drawn) == 0 {
		return c
	}

	// Nodes: each side's licenses, most users first.
	type node struct {
		name  string
		users int
		h     float64
		y     float64 // top of the node
		fill  float64 // bands placed so far
	}
	side := func(key func(flow) string) ([]*node, map[string]*node) {
		m := map[string]*node{}
		var ns []*node
		for _, f := range drawn {
			n := m[key(f)]
			if n == nil {
				n = &node{name: key(f)}
				m[key(f)] = n
				ns = append(ns, n)
			}
			n.users += f.users
		}
		slices.SortFunc(ns, func(a, b *node) int { return cmp.Or(cmp.Compare(b.users, a.users), cmp.Compare(a.name, b.name)) })
		return ns, m
	}
	left, leftBy := side(func(f flow) string { return f.from })
	right, rightBy := side(func(f flow) string { return f.to })
	for _, f := range drawn {
		c.Users += f.users
	}
	// Each user is k units thick, and every band at least one unit, so a
	// single user stays visible next to thousands.
	k := min(12, float64(chartFlowHeight)/float64(c.Users))
	thick := func(n int) float64 { return max(float64(n)*k, 1) }
	for _, f := range drawn {
		leftBy[f.from].h += thick(f.users)
		rightBy[f.to].h += thick(f.users)
	}
	const (
		top  = 30 // column headings
		gap  = 6
		slot = 18 // the least room a node takes, so labels never overlap
	)
	place := func(ns []*node) float64 {
		y := float64(top)
		for _, n := range ns {
			s := max(n.h, slot)
			n.y = y + (s-n.h)/2
			y += s + gap
		}
		return y
	}
	c.Height = int(max(place(left), place(right))) + 4
	index := func(ns []*node) map[string]int {
		m := make(map[string]int, len(ns))
		for i, n := range ns {
			m[n.name] = i
		}
		return m
	}
	leftIdx, rightIdx := index(left), index(right)

	const (
		nodeW = chartNodeW
		xL    = chartPlotX
		xR    = chartRightX
	)
	for _, side := range []struct {
		ns    []*node
		right bool
	}{{left, false}, {right, true}} {
		for _, n := range side.ns {
			fn := flowNode{Y: svgNum(n.y), H: svgNum(n.h), LabelY: svgNum(n.y + n.h/2), Label: htmlClean(htmlShorten(n.name)), Full: htmlClean(n.name), Users: n.users, Right: side.right}
			if side.right {
				fn.X, fn.LabelX, fn.Anchor = svgNum(xR), svgNum(xR+nodeW+6), "start"
			} else {
				fn.X, fn.LabelX, fn.Anchor = svgNum(xL), svgNum(xL-6), "end"
			}
			c.Nodes = append(c.Nodes, fn)
		}
	}
	// Bands leave a left node in the order of their right nodes and enter
	// a right node in the order of their left nodes, which keeps crossings
	// few.
	out := slices.Clone(drawn)
	slices.SortStableFunc(out, func(a, b flow) int {
		return cmp.Or(cmp.Compare(leftIdx[a.from], leftIdx[b.from]), cmp.Compare(rightIdx[a.to], rightIdx[b.to]), cmp.Compare(a.outcome, b.outcome))
	})
	y0 := make(map[flowKey]float64, len(out))
	for _, f := range out {
		n := leftBy[f.from]
		y0[f.flowKey] = n.y + n.fill
		n.fill += thick(f.users)
	}
	in := slices.Clone(drawn)
	slices.SortStableFunc(in, func(a, b flow) int {
		return cmp.Or(cmp.Compare(rightIdx[a.to], rightIdx[b.to]), cmp.Compare(leftIdx[a.from], leftIdx[b.from]), cmp.Compare(a.outcome, b.outcome))
	})
	x0, x1 := float64(xL+nodeW), float64(xR)
	xm := (x0 + x1) / 2
	for _, f := range in {
		n := rightBy[f.to]
		a, b, t := y0[f.flowKey], n.y+n.fill, thick(f.users)
		n.fill += t
		d := "M" + svgNum(x0) + " " + svgNum(a) +
			"C" + svgNum(xm) + " " + svgNum(a) + " " + svgNum(xm) + " " + svgNum(b) + " " + svgNum(x1) + " " + svgNum(b) +
			"V" + svgNum(b+t) +
			"C" + svgNum(xm) + " " + svgNum(b+t) + " " + svgNum(xm) + " " + svgNum(a+t) + " " + svgNum(x0) + " " + svgNum(a+t) + "Z"
		c.Bands = append(c.Bands, flowBand{D: d, Class: htmlOutcomeClass(f.outcome.String()),
			Title: htmlClean(f.from) + " → " + htmlClean(f.to) + ": " + htmlPlural(f.users, "user", "users") + ", " + f.outcome.Label()})
	}
	return c
}

// stackChart is one bar per target license, split by outcome. Users whose
// license does not change (no change, skipped) are left out and counted.
type stackChart struct {
	Height   int
	Rows     []stackRow
	Legend   []htmlLegendItem
	Headers  []string
	Table    htmlList[stackTableRow]
	NoChange int
	Skipped  int
}

type stackRow struct {
	Y, BarY, TextY string
	Label, Full    string
	Total          int
	TotalX         string
	Segs           []stackSeg
}

type stackSeg struct {
	X, W  string
	Class string
	Title string
}

type htmlLegendItem struct{ Class, Label string }

type stackTableRow struct {
	License string
	Counts  []int
	Total   int
}

// stackOutcomes are the outcomes the outcome chart stacks, in order.
var stackOutcomes = []rules.Outcome{rules.ChangeInPlace, rules.DisableReenable, rules.Recreate, rules.NoPath, rules.Invalid}

// stackTally counts users by target license and outcome, for
// newStackChart.
type stackTally struct {
	by                map[string]*stackBar
	noChange, skipped int
}

// stackBar is one target license's users, by outcome (stackOutcomes).
type stackBar struct {
	license string
	counts  [5]int
	total   int
}

// newStackTally counts the users of changes by target license and outcome.
func newStackTally(changes []planner.ChangeUsers) *stackTally {
	t := &stackTally{by: map[string]*stackBar{}}
	for _, c := range changes {
		j := slices.Index(stackOutcomes, c.Outcome)
		if j < 0 {
			switch c.Outcome {
			case rules.NoChange:
				t.noChange += c.Users
			case rules.Skipped:
				t.skipped += c.Users
			}
			continue
		}
		b := t.by[c.To]
		if b == nil {
			b = &stackBar{license: c.To}
			t.by[c.To] = b
		}
		b.counts[j] += c.Users
		b.total += c.Users
	}
	return t
}

func newStackChart(t *stackTally) stackChart {
	c := stackChart{NoChange: t.noChange, Skipped: t.skipped}
	bars := make([]*stackBar, 0, len(t.by))
	for _, b := range t.by {
		bars = append(bars, b)
	}
	slices.SortFunc(bars, func(a, b *stackBar) int {
		return cmp.Or(cmp.Compare(b.total, a.total), cmp.Compare(a.license, b.license))
	})
	for _, o := range stackOutcomes {
		c.Legend = append(c.Legend, htmlLegendItem{htmlOutcomeClass(o.String()), o.Label()})
		c.Headers = append(c.Headers, o.Label())
	}
	rows := make([]stackTableRow, 0, min(len(bars), htmlMaxRows))
	for _, b := range bars[:min(len(bars), htmlMaxRows)] {
		rows = append(rows, stackTableRow{License: htmlClean(b.license), Counts: b.counts[:], Total: b.total})
	}
	c.Table = htmlCapped(rows, len(bars))
	if len(bars) == 0 {
		return c
	}
	drawn := bars
	if len(bars) > chartBarMax {
		other := &stackBar{license: "Other (" + strconv.Itoa(len(bars)-chartBarMax+1) + " licenses)"}
		for _, b := range bars[chartBarMax-1:] {
			for j, n := range b.counts {
				other.counts[j] += n
			}
			other.total += b.total
		}
		drawn = append(slices.Clip(bars[:chartBarMax-1]), other)
	}
	const (
		rowH  = 24
		barH  = 16
		x0    = chartPlotX
		plotW = chartWidth - x0 - 80
	)
	most := 0
	for _, b := range drawn {
		most = max(most, b.total)
	}
	for i, b := range drawn {
		y := float64(i * rowH)
		r := stackRow{Y: svgNum(y), BarY: svgNum(y + (rowH-barH)/2), TextY: svgNum(y + rowH/2), Label: htmlClean(htmlShorten(b.license)), Full: htmlClean(b.license), Total: b.total}
		x := float64(x0)
		for j, n := range b.counts {
			if n == 0 {
				continue
			}
			w := float64(n) * plotW / float64(most)
			r.Segs = append(r.Segs, stackSeg{X: svgNum(x), W: svgNum(max(w, 1)), Class: htmlOutcomeClass(stackOutcomes[j].String()),
				Title: htmlClean(b.license) + ": " + htmlPlural(n, "user", "users") + ", " + stackOutcomes[j].Label()})
			x += w
		}
		r.TotalX = svgNum(x + 6)
		c.Rows = append(c.Rows, r)
	}
	c.Height = len(drawn) * rowH
	return c
}

// capacityChart shows, for each license whose seats move or run short, the
// seats used now and after the plan against the seats the org owns. Each row
// has its own scale (the larger of owned, used and after), so a license of
// 30 seats reads as well as one of 5,000.
type capacityChart struct {
	Height int
	Rows   []capacityRow
	Hidden int // licenses whose seats do not move
}

type capacityRow struct {
	Y, TextY     string
	Label, Full  string
	Known        bool
	TrackW       string // owned seats (outline)
	UsedY, UsedW string
	AfterY       string
	AfterW       string // after, up to the owned seats
	OverX, OverW string // after, beyond the owned seats
	Text         string
	Short        bool
	Title        string
}

func newCapacityChart(ls []planner.LicenseCapacity) capacityChart {
	var c capacityChart
	const (
		rowH  = 36
		barH  = 11
		x0    = chartPlotX
		plotW = chartCapacityW
	)
	for _, l := range ls {
		if l.MovingIn == 0 && l.MovingOut == 0 && l.Shortfall <= 0 {
			c.Hidden++
			continue
		}
		if len(c.Rows) == htmlMaxRows {
			c.Hidden++
			continue
		}
		y := float64(len(c.Rows) * rowH)
		r := capacityRow{Y: svgNum(y), TextY: svgNum(y + rowH/2), Label: htmlClean(htmlShorten(l.License)), Full: htmlClean(l.License), Short: l.Shortfall > 0}
		move := "+" + htmlThousands(l.MovingIn) + " in, −" + htmlThousands(l.MovingOut) + " out"
		if l.Total != nil && l.Used != nil && l.After != nil {
			total, used, after := *l.Total, *l.Used, *l.After
			scale := float64(max(total, used, after, 1))
			w := func(n int) float64 { return float64(max(n, 0)) * plotW / scale }
			r.Known = true
			r.TrackW = svgNum(w(total))
			r.UsedY, r.UsedW = svgNum(y+4), svgNum(w(used))
			r.AfterY = svgNum(y + 4 + barH + 3)
			r.AfterW = svgNum(w(min(after, total)))
			if after > total {
				r.OverX, r.OverW = svgNum(float64(x0)+w(total)), svgNum(w(after)-w(total))
			}
			r.Text = htmlThousands(used) + " → " + htmlThousands(after) + " of " + htmlThousands(total)
			if l.Shortfall > 0 {
				r.Text += ", short " + htmlThousands(l.Shortfall)
			}
			r.Title = htmlClean(l.License) + ": " + htmlThousands(used) + " seats used now, " + htmlThousands(after) + " after the plan, " + htmlThousands(total) + " owned (" + move + ")"
		} else {
			r.Text = "seats unknown; " + move
			r.Title = htmlClean(l.License) + ": the org's seat counts are unknown (" + move + ")"
		}
		c.Rows = append(c.Rows, r)
	}
	c.Height = len(c.Rows) * rowH
	return c
}

// svgNum formats an SVG coordinate with at most one decimal.
func svgNum(f float64) string {
	return strconv.FormatFloat(math.Round(f*10)/10, 'f', -1, 64)
}

// htmlShorten cuts a label to chartLabelN runes, ending it with "…".
func htmlShorten(s string) string {
	if utf8.RuneCountInString(s) <= chartLabelN {
		return s
	}
	r := []rune(s)
	return string(r[:chartLabelN-1]) + "…"
}
