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
// ThemeSystem. It runs on the UI goroutine.
func (u *UI) SetTheme(v string) {
	u.app.Preferences().SetString(PrefTheme, v)
	u.restyle()
}

// SetTextScale saves and applies a text scale (0.8 to 1.6). It runs on
// the UI goroutine.
func (u *UI) SetTextScale(s float64) {
	u.app.Preferences().SetFloat(PrefTextScale, s)
	u.restyle()
}

// restyle applies the theme preferences and, being on the UI goroutine,
// runs the theme hooks itself: the settings listener (restyled) skips
// the change it causes.
func (u *UI) restyle() {
	u.styling.Store(true)
	applyTheme(u.app)
	u.styling.Store(false)
	u.runThemeHooks()
}

// onThemeChange adds fn to the functions run on the UI goroutine after
// each change of the theme or text size.
func (u *UI) onThemeChange(fn func()) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.themeHooks = append(u.themeHooks, fn)
}

// restyled is the app's settings listener: it hands changes made
// elsewhere (by the system, or Fyne's settings file) to the UI goroutine.
// Fyne calls it on the goroutine making the change, which for the UI's
// own changes is the UI goroutine: restyle runs the hooks for those.
func (u *UI) restyled(fyne.Settings) {
	if !u.styling.Load() {
		u.onUI(u.runThemeHooks)
	}
}

func (u *UI) runThemeHooks() {
	u.mu.Lock()
	hooks := append([]func(){}, u.themeHooks...)
	u.mu.Unlock()
	for _, fn := range hooks {
		fn()
	}
}
