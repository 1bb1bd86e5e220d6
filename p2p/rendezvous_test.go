package p2p

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// TestRendezvousFindsPeers checks that two hosts that are not connected
// and not told about each other, A and C, find each other in their
// society's namespace through the DHT of a host both are connected to, B,
// and connect.
func TestRendezvousFindsPeers(t *testing.T) {
	a := newLoopbackHost(t, newKey(t))
	b := newLoopbackHost(t, newKey(t))
	c := newLoopbackHost(t, newKey(t))
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	for _, h := range []host.Host{a, c} {
		if err := h.Connect(ctx, AddrInfo(b)); err != nil {
			t.Fatal(err)
		}
	}
	if a.Network().Connectedness(c.ID()) == network.Connected {
		t.Fatal("A and C connected before the rendezvous")
	}

	soc := crdt.CIDOf([]byte("x"))
	var mu sync.Mutex
	found := map[peer.ID]map[peer.ID]bool{} // finder -> peers found
	for _, h := range []host.Host{a, b, c} {
		self := h.ID()
		found[self] = map[peer.ID]bool{}
		r, err := StartRendezvous(ctx, h, RendezvousOptions{
			Server:   true,
			Interval: 200 * time.Millisecond,
			OnPeerFound: func(pi peer.AddrInfo) {
				mu.Lock()
				found[self][pi.ID] = true
				mu.Unlock()
			},
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() {
			if err := r.Close(); err != nil {
				t.Error(err)
			}
		})
		if err := r.Add(soc); err != nil {
			t.Fatal(err)
		}
		if err := r.Add(soc); err != nil { // a second Add is a no-op
			t.Fatal(err)
		}
	}
	waitFor(t, 18*time.Second, "A and C to find each other and connect", func() bool {
		mu.Lock()
		defer mu.Unlock()
		return found[a.ID()][c.ID()] && found[c.ID()][a.ID()] &&
			a.Network().Connectedness(c.ID()) == network.Connected
	})
	mu.Lock()
	defer mu.Unlock()
	for id, peers := range found {
		if peers[id] {
			t.Errorf("%s found itself", id)
		}
	}
}

func TestRendezvousOptions(t *testing.T) {
	h := newLoopbackHost(t, newKey(t))
	if _, err := StartRendezvous(context.Background(), nil, RendezvousOptions{}); err == nil {
		t.Error("nil host accepted")
	}
	if _, err := StartRendezvous(context.Background(), h, RendezvousOptions{Interval: -time.Second}); err == nil {
		t.Error("negative interval accepted")
	}
	r, err := StartRendezvous(context.Background(), h, RendezvousOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if r.DHT().RoutingTable().Size() != 0 {
		t.Error("routing table not empty without connections")
	}
	if err := r.Add(crdt.CIDOf([]byte("x"))); err != nil {
		t.Fatal(err)
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
	if err := r.Add(crdt.CIDOf([]byte("y"))); err == nil {
		t.Error("Add after Close accepted")
	}
	if err := r.Close(); err != nil {
		t.Fatal(err)
	}
}
