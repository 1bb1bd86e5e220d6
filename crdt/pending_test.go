package crdt

import (
	"fmt"
	"testing"
)

// noteChain returns the founder's chain of a new world up to seq n: the
// genesis, then notes.
func noteChain(w *testWorld, n int) [][]byte {
	chain := [][]byte{w.genesis}
	for i := 2; i <= n; i++ {
		r, _ := w.founder.next("note", fmt.Sprintf("body-%d", i))
		chain = append(chain, r)
	}
	return chain
}

// TestPendingSurvivesReopen: records parked for missing parents are kept
// in Badger: after the store is closed and reopened (a one-shot import
// that ends, a restart) they are still parked, and their parents, when
// they come, release them. Records parked then stored, or evicted, leave
// nothing behind.
func TestPendingSurvivesReopen(t *testing.T) {
	w := newTestWorld(t, 1)
	chain := noteChain(w, 6)
	cases := []struct {
		name      string
		cfg       Config
		park      [][]byte // ingested before closing: seqs with a gap
		wantAfter int      // parked after reopening
		fill      []byte   // the missing parent, ingested after reopening
		applied   int      // records applied by fill
	}{
		{name: "parked records come back", park: chain[2:5], wantAfter: 3, fill: chain[1], applied: 4},
		{name: "evicted records do not", cfg: Config{PendingMaxRecords: 2}, park: chain[2:5], wantAfter: 2, fill: chain[1], applied: 1},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			tc.cfg.Dir = dir
			s, err := Open(tc.cfg, &testApp{})
			if err != nil {
				t.Fatal(err)
			}
			mustIngest(t, s, w.soc, chain[0])
			for _, r := range tc.park {
				if res := mustIngest(t, s, w.soc, r); res.Pending != 1 {
					t.Fatalf("not parked: %+v", res)
				}
			}
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s = openStore(t, dir, tc.cfg, &testApp{})
			if n, _ := s.PendingCount(); n != tc.wantAfter {
				t.Fatalf("%d parked after reopening, want %d", n, tc.wantAfter)
			}
			if res := mustIngest(t, s, w.soc, tc.fill); len(res.Applied) != tc.applied {
				t.Fatalf("the missing parent applied %d records, want %d", len(res.Applied), tc.applied)
			}
			if tc.applied > 1 {
				if n, _ := s.PendingCount(); n != 0 {
					t.Fatalf("%d still parked", n)
				}
			}
			// Nothing stored stays parked on disk: a second reopening
			// parks only what is still waiting.
			want, _ := s.PendingCount()
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}
			s2 := openStore(t, dir, tc.cfg, &testApp{})
			if n, _ := s2.PendingCount(); n != want {
				t.Fatalf("%d parked after the second reopening, want %d", n, want)
			}
			parked, err := loadParked(s2.db)
			if err != nil || len(parked) != want {
				t.Fatalf("%d parked entries on disk (%v), want %d", len(parked), err, want)
			}
		})
	}
}
