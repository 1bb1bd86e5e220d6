package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type societyScreen struct{ u *UI }

func newSocietyScreen(u *UI) screen { return &societyScreen{u: u} }

func (s *societyScreen) tab() *container.TabItem {
	return container.NewTabItemWithIcon(lang.L("Society"), theme.AccountIcon(), widget.NewLabel(lang.L("Society")))
}

func (s *societyScreen) refresh() {}
