package ui

import (
	"embed"
	"fmt"
	"os"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/lang"
)

//go:embed translations
var translations embed.FS

// Languages are the languages the app is translated into, by code.
var Languages = []struct{ Code, Name string }{{"en", "English"}, {"fr", "Français"}}

// systemLanguage is $LANGUAGE as the app found it.
var systemLanguage, hadSystemLanguage = os.LookupEnv("LANGUAGE")

// LoadTranslations loads the app's translations and picks the language:
// code ("en", "fr"), or the system's when code is empty.
func LoadTranslations(code string) error {
	// Fyne picks the language from the environment when translations are
	// added.
	var err error
	switch {
	case code != "":
		err = os.Setenv("LANGUAGE", code)
	case hadSystemLanguage:
		err = os.Setenv("LANGUAGE", systemLanguage)
	default:
		err = os.Unsetenv("LANGUAGE")
	}
	if err != nil {
		return fmt.Errorf("ui: set language: %w", err)
	}
	if err := lang.AddTranslationsFS(translations, "translations"); err != nil {
		return fmt.Errorf("ui: load translations: %w", err)
	}
	return nil
}

// SetLanguage saves a language choice ("" for the system's) and rebuilds
// the screens in it.
func (u *UI) SetLanguage(code string) {
	u.app.Preferences().SetString(PrefLanguage, code)
	if err := LoadTranslations(code); err != nil {
		u.showError(err)
		return
	}
	if u.tabs != nil {
		sel := u.tabs.SelectedIndex()
		u.tabs, u.screens = nil, nil
		u.showMain()
		u.ShowTab(sel)
	}
}

// LanguagePref returns the saved language choice of an app.
func LanguagePref(a fyne.App) string { return a.Preferences().StringWithFallback(PrefLanguage, "") }
