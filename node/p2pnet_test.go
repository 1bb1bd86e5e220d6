package node

import (
	"fmt"
	"testing"
	"time"
)

// p2pOf returns a peer's libp2p network.
func p2pOf(t *testing.T, p *peer) *p2pNet {
	t.Helper()
	pn, ok := p.network().(*p2pNet)
	if !ok {
		t.Fatalf("%s has no libp2p network", p.name)
	}
	return pn
}

// syncsDone counts the sync sessions a peer's network ended so far.
func syncsDone(pn *p2pNet) int {
	pn.synced.mu.Lock()
	defer pn.synced.mu.Unlock()
	return pn.synced.done
}

// peerTotals sums the records a peer's status counts in and out over its
// peers.
func peerTotals(t *testing.T, p *peer) (in, out int) {
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
func waitUntil(t *testing.T, timeout time.Duration, what func() string, cond func() bool) {
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
	// The syncs on connecting are over and every peer sees the two others
	// on the society's topic.
	waitUntil(t, 30*time.Second, func() string { return "no quiet mesh" }, func() bool {
		for _, p := range ps {
			pn := p2pOf(t, p)
			st, err := p.Status()
			if err != nil {
				t.Fatal(err)
			}
			if st.Network.Sync.Active || len(pn.gossip.Peers(socID)) != 2 || p.society(t, soc).Unshared != 0 {
				return false
			}
		}
		return true
	})
	syncs := make([]int, len(ps))
	ins, outs := make([]int, len(ps)), make([]int, len(ps))
	for i, p := range ps {
		syncs[i] = syncsDone(p2pOf(t, p))
		ins[i], outs[i] = peerTotals(t, p)
	}
	const each = 2
	for _, p := range ps {
		for k := range each {
			if _, err := p.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: fmt.Sprintf("%s %d", p.name, k)}); err != nil {
				t.Fatal(err)
			}
		}
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
	waitUntil(t, 30*time.Second, state, func() bool {
		want := ps[0].society(t, soc).StateHash
		for _, p := range ps {
			if ss := p.society(t, soc); ss.StateHash != want || ss.Unshared != 0 {
				return false
			}
		}
		return true
	})
	for i, p := range ps {
		if n := syncsDone(p2pOf(t, p)); n != syncs[i] {
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
