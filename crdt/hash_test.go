package crdt

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
)

// lane returns lane i of h.
func (h *ltHash) lane(i int) uint16 { return uint16(h[i/4] >> (16 * (i % 4))) }

// TestLtHashLanes checks the SWAR lane arithmetic against lane-by-lane
// arithmetic modulo 2^16, carries and borrows at every lane's edge
// included, and that add and sub undo each other in any order.
func TestLtHashLanes(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	edge := []uint16{0, 1, 0x7fff, 0x8000, 0x8001, 0xfffe, 0xffff}
	pick := func() uint16 {
		if rng.IntN(2) == 0 {
			return edge[rng.IntN(len(edge))]
		}
		return uint16(rng.Uint32())
	}
	for round := range 200 {
		var a, b ltHash
		for i := range a {
			for l := range 4 {
				a[i] |= uint64(pick()) << (16 * l)
				b[i] |= uint64(pick()) << (16 * l)
			}
		}
		s, d := a, a
		s.add(&b)
		d.sub(&b)
		for i := range ltWords * 4 {
			if got, want := s.lane(i), a.lane(i)+b.lane(i); got != want {
				t.Fatalf("round %d lane %d: %#x + %#x = %#x, want %#x", round, i, a.lane(i), b.lane(i), got, want)
			}
			if got, want := d.lane(i), a.lane(i)-b.lane(i); got != want {
				t.Fatalf("round %d lane %d: %#x - %#x = %#x, want %#x", round, i, a.lane(i), b.lane(i), got, want)
			}
		}
		s.sub(&b)
		if s != a {
			t.Fatalf("round %d: add then sub changed the hash", round)
		}
	}
}

// TestStateHashSetProperties: the hash of a set of entries does not
// depend on the order they were added, removing an entry restores the
// hash without it, and an entry's lanes depend on its key and value
// (which are length-delimited: "ab"+"c" is not "a"+"bc").
func TestStateHashSetProperties(t *testing.T) {
	entries := map[string]string{}
	for i := range 50 {
		entries[fmt.Sprintf("k%02d", i)] = fmt.Sprintf("v%d", i*i)
	}
	var fwd, rev ltHash
	keys := make([]string, 0, len(entries))
	for k := range entries {
		keys = append(keys, k)
	}
	for i := range keys {
		fwd.add(entryDigest([]byte(keys[i]), []byte(entries[keys[i]])))
		j := len(keys) - 1 - i
		rev.add(entryDigest([]byte(keys[j]), []byte(entries[keys[j]])))
	}
	if fwd.sum() != rev.sum() {
		t.Fatal("the hash depends on the order entries were added")
	}
	without := fwd
	without.sub(entryDigest([]byte("k07"), []byte(entries["k07"])))
	delete(entries, "k07")
	if without.sum() != viewHash(entries) {
		t.Fatal("removing an entry does not give the hash of the rest")
	}
	if *entryDigest([]byte("ab"), []byte("c")) == *entryDigest([]byte("a"), []byte("bc")) {
		t.Fatal("key and value are not delimited")
	}
	if *entryDigest([]byte("k"), []byte("v")) == *entryDigest([]byte("k"), []byte("w")) {
		t.Fatal("the value does not change the lanes")
	}
}

// TestStateHashMigration: a store whose state hash entry is in the old
// 48-byte format (the additive SHA-256 sum) is migrated on Open: the
// entry becomes an LtHash entry, the record count stays, and the hash is
// the one a fresh store computes from the same views.
func TestStateHashMigration(t *testing.T) {
	dir := t.TempDir()
	s := openStore(t, dir, Config{}, &testApp{})
	w := newTestWorld(t, 1)
	raws := [][]byte{w.genesis}
	for i := range 20 {
		raw, _ := w.founder.next("note", fmt.Sprintf("n%d", i))
		raws = append(raws, raw)
	}
	mustIngest(t, s, w.soc, raws...)
	soc := w.soc
	want, n := state(t, s, soc)
	// Write the entry back in the v1 format, as an older version left it.
	if err := s.db.Update(func(txn *badger.Txn) error {
		v := make([]byte, hashEntryV1Len)
		binary.BigEndian.PutUint64(v[32:], n)
		return txn.Set(key(pHash, soc.Bytes()), v)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Config{}, &testApp{})
	got, m := state(t, s, soc)
	if got != want || m != n {
		t.Fatalf("after migration: %s/%d, want %s/%d", got, m, want, n)
	}
	if err := s.db.View(func(txn *badger.Txn) error {
		it, err := txn.Get(key(pHash, soc.Bytes()))
		if err != nil {
			return err
		}
		if it.ValueSize() != hashEntryLen {
			return fmt.Errorf("entry of %d bytes after Open, want %d", it.ValueSize(), hashEntryLen)
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
}

// BenchmarkEntryDigest measures one view entry's expansion to its lanes
// and one lane-wise add: go test -run '^$' -bench EntryDigest ./crdt/
func BenchmarkEntryDigest(b *testing.B) {
	k, v := []byte("tb/bal/0123456789abcdef0123456789abcdef"), make([]byte, 120)
	var h ltHash
	b.ReportAllocs()
	for b.Loop() {
		h.addEntry(k, v)
	}
}

// TestStateHashBatchedChanges: the state hash folded at commit from each
// view's first and last value of a transaction is the hash of the views
// written, whatever the views went through in between: rewrites of a key,
// deletes, a key put back to the value it had, a value set and removed
// within the transaction, and more keys than foldHash expands on one
// core. Each case runs two transactions, the second over the first's
// views, and compares the hash with one recomputed from the views.
func TestStateHashBatchedChanges(t *testing.T) {
	type op struct {
		k, v string
		del  bool
	}
	many := func(prefix string, n int, del bool) []op {
		var ops []op
		for i := range n {
			ops = append(ops, op{k: fmt.Sprintf("%s%03d", prefix, i), v: fmt.Sprint(i * 7), del: del && i%3 == 0})
		}
		return ops
	}
	cases := []struct {
		name          string
		first, second []op
	}{
		{"rewrites", []op{{k: "a", v: "1"}, {k: "a", v: "2"}, {k: "a", v: "3"}}, []op{{k: "a", v: "4"}, {k: "a", v: "5"}}},
		{"back to the old value", []op{{k: "a", v: "1"}, {k: "b", v: "x"}}, []op{{k: "a", v: "2"}, {k: "a", v: "1"}}},
		{"set then removed", []op{{k: "a", v: "1"}}, []op{{k: "b", v: "2"}, {k: "b", del: true}, {k: "a", del: true}}},
		{"removed then set", []op{{k: "a", v: "1"}}, []op{{k: "a", del: true}, {k: "a", v: "1"}, {k: "c", del: true}}},
		{"many keys", many("k", 300, false), append(many("k", 300, true), many("n", 200, false)...)},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			s := newStore(t)
			soc := CIDOf([]byte(c.name))
			for _, ops := range [][]op{c.first, c.second} {
				b := s.newBatch(soc)
				for _, o := range ops {
					var err error
					if o.del {
						err = b.views.Delete(o.k)
					} else {
						err = b.views.Put(o.k, []byte(o.v))
					}
					if err != nil {
						t.Fatal(err)
					}
				}
				if err := b.commit(); err != nil {
					t.Fatal(err)
				}
				b.discard()
				vs := views(t, s, soc)
				if h, _ := state(t, s, soc); h != viewHash(vs) {
					t.Fatalf("state hash %s, views (%d) hash to %s", h, len(vs), viewHash(vs))
				}
			}
		})
	}
}
