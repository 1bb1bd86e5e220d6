package crdt

import (
	"slices"
	"testing"

	"github.com/ipfs/go-cid"
)

// TestSince: a mark lists exactly the records stored after it, oldest
// first, and refuses (false) whenever it cannot be sure it lists them all.
func TestSince(t *testing.T) {
	w := newTestWorld(t, 1)
	b := w.device(2)
	late := w.device(3)
	old, _ := late.next("note", "written early, delivered late")
	b1, _ := b.next("note", "b1")
	a2, a2c := w.founder.next("note", "a2", CIDOf(b1))
	b2, b2c := b.next("note", "b2", a2c)
	tests := []struct {
		name   string
		before [][]byte // stored before the mark
		after  [][]byte // stored after it
		other  bool     // follow the mark in another store holding the same records
		soc    bool     // take the mark in another society of the same store
		ok     bool
		want   []cid.Cid
	}{
		{"nothing new", [][]byte{w.genesis, b1}, nil, false, false, true, nil},
		{"newer records, oldest first", [][]byte{w.genesis, b1}, [][]byte{b2, a2}, false, false, true, []cid.Cid{a2c, b2c}},
		{"a record older than the mark", [][]byte{w.genesis, b1}, [][]byte{old}, false, false, false, nil},
		{"older and newer records", [][]byte{w.genesis, b1}, [][]byte{a2, old}, false, false, false, nil},
		{"another store", [][]byte{w.genesis, b1}, nil, true, false, false, nil},
		{"another society", [][]byte{w.genesis, b1}, nil, false, true, false, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			mustIngest(t, s, w.soc, tc.before...)
			var m Mark
			if err := s.View(w.soc, func(r *Reader) error {
				var err error
				m, err = r.Mark()
				return err
			}); err != nil || !m.Valid() {
				t.Fatalf("mark %+v: %v", m, err)
			}
			follow := s
			if tc.other {
				follow = newStore(t)
				mustIngest(t, follow, w.soc, tc.before...)
			}
			mustIngest(t, follow, w.soc, tc.after...)
			soc := w.soc
			if tc.soc {
				empty := newTestWorld(t, 9).soc // nothing stored: all of w's records are newer
				if err := s.View(empty, func(r *Reader) error {
					var err error
					m, err = r.Mark()
					return err
				}); err != nil || !m.Valid() {
					t.Fatalf("mark %+v: %v", m, err)
				}
			}
			var got []cid.Cid
			var cur Mark
			var ok bool
			if err := follow.View(soc, func(r *Reader) error {
				var err error
				cur, ok, err = r.Since(m, func(c cid.Cid, meta Meta) error {
					got = append(got, c)
					return nil
				})
				return err
			}); err != nil {
				t.Fatal(err)
			}
			if ok != tc.ok || !slices.Equal(got, tc.want) {
				t.Fatalf("since: ok %v listed %v, want %v %v", ok, got, tc.ok, tc.want)
			}
			if h, n := state(t, follow, soc); cur.Hash != h || cur.Records != n {
				t.Fatalf("current mark %x/%d, store %x/%d", cur.Hash, cur.Records, h, n)
			}
		})
	}
}

// TestMarkInsideWrite: a reader inside a write cannot be followed.
func TestMarkInsideWrite(t *testing.T) {
	w := newTestWorld(t, 1)
	s := newStore(t)
	mustIngest(t, s, w.soc, w.genesis)
	b := s.newBatch(w.soc)
	defer b.discard()
	m, err := b.reader.Mark()
	if err != nil || m.Valid() {
		t.Fatalf("mark inside a write: %+v %v", m, err)
	}
	if _, ok, err := b.reader.Since(m, func(cid.Cid, Meta) error { return nil }); ok || err != nil {
		t.Fatalf("since inside a write: %v %v", ok, err)
	}
}

// TestUnmarshalView: a view decodes into a struct with part of its fields;
// bytes that are not CBOR are an error.
func TestUnmarshalView(t *testing.T) {
	type full struct {
		A string `cbor:"a"`
		B []int  `cbor:"b"`
		C uint64 `cbor:"c"`
	}
	type part struct {
		C uint64 `cbor:"c"`
	}
	data, err := Marshal(full{A: "x", B: []int{1, 2}, C: 7})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name string
		data []byte
		want part
		ok   bool
	}{
		{"part of the fields", data, part{C: 7}, true},
		{"not cbor", []byte{0xff, 0x00}, part{}, false},
		{"cut short", data[:len(data)-1], part{}, false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var got part
			err := UnmarshalView(tc.data, &got)
			if (err == nil) != tc.ok || (tc.ok && got != tc.want) {
				t.Fatalf("got %+v, %v; want %+v ok=%v", got, err, tc.want, tc.ok)
			}
			if err != nil && Unmarshal(data, &got) == nil {
				t.Fatal("Unmarshal accepted a view with fields the target lacks")
			}
		})
	}
}
