package crdt

import (
	"bytes"
	"testing"
)

// fuzzSeeds returns real signed records (genesis, one with prev and deps,
// one with a large body) and a few mutations of them.
func fuzzSeeds(t testing.TB) [][]byte {
	w := newTestWorld(t, 1)
	b := w.device(2)
	b1, b1c := b.next("note", "b1")
	a2, a2c := w.founder.next("note", "a2", b1c)
	b2, _ := b.next("cut", string(bytes.Repeat([]byte{0xa5}, 300)), a2c, w.soc)
	seeds := [][]byte{w.genesis, b1, a2, b2}
	for _, s := range [][]byte{w.genesis, a2} {
		flip := bytes.Clone(s)
		flip[len(flip)/2] ^= 0x40
		seeds = append(seeds,
			flip,
			s[:len(s)-1],
			append(bytes.Clone(s), 0),
			append([]byte{0xb8, s[0] & 0x1f}, s[1:]...), // non-minimal map head
		)
	}
	return seeds
}

// FuzzDecode checks that Decode never panics and that whatever it accepts
// is the canonical encoding of the record it returns, named by its CID.
func FuzzDecode(f *testing.F) {
	for _, s := range fuzzSeeds(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		r, c, err := Decode(data)
		if err != nil {
			if r != nil || c.Defined() {
				t.Fatalf("Decode failed (%v) but returned a record", err)
			}
			return
		}
		again, err := Marshal(r)
		if err != nil {
			t.Fatalf("re-marshal of an accepted record: %v", err)
		}
		if !bytes.Equal(again, data) {
			t.Fatalf("accepted non-canonical input:\n in  %x\n out %x", data, again)
		}
		if !c.Equals(CIDOf(data)) {
			t.Fatalf("CID %s, bytes hash to %s", c, CIDOf(data))
		}
		if _, err := DecodeAs(data, c); err != nil {
			t.Fatalf("DecodeAs own CID: %v", err)
		}
		if err := r.checkShape(); err != nil {
			t.Fatalf("accepted record fails its shape check: %v", err)
		}
	})
}
