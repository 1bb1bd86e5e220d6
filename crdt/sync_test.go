package crdt

import (
	"errors"
	"fmt"
	"testing"

	"github.com/ipfs/go-cid"
)

// TestRecordsAfterFillsTheGap checks that what RecordsAfter sends for a
// peer's version vector, ingested by that peer, brings it to the same
// records and state, in an order that needs no parking.
func TestRecordsAfterFillsTheGap(t *testing.T) {
	w := newTestWorld(t, 1)
	a, b := w.device(2), w.device(3)
	raws := [][]byte{w.genesis}
	var last cid.Cid
	for i := 0; i < 30; i++ {
		d := a
		if i%3 == 0 {
			d = b
		}
		var deps []cid.Cid
		if last.Defined() && i%4 == 0 {
			deps = append(deps, last)
		}
		var r []byte
		r, last = d.next("note", "x", deps...)
		raws = append(raws, r)
	}
	full, partial := newStore(t), newStore(t)
	mustIngest(t, full, w.soc, raws...)
	mustIngest(t, partial, w.soc, raws[:12]...)
	vv, err := partial.VersionVector(w.soc)
	if err != nil {
		t.Fatal(err)
	}
	var got [][]byte
	n, err := full.RecordsAfter(w.soc, vv, 0, func(c cid.Cid, raw []byte) error {
		got = append(got, raw)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n != len(raws)-12 {
		t.Fatalf("sent %d records, want %d", n, len(raws)-12)
	}
	res := mustIngest(t, partial, w.soc, got...)
	if res.Pending != 0 || len(res.Applied) != n {
		t.Fatalf("records not in causal order: %+v", res)
	}
	h1, n1 := state(t, full, w.soc)
	h2, n2 := state(t, partial, w.soc)
	if h1 != h2 || n1 != n2 {
		t.Fatalf("states differ after sync: %s/%d vs %s/%d", h1, n1, h2, n2)
	}
	// A limit bounds the work.
	if k, _ := full.RecordsAfter(w.soc, map[string]uint64{}, 5, func(cid.Cid, []byte) error { return nil }); k != 5 {
		t.Fatalf("limit: sent %d", k)
	}
}

func TestValidateVerdicts(t *testing.T) {
	w := newTestWorld(t, 1)
	a := w.device(2)
	r1, _ := a.next("note", "one")
	r2, _ := a.next("note", "two")
	st := newStore(t)
	mustIngest(t, st, w.soc, w.genesis, r1)
	forged := append([]byte{}, r2...)
	forged[len(forged)-1] ^= 1
	orphan, _ := w.device(4).build(2, &Link{CIDOf([]byte("not held"))}, w.clock.Now(), "note", "x")
	badChain, _ := w.device(5).build(2, &Link{w.soc}, w.clock.Now(), "note", "x")
	cases := []struct {
		name string
		raw  []byte
		want Verdict
		err  error
	}{
		{"next record", r2, Accept, nil},
		{"held already", r1, Accept, nil},
		{"forged", forged, Reject, ErrBadSignature},
		{"parent missing", orphan, Ignore, nil},
		{"prev of another device", badChain, Reject, ErrBadChain},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			v, _, err := st.Validate(w.soc, tc.raw)
			if v != tc.want || (tc.err != nil && !errors.Is(err, tc.err)) {
				t.Fatalf("verdict %d (%v), want %d (%v)", v, err, tc.want, tc.err)
			}
		})
	}
	h0, n0 := state(t, st, w.soc)
	if _, _, err := st.Validate(w.soc, r2); err != nil {
		t.Fatal(err)
	}
	if h1, n1 := state(t, st, w.soc); h1 != h0 || n1 != n0 {
		t.Fatal("Validate changed the store")
	}
}

// BenchmarkRecordsAfter measures what a sync sends a fresh peer: the
// records of 4 devices (20,000 in all) in canonical order, read from the
// store. go test -run '^$' -bench RecordsAfter ./crdt/
func BenchmarkRecordsAfter(b *testing.B) {
	w := newTestWorld(b, 1)
	devs := []*testDevice{w.founder, w.device(2), w.device(3), w.device(4)}
	s := newStore(b)
	raws := [][]byte{w.genesis}
	for i := range 20_000 - 1 {
		r, _ := devs[i%len(devs)].next("note", "a note of some length, as records carry")
		raws = append(raws, r)
	}
	for i := 0; i < len(raws); i += 2048 {
		mustIngest(b, s, w.soc, raws[i:min(i+2048, len(raws))]...)
	}
	b.ReportAllocs()
	for b.Loop() {
		n, err := s.RecordsAfter(w.soc, map[string]uint64{}, 0, func(cid.Cid, []byte) error { return nil })
		if err != nil || n != len(raws) {
			b.Fatalf("%d records sent of %d: %v", n, len(raws), err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N)/float64(len(raws)), "ns/record")
}

// TestRecordsAfterOrder: RecordsAfter sends exactly the records after a
// peer's vector, in canonical order (that of Records), whether it walks
// the order index (the peer lacks many) or sorts by metadata (it lacks a
// few), for three devices writing in turn.
func TestRecordsAfterOrder(t *testing.T) {
	w := newTestWorld(t, 6)
	devs := []*testDevice{w.founder, w.device(7), w.device(8)}
	raws := [][]byte{w.genesis}
	for i := range 60 {
		r, _ := devs[i%3].next("note", fmt.Sprint(i))
		raws = append(raws, r)
	}
	s := newStore(t)
	mustIngest(t, s, w.soc, raws...)
	var canonical []cid.Cid
	if err := s.Records(w.soc, func(c cid.Cid, _ []byte) error { canonical = append(canonical, c); return nil }); err != nil {
		t.Fatal(err)
	}
	key := func(d *testDevice) string { return string(d.pub()) }
	for _, tc := range []struct {
		name   string
		theirs map[string]uint64
	}{
		{"nothing held", map[string]uint64{}},
		{"half held", map[string]uint64{key(devs[0]): 11, key(devs[1]): 10, key(devs[2]): 9}},
		{"a few lacking", map[string]uint64{key(devs[0]): 20, key(devs[1]): 19, key(devs[2]): 20}},
		{"one device lacking", map[string]uint64{key(devs[0]): 21, key(devs[1]): 20}},
		{"all held", map[string]uint64{key(devs[0]): 21, key(devs[1]): 20, key(devs[2]): 20}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			seqs := map[cid.Cid]uint64{}
			authors := map[cid.Cid]string{}
			for _, raw := range raws {
				r, c, err := Decode(raw)
				if err != nil {
					t.Fatal(err)
				}
				seqs[c], authors[c] = r.Seq, string(r.Author)
			}
			var want, got []cid.Cid
			for _, c := range canonical {
				if seqs[c] > tc.theirs[authors[c]] {
					want = append(want, c)
				}
			}
			n, err := s.RecordsAfter(w.soc, tc.theirs, 0, func(c cid.Cid, raw []byte) error {
				if !CIDOf(raw).Equals(c) {
					t.Errorf("record %s sent with the bytes of another", c)
				}
				got = append(got, c)
				return nil
			})
			if err != nil || n != len(got) || !sameCIDs(got, want) {
				t.Fatalf("sent %d (%v): %v\nwant %v", n, err, got, want)
			}
		})
	}
}
