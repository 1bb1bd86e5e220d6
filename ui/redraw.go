package ui

import (
	"fyne.io/fyne/v2/widget"
)

// redrawOnThemeChange keeps selects drawn in the current theme. When the
// theme changes, Fyne re-themes only what is shown (the selected tab),
// and a Select's drop-down arrow (a widget.Icon) redraws only when its
// resource changes: a select on a tab hidden at the change would keep
// the old theme's arrow, dim after a switch to dark, as if it were
// disabled. Disabling and enabling it again swaps the resource, so the
// arrow redraws in the new theme.
func redrawOnThemeChange(u *UI, sels ...*widget.Select) {
	u.onThemeChange(func() {
		for _, s := range sels {
			if !s.Disabled() {
				s.Disable()
				s.Enable()
			}
		}
	})
}
