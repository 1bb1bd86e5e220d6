package p2p

import (
	"context"
	"math"
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

// TestPenaltyDecays: an application penalty halves every PenaltyHalfLife,
// adds up with new offences, and is forgotten once it fades.
func TestPenaltyDecays(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	h, err := mn.GenPeer()
	if err != nil {
		t.Fatal(err)
	}
	g, err := NewGossip(ctx, h, newTestSociety(t).store(t), GossipOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { g.Close() })
	now := time.Unix(1_700_000_000, 0)
	g.now = func() time.Time { return now }
	const bad = "bad peer"
	steps := []struct {
		after   time.Duration
		penalty float64 // a new offence, if any
		want    float64
	}{
		{0, PenaltyBadSync, -PenaltyBadSync},
		{PenaltyHalfLife, 0, -PenaltyBadSync / 2.0},
		{0, PenaltyBadSync, -PenaltyBadSync * 3.0 / 2},
		{2 * PenaltyHalfLife, 0, -PenaltyBadSync * 3.0 / 8},
		{10 * PenaltyHalfLife, 0, 0},
	}
	for i, s := range steps {
		now = now.Add(s.after)
		if s.penalty > 0 {
			g.Penalize(bad, s.penalty)
		}
		if got := g.appScore(bad); math.Abs(got-s.want) > 1e-9 {
			t.Fatalf("step %d: score %v, want %v", i, got, s.want)
		}
	}
	g.pmu.Lock()
	defer g.pmu.Unlock()
	if len(g.penalties) != 0 {
		t.Fatalf("a faded penalty is still kept: %v", g.penalties)
	}
}
