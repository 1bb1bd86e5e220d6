package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type homeScreen struct{ u *UI }

func newHome(u *UI) screen { return &homeScreen{u: u} }

func (s *homeScreen) tab() *container.TabItem {
	return container.NewTabItemWithIcon(lang.L("Home"), theme.HomeIcon(), widget.NewLabel(lang.L("Home")))
}

func (s *homeScreen) refresh() {}
