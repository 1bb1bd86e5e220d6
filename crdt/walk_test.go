package crdt

import (
	"slices"
	"testing"

	"github.com/ipfs/go-cid"
)

// TestWalkBack: the walk visits exactly the causal past of its starting
// records (themselves included) down to the time given, each record once,
// and stops early on ErrStop.
func TestWalkBack(t *testing.T) {
	w := newTestWorld(t, 1)
	s := newStore(t)
	a, b := w.device(2), w.device(3)
	raws := [][]byte{w.genesis}
	add := func(d *testDevice, deps ...cid.Cid) cid.Cid {
		raw, c := d.next("x", "x", deps...)
		raws = append(raws, raw)
		return c
	}
	a1 := add(a, w.soc)
	b1 := add(b, w.soc)
	a2 := add(a)     // after a1
	b2 := add(b, a2) // sees a1, a2
	a3 := add(a)     // concurrent with b2
	b3 := add(b)     // after b2
	mustIngest(t, s, w.soc, raws...)
	walk := func(from []cid.Cid, min HLC, stopAfter int) []cid.Cid {
		t.Helper()
		var got []cid.Cid
		err := s.View(w.soc, func(r *Reader) error {
			return r.WalkBack(from, min, func(c cid.Cid, rec *Record) error {
				if !CIDOf(mustRaw(t, s, c)).Equals(c) || rec.Type == "" {
					t.Fatalf("record %s not as stored", c)
				}
				got = append(got, c)
				if len(got) == stopAfter {
					return ErrStop
				}
				return nil
			})
		})
		if err != nil {
			t.Fatal(err)
		}
		slices.SortFunc(got, func(x, y cid.Cid) int { return slices.Compare(x.Bytes(), y.Bytes()) })
		return got
	}
	sorted := func(cs ...cid.Cid) []cid.Cid {
		slices.SortFunc(cs, func(x, y cid.Cid) int { return slices.Compare(x.Bytes(), y.Bytes()) })
		return cs
	}
	timeOf := func(c cid.Cid) HLC {
		var m Meta
		if err := s.View(w.soc, func(r *Reader) error {
			var err error
			m, _, err = r.Meta(c)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return m.Time
	}
	for _, tc := range []struct {
		name string
		from []cid.Cid
		min  HLC
		want []cid.Cid
	}{
		{"b3's past", []cid.Cid{b3}, 0, sorted(w.soc, a1, b1, a2, b2, b3)},
		{"a3's past leaves out b's chain", []cid.Cid{a3}, 0, sorted(w.soc, a1, a2, a3)},
		{"two starts, each record once", []cid.Cid{a3, b3}, 0, sorted(w.soc, a1, b1, a2, b2, a3, b3)},
		{"down to a2's time only", []cid.Cid{b3}, timeOf(a2), sorted(a2, b2, b3)},
		{"a start older than the bound is not visited", []cid.Cid{a1}, timeOf(a2), nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if got := walk(tc.from, tc.min, -1); !slices.Equal(got, tc.want) {
				t.Fatalf("visited %v, want %v", got, tc.want)
			}
		})
	}
	if got := walk([]cid.Cid{b3}, 0, 2); len(got) != 2 {
		t.Fatalf("ErrStop after 2: visited %d", len(got))
	}
}

func mustRaw(t *testing.T, s *Store, c cid.Cid) []byte {
	t.Helper()
	raw, err := s.Record(c)
	if err != nil {
		t.Fatal(err)
	}
	return raw
}
