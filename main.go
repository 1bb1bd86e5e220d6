// Command commons is the Commons desktop app: every member runs it, and
// every running app is a full peer of the society's network, with its own
// identity, store and LAN discovery. While it runs, commons-node commands
// talk to it through its control socket.
//
// With --demo it opens a sample society instead (see node.Demo): when the
// home holds no identity yet, the demo society is written into it first,
// then the demo identity is unlocked with the passphrase "commons-demo".
// Without --home or $COMMONS_HOME the demo lives in its own home
// ("commons-demo" in the user config dir), never in the member's real
// one. --offline runs the peer without any network, and --screenshots DIR
// captures every main screen in the light and dark themes to DIR, then
// quits (make screenshots runs it under Xvfb).
package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/app"

	"github.com/commons-society/commons/mobile"
	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/ui"
)

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(v string) error { *m = append(*m, v); return nil }

func main() {
	flag.Usage = func() {
		out := flag.CommandLine.Output()
		fmt.Fprintf(out, "Usage: %s [flags]\n\n", filepath.Base(os.Args[0]))
		fmt.Fprintln(out, "Commons desktop app: your peer of the society's network.")
		fmt.Fprintln(out, "Try it with a sample society: commons --demo (passphrase "+node.DemoPassphrase+").")
		fmt.Fprintln(out)
		fmt.Fprintln(out, "Flags:")
		flag.PrintDefaults()
	}
	home := flag.String("home", "", "directory holding this member's identity and data (default $COMMONS_HOME or the user config dir)")
	noMDNS := flag.Bool("no-mdns", false, "do not discover peers on the local network with mDNS")
	var listen, peers multiFlag
	flag.Var(&listen, "listen", "multiaddr to listen on (repeatable; default all interfaces, TCP and QUIC)")
	flag.Var(&peers, "peer", "static peer multiaddr with /p2p/ID (repeatable)")
	demo := flag.Bool("demo", false, "open the demo society: filled into the home if it holds no identity yet, unlocked with the passphrase "+
		node.DemoPassphrase+" (default home: commons-demo in the user config dir, not your own)")
	offline := flag.Bool("offline", false, "run without any network: no listening, no discovery, no peers")
	shots := flag.String("screenshots", "", "capture every main screen, light and dark, as PNG files into this `dir`, then quit (use with --demo)")
	logLevel := flag.String("log-level", "info", "what the peer logs on standard error (rejected records, penalised peers): debug, info, warn or error")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "commons: unexpected argument %q (see --help)\n", flag.Arg(0))
		os.Exit(2)
	}
	level, err := node.ParseLogLevel(*logLevel)
	if err != nil {
		fmt.Fprintf(os.Stderr, "commons: --log-level: %v\n", err)
		os.Exit(2)
	}
	slog.SetDefault(node.NewLogger(os.Stderr, level))
	if err := run(*home, *demo, *offline, *shots, node.NetConfig{Listen: listen, Peers: peers, MDNS: !*noMDNS}); err != nil {
		fmt.Fprintln(os.Stderr, "commons:", err)
		os.Exit(1)
	}
}

// run opens the home's peer and shows the window until it is closed (or
// the screenshots are taken).
func run(home string, demo, offline bool, shots string, net node.NetConfig) error {
	quietDBus()
	a := app.NewWithID("org.commons.app")
	// On a phone the home is in the app's own storage, and the store and
	// network use the phone profiles (package mobile).
	phone := mobile.IsPhone(a)
	if phone && home == "" && !demo && os.Getenv(node.HomeEnv) == "" {
		h, err := mobile.Home(a)
		if err != nil {
			return err
		}
		home = h
	}
	h, err := pickHome(home, demo)
	if err != nil {
		return err
	}
	if demo {
		if err := fillDemo(h, os.Stderr); err != nil {
			return err
		}
	}
	if err := ui.LoadTranslations(ui.LanguagePref(a)); err != nil {
		fmt.Fprintln(os.Stderr, "commons:", err)
	}
	cfg := node.DesktopConfig{Net: net, Offline: offline}
	if phone {
		mobile.LimitMemory()
		cfg.Net, cfg.Node = mobile.NetConfig(cfg.Net), mobile.Options(cfg.Node)
	}
	d := node.NewDesktop(h, cfg)
	if phone {
		// The network runs in the foreground only; see mobile.Lifecycle.
		lc := mobile.NewLifecycle(d, 0)
		lc.OnError = func(err error) { fmt.Fprintln(os.Stderr, "commons:", err) }
		mobile.Attach(a.Lifecycle(), lc)
	}
	if demo {
		if err := d.Unlock([]byte(node.DemoPassphrase)); err != nil {
			return fmt.Errorf("unlock the demo identity in %s: %w", h, err)
		}
	}
	w := a.NewWindow(ui.Title)
	u := ui.New(a, w, d)
	var once sync.Once
	var closeErr error
	cleanup := func() {
		once.Do(func() {
			u.Close()
			closeErr = d.Close()
		})
	}
	w.SetOnClosed(cleanup)
	w.Resize(fyne.NewSize(1000, 680))
	shotErr := make(chan error, 1)
	var then func()
	if shots != "" {
		then = func() {
			err := u.Screenshots(shots, nil)
			if err == nil {
				err = u.PhoneScreenshots(shots)
			}
			if err == nil {
				fmt.Fprintln(os.Stderr, "commons: screenshots written to", shots)
			}
			shotErr <- err
			fyne.Do(a.Quit)
		}
	}
	u.Run(then)
	cleanup()
	select {
	case err := <-shotErr:
		if err != nil {
			return err
		}
	default:
		if shots != "" {
			return errors.New("the window was closed before the screenshots were taken")
		}
	}
	return closeErr
}

// pickHome returns the home to open: the one given, else $COMMONS_HOME,
// else the default home (a separate one for the demo).
func pickHome(home string, demo bool) (string, error) {
	if home != "" {
		return home, nil
	}
	if !demo || os.Getenv(node.HomeEnv) != "" {
		return node.DefaultHome()
	}
	dir, err := os.UserConfigDir()
	if err != nil {
		return "", fmt.Errorf("no home directory for the demo (give --home or set %s): %w", node.HomeEnv, err)
	}
	return filepath.Join(dir, "commons-demo"), nil
}

// fillDemo writes the demo society into a home without an identity,
// saying so on progress, and refuses a home whose identity is not the
// demo's before saying anything.
func fillDemo(home string, progress io.Writer) error {
	if node.IsDemo(home) {
		return nil
	}
	err := node.DemoFits(home)
	if err == nil {
		fmt.Fprintln(progress, "commons: writing the demo society into", home)
		err = node.Demo(home, []byte(node.DemoPassphrase), nil)
	}
	if errors.Is(err, node.ErrHomeInUse) {
		return fmt.Errorf("%s holds an identity that is not the demo's: give --demo a fresh --home", home)
	}
	return err
}
