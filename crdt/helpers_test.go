package crdt

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/ipfs/go-cid"
)

// errTestRejected is what testApp.Check returns for a body saying "reject".
var errTestRejected = errors.New("test applier: rejected")

// testApp is a small Applier for tests: Check accepts every record whose
// body is not "reject" (and insists its causal parents are stored); Apply
// writes "n/<author hex>/<seq>" -> body and bumps the "count" view, asking
// for a rebuild on records of type "cut"; Exclude does nothing.
type testApp struct {
	applies  atomic.Int64 // Apply calls, to tell replays from stored views
	excludes atomic.Int64 // Exclude calls
}

// Check implements Applier.
func (a *testApp) Check(r *Reader, e *Entry) (Meta, error) {
	if string(e.Rec.Body) == "reject" {
		return Meta{}, errTestRejected
	}
	parents := e.Rec.Deps
	if e.Rec.Prev != nil {
		parents = append([]Link{*e.Rec.Prev}, parents...)
	}
	for _, p := range parents {
		if _, ok, err := r.Meta(p.Cid); err != nil || !ok {
			return Meta{}, fmt.Errorf("test applier: parent %s not stored (%v)", p.Cid, err)
		}
	}
	return Meta{}, nil
}

// Apply implements Applier.
func (a *testApp) Apply(v *Views, e *Entry, m Meta) (bool, error) {
	a.applies.Add(1)
	if m.Seq != e.Rec.Seq || m.Time != e.Rec.Time || m.Type != e.Rec.Type || !bytes.Equal(m.Author, e.Rec.Author) {
		return false, fmt.Errorf("test applier: meta %+v does not describe record %s", m, e.CID)
	}
	if err := v.Put(viewKey(e.Rec.Author, e.Rec.Seq), e.Rec.Body); err != nil {
		return false, err
	}
	var n uint64
	old, ok, err := v.View("count")
	if err != nil {
		return false, err
	}
	if ok {
		n = binary.BigEndian.Uint64(old)
	}
	if err := v.Put("count", u64(n+1)); err != nil {
		return false, err
	}
	return e.Rec.Type == "cut", nil
}

// Exclude implements Applier.
func (a *testApp) Exclude(*Views, *Entry, Meta) error {
	a.excludes.Add(1)
	return nil
}

// viewKey is the view testApp writes for a record of author at seq.
func viewKey(author []byte, seq uint64) string {
	return fmt.Sprintf("n/%s/%d", hex.EncodeToString(author), seq)
}

// testWorld hands out records of one society; its frozen-wall clock makes
// every record later than every record built before it.
type testWorld struct {
	t       testing.TB
	clock   *Clock
	soc     cid.Cid
	genesis []byte
	founder *testDevice
}

// newTestWorld creates a society whose genesis is signed by a founder
// device derived from seed.
func newTestWorld(t testing.TB, seed byte) *testWorld {
	t.Helper()
	frozen := time.UnixMilli(1_700_000_000_000)
	w := &testWorld{t: t, clock: NewClock(func() time.Time { return frozen })}
	w.founder = w.device(seed)
	w.genesis, w.soc = w.founder.next("genesis", "founding")
	return w
}

// testDevice is a device key and the head of its chain in a testWorld.
type testDevice struct {
	w    *testWorld
	key  ed25519.PrivateKey
	seq  uint64
	prev cid.Cid
}

// device returns a new device of the world with a key derived from seed.
func (w *testWorld) device(seed byte) *testDevice {
	return &testDevice{w: w, key: testKey(seed)}
}

// testKey derives a deterministic ed25519 key from one byte.
func testKey(seed byte) ed25519.PrivateKey {
	return ed25519.NewKeyFromSeed(bytes.Repeat([]byte{seed}, ed25519.SeedSize))
}

// pub returns the device's public key.
func (d *testDevice) pub() []byte { return d.key.Public().(ed25519.PublicKey) }

// next signs the device's next record (depending on deps) and advances
// its chain.
func (d *testDevice) next(typ, body string, deps ...cid.Cid) ([]byte, cid.Cid) {
	d.w.t.Helper()
	var prev *Link
	if d.prev.Defined() {
		prev = &Link{d.prev}
	}
	raw, c := d.build(d.seq+1, prev, d.w.clock.Now(), typ, body, deps...)
	d.seq++
	d.prev = c
	return raw, c
}

// build signs a record with every field given, without touching the chain.
func (d *testDevice) build(seq uint64, prev *Link, t HLC, typ, body string, deps ...cid.Cid) ([]byte, cid.Cid) {
	d.w.t.Helper()
	r := &Record{Version: FormatVersion, Seq: seq, Prev: prev, Time: t, Type: typ, Body: []byte(body)}
	if d.w.soc.Defined() {
		r.Society = &Link{d.w.soc}
	}
	if len(deps) > 0 {
		r.Deps = SortLinks(deps)
	}
	raw, c, err := r.Sign(d.key)
	if err != nil {
		d.w.t.Fatalf("sign: %v", err)
	}
	return raw, c
}

// openStore opens a store in dir with app, closing it when the test ends.
func openStore(t testing.TB, dir string, cfg Config, app Applier) *Store {
	t.Helper()
	cfg.Dir = dir
	s, err := Open(cfg, app)
	if err != nil {
		t.Fatalf("open: %v", err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// newStore opens a fresh store with testApp in a temporary directory.
func newStore(t testing.TB) *Store {
	t.Helper()
	return openStore(t, t.TempDir(), Config{}, &testApp{})
}

// mustIngest ingests raws and fails the test on an error or any rejection.
func mustIngest(t testing.TB, s *Store, soc cid.Cid, raws ...[]byte) Result {
	t.Helper()
	res, err := s.Ingest(soc, raws)
	if err != nil {
		t.Fatalf("ingest: %v", err)
	}
	for _, r := range res.Rejected {
		t.Fatalf("ingest rejected %s: %v", r.CID, r.Err)
	}
	return res
}

// views returns every view of a society as a map.
func views(t testing.TB, s *Store, soc cid.Cid) map[string]string {
	t.Helper()
	out := map[string]string{}
	err := s.View(soc, func(r *Reader) error {
		return r.Scan("", func(k string, v []byte) error {
			out[k] = string(v)
			return nil
		})
	})
	if err != nil {
		t.Fatalf("scan views: %v", err)
	}
	return out
}

// state returns a society's state hash and record count.
func state(t testing.TB, s *Store, soc cid.Cid) (StateHash, uint64) {
	t.Helper()
	h, n, err := s.State(soc)
	if err != nil {
		t.Fatalf("state: %v", err)
	}
	return h, n
}

// viewHash recomputes the state hash from the views themselves, to check
// the running hash against the data it claims to cover.
func viewHash(vs map[string]string) StateHash {
	var h ltHash
	for k, v := range vs {
		h.add(entryDigest([]byte(k), []byte(v)))
	}
	return h.sum()
}

// cids lists the CIDs of raws, in order.
func cids(raws [][]byte) []cid.Cid {
	out := make([]cid.Cid, len(raws))
	for i, r := range raws {
		out[i] = CIDOf(r)
	}
	return out
}

// sameCIDs reports whether two CID lists are equal element by element.
func sameCIDs(a, b []cid.Cid) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Equals(b[i]) {
			return false
		}
	}
	return true
}
