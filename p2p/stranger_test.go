package p2p

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	pubsub "github.com/libp2p/go-libp2p-pubsub"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

// rogueTopic joins a society's topic with a GossipSub that validates
// nothing, so it can publish what honest peers would never forward.
func rogueTopic(t *testing.T, ctx context.Context, h host.Host, soc cid.Cid) *pubsub.Topic {
	t.Helper()
	ps, err := pubsub.NewGossipSub(ctx, h, pubsub.WithMessageSignaturePolicy(pubsub.StrictNoSign),
		pubsub.WithMessageIdFn(MessageID), pubsub.WithFloodPublish(true))
	if err != nil {
		t.Fatal(err)
	}
	topic, err := ps.Join(TopicName(soc))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := topic.Subscribe(); err != nil {
		t.Fatal(err)
	}
	return topic
}

// memberGossip starts a Gossip on h that joins soc and takes only member
// for a member device.
func memberGossip(t *testing.T, ctx context.Context, h host.Host, soc *testSociety, member peer.ID, onMissing func(cid.Cid, peer.ID)) *Gossip {
	t.Helper()
	g, err := NewGossip(ctx, h, soc.store(t), GossipOptions{
		OnMissing: onMissing,
		Member:    func(_ cid.Cid, p peer.ID) bool { return p == member },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if err := g.Join(soc.soc); err != nil {
		t.Fatal(err)
	}
	return g
}

// TestStrangerEarnsNoSync: records with unknown parents make a node sync
// back with a member device that sent them, never with a stranger.
func TestStrangerEarnsNoSync(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	soc := newTestSociety(t)
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	var hs []host.Host
	for range 3 {
		h, err := mn.GenPeer()
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	member, stranger := hs[1].ID(), hs[2].ID()
	missing := make(chan peer.ID, 8)
	g := memberGossip(t, ctx, hs[0], soc, member, func(_ cid.Cid, from peer.ID) { missing <- from })
	mt, st := rogueTopic(t, ctx, hs[1], soc.soc), rogueTopic(t, ctx, hs[2], soc.soc)
	waitFor(t, 10*time.Second, "the rogues on the topic", func() bool {
		return len(g.Peers(soc.soc)) == 2 && len(mt.ListPeers()) > 0 && len(st.ListPeers()) > 0
	})
	soc.next(t, "never sent") // the parent of what follows
	if err := st.Publish(ctx, soc.next(t, "orphan from a stranger")); err != nil {
		t.Fatal(err)
	}
	waitFor(t, 10*time.Second, "the stranger's orphan judged", func() bool { return g.strangers.Load() == 1 })
	select {
	case p := <-missing:
		t.Fatalf("a sync back with %s was asked for (the stranger is %s)", p, stranger)
	default:
	}
	if err := mt.Publish(ctx, soc.next(t, "orphan from a member")); err != nil {
		t.Fatal(err)
	}
	select {
	case p := <-missing:
		if p != member {
			t.Fatalf("sync back with %s, want the member %s", p, member)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no sync back with the member")
	}
}

// TestStrangerGetsNoGossip: a peer that is no member device subscribes to a
// society's topic and receives none of its records, while a member device
// on the same topic receives them all. Real hosts on 127.0.0.1.
func TestStrangerGetsNoGossip(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	soc := newTestSociety(t)
	pub, mh, sh := newLoopbackHost(t, soc.device), newLoopbackHost(t, newKey(t)), newLoopbackHost(t, newKey(t))
	member, stranger := mh.ID(), sh.ID()
	g := memberGossip(t, ctx, pub, soc, member, nil)
	mt, st := rogueTopic(t, ctx, mh, soc.soc), rogueTopic(t, ctx, sh, soc.soc)
	msub, err := mt.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	ssub, err := st.Subscribe()
	if err != nil {
		t.Fatal(err)
	}
	for _, h := range []host.Host{mh, sh} {
		if err := h.Connect(ctx, peer.AddrInfo{ID: pub.ID(), Addrs: pub.Addrs()}); err != nil {
			t.Fatal(err)
		}
	}
	waitFor(t, 10*time.Second, "both peers on the topic", func() bool { return len(g.Peers(soc.soc)) == 2 })
	const n = 5
	for i := range n {
		if err := g.Publish(ctx, soc.soc, soc.next(t, fmt.Sprintf("record %d", i))); err != nil {
			t.Fatal(err)
		}
	}
	for i := range n {
		rctx, rcancel := context.WithTimeout(ctx, 10*time.Second)
		_, err := msub.Next(rctx)
		rcancel()
		if err != nil {
			t.Fatalf("the member got %d of %d records: %v", i, n, err)
		}
	}
	waitFor(t, 10*time.Second, "the publisher to count the member's records", func() bool { return g.PeerRecords()[member].Out >= n })
	if out := g.PeerRecords()[stranger].Out; out != 0 {
		t.Fatalf("%d records sent to the stranger", out)
	}
	done, dcancel := context.WithCancel(ctx)
	dcancel()
	if m, err := ssub.Next(done); err == nil {
		t.Fatalf("the stranger received %s", crdt.CIDOf(m.Data))
	}
	if s := g.appScore(stranger); s > StrangerScore {
		t.Fatalf("the stranger's application score is %v, want at most %v", s, StrangerScore)
	}
}

// TestNamesHideSociety: the gossip topic and rendezvous namespace of a
// society do not contain its ID, and differ between societies.
func TestNamesHideSociety(t *testing.T) {
	a, b := newTestSociety(t).soc, newTestSociety(t).soc
	cases := []struct {
		name string
		of   func(cid.Cid) string
	}{
		{"topic", TopicName},
		{"rendezvous namespace", RendezvousNamespace},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			na, nb := tc.of(a), tc.of(b)
			for _, id := range []string{a.String(), a.Hash().B58String(), a.Hash().HexString()} {
				if strings.Contains(strings.ToLower(na), strings.ToLower(id)[len(id)/2:]) {
					t.Fatalf("%s %q contains (half of) the society ID %s", tc.name, na, id)
				}
			}
			if na == nb || na != tc.of(a) {
				t.Fatalf("%s: %q for one society, %q for another", tc.name, na, nb)
			}
		})
	}
}
