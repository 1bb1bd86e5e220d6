package ui

import (
	"fyne.io/fyne/v2"
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
// cell); the last column takes what width is left.
type tableLayout struct{ cols int }

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

func (l *tableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	ws, hs := l.widths(objs)
	p := theme.Padding()
	var w, h float32
	for _, x := range ws {
		w += x + p
	}
	for _, y := range hs {
		h += y + p
	}
	return fyne.NewSize(max(w-p, 0), max(h-p, 0))
}

func (l *tableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	ws, hs := l.widths(objs)
	p := theme.Padding()
	var y float32
	for r, h := range hs {
		var x float32
		for c := 0; c < l.cols && r*l.cols+c < len(objs); c++ {
			w := ws[c]
			if c == l.cols-1 {
				w = max(w, size.Width-x)
			}
			o := objs[r*l.cols+c]
			o.Move(fyne.NewPos(x, y))
			o.Resize(fyne.NewSize(w, h))
			x += w + p
		}
		y += h + p
	}
}
