package recsync

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	mh "github.com/multiformats/go-multihash"
)

// waitSessions returns a channel closed once svc runs no session.
func waitSessions(svc *Service) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		svc.running.Wait()
		close(ch)
	}()
	return ch
}

// TestBadInitiator: the responder side treats invalid data the same way.
func TestBadInitiator(t *testing.T) {
	g, prefix := history(21, 3, 100)
	cont := g.profiles(g.members[1], 1, 0)
	forged := func() []byte {
		rec, _, err := crdt.Decode(cont[0])
		if err != nil {
			t.Fatal(err)
		}
		rec.Sig[0] ^= 1
		out, err := crdt.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}()
	cases := []struct {
		name   string
		attack func(w *wire, h *msg)
	}{
		{"forged record", func(w *wire, h *msg) {
			w.send(h)
			w.recv()
			w.send(&msg{Batch: [][]byte{forged}})
		}},
		{"garbage after hello", func(w *wire, h *msg) {
			w.send(h)
			w.recv()
			w.sendBody([]byte{0xff, 0x00, 0x13})
		}},
		{"done instead of hello", func(w *wire, _ *msg) { w.send(&msg{Done: &done{}}) }},
		{"oversized hello", func(w *wire, _ *msg) { w.sendBody(make([]byte, DefaultMaxMessageBytes+1)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			victim := newNode(t, hs[0], nil, Options{})
			ingest(t, victim.st, g.soc, prefix)
			before := count(t, victim.st, g.soc)
			str, err := hs[1].NewStream(context.Background(), hs[0].ID(), ProtocolID)
			if err != nil {
				t.Fatal(err)
			}
			defer str.Reset()
			w := newWire(str)
			tc.attack(w, helloOf(t, victim.st, g.soc))
			waitOr(t, victim.onBad, "OnBadPeer")
			drained := make(chan struct{})
			go func() { w.drain(); close(drained) }()
			waitOr(t, drained, "the victim resets the stream")
			waitOr(t, waitSessions(victim.svc), "the victim's handler returns")
			if victim.badPeer[0] != hs[1].ID() || !errors.Is(victim.bad[0], ErrBadPeer) {
				t.Fatalf("OnBadPeer(%s, %v)", victim.badPeer[0], victim.bad[0])
			}
			if n := count(t, victim.st, g.soc); n != before {
				t.Fatalf("%d records stored from a bad peer", n-before)
			}
		})
	}
}

// TestStalledPeer: a peer that goes silent after the hellos has its stream
// reset within IdleTimeout, on either side, and no session is left behind.
func TestStalledPeer(t *testing.T) {
	const idle = 300 * time.Millisecond
	g, prefix := history(31, 3, 2000)
	cases := []struct {
		name string
		// claimAll: the stalled peer's hello claims every record, so the
		// victim has nothing to send and waits to receive.
		claimAll bool
		drain    bool // the stalled peer reads what it is sent
	}{
		{name: "responder silent, reads nothing"},
		{name: "responder silent, reads everything", drain: true},
		{name: "responder silent, nothing to send", claimAll: true, drain: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			victim := newNode(t, hs[0], nil, Options{IdleTimeout: idle})
			ingest(t, victim.st, g.soc, prefix)
			empty := openStore(t)
			fakeDone, release := fakeResponder(t, hs[1], func(w *wire, _ *hello) {
				h := helloOf(t, empty, g.soc)
				if tc.claimAll {
					h = helloOf(t, victim.st, g.soc)
				}
				if err := w.send(h); err != nil {
					t.Error(err)
					return
				}
				if tc.drain {
					w.drain()
				}
			})
			start := time.Now()
			errc := make(chan error, 1)
			returned := make(chan struct{})
			go func() {
				_, err := victim.svc.Sync(context.Background(), hs[1].ID(), g.soc)
				errc <- err
				close(returned)
			}()
			waitOr(t, returned, "Sync returns")
			took := time.Since(start)
			err := <-errc
			release()
			if !errors.Is(err, ErrTimeout) {
				t.Fatalf("got %v, want ErrTimeout", err)
			}
			if took < idle || took > idle+2*time.Second {
				t.Fatalf("Sync returned after %v with an idle timeout of %v", took, idle)
			}
			waitOr(t, fakeDone, "the fake's handler returns")
			waitOr(t, waitSessions(victim.svc), "no session left")
			if victim.badCount() != 0 {
				t.Fatalf("a stalled peer is not a bad peer: %v", victim.bad)
			}
		})
	}

	t.Run("initiator silent after hello", func(t *testing.T) {
		_, hs := newNet(t, 2)
		victim := newNode(t, hs[0], nil, Options{IdleTimeout: idle})
		ingest(t, victim.st, g.soc, prefix)
		str, err := hs[1].NewStream(context.Background(), hs[0].ID(), ProtocolID)
		if err != nil {
			t.Fatal(err)
		}
		defer str.Reset()
		w := newWire(str)
		if err := w.send(helloOf(t, openStore(t), g.soc)); err != nil {
			t.Fatal(err)
		}
		// Reading the victim's hello proves its handler runs; then silence.
		if m, err := w.recv(); err != nil || m.Hello == nil {
			t.Fatalf("no hello from the victim: %v", err)
		}
		start := time.Now()
		waitOr(t, waitSessions(victim.svc), "the victim's handler returns")
		if took := time.Since(start); took > idle+2*time.Second {
			t.Fatalf("handler returned after %v", took)
		}
		drained := make(chan struct{})
		go func() { w.drain(); close(drained) }()
		waitOr(t, drained, "the stream is reset")
		if victim.badCount() != 0 {
			t.Fatalf("a stalled peer is not a bad peer: %v", victim.bad)
		}
	})
}

// TestUnknownSociety: asking a peer about a society it does not serve is
// refused cleanly; nothing is stored on either side and no one is blamed.
func TestUnknownSociety(t *testing.T) {
	g, raws := history(41, 2, 50)
	g2, raws2 := history(42, 2, 50)
	h, err := mh.Sum([]byte("no such society"), mh.SHA2_256, -1)
	if err != nil {
		t.Fatal(err)
	}
	nowhere := cid.NewCidV1(cid.DagCBOR, h)
	cases := []struct {
		name          string
		soc           cid.Cid
		initiatorHas  bool
		responderHas  bool // in its store
		responderOpts Options
	}{
		{name: "initiator holds it, responder does not", soc: g2.soc, initiatorHas: true},
		{name: "neither holds it", soc: nowhere},
		{name: "responder stores it but does not serve it", soc: g2.soc, responderHas: true,
			responderOpts: Options{Societies: func() []cid.Cid { return []cid.Cid{g.soc} }}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			ini := newNode(t, hs[0], nil, Options{})
			resp := newNode(t, hs[1], nil, tc.responderOpts)
			ingest(t, resp.st, g.soc, raws)
			if tc.initiatorHas {
				ingest(t, ini.st, g2.soc, raws2)
			}
			if tc.responderHas {
				ingest(t, resp.st, g2.soc, raws2[:10])
			}
			iniBefore, respBefore := count(t, ini.st, tc.soc), count(t, resp.st, tc.soc)
			stats, err := ini.svc.Sync(context.Background(), hs[1].ID(), tc.soc)
			if !errors.Is(err, ErrUnknownSociety) || !errors.Is(err, ErrRefused) || errors.Is(err, ErrBadPeer) {
				t.Fatalf("got %v, want a refusal", err)
			}
			if stats.RoundTrips != 1 || stats.RecordsIn+stats.RecordsOut != 0 {
				t.Fatalf("stats %+v", stats)
			}
			if count(t, ini.st, tc.soc) != iniBefore || count(t, resp.st, tc.soc) != respBefore {
				t.Fatal("records stored by a refused sync")
			}
			socs, err := resp.st.Societies()
			if err != nil {
				t.Fatal(err)
			}
			if want := 1 + map[bool]int{true: 1}[tc.responderHas]; len(socs) != want {
				t.Fatalf("responder holds %d societies, want %d", len(socs), want)
			}
			waitOr(t, waitSessions(resp.svc), "the responder's handler returns")
			if ini.badCount()+resp.badCount() != 0 {
				t.Fatalf("bad peers reported: %v %v", ini.bad, resp.bad)
			}
		})
	}
}

// TestSyncAll syncs every held society with a peer, skipping those the
// peer does not hold.
func TestSyncAll(t *testing.T) {
	_, hs := newNet(t, 2)
	a := newNode(t, hs[0], nil, Options{})
	b := newNode(t, hs[1], nil, Options{})
	var socs []cid.Cid
	for i := range 3 {
		g, raws := history(uint64(50+i), 2, 300)
		socs = append(socs, g.soc)
		if i < 2 { // a holds the first two, b all three, each partly
			ingest(t, a.st, g.soc, raws[:200])
		}
		ingest(t, b.st, g.soc, raws[:100+100*i])
	}
	if err := a.svc.SyncAll(context.Background(), hs[1].ID()); err != nil {
		t.Fatal(err)
	}
	if err := b.svc.SyncAll(context.Background(), hs[0].ID()); err != nil {
		t.Fatal(err)
	}
	sameState(t, a.st, b.st, socs[0])
	sameState(t, a.st, b.st, socs[1])
	if n := count(t, a.st, socs[2]); n != 0 {
		t.Fatalf("a society a does not serve got %d records", n)
	}
}

// TestCloseAbortsSessions: Close ends the sessions in progress and later
// Syncs fail with ErrClosed.
func TestCloseAbortsSessions(t *testing.T) {
	g, prefix := history(61, 2, 200)
	_, hs := newNet(t, 2)
	victim := newNode(t, hs[0], nil, Options{})
	ingest(t, victim.st, g.soc, prefix)
	started := make(chan struct{})
	fakeDone, release := fakeResponder(t, hs[1], func(w *wire, _ *hello) {
		w.send(helloOf(t, openStore(t), g.soc))
		close(started) // then never reads
	})
	defer release()
	errc := make(chan error, 1)
	go func() {
		_, err := victim.svc.Sync(context.Background(), hs[1].ID(), g.soc)
		errc <- err
	}()
	waitOr(t, started, "the session starts")
	closed := make(chan struct{})
	go func() { victim.svc.Close(); close(closed) }()
	waitOr(t, closed, "Close returns")
	if err := <-errc; !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync during Close: %v", err)
	}
	if _, err := victim.svc.Sync(context.Background(), hs[1].ID(), g.soc); !errors.Is(err, ErrClosed) {
		t.Fatalf("Sync after Close: %v", err)
	}
	release()
	waitOr(t, fakeDone, "the fake's handler returns")
}

// TestVectorPacking round-trips version vectors and rejects bad ones.
func TestVectorPacking(t *testing.T) {
	k := func(b byte) string { return string(append(make([]byte, keySize-1), b)) }
	vv := map[string]uint64{k(3): 7, k(1): 1 << 40, k(2): 0}
	packed, err := packVector(vv)
	if err != nil {
		t.Fatal(err)
	}
	back, err := unpackVector(packed)
	if err != nil || len(back) != len(vv) {
		t.Fatalf("round trip: %v %v", back, err)
	}
	for key, v := range vv {
		if back[key] != v {
			t.Fatalf("device %x: %d, want %d", key, back[key], v)
		}
	}
	swapped := append(append([]byte{}, packed[vectorEntry:2*vectorEntry]...), packed[:vectorEntry]...)
	for name, b := range map[string][]byte{"short": packed[:vectorEntry-1], "unsorted": swapped, "repeated": append(packed[:vectorEntry:vectorEntry], packed[:vectorEntry]...)} {
		if _, err := unpackVector(b); !errors.Is(err, ErrBadPeer) {
			t.Errorf("%s: %v", name, err)
		}
	}
	if _, err := packVector(map[string]uint64{"short": 1}); err == nil {
		t.Error("packed a key of the wrong size")
	}
}

// BenchmarkCatchUp: a fresh store catches up 20,000 records from one peer
// over mocknet.
func BenchmarkCatchUp(b *testing.B) {
	const n = 20_000
	g, raws := history(99, 20, n)
	_, hs := newNet(b, 2)
	src := newNode(b, hs[1], nil, Options{})
	ingest(b, src.st, g.soc, raws)
	catchUp(b, hs[0], hs[1].ID(), g.soc, n, nil)
}

// catchUp times b.N catch-ups of a society's n records by a fresh store on
// host to from peer from, reports records/s, round trips and bytes per
// record, and returns the total sync time. check, when set, inspects each
// caught-up store.
func catchUp(b *testing.B, to host.Host, from peer.ID, soc cid.Cid, n int, check func(st *crdt.Store)) time.Duration {
	b.Helper()
	var records, trips int
	var bytes int64
	var elapsed time.Duration
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		dst := New(to, openStore(b), Options{})
		b.StartTimer()
		stats, err := dst.Sync(context.Background(), from, soc)
		b.StopTimer()
		dst.Close()
		if err != nil {
			b.Fatal(err)
		}
		if stats.RecordsIn != n {
			b.Fatalf("caught up %d records, want %d", stats.RecordsIn, n)
		}
		if check != nil {
			check(dst.st)
		}
		records += stats.RecordsIn
		trips += stats.RoundTrips
		bytes += stats.BytesIn
		elapsed += stats.Duration
		b.StartTimer()
	}
	b.ReportMetric(float64(records)/elapsed.Seconds(), "records/s")
	b.ReportMetric(float64(trips)/float64(b.N), "roundtrips/op")
	b.ReportMetric(float64(bytes)/float64(records), "bytes/record")
	return elapsed
}
