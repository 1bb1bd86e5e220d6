package recsync

import (
	"bufio"
	"context"
	"encoding/binary"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
)

// TestDivergedHistoriesConverge: each store holds records the other lacks;
// one Sync makes them equal, with one round trip and the right counts.
func TestDivergedHistoriesConverge(t *testing.T) {
	cases := []struct {
		name                 string
		common, onlyA, onlyB int
		bio                  int
		optsA, optsB         Options
	}{
		{name: "diverged", common: 200, onlyA: 300, onlyB: 250},
		{name: "initiator behind", common: 200, onlyB: 400},
		{name: "responder behind", common: 200, onlyA: 400},
		{name: "in sync", common: 300},
		{name: "small batches", common: 100, onlyA: 150, onlyB: 90, optsA: Options{BatchSize: 7}, optsB: Options{BatchSize: 5}},
		// Receivers accepting only the smallest messages make senders cut
		// batches by size: a batch over the limit would be a bad peer.
		{name: "large records, small messages", common: 50, onlyA: 120, onlyB: 130, bio: membership.MaxBioLen,
			optsA: Options{MaxMessageBytes: 1, BatchSize: maxBatchRecords}, optsB: Options{MaxMessageBytes: 1, BatchSize: maxBatchRecords}},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			g, prefix := history(uint64(i+1), 4, tc.common)
			var onlyA, onlyB [][]byte
			for len(onlyA) < tc.onlyA {
				onlyA = append(onlyA, g.profiles(g.members[len(onlyA)%2*2], 1, tc.bio)...)
			}
			for len(onlyB) < tc.onlyB {
				onlyB = append(onlyB, g.profiles(g.members[1+len(onlyB)%2*2], 1, tc.bio)...)
			}
			a := newNode(t, hs[0], nil, tc.optsA)
			b := newNode(t, hs[1], nil, tc.optsB)
			ingest(t, a.st, g.soc, append(append([][]byte{}, prefix...), onlyA...))
			ingest(t, b.st, g.soc, append(append([][]byte{}, prefix...), onlyB...))

			stats, err := a.svc.Sync(context.Background(), hs[1].ID(), g.soc)
			if err != nil {
				t.Fatal(err)
			}
			if stats.RoundTrips != 1 || stats.RecordsOut != tc.onlyA || stats.RecordsIn != tc.onlyB {
				t.Fatalf("stats %+v, want 1 round trip, %d out, %d in", stats, tc.onlyA, tc.onlyB)
			}
			if stats.BytesIn <= 0 || stats.BytesOut <= 0 || stats.Duration <= 0 {
				t.Fatalf("stats %+v: bytes and duration not counted", stats)
			}
			sameState(t, a.st, b.st, g.soc)
			if n := count(t, a.st, g.soc); n != uint64(tc.common+tc.onlyA+tc.onlyB) {
				t.Fatalf("%d records after sync, want %d", n, tc.common+tc.onlyA+tc.onlyB)
			}
			if a.appliedCount() != tc.onlyB || b.appliedCount() != tc.onlyA {
				t.Fatalf("OnRecords saw %d and %d applied, want %d and %d", a.appliedCount(), b.appliedCount(), tc.onlyB, tc.onlyA)
			}
			if a.badCount()+b.badCount() != 0 {
				t.Fatalf("bad peers reported: %v %v", a.bad, b.bad)
			}
			// Once equal, a sync moves nothing.
			stats, err = b.svc.Sync(context.Background(), hs[0].ID(), g.soc)
			if err != nil || stats.RecordsIn+stats.RecordsOut != 0 {
				t.Fatalf("second sync: %+v, %v", stats, err)
			}
		})
	}
}

// TestFreshPeerCatchesUp: a store holding nothing, or only the genesis,
// receives a society of 5,000 records in one Sync.
func TestFreshPeerCatchesUp(t *testing.T) {
	g, raws := history(7, 8, 5000)
	for _, preload := range []int{0, 1} {
		t.Run([]string{"empty store", "genesis only"}[preload], func(t *testing.T) {
			_, hs := newNet(t, 2)
			src := newNode(t, hs[1], nil, Options{})
			ingest(t, src.st, g.soc, raws)
			dst := newNode(t, hs[0], nil, Options{})
			if preload > 0 {
				ingest(t, dst.st, g.soc, raws[:preload])
			}
			stats, err := dst.svc.Sync(context.Background(), hs[1].ID(), g.soc)
			if err != nil {
				t.Fatal(err)
			}
			if stats.RecordsIn != len(raws)-preload || stats.RecordsOut != 0 || stats.RoundTrips != 1 {
				t.Fatalf("stats %+v, want %d in", stats, len(raws)-preload)
			}
			sameState(t, src.st, dst.st, g.soc)
			if n := count(t, dst.st, g.soc); n != uint64(len(raws)) {
				t.Fatalf("%d records, want %d", n, len(raws))
			}
		})
	}
}

// wire speaks the protocol by hand, for fake peers.
type wire struct {
	str network.Stream
	r   *bufio.Reader
}

func newWire(str network.Stream) *wire { return &wire{str: str, r: bufio.NewReader(str)} }

func (w *wire) send(m *msg) error {
	frame, err := encodeMsg(m)
	if err != nil {
		return err
	}
	_, err = w.str.Write(frame)
	return err
}

// sendBody frames arbitrary bytes as one message.
func (w *wire) sendBody(body []byte) error {
	_, err := w.str.Write(append(binary.AppendUvarint(nil, uint64(len(body))), body...))
	return err
}

func (w *wire) recv() (*msg, error) {
	m, _, err := readMsg(w.r, DefaultMaxMessageBytes, nil)
	return m, err
}

// drain reads until the stream ends or is reset.
func (w *wire) drain() {
	for {
		if _, err := w.recv(); err != nil {
			return
		}
	}
}

// helloOf is the hello a store would send about soc.
func helloOf(t testing.TB, st *crdt.Store, soc cid.Cid) *msg {
	vv, err := st.VersionVector(soc)
	if err != nil {
		t.Error(err)
	}
	packed, err := packVector(vv)
	if err != nil {
		t.Error(err)
	}
	return &msg{Hello: &hello{Society: Handle(soc), Vector: packed, Limit: DefaultMaxRecordsPerSession, MaxMessage: DefaultMaxMessageBytes}}
}

// fakeResponder answers sync streams on h with serve, which gets the
// initiator's hello. The stream stays open after serve until the test calls
// release (a reset would destroy data in flight); the returned channel
// closes once the handler has returned.
func fakeResponder(t *testing.T, h host.Host, serve func(w *wire, their *hello)) (done <-chan struct{}, release func()) {
	d := make(chan struct{})
	rel := make(chan struct{})
	var once, relOnce sync.Once
	h.SetStreamHandler(ProtocolID, func(str network.Stream) {
		defer once.Do(func() { close(d) })
		defer str.Reset()
		w := newWire(str)
		m, err := w.recv()
		if err != nil || m.Hello == nil {
			t.Errorf("fake responder: no hello: %v", err)
			return
		}
		serve(w, m.Hello)
		<-rel
	})
	return d, func() { relOnce.Do(func() { close(rel) }) }
}

// TestCutOffKeepsRecords: a session that ends early keeps the batches it
// ingested, in a consistent state, and the next Sync completes.
func TestCutOffKeepsRecords(t *testing.T) {
	g, raws := history(3, 6, 5000)
	const batch, batches = 256, 4
	cases := []struct {
		name       string
		dstOpts    Options
		srcOpts    Options
		fake       bool // the source resets the stream after 4 batches
		first      int  // records the first session delivers
		firstFails bool
	}{
		{name: "stream reset midway", fake: true, first: batch * batches, firstFails: true},
		{name: "sender limit", srcOpts: Options{MaxRecordsPerSession: 3000}, first: 3000},
		{name: "receiver limit", dstOpts: Options{MaxRecordsPerSession: 3000}, first: 3000},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			srcStore := openStore(t)
			ingest(t, srcStore, g.soc, raws)
			dst := newNode(t, hs[0], nil, tc.dstOpts)
			var fakeDone <-chan struct{}
			release := func() {}
			if tc.fake {
				delivered := make(chan struct{})
				var once sync.Once
				dst.onApply = func(total int) {
					if total >= batch*batches {
						once.Do(func() { close(delivered) })
					}
				}
				fakeDone, release = fakeResponder(t, hs[1], func(w *wire, their *hello) {
					if err := w.send(helloOf(t, srcStore, g.soc)); err != nil {
						t.Error(err)
						return
					}
					vv, err := unpackVector(their.Vector)
					if err != nil {
						t.Error(err)
						return
					}
					var out [][]byte
					if _, err := srcStore.RecordsAfter(g.soc, vv, batch*batches, func(_ cid.Cid, raw []byte) error {
						out = append(out, raw)
						return nil
					}); err != nil {
						t.Error(err)
						return
					}
					for i := 0; i < len(out); i += batch {
						if err := w.send(&msg{Batch: out[i : i+batch]}); err != nil {
							t.Error(err)
							return
						}
					}
					// Cut the connection once the receiver has them all.
					<-delivered
					w.str.Reset()
				})
			} else {
				newNode(t, hs[1], srcStore, tc.srcOpts)
			}

			stats, err := dst.svc.Sync(context.Background(), hs[1].ID(), g.soc)
			if tc.firstFails != (err != nil) {
				t.Fatalf("first sync: %v (want failure: %v)", err, tc.firstFails)
			}
			if errors.Is(err, ErrBadPeer) || dst.badCount() > 0 {
				t.Fatalf("a cut-off is not a bad peer: %v", err)
			}
			if n := count(t, dst.st, g.soc); n != uint64(tc.first) {
				t.Fatalf("%d records kept after the first session, want %d (stats %+v)", n, tc.first, stats)
			}
			consistent(t, dst.st, g.soc)
			release()
			if tc.fake {
				waitOr(t, fakeDone, "fake responder returns")
				newNode(t, hs[1], srcStore, tc.srcOpts) // replaces the fake handler
			}

			stats, err = dst.svc.Sync(context.Background(), hs[1].ID(), g.soc)
			if err != nil {
				t.Fatal(err)
			}
			if stats.RecordsIn != len(raws)-tc.first {
				t.Fatalf("second sync got %d records, want %d", stats.RecordsIn, len(raws)-tc.first)
			}
			sameState(t, srcStore, dst.st, g.soc)
		})
	}
}

// TestBadResponder: a peer answering with invalid data ends the session
// with ErrBadPeer and OnBadPeer, and none of the invalid data is stored.
func TestBadResponder(t *testing.T) {
	g, prefix := history(11, 3, 100)
	other, otherRaws := history(12, 2, 20)
	// The next two records of a member: valid, not held by the victim.
	cont := g.profiles(g.members[0], 2, 0)
	next := func() [][]byte { return [][]byte{slices.Clone(cont[0]), slices.Clone(cont[1])} }
	forge := func(raw []byte) []byte {
		rec, _, err := crdt.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		rec.Sig[3] ^= 1
		out, err := crdt.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	mutate := func(raw []byte) []byte {
		rec, _, err := crdt.Decode(raw)
		if err != nil {
			t.Fatal(err)
		}
		if rec.Body, err = crdt.Marshal(membership.Profile{Name: str("Mallory")}); err != nil {
			t.Fatal(err)
		}
		out, err := crdt.Marshal(rec)
		if err != nil {
			t.Fatal(err)
		}
		return out
	}
	garbage := make([]byte, 64)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range garbage {
		garbage[i] = byte(rng.UintN(256))
	}
	unknownField, err := crdt.Marshal(map[string]any{"x": 1})
	if err != nil {
		t.Fatal(err)
	}

	cases := []struct {
		name   string
		opts   Options
		attack func(w *wire, h *msg) // after the fake's hello h
		hello  func(h *msg)          // changes the fake's hello
		stored int                   // records the attack legitimately adds
	}{
		{name: "forged signature", attack: func(w *wire, _ *msg) { w.send(&msg{Batch: [][]byte{forge(next()[0])}}) }},
		{name: "mutated record", attack: func(w *wire, _ *msg) { w.send(&msg{Batch: [][]byte{mutate(next()[0])}}) }},
		{name: "oversized message", attack: func(w *wire, _ *msg) {
			w.str.Write(binary.AppendUvarint(nil, DefaultMaxMessageBytes+1))
			w.str.Write(garbage)
		}},
		{name: "garbage bytes", attack: func(w *wire, _ *msg) { w.sendBody(garbage) }},
		{name: "unknown message field", attack: func(w *wire, _ *msg) { w.sendBody(unknownField) }},
		{name: "two parts in one message", attack: func(w *wire, _ *msg) { w.send(&msg{Batch: next(), Done: &done{Records: 2}}) }},
		{name: "records of another society", attack: func(w *wire, _ *msg) { w.send(&msg{Batch: otherRaws}) }},
		{name: "hello names another society", hello: func(h *msg) { h.Hello.Society = Handle(other.soc) }},
		{name: "malformed version vector", hello: func(h *msg) { h.Hello.Vector = append(h.Hello.Vector, 1) }},
		{name: "more records than the limit", opts: Options{MaxRecordsPerSession: 1}, attack: func(w *wire, _ *msg) { w.send(&msg{Batch: next()}) }},
		{name: "valid then forged", stored: 1, attack: func(w *wire, _ *msg) {
			rs := next()
			w.send(&msg{Batch: [][]byte{rs[0], forge(rs[1])}})
		}},
		{name: "done miscounts", stored: 2, attack: func(w *wire, _ *msg) {
			w.send(&msg{Batch: next()})
			w.send(&msg{Done: &done{Records: 5}})
		}},
		{name: "message after done", attack: func(w *wire, _ *msg) {
			w.send(&msg{Done: &done{}})
			w.send(&msg{Done: &done{}})
		}},
		{name: "second hello", attack: func(w *wire, h *msg) { w.send(h) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			victim := newNode(t, hs[0], nil, tc.opts)
			ingest(t, victim.st, g.soc, prefix)
			before := count(t, victim.st, g.soc)
			fakeDone, release := fakeResponder(t, hs[1], func(w *wire, _ *hello) {
				h := helloOf(t, victim.st, g.soc) // the victim has nothing to send
				if tc.hello != nil {
					tc.hello(h)
				}
				if err := w.send(h); err != nil {
					t.Error(err)
					return
				}
				if tc.attack != nil {
					tc.attack(w, h)
				}
				w.drain()
			})

			_, err := victim.svc.Sync(context.Background(), hs[1].ID(), g.soc)
			release()
			if !errors.Is(err, ErrBadPeer) {
				t.Fatalf("got %v, want ErrBadPeer", err)
			}
			waitOr(t, fakeDone, "fake responder sees the reset")
			if victim.badCount() != 1 || victim.badPeer[0] != hs[1].ID() || !errors.Is(victim.bad[0], ErrBadPeer) {
				t.Fatalf("OnBadPeer calls: %v %v", victim.badPeer, victim.bad)
			}
			if n := count(t, victim.st, g.soc); n != before+uint64(tc.stored) {
				t.Fatalf("%d records stored, want %d", n-before, tc.stored)
			}
			if n := count(t, victim.st, other.soc); n != 0 {
				t.Fatalf("%d records of the other society stored", n)
			}
			consistent(t, victim.st, g.soc)
		})
	}
}
