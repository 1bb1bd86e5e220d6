package ui

import (
	"image/color"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// chartPoint is one point of a balance chart: the balance after a
// statement line.
type chartPoint struct {
	at      time.Time
	balance int64 // minutes
	flagged bool  // the line went past a limit
}

// balanceChart draws a balance over time with canvas primitives: a step
// line from zero through the balance after each statement line (oldest
// first), a dot per line (in the error colour past a limit), the axis at
// zero, the lowest and highest balances on the left and the first and
// last dates below. Its colours come from the theme.
type balanceChart struct {
	widget.BaseWidget
	points []chartPoint
}

func newBalanceChart() *balanceChart {
	c := &balanceChart{}
	c.ExtendBaseWidget(c)
	return c
}

// SetPoints replaces the points (oldest first) and redraws.
func (c *balanceChart) SetPoints(pts []chartPoint) {
	c.points = pts
	c.Refresh()
}

// CreateRenderer implements fyne.Widget.
func (c *balanceChart) CreateRenderer() fyne.WidgetRenderer {
	r := &chartRenderer{c: c}
	r.build()
	return r
}

// chartRenderer draws a balanceChart.
type chartRenderer struct {
	c       *balanceChart
	points  []chartPoint // the points the objects were built for
	axis    *canvas.Line
	steps   []*canvas.Line
	dots    []*canvas.Rectangle
	hi, lo  *canvas.Text // the highest and lowest balances
	zero    *canvas.Text
	from    *canvas.Text // the first and last dates
	to      *canvas.Text
	empty   *canvas.Text
	objects []fyne.CanvasObject
}

// chart geometry.
const (
	chartDot  = 7
	chartPad  = 8
	chartLine = 2
)

func (r *chartRenderer) color(n fyne.ThemeColorName) color.Color {
	return r.c.Theme().Color(n, fyne.CurrentApp().Settings().ThemeVariant())
}

func (r *chartRenderer) text(s string) *canvas.Text {
	t := canvas.NewText(s, r.color(theme.ColorNameForeground))
	t.TextSize = r.c.Theme().Size(theme.SizeNameCaptionText)
	return t
}

// build makes the objects for the current points.
func (r *chartRenderer) build() {
	r.points = r.c.points
	pts := r.points
	r.objects = make([]fyne.CanvasObject, 0, 6+3*len(pts))
	r.steps, r.dots = nil, nil
	r.axis = canvas.NewLine(r.color(theme.ColorNameForeground))
	r.axis.StrokeWidth = 1
	r.objects = append(r.objects, r.axis)
	if len(pts) == 0 {
		r.empty = r.text(lang.L("No transfers yet"))
		r.empty.Alignment = fyne.TextAlignCenter
		r.hi, r.lo, r.zero, r.from, r.to = nil, nil, nil, nil, nil
		r.objects = append(r.objects, r.empty)
		return
	}
	r.empty = nil
	lo, hi := balanceRange(pts)
	r.hi, r.lo, r.zero = r.text(signedHours(hi)), r.text(signedHours(lo)), r.text(signedHours(0))
	r.from = r.text(pts[0].at.In(tbZone).Format("2006-01-02"))
	r.to = r.text(pts[len(pts)-1].at.In(tbZone).Format("2006-01-02"))
	r.to.Alignment = fyne.TextAlignTrailing
	r.objects = append(r.objects, r.hi, r.lo, r.zero, r.from, r.to)
	line := r.color(theme.ColorNamePrimary)
	// One rise (or fall) per point, and one run after it.
	for range 2 * len(pts) {
		l := canvas.NewLine(line)
		l.StrokeWidth = chartLine
		r.steps = append(r.steps, l)
		r.objects = append(r.objects, l)
	}
	for _, p := range pts {
		fill := line
		if p.flagged {
			fill = r.color(theme.ColorNameError)
		}
		d := canvas.NewRectangle(fill)
		d.CornerRadius = chartDot / 2
		d.StrokeColor = r.color(theme.ColorNameBackground)
		d.StrokeWidth = 1
		r.dots = append(r.dots, d)
		r.objects = append(r.objects, d)
	}
}

// balanceRange is the lowest and highest balance, zero included.
func balanceRange(pts []chartPoint) (lo, hi int64) {
	for _, p := range pts {
		lo, hi = min(lo, p.balance), max(hi, p.balance)
	}
	return lo, hi
}

func (r *chartRenderer) Layout(size fyne.Size) {
	if r.empty != nil {
		ts := r.empty.MinSize()
		r.axis.Position1 = fyne.NewPos(chartPad, size.Height/2+ts.Height)
		r.axis.Position2 = fyne.NewPos(size.Width-chartPad, size.Height/2+ts.Height)
		r.empty.Move(fyne.NewPos(0, (size.Height-ts.Height)/2))
		r.empty.Resize(fyne.NewSize(size.Width, ts.Height))
		return
	}
	pts := r.points
	lo, hi := balanceRange(pts)
	label := max(r.hi.MinSize().Width, r.lo.MinSize().Width, r.zero.MinSize().Width)
	th := r.from.MinSize().Height
	left, right := chartPad+label+chartPad, size.Width-chartPad
	top, bottom := chartPad+th/2, size.Height-chartPad-th-chartPad
	if right <= left || bottom <= top {
		return
	}
	span := float32(hi - lo)
	if span == 0 {
		span = 60
	}
	y := func(b int64) float32 { return bottom - float32(b-lo)/span*(bottom-top) }
	t0, t1 := pts[0].at, pts[len(pts)-1].at
	x := func(i int) float32 {
		if !t1.After(t0) {
			if len(pts) == 1 {
				return (left + right) / 2
			}
			return left + float32(i)/float32(len(pts)-1)*(right-left-chartDot)
		}
		return left + float32(pts[i].at.Sub(t0))/float32(t1.Sub(t0))*(right-left-chartDot)
	}
	zy := y(0)
	r.axis.Position1, r.axis.Position2 = fyne.NewPos(left, zy), fyne.NewPos(right, zy)
	put := func(t *canvas.Text, at float32, show bool) {
		s := t.MinSize()
		t.Move(fyne.NewPos(chartPad+label-s.Width, at-s.Height/2))
		t.Resize(s)
		if show {
			t.Show()
		} else {
			t.Hide()
		}
	}
	put(r.zero, zy, true)
	put(r.hi, y(hi), hi != 0 && y(hi) < zy-th)
	put(r.lo, y(lo), lo != 0 && y(lo) > zy+th)
	r.from.Move(fyne.NewPos(left, bottom+chartPad))
	r.from.Resize(r.from.MinSize())
	r.to.Move(fyne.NewPos(right-r.to.MinSize().Width, bottom+chartPad))
	r.to.Resize(r.to.MinSize())
	if r.to.Text == r.from.Text {
		r.to.Hide()
	} else {
		r.to.Show()
	}
	prev := zy
	for i, p := range pts {
		xi, yi := x(i), y(p.balance)
		rise, run := r.steps[2*i], r.steps[2*i+1]
		rise.Position1, rise.Position2 = fyne.NewPos(xi, prev), fyne.NewPos(xi, yi)
		end := right
		if i+1 < len(pts) {
			end = x(i + 1)
		}
		run.Position1, run.Position2 = fyne.NewPos(xi, yi), fyne.NewPos(end, yi)
		d := r.dots[i]
		d.Move(fyne.NewPos(xi-chartDot/2, yi-chartDot/2))
		d.Resize(fyne.NewSquareSize(chartDot))
		prev = yi
	}
}

func (r *chartRenderer) MinSize() fyne.Size { return fyne.NewSize(240, 140) }

func (r *chartRenderer) Refresh() {
	r.build()
	r.Layout(r.c.Size())
	canvas.Refresh(r.c)
}

func (r *chartRenderer) Objects() []fyne.CanvasObject { return r.objects }

func (r *chartRenderer) Destroy() {}
