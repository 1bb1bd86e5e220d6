package recsync

import (
	"context"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/p2p"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
)

// loopbackRecords is the size of the society BenchmarkCatchUpLoopback
// catches up, and loopbackBatch the batches the stores ingest it in.
const (
	loopbackRecords = 100_000
	loopbackBatch   = 2048
)

// loopbackHistory is generated once per process: a founder admits 20
// members through invites, then the 21 devices write profile edits with
// bios of varied sizes (the ordinary traffic of a society).
var loopbackHistory = sync.OnceValues(func() (*gen, [][]byte) {
	g, raws := history(777, 20, 0)
	for len(raws) < loopbackRecords {
		d := g.members[g.rng.IntN(len(g.members))]
		if g.rng.IntN(10) == 0 {
			d = g.founder
		}
		raws = append(raws, g.profiles(d, 1, g.rng.IntN(120))...)
	}
	return g, raws
})

// ingestBatches stores raws in batches of loopbackBatch and returns the
// time it took.
func ingestBatches(b *testing.B, st *crdt.Store, soc cid.Cid, raws [][]byte) time.Duration {
	b.Helper()
	start := time.Now()
	for i := 0; i < len(raws); i += loopbackBatch {
		ingest(b, st, soc, raws[i:min(i+loopbackBatch, len(raws))])
	}
	return time.Since(start)
}

// realHost is a p2p.NewHost listening on loopback TCP only.
func realHost(b *testing.B, seed uint64) host.Host {
	b.Helper()
	h, err := p2p.NewHost(p2p.Config{Key: newKey(rand.New(rand.NewPCG(seed, seed))), Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { h.Close() })
	return h
}

// BenchmarkCatchUpLoopback: a fresh store catches up 100,000 records of one
// society from one peer in one Sync, over two real hosts (TCP, Noise,
// yamux) on 127.0.0.1. It also reports the plain ingest rate of the same
// records into a fresh store (ingest-rec/s), the bound sync works against.
// Generating the records and filling the source store are not timed.
func BenchmarkCatchUpLoopback(b *testing.B) {
	g, raws := loopbackHistory()
	n := len(raws)

	src := openStore(b)
	ingestBatches(b, src, g.soc, raws)
	plain := ingestBatches(b, openStore(b), g.soc, raws)

	hs := []host.Host{realHost(b, 1), realHost(b, 2)}
	newNode(b, hs[1], src, Options{})
	if err := hs[0].Connect(context.Background(), p2p.AddrInfo(hs[1])); err != nil {
		b.Fatal(err)
	}

	elapsed := catchUp(b, hs[0], hs[1].ID(), g.soc, n, func(st *crdt.Store) { sameState(b, src, st, g.soc) })
	b.ReportMetric(elapsed.Seconds()/float64(b.N), "s/catchup")
	b.ReportMetric(float64(n)/plain.Seconds(), "ingest-rec/s")
}
