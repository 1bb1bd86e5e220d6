package ui

import (
	"image/color"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/theme"
)

// Preference keys of the app (fyne.App.Preferences).
const (
	PrefTheme     = "theme"      // "light", "dark" or "system"
	PrefTextScale = "text_scale" // 0.8 … 1.6
	PrefLanguage  = "language"   // "", "en" or "fr"; applied at the next start
)

// Theme choices.
const (
	ThemeSystem = "system"
	ThemeLight  = "light"
	ThemeDark   = "dark"
)

// commonsTheme is Fyne's default theme with a fixed light or dark variant
// (or the system's) and scaled text.
type commonsTheme struct {
	variant string
	scale   float32
}

func (t commonsTheme) Color(n fyne.ThemeColorName, v fyne.ThemeVariant) color.Color {
	switch t.variant {
	case ThemeLight:
		v = theme.VariantLight
	case ThemeDark:
		v = theme.VariantDark
	}
	return theme.DefaultTheme().Color(n, v)
}

func (t commonsTheme) Font(s fyne.TextStyle) fyne.Resource { return theme.DefaultTheme().Font(s) }

func (t commonsTheme) Icon(n fyne.ThemeIconName) fyne.Resource { return theme.DefaultTheme().Icon(n) }

func (t commonsTheme) Size(n fyne.ThemeSizeName) float32 {
	s := theme.DefaultTheme().Size(n)
	switch n {
	case theme.SizeNameText, theme.SizeNameHeadingText, theme.SizeNameSubHeadingText, theme.SizeNameCaptionText, theme.SizeNameInlineIcon:
		return s * t.scale
	}
	return s
}

// applyTheme sets the app's theme from its preferences.
func applyTheme(a fyne.App) {
	p := a.Preferences()
	scale := float32(p.FloatWithFallback(PrefTextScale, 1))
	if scale < 0.8 || scale > 1.6 {
		scale = 1
	}
	a.Settings().SetTheme(commonsTheme{variant: p.StringWithFallback(PrefTheme, ThemeSystem), scale: scale})
}

// SetTheme saves and applies a theme choice: ThemeLight, ThemeDark or
// ThemeSystem.
func (u *UI) SetTheme(v string) {
	u.app.Preferences().SetString(PrefTheme, v)
	applyTheme(u.app)
}

// SetTextScale saves and applies a text scale (0.8 to 1.6).
func (u *UI) SetTextScale(s float64) {
	u.app.Preferences().SetFloat(PrefTextScale, s)
	applyTheme(u.app)
}
