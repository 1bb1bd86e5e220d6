package node

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"sync"

	"github.com/commons-society/commons/identity"
)

// ErrBusy means another process (commons-node run, or another app window)
// already runs the peer of this home.
var ErrBusy = errors.New("node: another Commons peer is already running for this home; close it first")

// NetSettings are the network settings a member changes in the app; they
// are kept in the home (network.json) and applied at once.
type NetSettings struct {
	// MDNS finds peers on the local network (LAN discovery).
	MDNS bool `json:"mdns"`
	// Peers are static peers (full multiaddrs with /p2p/ID).
	Peers []string `json:"peers"`
}

// Desktop is the peer the desktop app embeds: the identity's life cycle
// (create, restore, unlock), the node with its network and the control
// socket that commons-node commands use while the app runs, and change
// notifications for live screens.
type Desktop struct {
	paths Paths
	base  NetConfig
	opt   Options
	// offline runs the node without a network (UI tests, demos).
	offline bool

	mu     sync.Mutex
	n      *Node
	srv    *Server
	ctx    context.Context
	cancel context.CancelFunc
	served chan error
	net    NetSettings
}

// DesktopConfig configures NewDesktop.
type DesktopConfig struct {
	// Net gives the listen addresses and the defaults of the network
	// settings (the saved settings override MDNS and Peers).
	Net NetConfig
	// Offline runs the node without any network (UI tests, demos).
	Offline bool
	// Node tunes the node.
	Node Options
}

// NewDesktop prepares the peer of a home.
func NewDesktop(home string, cfg DesktopConfig) *Desktop {
	base := cfg.Net
	d := &Desktop{paths: Paths{Home: home}, base: base, opt: cfg.Node, offline: cfg.Offline,
		net: NetSettings{MDNS: base.MDNS, Peers: slices.Clone(base.Peers)}}
	if b, err := os.ReadFile(d.netFile()); err == nil {
		var s NetSettings
		if json.Unmarshal(b, &s) == nil {
			d.net = s
		}
	}
	return d
}

func (d *Desktop) netFile() string { return filepath.Join(d.paths.Home, "network.json") }

// Home returns the home directory.
func (d *Desktop) Home() string { return d.paths.Home }

// HasIdentity reports whether the home holds an identity (to unlock)
// rather than needing a new one.
func (d *Desktop) HasIdentity() bool {
	_, err := LoadPublic(d.paths)
	return err == nil
}

// Public returns the identity's public facts.
func (d *Desktop) Public() (PublicIdentity, error) { return LoadPublic(d.paths) }

// Create makes a new identity (the passphrase must pass
// CheckNewPassphrase), starts the peer and returns the recovery
// phrase, which the member must write down.
func (d *Desktop) Create(name string, passphrase []byte) (string, error) {
	id, err := InitKDF(d.paths.Home, name, "", passphrase, d.opt.KDF)
	if err != nil {
		return "", err
	}
	phrase, err := id.RecoveryPhrase()
	if err != nil {
		return "", err
	}
	return phrase, d.start(id)
}

// Restore recreates an identity from its recovery phrase (with a new
// device key) and starts the peer.
func (d *Desktop) Restore(name, phrase string, passphrase []byte) error {
	id, err := InitKDF(d.paths.Home, name, phrase, passphrase, d.opt.KDF)
	if err != nil {
		return err
	}
	return d.start(id)
}

// Unlock opens the identity with its passphrase and starts the peer.
func (d *Desktop) Unlock(passphrase []byte) error {
	id, err := identity.Load(d.paths.Identity(), passphrase)
	if err != nil {
		return err
	}
	return d.start(id)
}

// RecoveryPhrase returns the recovery phrase; it asks for the passphrase
// again.
func (d *Desktop) RecoveryPhrase(passphrase []byte) (string, error) {
	id, err := identity.Load(d.paths.Identity(), passphrase)
	if err != nil {
		return "", err
	}
	return id.RecoveryPhrase()
}

func (d *Desktop) start(id *identity.Identity) error {
	// Every caller has just derived the key: argon2id's memory (64 MiB, 19
	// on a phone) is garbage now. Collecting them before the store opens and the screens load
	// lets those reuse the pages instead of growing the heap past them (on
	// a phone's cold start this keeps the peak near the derivation's own).
	runtime.GC()
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n != nil {
		return nil
	}
	if _, err := Dial(d.paths); err == nil {
		return ErrBusy
	}
	opt := d.opt
	opt.Peer = true
	n, err := Open(d.paths.Home, id, opt)
	if err != nil {
		return err
	}
	d.ctx, d.cancel = context.WithCancel(context.Background())
	if !d.offline {
		if err := n.StartNetwork(d.ctx, d.netConfig()); err != nil {
			d.cancel()
			n.Close()
			return err
		}
	}
	srv, err := Listen(d.paths, n)
	if err != nil {
		d.cancel()
		n.Close()
		return err
	}
	d.n, d.srv, d.served = n, srv, make(chan error, 1)
	go func() { d.served <- srv.Serve(d.ctx) }()
	return nil
}

func (d *Desktop) netConfig() NetConfig {
	c := d.base
	c.MDNS, c.Peers = d.net.MDNS, slices.Clone(d.net.Peers)
	return c
}

// Node returns the running node, or nil before the identity is unlocked.
func (d *Desktop) Node() *Node {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n
}

// API returns the running node's API, or nil before the identity is
// unlocked.
func (d *Desktop) API() API {
	if n := d.Node(); n != nil {
		return n
	}
	return nil
}

// Changes returns a channel closed when records next arrive or are
// written; nil before the identity is unlocked.
func (d *Desktop) Changes() <-chan struct{} {
	if n := d.Node(); n != nil {
		return n.changes()
	}
	return nil
}

// NetSettings returns the current network settings.
func (d *Desktop) NetSettings() NetSettings {
	d.mu.Lock()
	defer d.mu.Unlock()
	return NetSettings{MDNS: d.net.MDNS, Peers: slices.Clone(d.net.Peers)}
}

// SetNetSettings saves the network settings and restarts the network with
// them.
func (d *Desktop) SetNetSettings(s NetSettings) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	b, err := json.MarshalIndent(s, "", "  ")
	if err != nil {
		return err
	}
	tmp := d.netFile() + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("node: save network settings: %w", err)
	}
	if err := os.Rename(tmp, d.netFile()); err != nil {
		return fmt.Errorf("node: save network settings: %w", err)
	}
	d.net = s
	if d.n == nil || d.offline {
		return nil
	}
	if net := d.n.network(); net != nil {
		if err := net.Close(); err != nil {
			return fmt.Errorf("node: stop the network: %w", err)
		}
	}
	return d.n.StartNetwork(d.ctx, d.netConfig())
}

// Suspend flushes the store and stops the network, keeping the store and
// the control socket open: a phone leaving the foreground. Peers see the
// connections close. It does nothing before the identity is unlocked or
// when the peer runs offline.
func (d *Desktop) Suspend() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil {
		return nil
	}
	if err := d.n.Flush(); err != nil {
		return fmt.Errorf("node: flush the store: %w", err)
	}
	if d.offline {
		return nil
	}
	return d.n.StopNetwork()
}

// Resume starts the network again after Suspend (a phone back in the
// foreground): static peers are dialled at once and every peer reached is
// synced with on connection, the catch-up showing in Status. It does
// nothing when the network runs.
func (d *Desktop) Resume() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil || d.offline || d.n.network() != nil {
		return nil
	}
	return d.n.StartNetwork(d.ctx, d.netConfig())
}

// Flush makes every write durable on disk.
func (d *Desktop) Flush() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil {
		return nil
	}
	return d.n.Flush()
}

// Networking reports whether the peer's network runs.
func (d *Desktop) Networking() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.n != nil && d.n.network() != nil
}

// Close stops the control socket, the network and the store.
func (d *Desktop) Close() error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.n == nil {
		return nil
	}
	d.cancel()
	d.srv.Close()
	err := <-d.served
	if cerr := d.n.Close(); err == nil {
		err = cerr
	}
	d.n = nil
	return err
}
