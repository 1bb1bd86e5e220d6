package ui

import (
	"image/color"
	"math"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/mobile"
	"github.com/commons-society/commons/node"
)

// The phone layout: one column over a bottom navigation bar, chosen on a
// phone (mobile.IsPhone) and, live, whenever the window is narrower than
// phoneBreakpoint. The navigation is
// derived from the one list of main screens (UI.screens): the screens
// with a phone layout of their own (phoneScreen) get a place in the bar,
// with "Log hours" after the first; every other screen is under "More".
// Adding a screen to the list is all it takes to reach it on a phone.

const (
	// phoneBreakpoint is the window width (dp) below which the phone
	// layout is always used.
	phoneBreakpoint float32 = 600
	// phoneWidth is the width the phone layout needs at most: windows can
	// be narrowed down to it.
	phoneWidth float32 = 360
	// touchHeight is the least height of a touch target (dp).
	touchHeight float32 = 48
)

// phoneContent is the width of a phoneWidth window's content: the window
// pads it on both sides.
func phoneContent() float32 { return phoneWidth - 2*theme.Padding() }

// phoneScreen is a screen with a layout for phones; it gets a place in
// the bottom navigation.
type phoneScreen interface {
	screen
	// phone returns the screen's phone layout; it is built once.
	phone() fyne.CanvasObject
}

// phoneEntry is one destination of the phone navigation.
type phoneEntry struct {
	name string // as in ScreenNames ("hours" for Log hours)
	text string
	icon fyne.Resource
	tab  int // index in UI.screens, or -1 for Log hours
	view fyne.CanvasObject
	nav  *navButton // nil under "More"
}

// phoneShell is the phone layout: the chosen screen over the status line
// and the bottom navigation.
type phoneShell struct {
	u       *UI
	entries []*phoneEntry
	cur     int
	center  *fyne.Container
	status  *widget.Label
	hours   *hoursView
	more    *navButton
	root    fyne.CanvasObject
	// active is set while the phone layout is shown (adaptiveLayout).
	active bool
}

// newPhoneShell builds the phone layout over the main screens.
func newPhoneShell(u *UI) *phoneShell {
	p := &phoneShell{u: u, center: container.NewStack()}
	p.hours = newHoursView(u)
	var bar, rest []*phoneEntry
	for i, s := range u.screens {
		it := s.tab()
		e := &phoneEntry{text: it.Text, icon: it.Icon, tab: i}
		if i < len(ScreenNames) {
			e.name = ScreenNames[i]
		}
		if ps, ok := s.(phoneScreen); ok {
			e.view = ps.phone()
			bar = append(bar, e)
		} else {
			e.view = narrow(it.Content)
			rest = append(rest, e)
		}
		if i == 0 {
			bar = append(bar, &phoneEntry{name: "hours", text: lang.L("Log hours"), icon: theme.ContentAddIcon(), tab: -1, view: p.hours.content()})
		}
	}
	p.entries = append(bar, rest...)
	cols := []fyne.CanvasObject{}
	for i, e := range bar {
		e.nav = newNavButton(e.text, e.icon, func() { p.show(i) })
		cols = append(cols, e.nav)
	}
	if len(rest) > 0 {
		p.more = newNavButton(lang.L("More"), theme.MoreHorizontalIcon(), func() { p.showMore(rest) })
		cols = append(cols, p.more)
	}
	p.status = widget.NewLabel("")
	p.status.Wrapping = fyne.TextWrapWord
	p.status.SizeName = theme.SizeNameCaptionText
	bottom := container.NewVBox(p.status, widget.NewSeparator(), container.NewGridWithColumns(len(cols), cols...))
	p.root = container.NewBorder(nil, bottom, nil, nil, p.center)
	prev := u.tabs.OnSelected
	u.tabs.OnSelected = func(it *container.TabItem) {
		if prev != nil {
			prev(it)
		}
		p.follow()
	}
	p.follow()
	return p
}

// show shows entry i.
func (p *phoneShell) show(i int) {
	if i < 0 || i >= len(p.entries) {
		return
	}
	p.cur = i
	e := p.entries[i]
	if e.tab >= 0 && p.u.tabs.SelectedIndex() != e.tab {
		p.u.tabs.SelectIndex(e.tab) // refreshes the screen
	}
	p.place()
	inMore := true
	for _, x := range p.entries {
		if x.nav != nil {
			x.nav.setSelected(x == e)
			if x == e {
				inMore = false
			}
		}
	}
	if p.more != nil {
		p.more.setSelected(inMore)
	}
	if e.tab < 0 {
		p.hours.refresh()
	}
}

// place puts the entry shown in the phone column while the phone layout
// is shown; otherwise the column is left empty, so that the screens it
// shares with the desktop tabs are laid out by the tabs alone.
func (p *phoneShell) place() {
	if !p.active {
		p.center.Objects = nil
		return
	}
	v := p.entries[p.cur].view
	v.Show()
	p.center.Objects = []fyne.CanvasObject{v}
	p.center.Refresh()
}

// ShowPhone shows a phone destination by name (as in ScreenNames, or
// "hours"); it reports whether there is one.
func (u *UI) ShowPhone(name string) bool {
	if u.phone == nil {
		return false
	}
	for i, e := range u.phone.entries {
		if e.name == name {
			u.phone.show(i)
			return true
		}
	}
	return false
}

// follow shows the screen selected in the main tabs, unless it is shown.
func (p *phoneShell) follow() {
	sel := p.u.tabs.SelectedIndex()
	if p.entries[p.cur].tab == sel {
		return
	}
	for i, e := range p.entries {
		if e.tab == sel {
			p.show(i)
			return
		}
	}
}

// showMore lists the screens without a place in the bar.
func (p *phoneShell) showMore(rest []*phoneEntry) {
	var items []*fyne.MenuItem
	for _, e := range rest {
		items = append(items, fyne.NewMenuItemWithIcon(e.text, e.icon, func() {
			for i, x := range p.entries {
				if x == e {
					p.show(i)
				}
			}
		}))
	}
	c := p.u.win.Canvas()
	pos := fyne.CurrentApp().Driver().AbsolutePositionForObject(p.more)
	menu := widget.NewPopUpMenu(fyne.NewMenu("", items...), c)
	menu.ShowAtPosition(fyne.NewPos(pos.X+p.more.Size().Width-menu.MinSize().Width, pos.Y-menu.MinSize().Height))
}

// update shows the status line in the phone layout.
func (p *phoneShell) update(st *node.Status) {
	p.status.SetText(statusLine(st))
	p.hours.statusChanged(st)
}

// mainContent is the window's content once the main screens are built:
// the desktop layout and the phone layout, of which adaptiveLayout shows
// one by the window's width.
func (u *UI) mainContent() fyne.CanvasObject {
	desktop := container.NewBorder(nil, u.bar.content(), nil, nil, u.tabs)
	if u.phone == nil {
		u.phone = newPhoneShell(u)
		u.bar.after = u.phone.update
	}
	l := &adaptiveLayout{u: u, desktop: desktop, phone: u.phone.root}
	return container.New(l, desktop, u.phone.root)
}

// PhoneLayout reports whether the window shows the phone layout.
func (u *UI) PhoneLayout() bool {
	return u.phone != nil && u.phone.active
}

// adaptiveLayout shows the phone layout on a phone or when the window is
// narrower than phoneBreakpoint, the desktop one otherwise (every desktop
// screen fits from phoneBreakpoint up); its minimum width is the phone's,
// so that any window can be narrowed to a phone's width.
type adaptiveLayout struct {
	u               *UI
	desktop, phone  fyne.CanvasObject
	phoneOn, chosen bool
}

// usePhone reports whether a window whose content is width wide shows the
// phone layout: the window's own width (its content's and the padding
// around it) is compared with phoneBreakpoint.
func (l *adaptiveLayout) usePhone(width float32) bool {
	if w := l.u.win.Canvas().Size().Width; w > width {
		width = w
	}
	return mobile.IsPhone(l.u.app) || width < phoneBreakpoint
}

// MinSize is the phone layout's (at most phoneContent wide) and tall enough
// for the desktop layout.
func (l *adaptiveLayout) MinSize([]fyne.CanvasObject) fyne.Size {
	p := l.phone.MinSize()
	if mobile.IsPhone(l.u.app) {
		return p
	}
	return fyne.NewSize(min(p.Width, phoneContent()), max(p.Height, l.desktop.MinSize().Height))
}

func (l *adaptiveLayout) Layout(_ []fyne.CanvasObject, size fyne.Size) {
	phone := l.usePhone(size.Width)
	show, hide := l.desktop, l.phone
	if phone {
		show, hide = l.phone, l.desktop
	}
	switched := !l.chosen || phone != l.phoneOn
	l.chosen, l.phoneOn = true, phone
	hide.Hide()
	show.Move(fyne.NewPos(0, 0))
	show.Resize(size)
	if !switched {
		return
	}
	show.Show()
	// The screens shared with the desktop tabs go into the phone column,
	// or back into the tabs.
	l.u.phone.active = phone
	l.u.phone.place()
	if !phone {
		l.u.tabs.Refresh()
	}
	show.Refresh()
}

// narrow lets a screen without a phone layout of its own be laid out at
// a phone's width: its minimum width is capped at phoneContent (wrapping
// text wraps; wider rows are cut).
func narrow(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(boundLayout{maxWidth: phoneContent()}, o)
}

// touch makes o a touch target at least touchHeight high.
func touch(o fyne.CanvasObject) fyne.CanvasObject {
	return container.New(boundLayout{minHeight: touchHeight}, o)
}

// boundLayout fills its space with its one object, whose minimum width it
// caps at maxWidth (when not 0) and whose minimum height it raises to
// minHeight.
type boundLayout struct{ maxWidth, minHeight float32 }

func (l boundLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	m := objs[0].MinSize()
	if l.maxWidth > 0 {
		m.Width = min(m.Width, l.maxWidth)
	}
	return fyne.NewSize(m.Width, max(m.Height, l.minHeight))
}

func (boundLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	objs[0].Move(fyne.NewPos(0, 0))
	objs[0].Resize(size)
}

// navButton is a destination of the bottom navigation: an icon over its
// name, a touch target at least touchHeight high.
type navButton struct {
	widget.BaseWidget
	Text     string
	icon     *widget.Icon
	label    *canvas.Text
	selected bool
	bg       *canvas.Rectangle
	onTapped func()
}

func newNavButton(text string, icon fyne.Resource, tapped func()) *navButton {
	b := &navButton{Text: text, icon: widget.NewIcon(icon), onTapped: tapped}
	b.label = canvas.NewText(text, theme.Color(theme.ColorNameForeground))
	b.label.Alignment = fyne.TextAlignCenter
	b.label.TextSize = theme.CaptionTextSize()
	b.bg = canvas.NewRectangle(color.Transparent)
	b.bg.CornerRadius = theme.InputRadiusSize()
	b.ExtendBaseWidget(b)
	return b
}

// Tapped opens the destination.
func (b *navButton) Tapped(*fyne.PointEvent) {
	if b.onTapped != nil {
		b.onTapped()
	}
}

// MinSize is at least touchHeight high.
func (b *navButton) MinSize() fyne.Size {
	m := b.BaseWidget.MinSize()
	return fyne.NewSize(m.Width, max(m.Height, touchHeight))
}

func (b *navButton) setSelected(on bool) {
	b.selected = on
	b.Refresh()
}

// restyle colours the button for its state and the theme.
func (b *navButton) restyle() {
	on := b.selected
	b.label.Color = theme.Color(theme.ColorNameForeground)
	if on {
		b.label.Color = theme.Color(theme.ColorNamePrimary)
	}
	b.label.TextSize = theme.CaptionTextSize()
	b.label.Refresh()
	if on {
		b.bg.FillColor = theme.Color(theme.ColorNameSelection)
	} else {
		b.bg.FillColor = color.Transparent
	}
	b.bg.Refresh()
}

// CreateRenderer draws the icon over the name.
func (b *navButton) CreateRenderer() fyne.WidgetRenderer {
	col := container.NewVBox(container.NewCenter(b.icon), b.label)
	return &navRenderer{b: b, WidgetRenderer: widget.NewSimpleRenderer(container.NewStack(b.bg, container.NewCenter(col)))}
}

// navRenderer restyles the button when the theme changes.
type navRenderer struct {
	fyne.WidgetRenderer
	b *navButton
}

func (r *navRenderer) Refresh() {
	r.b.restyle()
	r.WidgetRenderer.Refresh()
}

// The home screen fits a phone as it is.
func (s *homeScreen) phone() fyne.CanvasObject { return s.tab().Content }

// The directory is read on a phone at the phone's width.
func (s *directoryScreen) phone() fyne.CanvasObject { return narrow(s.tab().Content) }

// dialogWidth is a dialog's width: w, or less so that it fits the window
// (a phone's 360 dp among them).
func (u *UI) dialogWidth(w float32) float32 {
	return min(w, u.win.Canvas().Size().Width-2*theme.Padding())
}

// tap makes o (a button, a field, a choice) a touch target while the phone
// layout shows: at least touchHeight high, like the bottom navigation; in
// the desktop layout it keeps its own height. The screens under "More",
// shared by both layouts, put their controls through it.
func (u *UI) tap(o fyne.CanvasObject) fyne.CanvasObject {
	t := &tapTarget{u: u, obj: o}
	t.ExtendBaseWidget(t)
	return t
}

// tapTarget holds one object, shown and hidden with it, at least
// touchHeight high in the phone layout.
type tapTarget struct {
	widget.BaseWidget
	u   *UI
	obj fyne.CanvasObject
}

// Visible follows the object held, so that hiding a button hides its
// touch target (and its room in a box).
func (t *tapTarget) Visible() bool { return t.obj.Visible() }

// MinSize is the object's, at least touchHeight high in the phone layout.
func (t *tapTarget) MinSize() fyne.Size {
	m := t.obj.MinSize()
	if t.obj.Visible() && t.u.PhoneLayout() {
		m.Height = max(m.Height, touchHeight)
	}
	return m
}

// CreateRenderer lays the object over the whole target.
func (t *tapTarget) CreateRenderer() fyne.WidgetRenderer {
	return widget.NewSimpleRenderer(container.New(boundLayout{}, t.obj))
}

// taps makes each of objs a touch target (tap).
func (u *UI) taps(objs ...fyne.CanvasObject) []fyne.CanvasObject {
	out := make([]fyne.CanvasObject, len(objs))
	for i, o := range objs {
		out[i] = u.tap(o)
	}
	return out
}

// tapGroup makes the items of a radio or check group large touch targets
// in the phone layout: Fyne sizes them from its inner padding, which a
// theme over the group raises there (touchTheme); on the desktop the group
// keeps the app's theme.
func (u *UI) tapGroup(o fyne.CanvasObject) fyne.CanvasObject {
	return container.NewThemeOverride(o, touchTheme{u})
}

// touchTheme is the app's theme with more inner padding in the phone
// layout, so that a group's items are at least touchHeight high.
type touchTheme struct{ u *UI }

func (t touchTheme) base() fyne.Theme { return fyne.CurrentApp().Settings().Theme() }

// Color is the app theme's.
func (t touchTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	return t.base().Color(n, v)
}

// Font is the app theme's.
func (t touchTheme) Font(s fyne.TextStyle) fyne.Resource { return t.base().Font(s) }

// Icon is the app theme's.
func (t touchTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return t.base().Icon(n) }

// Size is the app theme's, except the inner padding in the phone layout:
// a group item is a line of text with that padding above and below, so
// the padding is raised until the item is touchHeight high, whatever the
// text scale the member chose (at the default scale, 35 dp items become
// 49 dp).
func (t touchTheme) Size(n fyne.ThemeSizeName) float32 {
	b := t.base()
	s := b.Size(n)
	if n == theme.SizeNameInnerPadding && t.u.PhoneLayout() {
		line := fyne.MeasureText("Mg", b.Size(theme.SizeNameText), fyne.TextStyle{}).Height
		s = max(s, float32(math.Ceil(float64(touchHeight-line)/2)))
	}
	return s
}
