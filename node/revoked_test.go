package node

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/p2ptest"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
)

// pastCut returns the records of device dev held by p after seq cut.
func pastCut(t *testing.T, p *peer, soc cid.Cid, dev []byte, cut uint64) [][]byte {
	t.Helper()
	var out [][]byte
	err := p.store.Records(soc, func(_ cid.Cid, raw []byte) error {
		r, _, err := crdt.Decode(raw)
		if err != nil {
			return err
		}
		if bytes.Equal(r.Author, dev) && r.Seq > cut {
			out = append(out, raw)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// holds counts the records of raws that p holds.
func holds(p *peer, raws [][]byte) int {
	n := 0
	for _, raw := range raws {
		if _, err := p.store.Record(crdt.CIDOf(raw)); err == nil {
			n++
		}
	}
	return n
}

// TestRevokedDeviceBounded: once a node holds a device's revocation, the
// records the device wrote after its cut (concurrently, not knowing it)
// are no longer stored when a stranger gossips them or pushes them by
// sync (refused at the hello: sync serves member devices only); a member device's peer
// that took them before it knew the revocation still delivers them, as
// they may be parents of its member's records, so member peers converge.
func TestRevokedDeviceBounded(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob", "Carol")
	alice, bob, carol := ps[0], ps[1], ps[2]
	socID := mustCID(t, soc)
	bst, err := bob.Status()
	if err != nil {
		t.Fatal(err)
	}
	head, err := alice.store.Head(socID, bob.pub.Device)
	if err != nil {
		t.Fatal(err)
	}
	if err := alice.RevokeDevice(RevokeDeviceRequest{Society: soc, Device: bst.Member.DeviceID}); err != nil {
		t.Fatal(err)
	}
	// Bob, not knowing, goes on writing.
	for k := range 3 {
		if _, err := bob.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: fmt.Sprintf("after %d", k)}); err != nil {
			t.Fatal(err)
		}
	}
	late := pastCut(t, bob, socID, bob.pub.Device, head.Seq)
	if len(late) != 3 {
		t.Fatalf("Bob wrote %d records after his cut, want 3", len(late))
	}
	// Carol takes Bob's records before she hears of the revocation.
	carol.pull(t, bob, soc)
	if n := holds(carol, late); n != len(late) {
		t.Fatalf("Carol holds %d of Bob's late records", n)
	}

	mn := mockNetwork(t, alice, carol)
	stranger, err := mn.GenPeer()
	if err != nil {
		t.Fatal(err)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	if _, err := mn.ConnectPeers(stranger.ID(), p2pOf(t, alice).h.ID()); err != nil {
		t.Fatal(err)
	}
	pn := p2pOf(t, alice)

	// A stranger gossips them, then a valid record of Carol's: by then
	// (validation is sequential) Bob's were judged.
	topic := p2ptest.RogueTopic(t, ctx, stranger, socID)
	waitUntil(t, 30*time.Second, func() string { return "the stranger not on Alice's topic" }, func() bool {
		return slices.Contains(pn.gossip.Peers(socID), stranger.ID())
	})
	for _, raw := range late {
		if err := topic.Publish(ctx, raw); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := carol.AddListing(ListingRequest{Society: soc, Kind: KindOffer, Skill: "marker"}); err != nil {
		t.Fatal(err)
	}
	ch, err := carol.store.Head(socID, carol.pub.Device)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := carol.store.Record(ch.CID)
	if err != nil {
		t.Fatal(err)
	}
	marker := [][]byte{raw}
	if err := topic.Publish(ctx, raw); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, func() string { return "Carol's record not stored by Alice" }, func() bool { return holds(alice, marker) == 1 })
	if n := holds(alice, late); n != 0 {
		t.Fatalf("Alice stored %d of the revoked device's late records from a stranger's gossip", n)
	}
	if st := pn.obs.status(); st.ByReason[ReasonRevoked] != len(late) || st.Total != len(late) {
		t.Fatalf("the refused gossip is not counted: %+v", st)
	}

	// A stranger pushes them by sync: sync serves member devices only, so
	// the stranger is refused at the hello, before it sends a record.
	svc := recsync.New(stranger, bob.store, recsync.Options{})
	defer svc.Close()
	if _, err := svc.Sync(ctx, pn.h.ID(), socID); !errors.Is(err, recsync.ErrRefused) {
		t.Fatalf("a stranger's sync of the revoked device's late records: %v, want refused", err)
	}
	if n := holds(alice, late); n != 0 {
		t.Fatalf("Alice stored %d of the revoked device's late records from a stranger's sync", n)
	}

	// Carol's peer, a member device, delivers them: Alice and Carol
	// converge on the same records.
	if _, err := mn.ConnectPeers(p2pOf(t, carol).h.ID(), pn.h.ID()); err != nil {
		t.Fatal(err)
	}
	waitUntil(t, 30*time.Second, func() string {
		return fmt.Sprintf("Alice %+v, Carol %+v", alice.society(t, soc), carol.society(t, soc))
	}, func() bool {
		a, c := alice.society(t, soc), carol.society(t, soc)
		return holds(alice, late) == len(late) && a.StateHash == c.StateHash && a.Records == c.Records
	})
}
