package p2p

import (
	"context"
	"testing"
	"time"

	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

// TestPenalize: a peer penalised for bad sync data falls below the gossip
// threshold in the GossipSub score, and only that peer.
func TestPenalize(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	soc := newTestSociety(t)
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	var gs []*Gossip
	for i := 0; i < 3; i++ {
		h, err := mn.GenPeer()
		if err != nil {
			t.Fatal(err)
		}
		g, err := NewGossip(ctx, h, soc.store(t), GossipOptions{ScoreInterval: 20 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { g.Close() })
		gs = append(gs, g)
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	for _, g := range gs {
		if err := g.Join(soc.soc); err != nil {
			t.Fatal(err)
		}
	}
	bad, good := gs[1].h.ID(), gs[2].h.ID()
	gs[0].Penalize(bad, PenaltyBadSync)
	waitFor(t, 10*time.Second, "the penalised peer's score", func() bool {
		sc := gs[0].Scores()
		s, ok := sc[bad]
		return ok && s <= PeerScoreThresholds().GossipThreshold
	})
	if s := gs[0].Scores()[good]; s < 0 {
		t.Fatalf("an honest peer's score dropped too: %v", s)
	}
}
