package node

import (
	"fmt"
	"io"
	"testing"
	"time"

	"github.com/commons-society/commons/p2p/recsync"
	"github.com/libp2p/go-libp2p/core/crypto"
	"github.com/libp2p/go-libp2p/core/network"
	lpeer "github.com/libp2p/go-libp2p/core/peer"
	ma "github.com/multiformats/go-multiaddr"
)

// p2pOf returns a peer's libp2p network.
func p2pOf(t testing.TB, p *peer) *p2pNet {
	t.Helper()
	pn, ok := p.network().(*p2pNet)
	if !ok {
		t.Fatalf("%s has no libp2p network", p.name)
	}
	return pn
}

// syncsDone counts the sync sessions a peer's network ended so far, and
// tells whether none is under way or waiting.
func syncsDone(pn *p2pNet) (int, bool) {
	pn.mu.Lock()
	idle := len(pn.running) == 0
	pn.mu.Unlock()
	pn.synced.mu.Lock()
	defer pn.synced.mu.Unlock()
	return pn.synced.done, idle && len(pn.synced.live) == 0
}

// peerTotals sums the records a peer's status counts in and out over its
// peers.
func peerTotals(t testing.TB, p *peer) (in, out int) {
	t.Helper()
	st, err := p.Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, ps := range st.Network.Peers {
		in, out = in+ps.RecordsIn, out+ps.RecordsOut
	}
	return in, out
}

// waitUntil polls cond until it holds, failing the test after timeout.
func waitUntil(t testing.TB, timeout time.Duration, what func() string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v: %s", timeout, what())
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestGossipSharedAndCounted: three members' peers that exchange records
// by gossip only (no sync runs while they do) count the records each peer
// delivered and was sent, and each author learns from the others' acks
// that its records are held: unshared drops to 0 everywhere.
func TestGossipSharedAndCounted(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob", "Carol")
	mn := mockNetwork(t, ps...)
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	socID := mustCID(t, soc)
	// The syncs on connecting (one each way with each peer) are over and
	// every peer sees the two others on the society's topic.
	waitUntil(t, 30*time.Second, func() string { return "no quiet mesh" }, func() bool {
		for _, p := range ps {
			pn := p2pOf(t, p)
			done, idle := syncsDone(pn)
			if done < 4 || !idle || len(pn.gossip.Peers(socID)) != 2 || p.society(t, soc).Unshared != 0 {
				return false
			}
		}
		return true
	})
	syncs := make([]int, len(ps))
	ins, outs := make([]int, len(ps)), make([]int, len(ps))
	for i, p := range ps {
		syncs[i], _ = syncsDone(p2pOf(t, p))
		ins[i], outs[i] = peerTotals(t, p)
	}
	state := func() string {
		s := ""
		for _, p := range ps {
			ss := p.society(t, soc)
			in, out := peerTotals(t, p)
			s += fmt.Sprintf("%s: %d records, hash %.8s, unshared %d, in %d, out %d; ", p.name, ss.Records, ss.StateHash, ss.Unshared, in, out)
		}
		return s
	}
	// Each writes in turn once the others hold what came before, so that
	// no record arrives before its parents (which would ask for a sync).
	const each = 2
	for _, p := range ps {
		for k := range each {
			if _, err := p.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: fmt.Sprintf("%s %d", p.name, k)}); err != nil {
				t.Fatal(err)
			}
		}
		waitUntil(t, 30*time.Second, state, func() bool {
			want := ps[0].society(t, soc).StateHash
			for _, p := range ps {
				if ss := p.society(t, soc); ss.StateHash != want || ss.Unshared != 0 {
					return false
				}
			}
			return true
		})
	}
	for i, p := range ps {
		if n, _ := syncsDone(p2pOf(t, p)); n != syncs[i] {
			t.Errorf("%s ran %d syncs: the records did not travel by gossip only", p.name, n-syncs[i])
		}
		in, out := peerTotals(t, p)
		// Each peer received the 2×2 records of the others and sent at
		// least its own 2 to each of the two others.
		if in-ins[i] < 2*each || out-outs[i] < 2*each {
			t.Errorf("%s counts %d records in and %d out by gossip, want at least %d and %d", p.name, in-ins[i], out-outs[i], 2*each, 2*each)
		}
	}
}

// TestStalledPeerHoldsNoSync: a peer that accepts the sync stream and
// never answers holds the society's lead sync until the idle timeout; the
// syncs with other peers meanwhile run alongside after a short wait
// instead of queueing behind it. The staller has the key of a member's
// device (Carol's, whose node stays off the network): nodes sync only with
// member devices.
func TestStalledPeerHoldsNoSync(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob", "Carol")
	alice, bob, carol := ps[0], ps[1], ps[2]
	for i := range 3 {
		if _, err := bob.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: fmt.Sprintf("skill %d", i)}); err != nil {
			t.Fatal(err)
		}
	}
	mn := mockNetwork(t, alice, bob)
	carolKey, err := crypto.UnmarshalEd25519PrivateKey(carol.id.Device)
	if err != nil {
		t.Fatal(err)
	}
	staller, err := mn.AddPeer(carolKey, ma.StringCast("/ip4/127.0.0.1/tcp/41100"))
	if err != nil {
		t.Fatal(err)
	}
	opened, ended := make(chan struct{}, 4), make(chan struct{}, 4)
	staller.SetStreamHandler(recsync.ProtocolID, func(s network.Stream) {
		opened <- struct{}{}
		_, _ = io.Copy(io.Discard, s) // until the peer gives up
		ended <- struct{}{}
	})
	link := func(a, b lpeer.ID) {
		t.Helper()
		if _, err := mn.LinkPeers(a, b); err != nil {
			t.Fatal(err)
		}
		if _, err := mn.ConnectPeers(a, b); err != nil {
			t.Fatal(err)
		}
	}
	aliceID, bobID := p2pOf(t, alice).h.ID(), p2pOf(t, bob).h.ID()
	link(staller.ID(), aliceID)
	link(staller.ID(), bobID)
	for range 2 { // each syncs with the staller on connecting
		select {
		case <-opened:
		case <-time.After(10 * time.Second):
			t.Fatal("no sync with the staller")
		}
	}
	link(aliceID, bobID)
	deadline := time.After(60 * time.Second)
	for alice.society(t, soc).StateHash != bob.society(t, soc).StateHash {
		select {
		case <-ended:
			t.Fatal("a stalled sync ended before the honest peers synced: it held them up")
		case <-deadline:
			t.Fatal("Alice and Bob never synced")
		case <-time.After(20 * time.Millisecond):
		}
	}
}

// TestMemberDevice: membership as replication judges it, from the ledger:
// the devices of admitted members are members of their society only; a
// stranger's key is not, nor is anyone in a society not held.
func TestMemberDevice(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	other, err := bob.CreateSociety("Other")
	if err != nil {
		t.Fatal(err)
	}
	stranger := newPeer(t, "Stranger", Options{})
	idOf := func(p *peer) lpeer.ID {
		t.Helper()
		priv, err := crypto.UnmarshalEd25519PrivateKey(p.id.Device)
		if err != nil {
			t.Fatal(err)
		}
		id, err := lpeer.IDFromPrivateKey(priv)
		if err != nil {
			t.Fatal(err)
		}
		return id
	}
	cases := []struct {
		name string
		soc  string
		p    *peer
		want bool
	}{
		{"founder", soc, alice, true},
		{"admitted member", soc, bob, true},
		{"stranger", soc, stranger, false},
		{"society not held", other.ID, bob, false},
	}
	for _, tc := range cases {
		if got := alice.memberDevice(mustCID(t, tc.soc), idOf(tc.p)); got != tc.want {
			t.Errorf("%s: member %v, want %v", tc.name, got, tc.want)
		}
	}
	if !alice.knownDevice(idOf(bob)) || alice.knownDevice(idOf(stranger)) {
		t.Error("knownDevice disagrees with memberDevice")
	}
}
