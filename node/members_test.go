package node

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
)

// startLoopback starts p's network on 127.0.0.1 only, without mDNS.
func startLoopback(t *testing.T, p *peer) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	if err := p.StartNetwork(ctx, NetConfig{Listen: []string{"/ip4/127.0.0.1/tcp/0"}, SyncInterval: time.Hour}); err != nil {
		t.Fatal(err)
	}
}

// held reports whether p's store holds record c of soc.
func held(t *testing.T, p *peer, soc, c cid.Cid) bool {
	t.Helper()
	var ok bool
	if err := p.Store().View(soc, func(r *crdt.Reader) error {
		_, ok, _ = r.Meta(c)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	return ok
}

// records counts the records of soc that p holds.
func records(t *testing.T, p *peer, soc cid.Cid) uint64 {
	t.Helper()
	_, n, err := p.Store().State(soc)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// TestInviteGatesReplication: over real hosts on 127.0.0.1, a device that
// is no member gets no record of a society by sync unless it proves a
// valid invite, and then only the invite's causal past; it then joins
// and, once admitted, syncs in full.
func TestInviteGatesReplication(t *testing.T) {
	cases := []struct {
		name  string
		code  func(t *testing.T, alice *peer, clock *stepClock, ic InviteCode) *InviteCode
		valid bool
	}{
		{name: "no invite proof", code: func(*testing.T, *peer, *stepClock, InviteCode) *InviteCode { return nil }},
		{name: "proof by another key", code: func(t *testing.T, _ *peer, _ *stepClock, ic InviteCode) *InviteCode {
			_, ic.Secret, _ = ed25519.GenerateKey(rand.Reader)
			return &ic
		}},
		{name: "expired invite", code: func(_ *testing.T, _ *peer, clock *stepClock, ic InviteCode) *InviteCode {
			clock.mu.Lock()
			clock.t = clock.t.Add(2 * time.Hour)
			clock.mu.Unlock()
			return &ic
		}},
		{name: "revoked invite", code: func(t *testing.T, alice *peer, _ *stepClock, ic InviteCode) *InviteCode {
			if err := alice.RevokeInvite(RevokeInviteRequest{Society: ic.Society.String(), Invite: ic.Invite.String()}); err != nil {
				t.Fatal(err)
			}
			return &ic
		}},
		{name: "valid invite", valid: true, code: func(_ *testing.T, _ *peer, _ *stepClock, ic InviteCode) *InviteCode { return &ic }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			socID, ps, clock := foundAt(t, "Alice", "Bob")
			alice, bob := ps[0], ps[1]
			soc := mustCID(t, socID)
			l, err := bob.AddListing(ListingRequest{Society: socID, Kind: KindOffer, Skill: "Bread"})
			if err != nil {
				t.Fatal(err)
			}
			alice.pull(t, bob, socID)
			startLoopback(t, alice)
			inv, err := alice.Invite(InviteRequest{Society: socID, ExpiresHours: 1})
			if err != nil {
				t.Fatal(err)
			}
			ic, err := ParseInviteCode(inv.Code)
			if err != nil {
				t.Fatal(err)
			}
			listing := mustCID(t, l)
			if !held(t, alice, soc, listing) {
				t.Fatal("Alice lacks Bob's listing")
			}
			stranger := newPeer(t, "Stranger", Options{Now: clock.now}) // record times stay before the invite expires
			startLoopback(t, stranger)
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			err = p2pOf(t, stranger).Fetch(ctx, soc, ic.Addrs, tc.code(t, alice, clock, ic))
			if !tc.valid {
				if err == nil {
					t.Fatal("fetched without a valid invite proof")
				}
				if n := records(t, stranger, soc); n != 0 {
					t.Fatalf("the stranger holds %d records", n)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !held(t, stranger, soc, ic.Invite) || held(t, stranger, soc, listing) {
				t.Fatalf("the invited device holds the invite: %v, Bob's listing (not in its past): %v; want true, false",
					held(t, stranger, soc, ic.Invite), held(t, stranger, soc, listing))
			}
			if n, all := records(t, stranger, soc), records(t, alice, soc); n >= all {
				t.Fatalf("the invited device holds %d of %d records", n, all)
			}
			res, err := stranger.Join(inv.Code)
			if err != nil {
				t.Fatal(err)
			}
			if !res.Admitted {
				t.Fatal("the invited device was not admitted")
			}
			if err := p2pOf(t, stranger).Fetch(ctx, soc, ic.Addrs, nil); err != nil {
				t.Fatalf("the admitted device cannot sync: %v", err)
			}
			if !held(t, stranger, soc, listing) {
				t.Fatal("the admitted device did not get the society's records")
			}
		})
	}
}
