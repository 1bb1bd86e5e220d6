package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Layouts that let the desktop screens fit any window from the phone
// breakpoint up, and the screens under the phone's "More" fit a phone:
// side by side when there is room, one above the other when not.

// sideBySide shows two objects in two equal columns when its width holds
// both, one above the other otherwise; its minimum width is the wider
// one's.
func sideBySide(a, b fyne.CanvasObject) fyne.CanvasObject {
	return container.New(&pairLayout{}, a, b)
}

// pairLayout lays out sideBySide. Its minimum height follows the width
// it was last laid out at (as wrapping text does).
type pairLayout struct{ width float32 }

// across reports whether both objects fit side by side in width.
func (l *pairLayout) across(objs []fyne.CanvasObject, width float32) bool {
	w := max(objs[0].MinSize().Width, objs[1].MinSize().Width)
	return width >= 2*w+theme.Padding()
}

func (l *pairLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.width > 0 && l.across(objs, l.width) {
		return fyne.NewSize(max(a.Width, b.Width), max(a.Height, b.Height))
	}
	return fyne.NewSize(max(a.Width, b.Width), a.Height+theme.Padding()+b.Height)
}

func (l *pairLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	p := theme.Padding()
	if l.across(objs, size.Width) {
		w := (size.Width - p) / 2
		objs[0].Move(fyne.NewPos(0, 0))
		objs[0].Resize(fyne.NewSize(w, size.Height))
		objs[1].Move(fyne.NewPos(w+p, 0))
		objs[1].Resize(fyne.NewSize(w, size.Height))
		return
	}
	h := objs[0].MinSize().Height
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, h))
	objs[1].Move(fyne.NewPos(0, h+p))
	objs[1].Resize(fyne.NewSize(size.Width, size.Height-h-p))
}

// adaptiveSplit shows a horizontal split as it is when its width holds
// both sides, and turns it vertical (the leading side above) when not;
// its minimum width is the wider side's.
func adaptiveSplit(s *container.Split) fyne.CanvasObject {
	return container.New(splitLayout{}, s)
}

// splitLayout lays out adaptiveSplit.
type splitLayout struct{}

func (splitLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	s := objs[0].(*container.Split)
	a, b := s.Leading.MinSize(), s.Trailing.MinSize()
	return fyne.NewSize(max(a.Width, b.Width), max(a.Height, b.Height))
}

func (splitLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	s := objs[0].(*container.Split)
	across := size.Width >= s.Leading.MinSize().Width+s.Trailing.MinSize().Width+2*theme.Padding()
	if s.Horizontal != across {
		s.Horizontal = across
		s.Refresh()
	}
	s.Move(fyne.NewPos(0, 0))
	s.Resize(size)
}

// card is a widget.Card whose subtitle wraps (a card's own subtitle is
// one line as wide as its text).
func card(title, subtitle string, content fyne.CanvasObject) *widget.Card {
	if subtitle == "" {
		return widget.NewCard(title, "", content)
	}
	return widget.NewCard(title, "", container.NewVBox(wrapped(subtitle), content))
}

// wrapped is a label whose text wraps at word boundaries.
func wrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// tableLayout lays its objects out in rows of cols cells, each column as
// wide as its widest cell (a grid's columns are all as wide as its widest
// cell), the last column taking what width is left. In a window too
// narrow for that (a phone), each row's cells flow onto as many lines as
// they need. Its minimum height follows the width it was last laid out at.
type tableLayout struct {
	cols  int
	width float32
}

// widths returns the columns' widths and the rows' heights.
func (l *tableLayout) widths(objs []fyne.CanvasObject) ([]float32, []float32) {
	ws := make([]float32, l.cols)
	hs := make([]float32, (len(objs)+l.cols-1)/l.cols)
	for i, o := range objs {
		m := o.MinSize()
		ws[i%l.cols] = max(ws[i%l.cols], m.Width)
		hs[i/l.cols] = max(hs[i/l.cols], m.Height)
	}
	return ws, hs
}

// tableWidth is the width all columns need.
func tableWidth(ws []float32) float32 {
	var w float32
	for _, x := range ws {
		w += x + theme.Padding()
	}
	return max(w-theme.Padding(), 0)
}

// place lays the cells out in width (when move) and returns their height.
func (l *tableLayout) place(objs []fyne.CanvasObject, width float32, move bool) float32 {
	ws, hs := l.widths(objs)
	p := theme.Padding()
	var y float32
	for r, h := range hs {
		row := objs[r*l.cols : min((r+1)*l.cols, len(objs))]
		if width < tableWidth(ws) {
			y += flowPlace(row, 0, y, width, move) + p
			continue
		}
		var x float32
		for c, o := range row {
			w := ws[c]
			if c == l.cols-1 {
				w = max(w, width-x)
			}
			if move {
				o.Move(fyne.NewPos(x, y))
				o.Resize(fyne.NewSize(w, h))
			}
			x += w + p
		}
		y += h + p
	}
	return max(y-p, 0)
}

func (l *tableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	ws, _ := l.widths(objs)
	width := l.width
	if width <= 0 {
		width = tableWidth(ws)
	}
	var w float32
	for _, o := range objs {
		w = max(w, o.MinSize().Width)
	}
	return fyne.NewSize(w, l.place(objs, width, false))
}

func (l *tableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	l.place(objs, size.Width, true)
}

// wrapButton is a button whose text wraps, for titles that may be longer
// than a phone is wide (a widget.Button's text is one line): a button
// without text under the wrapped text, which takes the taps.
type wrapButton struct {
	widget.BaseWidget
	// Text is the button's text.
	Text  string
	bg    *widget.Button
	label *widget.Label
}

// newWrapButton returns a wrapping button with an icon (may be nil) that
// calls tapped.
func newWrapButton(text string, icon fyne.Resource, tapped func()) *wrapButton {
	b := &wrapButton{Text: text, bg: widget.NewButton("", tapped), label: wrapped(text)}
	b.label.TextStyle = fyne.TextStyle{Bold: true}
	b.ExtendBaseWidget(b)
	if icon != nil {
		b.bg.SetIcon(icon)
		b.bg.Alignment = widget.ButtonAlignTrailing
	}
	return b
}

// CreateRenderer stacks the text over the button, keeping clear of the
// button's icon (at its trailing edge).
func (b *wrapButton) CreateRenderer() fyne.WidgetRenderer {
	var room fyne.CanvasObject
	if b.bg.Icon != nil {
		r := canvas.NewRectangle(color.Transparent)
		r.SetMinSize(fyne.NewSquareSize(theme.IconInlineSize() + theme.Padding()))
		room = r
	}
	return widget.NewSimpleRenderer(container.NewStack(b.bg, container.NewBorder(nil, nil, nil, room, b.label)))
}

// flow lays objects out left to right, starting a new line when the next
// one does not fit; its minimum width is the widest object's.
func flow(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&flowLayout{}, objs...)
}

// flowLayout lays out flow. Its minimum height follows the width it was
// last laid out at.
type flowLayout struct{ width float32 }

// place positions the visible objects in lines within width (when move),
// and returns the height they take.
func flowPlace(objs []fyne.CanvasObject, x0, y0, width float32, move bool) float32 {
	p := theme.Padding()
	x, y, line := x0, y0, float32(0)
	for _, o := range objs {
		if !o.Visible() {
			continue
		}
		m := o.MinSize()
		if x > x0 && x+m.Width > x0+width {
			x, y, line = x0, y+line+p, 0
		}
		if move {
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(min(m.Width, width), m.Height))
		}
		x += m.Width + p
		line = max(line, m.Height)
	}
	return y + line - y0
}

func (l *flowLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var w float32
	for _, o := range objs {
		if o.Visible() {
			w = max(w, o.MinSize().Width)
		}
	}
	width := l.width
	if width <= 0 {
		width = 1e6 // not laid out yet: one line
	}
	return fyne.NewSize(w, flowPlace(objs, 0, 0, max(width, w), false))
}

func (l *flowLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	flowPlace(objs, 0, 0, size.Width, true)
}

// edges shows leading at the start of a line and trailing at its end when
// both fit, trailing under leading when not.
func edges(leading, trailing fyne.CanvasObject) *fyne.Container {
	return container.New(&edgesLayout{}, leading, trailing)
}

// edgesLayout lays out edges; its minimum height follows the width it was
// last laid out at.
type edgesLayout struct{ width float32 }

func (l *edgesLayout) across(objs []fyne.CanvasObject, width float32) bool {
	return width >= objs[0].MinSize().Width+theme.Padding()+objs[1].MinSize().Width
}

func (l *edgesLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.width <= 0 || l.across(objs, l.width) {
		return fyne.NewSize(max(a.Width, b.Width), max(a.Height, b.Height))
	}
	return fyne.NewSize(max(a.Width, b.Width), a.Height+theme.Padding()+b.Height)
}

func (l *edgesLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	a, b := objs[0].MinSize(), objs[1].MinSize()
	if l.across(objs, size.Width) {
		objs[0].Move(fyne.NewPos(0, 0))
		objs[0].Resize(fyne.NewSize(size.Width-b.Width-theme.Padding(), size.Height))
		objs[1].Move(fyne.NewPos(size.Width-b.Width, 0))
		objs[1].Resize(fyne.NewSize(b.Width, size.Height))
		return
	}
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(fyne.NewSize(size.Width, a.Height))
	objs[1].Move(fyne.NewPos(0, a.Height+theme.Padding()))
	objs[1].Resize(fyne.NewSize(min(b.Width, size.Width), b.Height))
}

// formRows lays out pairs of a label and a field as layout.NewFormLayout does
// when both columns fit, and each label above its field when not.
func formRows(objs ...fyne.CanvasObject) *fyne.Container {
	return container.New(&formLayout{}, objs...)
}

// formLayout lays out formRows; its minimum height follows the width it was
// last laid out at.
type formLayout struct{ width float32 }

// columns returns the widest label and field.
func (l *formLayout) columns(objs []fyne.CanvasObject) (float32, float32) {
	var lw, fw float32
	for i := 0; i+1 < len(objs); i += 2 {
		lw = max(lw, objs[i].MinSize().Width)
		fw = max(fw, objs[i+1].MinSize().Width)
	}
	return lw, fw
}

// place lays the pairs out in width (when move) and returns their height.
func (l *formLayout) place(objs []fyne.CanvasObject, width float32, move bool) float32 {
	lw, fw := l.columns(objs)
	p := theme.Padding()
	across := width >= lw+p+fw
	var y float32
	for i := 0; i+1 < len(objs); i += 2 {
		lab, field := objs[i], objs[i+1]
		lm, fm := lab.MinSize(), field.MinSize()
		if across {
			h := max(lm.Height, fm.Height)
			if move {
				lab.Move(fyne.NewPos(0, y))
				lab.Resize(fyne.NewSize(lw, h))
				field.Move(fyne.NewPos(lw+p, y))
				field.Resize(fyne.NewSize(width-lw-p, h))
			}
			y += h + p
			continue
		}
		if move {
			lab.Move(fyne.NewPos(0, y))
			lab.Resize(fyne.NewSize(width, lm.Height))
			field.Move(fyne.NewPos(0, y+lm.Height))
			field.Resize(fyne.NewSize(width, fm.Height))
		}
		y += lm.Height + fm.Height + p
	}
	return max(y-p, 0)
}

func (l *formLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	lw, fw := l.columns(objs)
	width := l.width
	if width <= 0 {
		width = lw + theme.Padding() + fw
	}
	return fyne.NewSize(max(lw, fw), l.place(objs, width, false))
}

func (l *formLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	l.width = size.Width
	l.place(objs, size.Width, true)
}

// checkText is a check box with its text beside it, wrapping (a
// widget.Check's text is one line).
func checkText(c fyne.CanvasObject, text string) fyne.CanvasObject {
	return container.NewBorder(nil, nil, container.NewVBox(c), nil, wrapped(text))
}
