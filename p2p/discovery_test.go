package p2p

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/libp2p/go-libp2p/p2p/discovery/mdns"
)

func TestStaticPeerReconnects(t *testing.T) {
	a := newLoopbackHost(t, newKey(t))
	b := newLoopbackHost(t, newKey(t))
	connects := make(chan peer.ID, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := StartDiscovery(ctx, a, Config{
		Peers:     FullAddrs(b),
		OnConnect: func(p peer.ID) { connects <- p },
		RedialMin: 20 * time.Millisecond,
		RedialMax: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	waitConnect := func(what string) {
		t.Helper()
		select {
		case p := <-connects:
			if p != b.ID() {
				t.Fatalf("%s: connected to %s, want %s", what, p, b.ID())
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: no connection to the static peer", what)
		}
	}
	waitConnect("start")
	if !a.ConnManager().IsProtected(b.ID(), protectTag) {
		t.Fatal("static peer not protected from the connection manager")
	}
	for i := range 2 {
		if err := a.Network().ClosePeer(b.ID()); err != nil {
			t.Fatal(err)
		}
		waitConnect("redial")
		if a.Network().Connectedness(b.ID()) != network.Connected {
			t.Fatalf("round %d: not connected after OnConnect", i)
		}
	}
	if err := d.Close(); err != nil {
		t.Fatal(err)
	}
	if a.ConnManager().IsProtected(b.ID(), protectTag) {
		t.Fatal("static peer still protected after Close")
	}
}

func TestStaticPeerComesLater(t *testing.T) {
	// The static peer is down at start: it is redialled until it is up.
	key := newKey(t)
	b := newLoopbackHost(t, key)
	addrs := FullAddrs(b)
	if err := b.Close(); err != nil {
		t.Fatal(err)
	}
	a := newLoopbackHost(t, newKey(t))
	connects := make(chan peer.ID, 16)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := StartDiscovery(ctx, a, Config{Peers: addrs, OnConnect: func(p peer.ID) { connects <- p },
		RedialMin: 20 * time.Millisecond, RedialMax: 100 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	// Bring b back on the same addresses (and so the same ports).
	b2, err := NewHost(Config{Key: key, Listen: hostListen(t, addrs)})
	if err != nil {
		t.Skipf("cannot listen again on the same ports: %v", err)
	}
	defer b2.Close()
	select {
	case p := <-connects:
		if p != b2.ID() {
			t.Fatalf("connected to %s, want %s", p, b2.ID())
		}
	case <-time.After(15 * time.Second):
		t.Fatal("static peer that came up later was not dialled")
	}
}

// hostListen turns full addresses back into listen addresses.
func hostListen(t *testing.T, full []string) []string {
	t.Helper()
	infos, err := ParsePeers(full)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, a := range infos[0].Addrs {
		out = append(out, a.String())
	}
	return out
}

func TestDiscoveryConfigErrors(t *testing.T) {
	a := newLoopbackHost(t, newKey(t))
	for _, bad := range [][]string{{"nonsense"}, {"/ip4/127.0.0.1/tcp/1"}} {
		if _, err := StartDiscovery(context.Background(), a, Config{Peers: bad}); !errors.Is(err, ErrConfig) {
			t.Errorf("peers %q: %v, want ErrConfig", bad, err)
		}
	}
}

// refusingMDNS is an mDNS service that the system refuses, as Android 11+
// does when an app may not list interfaces or join multicast groups.
type refusingMDNS struct{ closed bool }

func (m *refusingMDNS) Start() error {
	return errors.New("route ip+net: netlinkrib: permission denied")
}
func (m *refusingMDNS) Close() error { m.closed = true; return nil }

// TestMDNSRefusedDegrades: when the system refuses mDNS, discovery still
// starts, keeps its static peers and says why the LAN is not searched.
func TestMDNSRefusedDegrades(t *testing.T) {
	m := &refusingMDNS{}
	old := newMDNS
	newMDNS = func(host.Host, string, mdns.Notifee) mdns.Service { return m }
	t.Cleanup(func() { newMDNS = old })
	a := newLoopbackHost(t, newKey(t))
	b := newLoopbackHost(t, newKey(t))
	connects := make(chan peer.ID, 4)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	d, err := StartDiscovery(ctx, a, Config{Peers: FullAddrs(b), MDNS: true, OnConnect: func(p peer.ID) { connects <- p }})
	if err != nil {
		t.Fatalf("discovery failed instead of degrading: %v", err)
	}
	defer d.Close()
	if !errors.Is(d.LANError(), ErrNoLAN) || !m.closed {
		t.Fatalf("LANError = %v, closed %v; want ErrNoLAN and the service closed", d.LANError(), m.closed)
	}
	select {
	case p := <-connects:
		if p != b.ID() {
			t.Fatalf("connected to %s", p)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the static peer was not dialled")
	}
}
