package p2p

import (
	"context"
	"testing"
	"time"

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
	g, err := NewGossip(ctx, hs[0], soc.store(t), GossipOptions{
		OnMissing: func(_ cid.Cid, from peer.ID) { missing <- from },
		Member:    func(_ cid.Cid, p peer.ID) bool { return p == member },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	if err := g.Join(soc.soc); err != nil {
		t.Fatal(err)
	}
	mt, st := rogueTopic(t, ctx, hs[1], soc.soc), rogueTopic(t, ctx, hs[2], soc.soc)
	waitFor(t, 10*time.Second, "the rogues on the topic", func() bool { return len(g.Peers(soc.soc)) == 2 })
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
