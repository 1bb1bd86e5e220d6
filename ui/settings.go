package ui

import (
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

type settingsScreen struct{ u *UI }

func newSettings(u *UI) screen { return &settingsScreen{u: u} }

func (s *settingsScreen) tab() *container.TabItem {
	return container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), widget.NewLabel(lang.L("Settings")))
}

func (s *settingsScreen) refresh() {}
