// Package ui holds the Commons desktop user interface: the screens and
// widgets every member sees. It builds only on Fyne widgets and containers;
// creating the Fyne application itself (fyne.io/fyne/v2/app) is left to the
// root main package, so the UI can be exercised headlessly in tests with
// fyne.io/fyne/v2/test.
package ui
