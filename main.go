// Command commons is the Commons desktop app: every member runs it, and
// every running app is a full peer of the community's network.
package main

import (
	"flag"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/commons-society/commons/ui"
)

func main() {
	// Both flags are accepted now and wired to the node later.
	_ = flag.String("home", "", "directory holding this member's identity and data")
	_ = flag.Bool("no-mdns", false, "do not discover peers on the local network with mDNS")
	flag.Parse()

	a := app.NewWithID("org.commons.app")
	w := a.NewWindow("Commons")
	w.SetContent(ui.NewShell())
	w.Resize(fyne.NewSize(800, 600))
	w.ShowAndRun()
}
