package crdt

import (
	"errors"
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
