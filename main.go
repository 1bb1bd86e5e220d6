// Command commons is the Commons desktop app: every member runs it, and
// every running app is a full peer of the society's network, with its own
// identity, store and LAN discovery. While it runs, commons-node commands
// talk to it through its control socket.
package main

import (
	"flag"
	"fmt"
	"os"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/ui"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	home := flag.String("home", "", "directory holding this member's identity and data (default $COMMONS_HOME or the user config dir)")
	noMDNS := flag.Bool("no-mdns", false, "do not discover peers on the local network with mDNS")
	var listen, peers multiFlag
	flag.Var(&listen, "listen", "multiaddr to listen on (repeatable; default all interfaces, TCP and QUIC)")
	flag.Var(&peers, "peer", "static peer multiaddr with /p2p/ID (repeatable)")
	flag.Parse()

	h := *home
	if h == "" {
		var err error
		if h, err = node.DefaultHome(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
	a := app.NewWithID("org.commons.app")
	if err := ui.LoadTranslations(ui.LanguagePref(a)); err != nil {
		fmt.Fprintln(os.Stderr, err)
	}
	d := node.NewDesktop(h, node.DesktopConfig{Net: node.NetConfig{Listen: listen, Peers: peers, MDNS: !*noMDNS}})
	w := a.NewWindow(ui.Title)
	u := ui.New(a, w, d)
	w.SetOnClosed(func() {
		u.Close()
		if err := d.Close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	})
	w.Resize(fyne.NewSize(1000, 680))
	u.Start()
	w.ShowAndRun()
}
