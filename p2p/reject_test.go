package p2p

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

// rejection is one OnReject call.
type rejection struct {
	from peer.ID
	err  error
}

// TestOnReject: every message of another peer that validation rejects is
// reported with the peer and the store's error; accepted records and the
// node's own messages are not.
func TestOnReject(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	soc := newTestSociety(t)
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	h, err := mn.GenPeer()
	if err != nil {
		t.Fatal(err)
	}
	rh, err := mn.GenPeer()
	if err != nil {
		t.Fatal(err)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	got := make(chan rejection, 8)
	g, err := NewGossip(ctx, h, soc.store(t), GossipOptions{
		OnReject: func(s cid.Cid, from peer.ID, err error) {
			if !s.Equals(soc.soc) {
				t.Errorf("rejection reported for society %s", s)
			}
			got <- rejection{from, err}
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if err := g.Join(soc.soc); err != nil {
		t.Fatal(err)
	}
	rogue := rogueTopic(t, ctx, rh, soc.soc)
	waitFor(t, 10*time.Second, "the rogue on the topic", func() bool { return len(g.Peers(soc.soc)) == 1 })

	// The node's own invalid message is refused but not reported.
	if err := g.Publish(ctx, soc.soc, []byte("own garbage")); err == nil {
		t.Fatal("own garbage published")
	}
	fine := soc.next(t, "fine")
	spoilt := soc.next(t, "spoilt")
	spoilt[len(spoilt)-1] ^= 1 // the signature's last byte
	cases := []struct {
		name string
		raw  []byte
		want error // nil: accepted, not reported
	}{
		{"valid record", fine, nil},
		{"garbage", []byte("garbage"), crdt.ErrMalformed},
		{"bad signature", spoilt, crdt.ErrBadSignature},
	}
	for _, c := range cases {
		if err := rogue.Publish(ctx, c.raw); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if c.want == nil {
			waitFor(t, 10*time.Second, c.name+" stored", func() bool { return held(g.st, c.raw) })
			continue
		}
		select {
		case r := <-got:
			if r.from != rh.ID() || !errors.Is(r.err, c.want) {
				t.Fatalf("%s: reported %s, %v; want %s, %v", c.name, r.from, r.err, rh.ID(), c.want)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: not reported", c.name)
		}
	}
	select {
	case r := <-got:
		t.Fatalf("reported also %s, %v", r.from, r.err)
	default:
	}
}
