package all_test

import (
	"crypto/ed25519"
	"crypto/rand"
	"os"
	"runtime"
	"runtime/pprof"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// benchHistory is a society of 20 devices writing mostly profile edits,
// with joins, admissions, invites and the occasional revocation: the
// ordinary traffic of a society.
func benchHistory(b *testing.B, n int) *sim {
	b.Helper()
	s := newSim(99)
	s.calm = true
	s.run(n)
	// Keep only the records a store accepts: the benchmark measures the
	// accepting path.
	scratch := openStore(b)
	if _, err := scratch.Ingest(s.soc, s.raws); err != nil {
		b.Fatal(err)
	}
	var ok []int
	for i, c := range s.cids {
		if _, err := scratch.Record(c); err == nil {
			ok = append(ok, i)
		}
	}
	var raws [][]byte
	var cids = s.cids[:0:0]
	for _, i := range ok {
		raws = append(raws, s.raws[i])
		cids = append(cids, s.cids[i])
	}
	s.raws, s.cids = raws, cids
	return s
}

// sigItem is one record's signature check: key, signed bytes, signature.
type sigItem struct{ pub, msg, sig []byte }

// sigItems extracts the signature checks of a history's records.
func sigItems(b *testing.B, s *sim) []sigItem {
	items := make([]sigItem, len(s.raws))
	for i, raw := range s.raws {
		r, _, err := crdt.Decode(raw)
		if err != nil {
			b.Fatal(err)
		}
		msg, _ := r.SigningBytes()
		items[i] = sigItem{r.Author, msg, r.Sig}
	}
	return items
}

// parallelRate runs step on every core for dur, each call checking n
// signatures from position i on (workers start n apart), and returns the
// signatures checked per second.
func parallelRate(dur time.Duration, n int, step func(i int)) float64 {
	var count atomic.Int64
	var wg sync.WaitGroup
	start := time.Now()
	workers := runtime.GOMAXPROCS(0)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := w * n; time.Since(start) < dur; i += workers * n {
				step(i)
				count.Add(int64(n))
			}
		}(w)
	}
	wg.Wait()
	return float64(count.Load()) / time.Since(start).Seconds()
}

// verifyRate measures raw ed25519 verification on every core, over the
// same records' signatures, in records per second.
func verifyRate(b *testing.B, s *sim, dur time.Duration) float64 {
	items := sigItems(b, s)
	return parallelRate(dur, 1, func(i int) {
		it := items[i%len(items)]
		if !ed25519.Verify(ed25519.PublicKey(it.pub), it.msg, it.sig) {
			panic("bad signature")
		}
	})
}

// verifyBatchRate is verifyRate for the verifier ingest uses: ZIP-215
// batch verification, 64 signatures a batch, on every core.
func verifyBatchRate(b *testing.B, s *sim, dur time.Duration) float64 {
	items := sigItems(b, s)
	opts := &voi.Options{Verify: voi.VerifyOptionsZIP_215}
	return parallelRate(dur, 64, func(i int) {
		bv := voi.NewBatchVerifierWithCapacity(64)
		for j := 0; j < 64; j++ {
			it := items[(i+j)%len(items)]
			bv.AddWithOptions(voi.PublicKey(it.pub), it.msg, it.sig, opts)
		}
		if ok, _ := bv.Verify(rand.Reader); !ok {
			panic("bad signature")
		}
	})
}

// BenchmarkIngest measures the whole ingest path (decode, verify, causal
// checks, ledger validation, Badger writes, views, state hash, fsync per
// batch) into a fresh store, next to the raw parallel ed25519 verify rate
// measured in the same run, and next to the raw parallel rate of the
// batch verifier that ingest uses.
//
//	go test -run '^$' -bench Ingest -benchtime 3x ./ledger/
func BenchmarkIngest(b *testing.B) {
	const records = 20000
	const batch = 2048
	s := benchHistory(b, records)
	var ingestSecs, cpuSecs float64
	var ingested int
	b.ResetTimer()
	if f := os.Getenv("COMMONS_CPUPROFILE"); f != "" {
		pf, _ := os.Create(f)
		pprof.StartCPUProfile(pf)
	}
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		st2 := openStore(b)
		b.StartTimer()
		var ru0 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru0)
		start := time.Now()
		for j := 0; j < len(s.raws); j += batch {
			res, err := st2.Ingest(s.soc, s.raws[j:min(j+batch, len(s.raws))])
			if err != nil || len(res.Rejected) > 0 {
				b.Fatalf("%v %+v", err, res.Rejected)
			}
		}
		ingestSecs += time.Since(start).Seconds()
		var ru1 syscall.Rusage
		_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru1)
		cpuSecs += tv(ru1.Utime) + tv(ru1.Stime) - tv(ru0.Utime) - tv(ru0.Stime)
		ingested += len(s.raws)
	}
	b.StopTimer()
	pprof.StopCPUProfile()
	ingest := float64(ingested) / ingestSecs
	verify := verifyRate(b, s, 2*time.Second)
	batchRate := verifyBatchRate(b, s, 2*time.Second)
	b.ReportMetric(ingest, "ingest-rec/s")
	b.ReportMetric(verify, "verify-rec/s")
	b.ReportMetric(ingest/verify, "ratio")
	b.ReportMetric(batchRate, "batchverify-rec/s")
	b.ReportMetric(ingest/batchRate, "ratio-batch")
	b.ReportMetric(cpuSecs/ingestSecs, "cores-busy")
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }
