package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type contributionsScreen struct{ u *UI }

func newContributions(u *UI) screen { return &contributionsScreen{u: u} }

func (s *contributionsScreen) tab() *container.TabItem {
	return container.NewTabItemWithIcon(lang.L("Contributions"), theme.DocumentIcon(), widget.NewLabel(lang.L("Contributions")))
}

func (s *contributionsScreen) refresh() {}
