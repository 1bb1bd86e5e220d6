package all_test

import (
	"math/rand/v2"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/all"
	"github.com/ipfs/go-cid"
)

func openStore(t testing.TB) *crdt.Store {
	t.Helper()
	st, err := crdt.Open(crdt.Config{Dir: t.TempDir(), PendingMaxRecords: 1 << 20, PendingMaxBytes: 1 << 30}, all.New())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// causalOrder returns a random order in which every record comes after its
// parents (invalid records anywhere).
func causalOrder(s *sim, rng *rand.Rand) []int {
	idx := map[cid.Cid]int{}
	for i, c := range s.cids {
		idx[c] = i
	}
	children := map[int][]int{}
	waiting := make([]int, len(s.cids))
	var ready []int
	for i, c := range s.cids {
		for _, p := range s.parents[c] {
			if j, ok := idx[p]; ok {
				children[j] = append(children[j], i)
				waiting[i]++
			}
		}
		if waiting[i] == 0 {
			ready = append(ready, i)
		}
	}
	var out []int
	for len(ready) > 0 {
		k := rng.IntN(len(ready))
		i := ready[k]
		ready[k] = ready[len(ready)-1]
		ready = ready[:len(ready)-1]
		out = append(out, i)
		for _, ch := range children[i] {
			if waiting[ch]--; waiting[ch] == 0 {
				ready = append(ready, ch)
			}
		}
	}
	return out
}

// deliver ingests records in the given order, in random batch sizes.
func deliver(t testing.TB, st *crdt.Store, s *sim, order []int, rng *rand.Rand) (rejected map[cid.Cid]error) {
	t.Helper()
	rejected = map[cid.Cid]error{}
	for i := 0; i < len(order); {
		n := 1 + rng.IntN(40)
		var batch [][]byte
		for ; n > 0 && i < len(order); n-- {
			batch = append(batch, s.raws[order[i]])
			i++
		}
		res, err := st.Ingest(s.soc, batch)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range res.Rejected {
			rejected[r.CID] = r.Err
		}
	}
	return rejected
}

func TestConvergenceAnyOrder(t *testing.T) {
	seeds := []uint64{1, 2, 3}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		s := newSim(seed)
		s.run(1200)
		if len(s.devices) < 20 {
			t.Logf("seed %d: %d devices", seed, len(s.devices))
		}
		rng := rand.New(rand.NewPCG(seed, 7))
		var want crdt.StateHash
		var wantCount uint64
		orders := deliveryOrders(s, rng)
		for i, o := range orders {
			st := openStore(t)
			rej := deliver(t, st, s, o.order, rng)
			for c := range s.bad {
				// Rejected, or parked behind a parent that was rejected.
				if _, err := st.Record(c); err == nil {
					t.Fatalf("seed %d %s: invalid record %s was stored", seed, o.name, c)
				}
			}
			h, n, err := st.State(s.soc)
			if err != nil {
				t.Fatal(err)
			}
			if i == 0 {
				want, wantCount = h, n
				if n < 1000 {
					t.Fatalf("seed %d: only %d records stored", seed, n)
				}
				forks, _ := st.Forks(s.soc)
				t.Logf("seed %d: %d records generated, %d stored, %d rejected, %d forks, %d devices, state %s",
					seed, len(s.raws), n, len(rej), len(forks), len(s.devices), h)
			} else if h != want || n != wantCount {
				t.Fatalf("seed %d %s: state %s (%d records), want %s (%d)", seed, o.name, h, n, want, wantCount)
			}
			if err := st.Rebuild(s.soc); err != nil {
				t.Fatal(err)
			}
			if h2, _, _ := st.State(s.soc); h2 != want {
				t.Fatalf("seed %d %s: rebuilt state %s differs from incremental %s", seed, o.name, h2, want)
			}
		}
	}
}

// deliveryOrder is a named order of delivering a sim's records.
type deliveryOrder struct {
	name  string
	order []int
}

// deliveryOrders are the orders every convergence test delivers in: as
// generated, two causal shuffles, reversed (all parked, then released),
// and a uniform shuffle.
func deliveryOrders(s *sim, rng *rand.Rand) []deliveryOrder {
	return []deliveryOrder{
		{"as generated", seqOrder(len(s.raws))},
		{"causal shuffle 1", causalOrder(s, rng)},
		{"causal shuffle 2", causalOrder(s, rng)},
		{"reversed (all parked, then released)", reverse(seqOrder(len(s.raws)))},
		{"uniform shuffle", rng.Perm(len(s.raws))},
	}
}

func seqOrder(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

func reverse(x []int) []int {
	for i, j := 0, len(x)-1; i < j; i, j = i+1, j-1 {
		x[i], x[j] = x[j], x[i]
	}
	return x
}
