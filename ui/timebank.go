package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type timeBankScreen struct{ u *UI }

func newTimeBank(u *UI) screen { return &timeBankScreen{u: u} }

func (s *timeBankScreen) tab() *container.TabItem {
	return container.NewTabItemWithIcon(lang.L("Time bank"), theme.HistoryIcon(), widget.NewLabel(lang.L("Time bank")))
}

func (s *timeBankScreen) refresh() {}
