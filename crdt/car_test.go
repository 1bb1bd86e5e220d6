package crdt

import (
	"bytes"
	"context"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/ipfs/go-cid"
	carv2 "github.com/ipld/go-car/v2"
	"github.com/ipld/go-car/v2/storage"
)

// exportT exports a society from s, failing the test on error.
func exportT(t testing.TB, s *Store, soc cid.Cid) ([]byte, int) {
	t.Helper()
	var buf bytes.Buffer
	n, err := s.ExportCAR(soc, &buf)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return buf.Bytes(), n
}

// writeCAR builds a CARv1 by hand from (CID, bytes) blocks, trusting both.
func writeCAR(t testing.TB, roots []cid.Cid, cs []cid.Cid, blocks [][]byte) []byte {
	t.Helper()
	var buf bytes.Buffer
	w, err := storage.NewWritable(&buf, roots, carv2.WriteAsCarV1(true))
	if err != nil {
		t.Fatal(err)
	}
	for i := range cs {
		if err := w.Put(context.Background(), cs[i].KeyString(), blocks[i]); err != nil {
			t.Fatal(err)
		}
	}
	if err := w.Finalize(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestCARRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 11))
	d := buildDAG(t, rng, 3, 25)
	// The largest record there can be must fit a CAR section.
	maxRec, _ := d.w.founder.next("note", strings.Repeat("m", MaxBodySize))
	d.raws = append(d.raws, maxRec)
	src := newStore(t)
	mustIngest(t, src, d.w.soc, d.raws...)
	other := newTestWorld(t, 9) // a second society in the same store
	mustIngest(t, src, other.soc, other.genesis)

	car, n := exportT(t, src, d.w.soc)
	if n != len(d.raws) {
		t.Fatalf("exported %d records, want %d", n, len(d.raws))
	}
	b, err := ReadCAR(bytes.NewReader(car))
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	if !b.Society.Equals(d.w.soc) || len(b.Bad) != 0 {
		t.Fatalf("bundle society %s, bad %v", b.Society, b.Bad)
	}
	var order []cid.Cid
	if err := src.Records(d.w.soc, func(c cid.Cid, _ []byte) error { order = append(order, c); return nil }); err != nil {
		t.Fatal(err)
	}
	if !sameCIDs(cids(b.Records), order) {
		t.Fatal("CAR records differ from the store's, or are not in canonical order")
	}
	byCID := index(d.raws)
	for _, r := range b.Records {
		if !bytes.Equal(byCID[CIDOf(r)], r) {
			t.Fatalf("record %s not one of the society's", CIDOf(r))
		}
	}
	// The bundle rebuilds the same state in another store.
	dst := newStore(t)
	mustIngest(t, dst, b.Society, b.Records...)
	if d := snapDiff(takeSnapshot(t, dst, d.w.soc), takeSnapshot(t, src, d.w.soc)); d != "" {
		t.Fatalf("imported store differs:\n%s", d)
	}

	// A society with no records exports an empty CAR that reads back empty.
	empty, n := exportT(t, src, CIDOf([]byte("no such society")))
	if n != 0 {
		t.Fatalf("exported %d records of an unknown society", n)
	}
	if b, err := ReadCAR(bytes.NewReader(empty)); err != nil || len(b.Records) != 0 || len(b.Bad) != 0 {
		t.Fatalf("empty CAR: %+v, %v", b, err)
	}
}

func TestCARBadBlocks(t *testing.T) {
	w := newTestWorld(t, 1)
	var raws [][]byte
	raws = append(raws, w.genesis)
	for _, body := range []string{"first-body", "second-body", "third-body"} {
		r, _ := w.founder.next("note", body)
		raws = append(raws, r)
	}
	s := newStore(t)
	mustIngest(t, s, w.soc, raws...)
	car, _ := exportT(t, s, w.soc)
	good := cids(raws)

	tampered := bytes.Clone(car)
	i := bytes.Index(tampered, []byte("second-body"))
	if i < 0 || bytes.Index(tampered[i+1:], []byte("second-body")) >= 0 {
		t.Fatal("body not found exactly once in the CAR")
	}
	tampered[i] = 'S'

	// A valid record filed under another record's CID.
	swapped := writeCAR(t, []cid.Cid{w.soc}, good, [][]byte{raws[0], raws[1], raws[3], raws[3]})
	// Bytes that are no record at all.
	junk := writeCAR(t, []cid.Cid{w.soc}, []cid.Cid{good[0], good[1], good[2], CIDOf([]byte{1, 2, 3})}, [][]byte{raws[0], raws[1], raws[2], {1, 2, 3}})

	tests := []struct {
		name string
		car  []byte
		bad  cid.Cid
		want []error
	}{
		{"tampered body", tampered, good[2], []error{ErrBadSignature, ErrCIDMismatch}},
		{"record under another CID", swapped, good[2], []error{ErrCIDMismatch}},
		{"junk block", junk, CIDOf([]byte{1, 2, 3}), []error{ErrMalformed}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ReadCAR(bytes.NewReader(tc.car))
			if err != nil {
				t.Fatalf("read: %v", err)
			}
			if len(b.Bad) != 1 || !b.Bad[0].CID.Equals(tc.bad) || !isAny(b.Bad[0].Err, tc.want...) {
				t.Fatalf("bad blocks %+v, want %s with one of %v", b.Bad, tc.bad, tc.want)
			}
			if len(b.Records) != 3 {
				t.Fatalf("%d good records, want 3", len(b.Records))
			}
			for _, r := range b.Records {
				if CIDOf(r).Equals(tc.bad) {
					t.Fatal("the bad block is listed among the records")
				}
			}
		})
	}
}

func TestReadCARRejectsGarbage(t *testing.T) {
	c1, c2 := CIDOf([]byte("a")), CIDOf([]byte("b"))
	valid := writeCAR(t, []cid.Cid{c1}, nil, nil)
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"garbage", []byte("this is not a CAR file at all, just some text")},
		{"random bytes", func() []byte {
			b := make([]byte, 512)
			r := rand.New(rand.NewPCG(1, 2))
			for i := range b {
				b[i] = byte(r.Uint32())
			}
			return b
		}()},
		{"two roots", writeCAR(t, []cid.Cid{c1, c2}, nil, nil)},
		{"truncated header", valid[:len(valid)/2]},
		{"truncated block", func() []byte {
			w := newTestWorld(t, 1)
			car := writeCAR(t, []cid.Cid{w.soc}, []cid.Cid{w.soc}, [][]byte{w.genesis})
			return car[:len(car)-5]
		}()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			b, err := ReadCAR(bytes.NewReader(tc.data))
			if !errors.Is(err, ErrBadCAR) || b != nil {
				t.Fatalf("ReadCAR: %+v, %v; want ErrBadCAR", b, err)
			}
		})
	}
}
