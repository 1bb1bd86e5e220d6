package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type directoryScreen struct{ u *UI }

func newDirectory(u *UI) screen { return &directoryScreen{u: u} }

func (s *directoryScreen) tab() *container.TabItem {
	return container.NewTabItemWithIcon(lang.L("Directory"), theme.SearchIcon(), widget.NewLabel(lang.L("Directory")))
}

func (s *directoryScreen) refresh() {}
