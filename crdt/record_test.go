package crdt

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
)

// sampleRecord returns an unsigned record with every field set: society,
// prev, two deps and a body.
func sampleRecord(t testing.TB) *Record {
	t.Helper()
	w := newTestWorld(t, 1)
	_, d1 := w.device(2).next("note", "one")
	_, d2 := w.device(3).next("note", "two")
	_, prev := w.founder.next("note", "prev")
	return &Record{
		Version: FormatVersion,
		Society: &Link{w.soc},
		Seq:     3,
		Prev:    &Link{prev},
		Deps:    SortLinks([]cid.Cid{d2, d1}),
		Time:    w.clock.Now(),
		Type:    "note",
		Body:    []byte("hello, society"),
	}
}

// signUnchecked signs r with key and encodes it without the shape checks
// Sign makes, so that Decode alone has to catch a bad shape.
func signUnchecked(t testing.TB, key ed25519.PrivateKey, r *Record) []byte {
	t.Helper()
	if r.Author == nil {
		r.Author = key.Public().(ed25519.PublicKey)
	}
	msg, err := r.SigningBytes()
	if err != nil {
		t.Fatalf("signing bytes: %v", err)
	}
	r.Sig = ed25519.Sign(key, msg)
	raw, err := Marshal(r)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	return raw
}

// cborPair is one key and its encoded value in a hand-built CBOR map.
type cborPair struct {
	k string
	v []byte
}

// recordPairs returns the fields of a signed record as CBOR map pairs in
// canonical order, each value encoded on its own.
func recordPairs(t testing.TB, r *Record) []cborPair {
	t.Helper()
	// enc encodes one field value canonically.
	enc := func(v any) []byte {
		b, err := Marshal(v)
		if err != nil {
			t.Fatalf("marshal %T: %v", v, err)
		}
		return b
	}
	return []cborPair{
		{"a", enc(r.Author)},
		{"b", enc(r.Body)},
		{"d", enc(r.Deps)},
		{"g", enc(r.Sig)},
		{"n", enc(r.Seq)},
		{"p", enc(*r.Prev)},
		{"s", enc(*r.Society)},
		{"t", enc(r.Time)},
		{"v", enc(r.Version)},
		{"y", enc(r.Type)},
	}
}

// assembleMap encodes pairs as a definite-length CBOR map in the given
// order, with one-byte text keys.
func assembleMap(pairs []cborPair) []byte {
	out := []byte{0xa0 | byte(len(pairs))} // valid while len < 24
	for _, p := range pairs {
		out = append(out, 0x60|byte(len(p.k)))
		out = append(out, p.k...)
		out = append(out, p.v...)
	}
	return out
}

// withValue returns a copy of pairs with key k's value replaced.
func withValue(pairs []cborPair, k string, v []byte) []cborPair {
	out := append([]cborPair{}, pairs...)
	for i := range out {
		if out[i].k == k {
			out[i].v = v
		}
	}
	return out
}

// isAny reports whether err matches one of wants.
func isAny(err error, wants ...error) bool {
	for _, w := range wants {
		if errors.Is(err, w) {
			return true
		}
	}
	return false
}

func TestSignDecodeRoundTrip(t *testing.T) {
	key := testKey(9)
	full := sampleRecord(t)
	tests := []struct {
		name string
		rec  *Record
	}{
		{"full", full},
		{"genesis", &Record{Version: 1, Seq: 1, Time: 5, Type: "genesis", Body: []byte{0xa0}}},
		{"nil body", &Record{Version: 1, Seq: 1, Time: 5, Type: "x", Society: full.Society}},
		{"empty body", &Record{Version: 1, Seq: 1, Time: 5, Type: "x", Body: []byte{}, Society: full.Society}},
		{"max body", &Record{Version: 1, Seq: 1, Time: 5, Type: strings.Repeat("t", MaxTypeLen), Body: make([]byte, MaxBodySize)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			raw, c, err := tc.rec.Sign(key)
			if err != nil {
				t.Fatalf("sign: %v", err)
			}
			if !c.Equals(CIDOf(raw)) || c.Prefix().Codec != cid.DagCBOR || c.Version() != 1 {
				t.Fatalf("sign returned CID %s for bytes hashing to %s", c, CIDOf(raw))
			}
			got, gc, err := Decode(raw)
			if err != nil {
				t.Fatalf("decode: %v", err)
			}
			if !gc.Equals(c) {
				t.Fatalf("decode CID %s, sign CID %s", gc, c)
			}
			again, err := Marshal(got)
			if err != nil || !bytes.Equal(again, raw) {
				t.Fatalf("re-marshal differs (err %v)", err)
			}
			if !bytes.Equal(got.Author, key.Public().(ed25519.PublicKey)) || got.Seq != tc.rec.Seq ||
				got.Time != tc.rec.Time || got.Type != tc.rec.Type || !bytes.Equal(got.Body, tc.rec.Body) ||
				!reflect.DeepEqual(got.Deps, tc.rec.Deps) || !reflect.DeepEqual(got.Prev, tc.rec.Prev) ||
				!reflect.DeepEqual(got.Society, tc.rec.Society) || !bytes.Equal(got.Sig, tc.rec.Sig) {
				t.Fatalf("decoded %+v, signed %+v", got, tc.rec)
			}
			if _, err := DecodeAs(raw, c); err != nil {
				t.Fatalf("DecodeAs own CID: %v", err)
			}
		})
	}
}

// TestHandBuiltMatchesSign checks the hand-built encoding used by the
// non-canonical cases: in canonical order it must equal Sign's bytes.
func TestHandBuiltMatchesSign(t *testing.T) {
	r := sampleRecord(t)
	raw, _, err := r.Sign(testKey(9))
	if err != nil {
		t.Fatal(err)
	}
	if got := assembleMap(recordPairs(t, r)); !bytes.Equal(got, raw) {
		t.Fatalf("hand-built map\n%x\nSign\n%x", got, raw)
	}
}

func TestDecodeRejects(t *testing.T) {
	key, other := testKey(9), testKey(10)
	base := sampleRecord(t)
	good, c, err := base.Sign(key)
	if err != nil {
		t.Fatal(err)
	}
	pairs := recordPairs(t, base)
	swap := append([]cborPair{}, pairs...)
	swap[0], swap[1] = swap[1], swap[0]

	// variant signs a modified copy of base without Sign's checks.
	variant := func(k ed25519.PrivateKey, edit func(r *Record)) []byte {
		r := *base
		r.Author, r.Sig = nil, nil
		edit(&r)
		return signUnchecked(t, k, &r)
	}
	// forged signs base, then alters the record after signing.
	forged := func(edit func(r *Record)) []byte {
		r := *base
		edit(&r)
		b, err := Marshal(&r)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	_, otherCID := newTestWorld(t, 7).founder.next("note", "other")

	tests := []struct {
		name string
		data []byte
		want []error // any one of these
	}{
		{"forged author", forged(func(r *Record) { r.Author = other.Public().(ed25519.PublicKey) }), []error{ErrBadSignature}},
		{"flipped signature bit", forged(func(r *Record) { r.Sig = append([]byte{}, r.Sig...); r.Sig[5] ^= 1 }), []error{ErrBadSignature}},
		{"body mutated after signing", forged(func(r *Record) { r.Body = []byte("hello, sociETY") }), []error{ErrBadSignature}},
		{"time mutated after signing", forged(func(r *Record) { r.Time++ }), []error{ErrBadSignature}},
		{"short signature", forged(func(r *Record) { r.Sig = r.Sig[:63] }), []error{ErrBadSignature}},
		{"signed without domain", forged(func(r *Record) {
			c := *r
			c.Sig = nil
			msg, _ := Marshal(&c)
			r.Sig = ed25519.Sign(key, msg)
		}), []error{ErrBadSignature}},
		{"oversized body", variant(key, func(r *Record) { r.Body = make([]byte, MaxBodySize+1) }), []error{ErrTooLarge}},
		{"oversized record bytes", variant(key, func(r *Record) { r.Body = make([]byte, MaxRecordSize) }), []error{ErrTooLarge}},
		{"too many deps", variant(key, func(r *Record) {
			var cs []cid.Cid
			for i := 0; i <= MaxDeps; i++ {
				cs = append(cs, CIDOf([]byte{byte(i)}))
			}
			r.Deps = SortLinks(cs)
		}), []error{ErrTooLarge}},
		{"empty", nil, []error{ErrMalformed}},
		{"truncated by one", good[:len(good)-1], []error{ErrMalformed}},
		{"truncated half", good[:len(good)/2], []error{ErrMalformed}},
		{"only map head", good[:1], []error{ErrMalformed}},
		{"trailing byte", append(append([]byte{}, good...), 0), []error{ErrMalformed}},
		{"not a map", []byte{0x83, 1, 2, 3}, []error{ErrMalformed}},
		{"keys out of order", assembleMap(swap), []error{ErrNonCanonical}},
		{"non-minimal seq", assembleMap(withValue(pairs, "n", []byte{0x18, byte(base.Seq)})), []error{ErrNonCanonical}},
		{"non-minimal version", assembleMap(withValue(pairs, "v", []byte{0x19, 0, 1})), []error{ErrNonCanonical}},
		{"non-minimal body length", assembleMap(withValue(pairs, "b", append([]byte{0x58, byte(len(base.Body))}, base.Body...))), []error{ErrNonCanonical}},
		{"non-minimal map length", append([]byte{0xb8, byte(len(pairs))}, assembleMap(pairs)[1:]...), []error{ErrNonCanonical}},
		{"empty deps array", assembleMap(withValue(pairs, "d", []byte{0x80})), []error{ErrNonCanonical}},
		{"indefinite deps array", assembleMap(withValue(pairs, "d", indefinite(pairs[2].v))), []error{ErrMalformed, ErrNonCanonical}},
		{"indefinite map", append(append([]byte{0xbf}, assembleMap(pairs)[1:]...), 0xff), []error{ErrMalformed, ErrNonCanonical}},
		{"indefinite body", assembleMap(withValue(pairs, "b", append(append([]byte{0x5f}, pairs[1].v...), 0xff))), []error{ErrMalformed, ErrNonCanonical}},
		{"float time", assembleMap(withValue(pairs, "t", []byte{0xfb, 0x42, 0x78, 0, 0, 0, 0, 0, 0})), []error{ErrMalformed}},
		{"duplicate key", assembleMap(append(append([]cborPair{}, pairs...), pairs[9])), []error{ErrMalformed}},
		{"unknown field", assembleMap(append(append([]cborPair{}, pairs...), cborPair{"z", []byte{1}})), []error{ErrMalformed}},
		{"upper-case key", assembleMap(append([]cborPair{{"A", pairs[0].v}}, pairs[1:]...)), []error{ErrMalformed, ErrNonCanonical}},
		{"unknown version", variant(key, func(r *Record) { r.Version = 2 }), []error{ErrVersion}},
		{"version zero", variant(key, func(r *Record) { r.Version = 0 }), []error{ErrVersion}},
		{"unknown version with unknown field", assembleMap(append(withValue(pairs, "v", []byte{0x02}), cborPair{"z", []byte{1}})), []error{ErrVersion}},
		{"seq zero", variant(key, func(r *Record) { r.Seq, r.Prev = 0, nil }), []error{ErrMalformed}},
		{"prev on seq 1", variant(key, func(r *Record) { r.Seq = 1 }), []error{ErrMalformed}},
		{"missing prev", variant(key, func(r *Record) { r.Prev = nil }), []error{ErrMalformed}},
		{"unsorted deps", variant(key, func(r *Record) { r.Deps = []Link{r.Deps[1], r.Deps[0]} }), []error{ErrMalformed}},
		{"repeated dep", variant(key, func(r *Record) { r.Deps = []Link{r.Deps[0], r.Deps[0]} }), []error{ErrMalformed}},
		{"empty type", variant(key, func(r *Record) { r.Type = "" }), []error{ErrMalformed}},
		{"long type", variant(key, func(r *Record) { r.Type = strings.Repeat("t", MaxTypeLen+1) }), []error{ErrMalformed}},
		{"zero time", variant(key, func(r *Record) { r.Time = 0 }), []error{ErrMalformed}},
		{"short author", variant(key, func(r *Record) { r.Author = make([]byte, 31) }), []error{ErrMalformed}},
		{"prev without identity prefix", assembleMap(withValue(pairs, "p", rawLink(base.Prev.Bytes()))), []error{ErrMalformed}},
	}
	seen := map[string]bool{}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if seen[string(tc.data)] {
				t.Fatalf("test input duplicates another case")
			}
			seen[string(tc.data)] = true
			r, gc, err := Decode(tc.data)
			if !isAny(err, tc.want...) {
				t.Fatalf("Decode error %v, want one of %v", err, tc.want)
			}
			if r != nil || gc.Defined() {
				t.Fatalf("Decode returned a record with error %v", err)
			}
			// The errors must stay distinct: a case wanting one error must
			// not also match an unrelated one.
			for _, e := range []error{ErrMalformed, ErrNonCanonical, ErrVersion, ErrTooLarge, ErrBadSignature, ErrCIDMismatch} {
				if errors.Is(err, e) && !isAny(e, tc.want...) {
					t.Fatalf("Decode error %v also matches %v", err, e)
				}
			}
			if _, err := DecodeAs(tc.data, c); !isAny(err, tc.want...) {
				t.Fatalf("DecodeAs error %v, want one of %v", err, tc.want)
			}
		})
	}

	t.Run("wrong CID", func(t *testing.T) {
		if _, err := DecodeAs(good, otherCID); !errors.Is(err, ErrCIDMismatch) {
			t.Fatalf("DecodeAs with another CID: %v, want ErrCIDMismatch", err)
		}
		if _, err := DecodeAs(good, c); err != nil {
			t.Fatalf("DecodeAs with own CID: %v", err)
		}
	})
}

// indefinite re-encodes a definite-length CBOR array head (under 24
// items) as an indefinite-length one.
func indefinite(arr []byte) []byte {
	out := append([]byte{0x9f}, arr[1:]...)
	return append(out, 0xff)
}

// rawLink builds tag 42 around a byte string holding exactly content.
func rawLink(content []byte) []byte {
	return append(appendHead([]byte{0xd8, 42}, 2, uint64(len(content))), content...)
}

func TestSignRejectsBadShape(t *testing.T) {
	key := testKey(4)
	tests := []struct {
		name string
		edit func(r *Record)
		want error
	}{
		{"version", func(r *Record) { r.Version = 2 }, ErrVersion},
		{"seq zero", func(r *Record) { r.Seq, r.Prev = 0, nil }, ErrMalformed},
		{"prev on seq 1", func(r *Record) { r.Seq = 1 }, ErrMalformed},
		{"missing prev", func(r *Record) { r.Prev = nil }, ErrMalformed},
		{"unsorted deps", func(r *Record) { r.Deps = []Link{r.Deps[1], r.Deps[0]} }, ErrMalformed},
		{"oversized body", func(r *Record) { r.Body = make([]byte, MaxBodySize+1) }, ErrTooLarge},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := sampleRecord(t)
			tc.edit(r)
			if _, _, err := r.Sign(key); !errors.Is(err, tc.want) {
				t.Fatalf("Sign: %v, want %v", err, tc.want)
			}
		})
	}
}

func TestLinkRoundTrip(t *testing.T) {
	c := CIDOf([]byte("some record"))
	b, err := Marshal(Link{c})
	if err != nil {
		t.Fatal(err)
	}
	want := append([]byte{0xd8, 42, 0x58, byte(len(c.Bytes()) + 1), 0}, c.Bytes()...)
	if !bytes.Equal(b, want) {
		t.Fatalf("link encodes as %x, want %x", b, want)
	}
	var l Link
	if err := Unmarshal(b, &l); err != nil || !l.Equals(c) {
		t.Fatalf("unmarshal: %v, got %s want %s", err, l.Cid, c)
	}
	// Inside a map, as in a record.
	type holder struct {
		L Link   `cbor:"l"`
		D []Link `cbor:"d"`
	}
	c2 := CIDOf([]byte("another"))
	hb, err := Marshal(holder{L: Link{c}, D: []Link{{c}, {c2}}})
	if err != nil {
		t.Fatal(err)
	}
	var h holder
	if err := Unmarshal(hb, &h); err != nil || !h.L.Equals(c) || len(h.D) != 2 || !h.D[1].Equals(c2) {
		t.Fatalf("holder round trip: %v %+v", err, h)
	}
	if _, err := Marshal(Link{}); err == nil {
		t.Fatal("undefined link encoded")
	}
}

func TestLinkRejects(t *testing.T) {
	cb := CIDOf([]byte("some record")).Bytes()
	withZero := append([]byte{0}, cb...)
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"no identity prefix", rawLink(cb), ErrMalformed},
		{"prefix 0x01", rawLink(append([]byte{1}, cb...)), ErrMalformed},
		{"prefix only", rawLink([]byte{0}), ErrMalformed},
		{"trailing bytes after CID", rawLink(append(append([]byte{}, withZero...), 7)), ErrMalformed},
		{"truncated CID", rawLink(withZero[:20]), ErrMalformed},
		{"wrong tag", append([]byte{0xd8, 43}, rawLink(withZero)[2:]...), ErrMalformed},
		{"untagged bytes", rawLink(withZero)[2:], ErrMalformed},
		{"text string", append([]byte{0xd8, 42, 0x78, byte(len(withZero))}, withZero...), ErrMalformed},
		{"non-minimal length", append([]byte{0xd8, 42, 0x59, 0, byte(len(withZero))}, withZero...), ErrNonCanonical},
		{"length beyond data", append([]byte{0xd8, 42, 0x58, byte(len(withZero) + 1)}, withZero...), ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var l Link
			if err := Unmarshal(tc.data, &l); !errors.Is(err, tc.want) {
				t.Fatalf("Unmarshal: %v, want %v", err, tc.want)
			}
			if err := l.UnmarshalCBOR(tc.data); !errors.Is(err, tc.want) {
				t.Fatalf("UnmarshalCBOR: %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSigningBytesCut: the signing bytes cut out of a record's encoding
// are those SigningBytes encodes, for records of every shape (genesis, a
// chain's first and later records, deps, bodies whose length takes 0, 1 and
// 2 extra header bytes, a long type), and input of another shape falls back
// to encoding.
func TestSigningBytesCut(t *testing.T) {
	w := newTestWorld(t, 9)
	d := w.device(10)
	first, c1 := d.next("note", "first")
	second, _ := d.next("note", strings.Repeat("b", 30), c1, w.soc)
	long, _ := d.next(strings.Repeat("t", 24), strings.Repeat("x", 300))
	cases := []struct {
		name string
		raw  []byte
	}{
		{"genesis", w.genesis},
		{"first of a chain", first},
		{"deps and a 30-byte body", second},
		{"long type and 300-byte body", long},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r, err := decodeUnverified(tc.raw)
			if err != nil {
				t.Fatal(err)
			}
			want, err := r.SigningBytes()
			if err != nil {
				t.Fatal(err)
			}
			got, err := signingBytesOf(tc.raw, r)
			if err != nil || !bytes.Equal(got, want) {
				t.Fatalf("cut %x (%v)\nwant %x", got, err, want)
			}
			if _, _, err := Decode(tc.raw); err != nil {
				t.Fatalf("Decode: %v", err)
			}
		})
	}
	r, err := decodeUnverified(first)
	if err != nil {
		t.Fatal(err)
	}
	want, _ := r.SigningBytes()
	for _, raw := range [][]byte{nil, {0x80}, {0xa3, 0x61}, first[:len(first)/2]} {
		if got, err := signingBytesOf(raw, r); err != nil || !bytes.Equal(got, want) {
			t.Errorf("input %x: %x (%v), want the encoding's", raw, got, err)
		}
	}
}

// BenchmarkSigningBytes compares encoding a record again with cutting its
// signing bytes out of its encoding:
// go test -run '^$' -bench SigningBytes ./crdt/
func BenchmarkSigningBytes(b *testing.B) {
	w := newTestWorld(b, 9)
	raw, _ := w.device(10).next("note", strings.Repeat("x", 200))
	r, err := decodeUnverified(raw)
	if err != nil {
		b.Fatal(err)
	}
	b.Run("encode", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := r.SigningBytes(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("cut", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := signingBytesOf(raw, r); err != nil {
				b.Fatal(err)
			}
		}
	})
}
