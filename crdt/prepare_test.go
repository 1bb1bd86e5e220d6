package crdt

import (
	"fmt"
	"testing"
)

// TestIngestPrepared: ingesting batches prepared ahead (Prepare, then
// IngestPrepared of several at once) stores what Ingest of the same
// records stores, with the same result and state hash: for plain chains,
// records stored by another Ingest between Prepare and IngestPrepared
// (duplicates), rejected records, records waiting for a missing parent,
// and a bent signature.
func TestIngestPrepared(t *testing.T) {
	w := newTestWorld(t, 3)
	other := w.device(4)
	var chain [][]byte
	for i := range 12 {
		raw, _ := w.founder.next("note", fmt.Sprintf("n%d", i))
		chain = append(chain, raw)
	}
	other.next("note", "never sent") // the orphan's parent, never ingested
	orphan, _ := other.next("note", "waits")
	reject, _ := w.founder.next("note", "reject")
	bent := append([]byte{}, chain[len(chain)-1]...)
	bent[len(bent)-3] ^= 1 // inside the signature, the last field
	cases := []struct {
		name string
		// parts are the batches prepared; early are ingested by Ingest
		// after preparing and before IngestPrepared.
		parts [][][]byte
		early [][]byte
		// dups, waiting and rejected are the Result's counts.
		dups, waiting, rejected int
	}{
		{"one part", [][][]byte{append([][]byte{w.genesis}, chain...)}, nil, 0, 0, 0},
		{"three parts", [][][]byte{{w.genesis}, chain[:5], chain[5:]}, nil, 0, 0, 0},
		{"stored meanwhile", [][][]byte{{w.genesis}, chain}, chain[:7], 8, 0, 0},
		{"rejected and waiting", [][][]byte{append([][]byte{w.genesis}, chain...), {orphan, reject}}, nil, 0, 1, 1},
		{"bent signature", [][][]byte{append([][]byte{w.genesis}, chain[:len(chain)-1]...), {bent}}, nil, 0, 0, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ref, s := newStore(t), newStore(t)
			var all [][]byte
			for _, p := range c.parts {
				all = append(all, p...)
			}
			if c.early != nil {
				mustIngest(t, ref, w.soc, w.genesis)
				mustIngest(t, ref, w.soc, c.early...)
			}
			want, err := ref.Ingest(w.soc, all)
			if err != nil {
				t.Fatal(err)
			}
			var ps []*Prepared
			for _, p := range c.parts {
				ps = append(ps, s.Prepare(p))
			}
			if c.early != nil {
				mustIngest(t, s, w.soc, w.genesis)
				mustIngest(t, s, w.soc, c.early...)
			}
			got, err := s.IngestPrepared(w.soc, ps, nil)
			if err != nil {
				t.Fatal(err)
			}
			if !sameCIDs(got.Applied, want.Applied) || got.Duplicates != want.Duplicates || got.Pending != want.Pending || len(got.Rejected) != len(want.Rejected) {
				t.Fatalf("prepared: %d applied, %d duplicates, %d waiting, %d rejected; Ingest: %d, %d, %d, %d",
					len(got.Applied), got.Duplicates, got.Pending, len(got.Rejected), len(want.Applied), want.Duplicates, want.Pending, len(want.Rejected))
			}
			if got.Duplicates != c.dups || got.Pending != c.waiting || len(got.Rejected) != c.rejected {
				t.Fatalf("%d duplicates, %d waiting, %d rejected; want %d, %d, %d", got.Duplicates, got.Pending, len(got.Rejected), c.dups, c.waiting, c.rejected)
			}
			for i := range got.Rejected {
				if got.Rejected[i].CID != want.Rejected[i].CID || got.Rejected[i].Err.Error() != want.Rejected[i].Err.Error() {
					t.Errorf("rejection %d: %v, Ingest %v", i, got.Rejected[i], want.Rejected[i])
				}
			}
			hg, ng := state(t, s, w.soc)
			hw, nw := state(t, ref, w.soc)
			if hg != hw || ng != nw {
				t.Fatalf("state %s/%d, Ingest %s/%d", hg, ng, hw, nw)
			}
		})
	}
}

// failApp is testApp whose Apply fails on records with body "fail", as a
// store error would, so that Ingest ends without committing.
type failApp struct{ testApp }

func (a *failApp) Apply(v *Views, e *Entry, m Meta) (bool, error) {
	if string(e.Rec.Body) == "fail" {
		return false, fmt.Errorf("test applier: failing on %s", e.CID)
	}
	return a.testApp.Apply(v, e, m)
}

// TestMetaCacheCommittedOnly: the store's cache of metadata holds only
// committed records: a record stored in a transaction that then failed is
// not held, so its child waits for it (it would be judged against the
// failed record's metadata if the cache kept it), and the committed record
// before it is still held.
func TestMetaCacheCommittedOnly(t *testing.T) {
	w := newTestWorld(t, 5)
	s := openStore(t, t.TempDir(), Config{}, &failApp{})
	first, firstCID := w.founder.next("note", "first")
	mustIngest(t, s, w.soc, w.genesis, first)
	failing, _ := w.founder.next("note", "fail")
	if _, err := s.Ingest(w.soc, [][]byte{failing}); err == nil {
		t.Fatal("Ingest of a record whose Apply fails succeeded")
	}
	child, _ := w.founder.next("note", "child", firstCID)
	steps := []struct {
		name                    string
		raws                    [][]byte
		applied, waiting, dupes int
	}{
		{"child of the failed record", [][]byte{child}, 0, 1, 0},
		{"first again", [][]byte{first}, 0, 0, 1},
	}
	for _, st := range steps {
		res, err := s.Ingest(w.soc, st.raws)
		if err != nil {
			t.Fatalf("%s: %v", st.name, err)
		}
		if len(res.Applied) != st.applied || res.Pending != st.waiting || res.Duplicates != st.dupes || len(res.Rejected) > 0 {
			t.Fatalf("%s: %d applied, %d waiting, %d duplicates, %v rejected; want %d, %d, %d",
				st.name, len(res.Applied), res.Pending, res.Duplicates, res.Rejected, st.applied, st.waiting, st.dupes)
		}
	}
	if _, n := state(t, s, w.soc); n != 2 {
		t.Fatalf("%d records held, want 2", n)
	}
}
