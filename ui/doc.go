// Package ui holds the Commons desktop user interface: the first-run flow
// (identity, society) and the main screens (home, time bank,
// contributions, directory, governance, society, settings). It sees the
// peer only through the Backend interface; creating the Fyne application itself
// (fyne.io/fyne/v2/app) is left to the root main package, so the UI runs
// headlessly in tests with fyne.io/fyne/v2/test against a real node.
//
// Threading: store and network work never runs on the UI goroutine. Screens
// load data with UI.async, which runs the work on its own goroutine and
// applies the result with fyne.Do. Records arriving from the network wake
// a refresh of the visible screens (at most a few times a second during a
// large catch-up). Only background goroutines call fyne.Do or
// fyne.DoAndWait: the UI starts on the app's Started hook (UI.Run), on the
// UI goroutine once the app runs, and code already on the UI goroutine
// (theme changes included) calls what it needs directly. Under Fyne's
// test driver, which has no UI goroutine, the work runs inline instead.
//
// Every user-visible string goes through lang.L (Fyne's translations);
// translations/ holds English and French.
package ui
