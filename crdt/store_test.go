package crdt

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// decodeT decodes a record the test built, failing the test on error.
func decodeT(t testing.TB, raw []byte) *Record {
	t.Helper()
	r, _, err := Decode(raw)
	if err != nil {
		t.Fatalf("decode: %v", err)
	}
	return r
}

// parentsOf lists a record's prev and deps.
func parentsOf(r *Record) []cid.Cid {
	var out []cid.Cid
	if r.Prev != nil {
		out = append(out, r.Prev.Cid)
	}
	for _, d := range r.Deps {
		out = append(out, d.Cid)
	}
	return out
}

// checkCausalOrder fails unless every record in applied comes after its
// parents, counting the records in before as already stored.
func checkCausalOrder(t testing.TB, byCID map[cid.Cid][]byte, before, applied []cid.Cid) {
	t.Helper()
	have := map[cid.Cid]bool{}
	for _, c := range before {
		have[c] = true
	}
	for _, c := range applied {
		for _, p := range parentsOf(decodeT(t, byCID[c])) {
			if !have[p] {
				t.Fatalf("%s applied before its parent %s", c, p)
			}
		}
		have[c] = true
	}
}

// index maps each record's CID to its bytes.
func index(raws [][]byte) map[cid.Cid][]byte {
	m := map[cid.Cid][]byte{}
	for _, r := range raws {
		m[CIDOf(r)] = r
	}
	return m
}

func TestCausalDelivery(t *testing.T) {
	w := newTestWorld(t, 1)
	b := w.device(2)
	g := w.genesis
	b1, _ := b.next("note", "b1")
	a2, _ := w.founder.next("note", "a2", CIDOf(b1))
	b2, _ := b.next("note", "b2", CIDOf(a2))
	all := [][]byte{g, b1, a2, b2}
	byCID := index(all)

	tests := []struct {
		name  string
		calls [][][]byte
	}{
		{"parents first, one call", [][][]byte{{g, b1, a2, b2}}},
		{"children first, one call", [][][]byte{{b2, a2, b1, g}}},
		{"child then parent, separate calls", [][][]byte{{b2}, {a2}, {b1}, {g}}},
		{"parent last, separate calls", [][][]byte{{g}, {b2}, {a2}, {b1}}},
		{"mixed", [][][]byte{{a2}, {b2, g}, {b1}}},
	}
	var ref StateHash
	for i, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			var applied []cid.Cid
			stored := map[cid.Cid]bool{}
			for j, call := range tc.calls {
				res := mustIngest(t, s, w.soc, call...)
				checkCausalOrder(t, byCID, applied, res.Applied)
				applied = append(applied, res.Applied...)
				for _, c := range res.Applied {
					stored[c] = true
				}
				// Whatever was delivered and not applied must be parked.
				waiting := 0
				for _, cl := range tc.calls[:j+1] {
					for _, r := range cl {
						if !stored[CIDOf(r)] {
							waiting++
							if _, err := s.Record(CIDOf(r)); !errors.Is(err, ErrNotFound) {
								t.Fatalf("parked record readable: %v", err)
							}
						}
					}
				}
				if n, _ := s.PendingCount(); n != waiting {
					t.Fatalf("after call %d: %d pending, want %d", j, n, waiting)
				}
				if waiting > 0 && len(s.Missing(w.soc, 10)) == 0 {
					t.Fatalf("after call %d: records wait but nothing is missing", j)
				}
			}
			if len(applied) != len(all) {
				t.Fatalf("applied %d records, want %d", len(applied), len(all))
			}
			if n, b := s.PendingCount(); n != 0 || b != 0 {
				t.Fatalf("pending %d records, %d bytes after all arrived", n, b)
			}
			if m := s.Missing(w.soc, 10); len(m) != 0 {
				t.Fatalf("missing %v after all arrived", m)
			}
			vs := views(t, s, w.soc)
			for _, raw := range all {
				r := decodeT(t, raw)
				if vs[viewKey(r.Author, r.Seq)] != string(r.Body) {
					t.Fatalf("view of %s/%d = %q", r.Type, r.Seq, vs[viewKey(r.Author, r.Seq)])
				}
			}
			if vs["count"] != string(u64(4)) {
				t.Fatalf("count view %x", vs["count"])
			}
			h, n := state(t, s, w.soc)
			if n != 4 || h != viewHash(vs) {
				t.Fatalf("state %s/%d, views hash to %s", h, n, viewHash(vs))
			}
			if i == 0 {
				ref = h
			} else if h != ref {
				t.Fatalf("state hash %s differs from the in-order delivery's %s", h, ref)
			}
		})
	}
}

func TestDuplicates(t *testing.T) {
	w := newTestWorld(t, 1)
	a2, _ := w.founder.next("note", "a2")
	a3, _ := w.founder.next("note", "a3")
	app := &testApp{}
	s := openStore(t, t.TempDir(), Config{}, app)
	if res := mustIngest(t, s, w.soc, w.genesis, a2); len(res.Applied) != 2 || res.Duplicates != 0 {
		t.Fatalf("first ingest: %+v", res)
	}
	h0, n0 := state(t, s, w.soc)
	applies := app.applies.Load()
	res := mustIngest(t, s, w.soc, a2, w.genesis)
	if len(res.Applied) != 0 || res.Duplicates != 2 || res.Pending != 0 {
		t.Fatalf("re-ingest: %+v, want 2 duplicates", res)
	}
	if h, n := state(t, s, w.soc); h != h0 || n != n0 || app.applies.Load() != applies {
		t.Fatal("duplicates changed the state or were applied again")
	}
	res = mustIngest(t, s, w.soc, a3, a3)
	if len(res.Applied) != 1 || res.Duplicates != 1 {
		t.Fatalf("same record twice in one call: %+v", res)
	}
	if _, n := state(t, s, w.soc); n != 3 {
		t.Fatalf("count %d, want 3", n)
	}
}

func TestPendingBoundEvictsOldest(t *testing.T) {
	w := newTestWorld(t, 1)
	chain := noteChain(w, 7)
	size := len(chain[6])
	tests := []struct {
		name string
		cfg  Config
	}{
		{"by count", Config{PendingMaxRecords: 3}},
		{"by bytes", Config{PendingMaxBytes: 3*size + size/2}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := openStore(t, t.TempDir(), tc.cfg, &testApp{})
			mustIngest(t, s, w.soc, chain[0])
			// Seqs 7 down to 3, each missing its prev: 7 and 6 are evicted.
			for i := 6; i >= 2; i-- {
				if res := mustIngest(t, s, w.soc, chain[i]); res.Pending != 1 || len(res.Applied) != 0 {
					t.Fatalf("seq %d: %+v, want it parked", i+1, res)
				}
			}
			if n, b := s.PendingCount(); n != 3 || b != len(chain[2])+len(chain[3])+len(chain[4]) {
				t.Fatalf("pending %d records, %d bytes; want the 3 newest", n, b)
			}
			missing := s.Missing(w.soc, 10)
			want := cids(chain[1:4]) // the prevs of seqs 3, 4, 5
			slices.SortFunc(missing, func(a, b cid.Cid) int { return bytes.Compare(a.Bytes(), b.Bytes()) })
			slices.SortFunc(want, func(a, b cid.Cid) int { return bytes.Compare(a.Bytes(), b.Bytes()) })
			if !sameCIDs(missing, want) {
				t.Fatalf("missing %v, want %v", missing, want)
			}
			if got := s.Missing(w.soc, 1); len(got) != 1 {
				t.Fatalf("Missing(1) returned %d", len(got))
			}
			res := mustIngest(t, s, w.soc, chain[1])
			if !sameCIDs(res.Applied, cids(chain[1:5])) {
				t.Fatalf("applied %v, want seqs 2..5", res.Applied)
			}
			for _, r := range chain[5:] {
				if _, err := s.Record(CIDOf(r)); !errors.Is(err, ErrNotFound) {
					t.Fatalf("evicted record: %v, want ErrNotFound", err)
				}
			}
			if h, _ := s.Head(w.soc, w.founder.pub()); h.Seq != 5 || !h.CID.Equals(CIDOf(chain[4])) {
				t.Fatalf("head %+v, want seq 5", h)
			}
			if n, _ := s.PendingCount(); n != 0 {
				t.Fatalf("%d still pending", n)
			}
			// Fetched again, the evicted records apply.
			if res := mustIngest(t, s, w.soc, chain[6], chain[5]); len(res.Applied) != 2 {
				t.Fatalf("re-fetch: %+v", res)
			}
		})
	}
}

func TestIngestRejects(t *testing.T) {
	w := newTestWorld(t, 1)
	other := newTestWorld(t, 5)
	b := w.device(2)
	g := decodeT(t, w.genesis)
	b1, b1c := b.next("note", "b1")
	preload := [][]byte{w.genesis, b1}
	gLink := &Link{w.soc}
	// now is a fresh reading of the world's clock.
	now := func() HLC { return w.clock.Now() }
	foreign, _ := other.founder.next("note", "foreign")
	tests := []struct {
		name string
		raw  []byte
		want error
	}{
		{"record of another society", foreign, ErrWrongSociety},
		{"genesis of another society", other.genesis, ErrWrongSociety},
		{"prev by another author", pick(b.build(2, gLink, now(), "note", "x")), ErrBadChain},
		{"prev at wrong seq", pick(w.founder.build(3, gLink, now(), "note", "x")), ErrBadChain},
		{"time equal to prev", pick(w.founder.build(2, gLink, g.Time, "note", "x")), ErrBadClock},
		{"time before prev", pick(w.founder.build(2, gLink, g.Time-1, "note", "x")), ErrBadClock},
		{"time equal to a dep", pick(w.founder.build(2, gLink, decodeT(t, b1).Time, "note", "x", b1c)), ErrBadClock},
		{"rejected by the applier", pick(w.founder.build(2, gLink, now(), "note", "reject")), errTestRejected},
		{"undecodable", []byte{0xa1, 0x61, 0x76}, ErrMalformed},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			app := &testApp{}
			s := openStore(t, t.TempDir(), Config{}, app)
			mustIngest(t, s, w.soc, preload...)
			h0, n0 := state(t, s, w.soc)
			v0 := views(t, s, w.soc)
			vv0, _ := s.VersionVector(w.soc)
			applies := app.applies.Load()

			res, err := s.Ingest(w.soc, [][]byte{tc.raw})
			if err != nil {
				t.Fatalf("ingest: %v", err)
			}
			if len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, tc.want) {
				t.Fatalf("result %+v, want one rejection with %v", res, tc.want)
			}
			if !res.Rejected[0].CID.Equals(CIDOf(tc.raw)) {
				t.Fatalf("rejection names %s, want %s", res.Rejected[0].CID, CIDOf(tc.raw))
			}
			if len(res.Applied) != 0 || res.Pending != 0 || app.applies.Load() != applies {
				t.Fatalf("rejected record was applied or parked: %+v", res)
			}
			if _, err := s.Record(CIDOf(tc.raw)); !errors.Is(err, ErrNotFound) {
				t.Fatalf("rejected record stored: %v", err)
			}
			h, n := state(t, s, w.soc)
			vv, _ := s.VersionVector(w.soc)
			if h != h0 || n != n0 || !reflect.DeepEqual(views(t, s, w.soc), v0) || !reflect.DeepEqual(vv, vv0) {
				t.Fatal("a rejected record changed the state")
			}
			if p, _ := s.PendingCount(); p != 0 {
				t.Fatalf("%d records pending", p)
			}
		})
	}
}

// pick returns the bytes of a (bytes, CID) pair.
func pick(raw []byte, _ cid.Cid) []byte { return raw }

func TestForkDetection(t *testing.T) {
	w := newTestWorld(t, 1)
	b := w.device(2)
	b1, b1c := b.next("note", "b1")
	// x2 forks b's chain at seq 2; it is older than b2, so a rebuild (in
	// canonical order) leaves b2's body in the seq-2 view while a plain
	// fold in arrival order may not.
	x2, x2c := b.build(2, &Link{b1c}, w.clock.Now(), "note", "x2")
	b2, b2c := b.next("note", "b2")
	b3, _ := b.next("note", "b3")
	recs := [][]byte{w.genesis, b1, b2, b3, x2}

	s1 := newStore(t)
	mustIngest(t, s1, w.soc, w.genesis, b1, b2, b3)
	res := mustIngest(t, s1, w.soc, x2)
	if res.Forks != 1 || !res.Rebuilt || len(res.Applied) != 1 {
		t.Fatalf("fork ingest: %+v, want 1 fork and a rebuild", res)
	}
	forks, err := s1.Forks(w.soc)
	if err != nil || len(forks) != 1 {
		t.Fatalf("forks %v, %v", forks, err)
	}
	fp := forks[0]
	lo, hi := b2c, x2c
	if bytes.Compare(lo.Bytes(), hi.Bytes()) > 0 {
		lo, hi = hi, lo
	}
	if !bytes.Equal(fp.Author, b.pub()) || fp.Seq != 2 || !fp.A.Equals(lo) || !fp.B.Equals(hi) {
		t.Fatalf("fork proof %+v, want seq 2 of %s and %s", fp, lo, hi)
	}
	var seq uint64
	var ok bool
	if err := s1.View(w.soc, func(r *Reader) error { seq, ok, err = r.ForkSeq(b.pub()); return err }); err != nil || !ok || seq != 2 {
		t.Fatalf("ForkSeq = %d, %v, %v", seq, ok, err)
	}
	if vs := views(t, s1, w.soc); vs[viewKey(b.pub(), 2)] != "b2" {
		t.Fatalf("seq-2 view %q, want the later record's body", vs[viewKey(b.pub(), 2)])
	}
	ref, n := state(t, s1, w.soc)
	if n != 5 {
		t.Fatalf("count %d", n)
	}

	orders := map[string][][][]byte{
		"fork first, one call":     {{x2, b3, w.genesis, b1, b2}},
		"fork first, separately":   {{w.genesis}, {b1}, {x2}, {b2}, {b3}},
		"fork between, separately": {{b3}, {w.genesis, b1, b2}, {x2}},
	}
	for name, calls := range orders {
		t.Run(name, func(t *testing.T) {
			s := newStore(t)
			forks := 0
			for _, call := range calls {
				forks += mustIngest(t, s, w.soc, call...).Forks
			}
			if forks != 1 {
				t.Fatalf("%d forks reported", forks)
			}
			if h, n := state(t, s, w.soc); h != ref || n != 5 {
				t.Fatalf("state %s/%d, want %s/5", h, n, ref)
			}
			if !reflect.DeepEqual(views(t, s, w.soc), views(t, s1, w.soc)) {
				t.Fatal("views differ")
			}
			if fs, _ := s.Forks(w.soc); !reflect.DeepEqual(fs, forks1(t, s1, w.soc)) {
				t.Fatalf("fork proofs %+v differ", fs)
			}
		})
	}

	// A later fork keeps the lower-seq proof; an earlier one replaces it.
	x3, _ := b.build(3, &Link{b2c}, w.clock.Now(), "note", "x3")
	y1, y1c := b.build(1, nil, w.clock.Now(), "note", "y1")
	if res := mustIngest(t, s1, w.soc, x3); res.Forks != 1 {
		t.Fatalf("second fork: %+v", res)
	}
	if fs := forks1(t, s1, w.soc); len(fs) != 1 || fs[0].Seq != 2 {
		t.Fatalf("proofs after a fork at seq 3: %+v", fs)
	}
	if res := mustIngest(t, s1, w.soc, y1); res.Forks != 1 {
		t.Fatalf("fork at seq 1: %+v", res)
	}
	fs := forks1(t, s1, w.soc)
	if len(fs) != 1 || fs[0].Seq != 1 || !(fs[0].A.Equals(y1c) || fs[0].B.Equals(y1c)) || !(fs[0].A.Equals(b1c) || fs[0].B.Equals(b1c)) {
		t.Fatalf("proofs after a fork at seq 1: %+v", fs)
	}
	recs = append(recs, x3, y1)
	s2 := newStore(t)
	rev := slices.Clone(recs)
	slices.Reverse(rev)
	mustIngest(t, s2, w.soc, rev...)
	h1, _ := state(t, s1, w.soc)
	if h2, _ := state(t, s2, w.soc); h1 != h2 {
		t.Fatalf("after three forks: state %s vs %s", h1, h2)
	}
	vs := views(t, s1, w.soc)
	if vs[forkViewK+string(b.pub())] != string(u64(1)) || viewHash(vs) != h1 {
		t.Fatalf("fork view %x, hash %s vs views %s", vs[forkViewK+string(b.pub())], h1, viewHash(vs))
	}
}

// forks1 returns a store's fork proofs, failing the test on error.
func forks1(t testing.TB, s *Store, soc cid.Cid) []ForkProof {
	t.Helper()
	fs, err := s.Forks(soc)
	if err != nil {
		t.Fatalf("forks: %v", err)
	}
	return fs
}

// testDAG is a society's records built by several devices, with deps
// across devices and a few "cut" records that force rebuilds.
type testDAG struct {
	w       *testWorld
	raws    [][]byte // creation order, which is causal
	devices []*testDevice
}

// buildDAG creates n records (after genesis) from ndev devices.
func buildDAG(t testing.TB, rng *rand.Rand, ndev, n int) *testDAG {
	t.Helper()
	d := &testDAG{w: newTestWorld(t, 1)}
	d.raws = append(d.raws, d.w.genesis)
	d.devices = append(d.devices, d.w.founder)
	for i := 1; i < ndev; i++ {
		d.devices = append(d.devices, d.w.device(byte(10+i)))
	}
	for i := 0; i < n; i++ {
		dev := d.devices[rng.IntN(ndev)]
		var deps []cid.Cid
		for k := rng.IntN(3); k > 0; k-- {
			deps = append(deps, CIDOf(d.raws[rng.IntN(len(d.raws))]))
		}
		typ := "note"
		if rng.IntN(12) == 0 {
			typ = "cut"
		}
		raw, _ := dev.next(typ, fmt.Sprintf("r%d", i), deps...)
		d.raws = append(d.raws, raw)
	}
	return d
}

// causalShuffle returns the records in a random order that still delivers
// every parent before its children.
func (d *testDAG) causalShuffle(t testing.TB, rng *rand.Rand) [][]byte {
	byCID := index(d.raws)
	done := map[cid.Cid]bool{}
	left := slices.Clone(d.raws)
	var out [][]byte
	for len(left) > 0 {
		var ready []int
		for i, r := range left {
			ok := true
			for _, p := range parentsOf(decodeT(t, r)) {
				if _, known := byCID[p]; known && !done[p] {
					ok = false
				}
			}
			if ok {
				ready = append(ready, i)
			}
		}
		i := ready[rng.IntN(len(ready))]
		out = append(out, left[i])
		done[CIDOf(left[i])] = true
		left = append(left[:i], left[i+1:]...)
	}
	return out
}

// ingestChunks ingests raws in calls of random sizes (1 to 8 records).
func ingestChunks(t testing.TB, s *Store, soc cid.Cid, rng *rand.Rand, raws [][]byte) {
	t.Helper()
	for len(raws) > 0 {
		k := min(len(raws), 1+rng.IntN(8))
		mustIngest(t, s, soc, raws[:k]...)
		raws = raws[k:]
	}
}

func TestStateHashOrderIndependent(t *testing.T) {
	for seed := uint64(1); seed <= 3; seed++ {
		t.Run(fmt.Sprint("seed ", seed), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(seed, 99))
			d := buildDAG(t, rng, 4, 60)
			soc := d.w.soc

			ref := newStore(t)
			mustIngest(t, ref, soc, d.raws...)
			refHash, refN := state(t, ref, soc)
			refViews := views(t, ref, soc)
			if refN != uint64(len(d.raws)) || viewHash(refViews) != refHash {
				t.Fatalf("reference: %d records, hash %s, views hash %s", refN, refHash, viewHash(refViews))
			}
			if refViews["count"] != string(u64(uint64(len(d.raws)))) {
				t.Fatalf("count view %x", refViews["count"])
			}
			wantVV := map[string]uint64{}
			for _, dev := range d.devices {
				if dev.seq > 0 {
					wantVV[string(dev.pub())] = dev.seq
				}
			}

			reversed := slices.Clone(d.raws)
			slices.Reverse(reversed)
			random := slices.Clone(d.raws)
			rng.Shuffle(len(random), func(i, j int) { random[i], random[j] = random[j], random[i] })
			orders := []struct {
				name   string
				raws   [][]byte
				chunks bool
			}{
				{"causal shuffle, one call", d.causalShuffle(t, rng), false},
				{"causal shuffle, chunks", d.causalShuffle(t, rng), true},
				{"reversed, one call", reversed, false},
				{"random, chunks", random, true},
			}
			for _, o := range orders {
				s := newStore(t)
				if o.chunks {
					ingestChunks(t, s, soc, rng, o.raws)
				} else {
					mustIngest(t, s, soc, o.raws...)
				}
				h, n := state(t, s, soc)
				if h != refHash || n != refN {
					t.Fatalf("%s: state %s/%d, want %s/%d", o.name, h, n, refHash, refN)
				}
				if !reflect.DeepEqual(views(t, s, soc), refViews) {
					t.Fatalf("%s: views differ", o.name)
				}
				vv, err := s.VersionVector(soc)
				if err != nil || !reflect.DeepEqual(vv, wantVV) {
					t.Fatalf("%s: version vector %v (%v), want %v", o.name, vv, err, wantVV)
				}
				for _, dev := range d.devices {
					hd, err := s.Head(soc, dev.pub())
					if err != nil || hd.Seq != dev.seq || (dev.seq > 0 && !hd.CID.Equals(dev.prev)) {
						t.Fatalf("%s: head %+v (%v), want seq %d", o.name, hd, err, dev.seq)
					}
				}
				if p, _ := s.PendingCount(); p != 0 {
					t.Fatalf("%s: %d pending", o.name, p)
				}
			}

			// A full rebuild reproduces the incrementally kept views.
			app := &testApp{}
			s := openStore(t, t.TempDir(), Config{}, app)
			mustIngest(t, s, soc, random...)
			before := app.applies.Load()
			if err := s.Rebuild(soc); err != nil {
				t.Fatalf("rebuild: %v", err)
			}
			if got := app.applies.Load() - before; got != int64(len(d.raws)) {
				t.Fatalf("rebuild applied %d records, want %d", got, len(d.raws))
			}
			if h, n := state(t, s, soc); h != refHash || n != refN {
				t.Fatalf("after rebuild: state %s/%d, want %s/%d", h, n, refHash, refN)
			}
			if !reflect.DeepEqual(views(t, s, soc), refViews) {
				t.Fatal("after rebuild: views differ")
			}
		})
	}
}

func TestVersionVector(t *testing.T) {
	w := newTestWorld(t, 1)
	b, c := w.device(2), w.device(3)
	raws := [][]byte{w.genesis}
	for i, n := range []struct {
		d *testDevice
		k int
	}{{w.founder, 2}, {b, 3}, {c, 1}} {
		for j := 0; j < n.k; j++ {
			r, _ := n.d.next("note", fmt.Sprint(i, j))
			raws = append(raws, r)
		}
	}
	s := newStore(t)
	if vv, err := s.VersionVector(w.soc); err != nil || len(vv) != 0 {
		t.Fatalf("empty store: %v %v", vv, err)
	}
	mustIngest(t, s, w.soc, raws...)
	vv, err := s.VersionVector(w.soc)
	want := map[string]uint64{string(w.founder.pub()): 3, string(b.pub()): 3, string(c.pub()): 1}
	if err != nil || !reflect.DeepEqual(vv, want) {
		t.Fatalf("version vector %v (%v), want %v", vv, err, want)
	}
	if h, _ := s.Head(w.soc, w.device(4).pub()); h.Seq != 0 || h.CID.Defined() {
		t.Fatalf("head of an unknown device: %+v", h)
	}
}

func TestSocietiesAreSeparate(t *testing.T) {
	w1, w2 := newTestWorld(t, 1), newTestWorld(t, 2)
	a, _ := w1.founder.next("note", "one")
	b, _ := w2.founder.next("note", "two")
	s := newStore(t)
	mustIngest(t, s, w1.soc, w1.genesis, a)
	mustIngest(t, s, w2.soc, w2.genesis, b)
	socs, err := s.Societies()
	if err != nil || len(socs) != 2 {
		t.Fatalf("societies %v, %v", socs, err)
	}
	for _, tc := range []struct {
		w   *testWorld
		raw []byte
	}{{w1, a}, {w2, b}} {
		var got []cid.Cid
		if err := s.Records(tc.w.soc, func(c cid.Cid, _ []byte) error { got = append(got, c); return nil }); err != nil {
			t.Fatal(err)
		}
		if !sameCIDs(got, cids([][]byte{tc.w.genesis, tc.raw})) {
			t.Fatalf("records of %s: %v", tc.w.soc, got)
		}
		var latest []cid.Cid
		if err := s.Latest(tc.w.soc, 1, func(c cid.Cid, _ []byte) error { latest = append(latest, c); return nil }); err != nil {
			t.Fatal(err)
		}
		if len(latest) != 1 || !latest[0].Equals(got[len(got)-1]) {
			t.Fatalf("latest record of %s: %v, want %v", tc.w.soc, latest, got[len(got)-1])
		}
		if _, n := state(t, s, tc.w.soc); n != 2 {
			t.Fatalf("count %d", n)
		}
	}
}

func TestRecordCorrupt(t *testing.T) {
	w := newTestWorld(t, 1)
	a2, a2c := w.founder.next("note", "a2")
	flipped := slices.Clone(a2)
	flipped[len(flipped)-1] ^= 1
	tests := []struct {
		name string
		val  []byte
	}{
		{"another record", w.genesis},
		{"one bit flipped", flipped},
		{"truncated", a2[:10]},
		{"empty", []byte{}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newStore(t)
			mustIngest(t, s, w.soc, w.genesis, a2)
			if got, err := s.Record(a2c); err != nil || !bytes.Equal(got, a2) {
				t.Fatalf("intact record: %v", err)
			}
			k := append([]byte{'r'}, a2c.Bytes()...)
			if err := s.DB().Update(func(txn *badger.Txn) error { return txn.Set(k, tc.val) }); err != nil {
				t.Fatal(err)
			}
			if got, err := s.Record(a2c); !errors.Is(err, ErrCorrupt) || got != nil {
				t.Fatalf("Record on a corrupt entry: %d bytes, %v; want ErrCorrupt", len(got), err)
			}
			err := s.View(w.soc, func(r *Reader) error { _, err := r.Record(a2c); return err })
			if !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Reader.Record: %v, want ErrCorrupt", err)
			}
			if err := s.Records(w.soc, func(cid.Cid, []byte) error { return nil }); !errors.Is(err, ErrCorrupt) {
				t.Fatalf("Records: %v, want ErrCorrupt", err)
			}
			if _, err := s.Record(w.soc); err != nil {
				t.Fatalf("the intact genesis: %v", err)
			}
		})
	}
}

// snapshot is everything a store reports about one society.
type snapshot struct {
	hash    StateHash
	count   uint64
	views   map[string]string
	vv      map[string]uint64
	forks   []ForkProof
	records []cid.Cid
}

// takeSnapshot reads a snapshot of soc from s.
func takeSnapshot(t testing.TB, s *Store, soc cid.Cid) snapshot {
	t.Helper()
	var sn snapshot
	sn.hash, sn.count = state(t, s, soc)
	sn.views = views(t, s, soc)
	var err error
	if sn.vv, err = s.VersionVector(soc); err != nil {
		t.Fatal(err)
	}
	sn.forks = forks1(t, s, soc)
	if err := s.Records(soc, func(c cid.Cid, _ []byte) error { sn.records = append(sn.records, c); return nil }); err != nil {
		t.Fatal(err)
	}
	return sn
}

// snapDiff describes how two snapshots differ, readably ("" when equal).
func snapDiff(got, want snapshot) string {
	var out []string
	if got.hash != want.hash || got.count != want.count {
		out = append(out, fmt.Sprintf("state %s/%d, want %s/%d", got.hash, got.count, want.hash, want.count))
	}
	for k, v := range want.views {
		if gv, ok := got.views[k]; !ok || gv != v {
			out = append(out, fmt.Sprintf("view %q = %x (held %v), want %x", k, gv, ok, v))
		}
	}
	for k, v := range got.views {
		if _, ok := want.views[k]; !ok {
			out = append(out, fmt.Sprintf("extra view %q = %x", k, v))
		}
	}
	if !reflect.DeepEqual(got.vv, want.vv) {
		out = append(out, "version vectors differ")
	}
	if !reflect.DeepEqual(got.forks, want.forks) {
		out = append(out, fmt.Sprintf("fork proofs: %d, want %d", len(got.forks), len(want.forks)))
	}
	if !sameCIDs(got.records, want.records) {
		out = append(out, fmt.Sprintf("records: %v, want %v", got.records, want.records))
	}
	return strings.Join(out, "\n")
}

// TestReopenKeepsEverything writes a store and reopens it, with each
// profile, and with the other profile on reopening (a home moved between a
// phone and a desktop).
func TestReopenKeepsEverything(t *testing.T) {
	for _, tt := range []struct{ write, reopen Profile }{
		{ProfileDesktop, ProfileDesktop},
		{ProfilePhone, ProfilePhone},
		{ProfilePhone, ProfileDesktop},
	} {
		t.Run(tt.write.String()+"-"+tt.reopen.String(), func(t *testing.T) { testReopen(t, tt.write, tt.reopen) })
	}
}

func testReopen(t *testing.T, write, reopen Profile) {
	rng := rand.New(rand.NewPCG(7, 7))
	d := buildDAG(t, rng, 3, 40)
	soc := d.w.soc
	// A fork of the founder's head, so that a fork proof is kept too.
	head := decodeT(t, index(d.raws)[d.w.founder.prev])
	fork, _ := d.w.founder.build(head.Seq, head.Prev, d.w.clock.Now(), "note", "fork")
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir, Profile: write}, &testApp{})
	if err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, soc, d.raws...)
	if res := mustIngest(t, s, soc, fork); res.Forks != 1 {
		t.Fatalf("fork not detected: %+v", res)
	}
	before := takeSnapshot(t, s, soc)
	if len(before.forks) != 1 {
		t.Fatalf("fork proofs %+v", before.forks)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	app := &testApp{}
	s = openStore(t, dir, Config{Profile: reopen}, app)
	if app.applies.Load() != 0 || app.excludes.Load() != 0 {
		t.Fatalf("Open replayed the log: %d applies, %d excludes", app.applies.Load(), app.excludes.Load())
	}
	after := takeSnapshot(t, s, soc)
	if d := snapDiff(after, before); d != "" {
		t.Fatalf("store changed across reopen:\n%s", d)
	}
	for _, r := range d.raws {
		if got, err := s.Record(CIDOf(r)); err != nil || !bytes.Equal(got, r) {
			t.Fatalf("record %s after reopen: %v", CIDOf(r), err)
		}
	}
	// The reopened store carries on where it left off.
	next, nc := d.w.founder.next("note", "after reopen")
	if res := mustIngest(t, s, soc, next); !sameCIDs(res.Applied, []cid.Cid{nc}) {
		t.Fatalf("ingest after reopen: %+v", res)
	}
	if v := views(t, s, soc)["count"]; v != string(u64(uint64(len(d.raws)+2))) {
		t.Fatalf("count after reopen %x", v)
	}
}

// TestLargeIngestFlushes ingests more than a transaction's worth of data
// (flushBytes, or the phone profile's smaller limits) in one call, with a
// fork and a "cut" inside, and checks the result against the same records
// delivered in small calls: large records, and many small ones, which
// exceed the phone's transaction limits by size and by count.
func TestLargeIngestFlushes(t *testing.T) {
	for _, tt := range []struct {
		name    string
		profile Profile
		records int
		size    int
		step    int // records per call of the reference store
	}{
		{"desktop large records", ProfileDesktop, 100, 30 << 10, 1},
		{"phone large records", ProfilePhone, 100, 30 << 10, 1},
		{"phone small records", ProfilePhone, 6000, 200, 50},
	} {
		t.Run(tt.name, func(t *testing.T) {
			testLargeIngest(t, tt.profile, tt.records, tt.size, tt.step)
		})
	}
}

func testLargeIngest(t *testing.T, profile Profile, records, size, step int) {
	w := newTestWorld(t, 1)
	devs := []*testDevice{w.founder, w.device(2), w.device(3)}
	raws := [][]byte{w.genesis}
	big := strings.Repeat("x", size)
	var forkAt []byte
	for i := 0; i < records; i++ {
		d := devs[i%3]
		typ := "note"
		if i == records*7/10 {
			typ = "cut"
		}
		if i == records/5 { // fork device 2 at its next seq
			var prev *Link
			if d.prev.Defined() {
				prev = &Link{d.prev}
			}
			forkAt, _ = d.build(d.seq+1, prev, w.clock.Now(), "note", "fork"+big)
		}
		r, _ := d.next(typ, fmt.Sprint(i, big), CIDOf(raws[len(raws)-1]))
		raws = append(raws, r)
	}
	raws = append(raws, forkAt)
	total := 0
	for _, r := range raws {
		total += len(r)
	}
	limit, _ := flushLimits(profile.BadgerOptions("").MemTableSize)
	if total < 2*limit {
		t.Fatalf("only %d bytes: no flush would happen", total)
	}

	s := openStore(t, t.TempDir(), Config{Profile: profile}, &testApp{})
	res := mustIngest(t, s, w.soc, raws...)
	if len(res.Applied) != len(raws) || res.Forks != 1 || !res.Rebuilt {
		t.Fatalf("large ingest: %d applied, %d forks, rebuilt %v", len(res.Applied), res.Forks, res.Rebuilt)
	}
	ref := newStore(t)
	for i := 0; i < len(raws); i += step {
		mustIngest(t, ref, w.soc, raws[i:min(i+step, len(raws))]...)
	}
	want := takeSnapshot(t, ref, w.soc)
	if d := snapDiff(takeSnapshot(t, s, w.soc), want); d != "" {
		t.Fatalf("one large call differs from small calls:\n%s", d)
	}
	if err := s.Rebuild(w.soc); err != nil {
		t.Fatal(err)
	}
	if d := snapDiff(takeSnapshot(t, s, w.soc), want); d != "" {
		t.Fatalf("after rebuild:\n%s", d)
	}
	if viewHash(want.views) != want.hash {
		t.Fatal("state hash does not cover the views")
	}
}

// TestConcurrentIngest ingests one DAG from several goroutines at once,
// each in its own random order and chunking, while others read; the end
// state must be that of a plain ingest.
func TestConcurrentIngest(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 5))
	d := buildDAG(t, rng, 4, 80)
	ref := newStore(t)
	mustIngest(t, ref, d.w.soc, d.raws...)
	want := takeSnapshot(t, ref, d.w.soc)

	s := newStore(t)
	const writers = 4
	errs := make(chan error, writers+1)
	done := make(chan struct{})
	var readerDone = make(chan struct{})
	go func() { // a reader, racing the writers
		defer close(readerDone)
		for {
			select {
			case <-done:
				return
			default:
			}
			if _, _, err := s.State(d.w.soc); err != nil {
				errs <- err
				return
			}
			if _, err := s.VersionVector(d.w.soc); err != nil {
				errs <- err
				return
			}
			s.Missing(d.w.soc, 5)
			s.PendingCount()
		}
	}()
	var wg sync.WaitGroup
	for i := 0; i < writers; i++ {
		order := slices.Clone(d.raws)
		rng.Shuffle(len(order), func(a, b int) { order[a], order[b] = order[b], order[a] })
		seed := rng.Uint64()
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(seed, 0))
			for len(order) > 0 {
				k := min(len(order), 1+r.IntN(6))
				res, err := s.Ingest(d.w.soc, order[:k])
				if err == nil && len(res.Rejected) > 0 {
					err = res.Rejected[0].Err
				}
				if err != nil {
					errs <- err
					return
				}
				order = order[k:]
			}
		}()
	}
	wg.Wait()
	close(done)
	<-readerDone
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if diff := snapDiff(takeSnapshot(t, s, d.w.soc), want); diff != "" {
		t.Fatalf("concurrent ingest differs:\n%s", diff)
	}
	if n, _ := s.PendingCount(); n != 0 {
		t.Fatalf("%d pending", n)
	}
}
