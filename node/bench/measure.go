package bench

import (
	"context"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/all"
	"github.com/commons-society/commons/p2p"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	voi "github.com/oasisprotocol/curve25519-voi/primitives/ed25519"
)

// Rate is a timed run over some records.
type Rate struct {
	Records int
	Bytes   int
	Elapsed time.Duration
}

// PerSecond is the run's records per second.
func (r Rate) PerSecond() float64 {
	if r.Elapsed <= 0 {
		return 0
	}
	return float64(r.Records) / r.Elapsed.Seconds()
}

// OpenStore opens a fresh Commons store (the ledger as its applier) in
// dir, as a node does.
func OpenStore(dir string) (*crdt.Store, error) {
	st, err := crdt.Open(crdt.Config{Dir: dir}, all.New())
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return st, nil
}

// ingestAll stores raws in batches of batch records, each an Ingest that
// verifies every signature and ends with an fsync, and fails unless every
// record is applied or already held.
func ingestAll(st *crdt.Store, soc cid.Cid, raws [][]byte, batch int) error {
	for i := 0; i < len(raws); i += batch {
		part := raws[i:min(i+batch, len(raws))]
		res, err := st.Ingest(soc, part)
		if err != nil {
			return fmt.Errorf("bench: ingest: %w", err)
		}
		if len(res.Rejected) > 0 || res.Pending > 0 || len(res.Applied)+res.Duplicates != len(part) {
			return fmt.Errorf("bench: ingest: %d of %d records applied, %d waiting, %d rejected (%v)",
				len(res.Applied), len(part), res.Pending, len(res.Rejected), firstRejection(res))
		}
	}
	return nil
}

func firstRejection(res crdt.Result) error {
	if len(res.Rejected) == 0 {
		return nil
	}
	return res.Rejected[0].Err
}

// Ingest times storing the history into a fresh store in dir, batch
// records per Ingest (DefaultBatch when 0). Opening the store is not
// timed.
func Ingest(h *History, dir string, batch int) (Rate, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	st, err := OpenStore(dir)
	if err != nil {
		return Rate{}, err
	}
	defer st.Close()
	start := time.Now()
	if err := ingestAll(st, h.Society, h.Raws, batch); err != nil {
		return Rate{}, err
	}
	r := Rate{Records: len(h.Raws), Bytes: h.Bytes, Elapsed: time.Since(start)}
	if _, n, err := st.State(h.Society); err != nil || n != uint64(len(h.Raws)) {
		return Rate{}, fmt.Errorf("bench: the store holds %d records of %d (%v)", n, len(h.Raws), err)
	}
	return r, nil
}

// LoopbackHost is a Commons host (p2p.NewHost: TCP, Noise, yamux) with a
// new key, listening on 127.0.0.1 only.
func LoopbackHost() (host.Host, error) {
	_, key, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	h, err := p2p.NewHost(p2p.Config{Key: key, Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	return h, nil
}

// CatchUp times a fresh store (in dir/dst) catching up the whole history
// in one recsync session from a peer holding it (in dir/src), over two
// hosts on 127.0.0.1: the session's wall time, from opening the stream to
// the last batch stored. Every record is verified and stored with an fsync
// per batch. The session runs with recsync's default options, as the app
// does; batch is only the records per Ingest that fill the source store,
// which is not timed. It fails unless the fresh store ends with the
// source's state hash.
func CatchUp(h *History, dir string, batch int) (Rate, error) {
	if batch <= 0 {
		batch = DefaultBatch
	}
	src, err := OpenStore(filepath.Join(dir, "src"))
	if err != nil {
		return Rate{}, err
	}
	defer src.Close()
	if err := ingestAll(src, h.Society, h.Raws, batch); err != nil {
		return Rate{}, err
	}
	dst, err := OpenStore(filepath.Join(dir, "dst"))
	if err != nil {
		return Rate{}, err
	}
	defer dst.Close()
	var hosts []host.Host
	defer func() {
		for _, x := range hosts {
			x.Close()
		}
	}()
	for range 2 {
		x, err := LoopbackHost()
		if err != nil {
			return Rate{}, err
		}
		hosts = append(hosts, x)
	}
	serve := recsync.New(hosts[1], src, recsync.Options{})
	defer serve.Close()
	fetch := recsync.New(hosts[0], dst, recsync.Options{})
	defer fetch.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	if err := hosts[0].Connect(ctx, p2p.AddrInfo(hosts[1])); err != nil {
		return Rate{}, fmt.Errorf("bench: connect: %w", err)
	}
	stats, err := fetch.Sync(ctx, hosts[1].ID(), h.Society)
	if err != nil {
		return Rate{}, fmt.Errorf("bench: %w", err)
	}
	if stats.RecordsIn != len(h.Raws) {
		return Rate{}, fmt.Errorf("bench: caught up %d records of %d", stats.RecordsIn, len(h.Raws))
	}
	if err := sameState(src, dst, h.Society); err != nil {
		return Rate{}, err
	}
	return Rate{Records: stats.RecordsIn, Bytes: int(stats.BytesIn), Elapsed: stats.Duration}, nil
}

// sameState fails unless a and b hold a society with the same state hash
// and record count.
func sameState(a, b *crdt.Store, soc cid.Cid) error {
	ha, na, err := a.State(soc)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	hb, nb, err := b.State(soc)
	if err != nil {
		return fmt.Errorf("bench: %w", err)
	}
	if ha != hb || na != nb {
		return fmt.Errorf("bench: states differ: %x (%d records) and %x (%d records)", ha[:6], na, hb[:6], nb)
	}
	return nil
}

// verifyBatch is the size of the batches VerifyRate checks.
const verifyBatch = 64

// VerifyRate is how many of the history's signatures per second the batch
// verifier checks on every core for about dur (1 s when 0): ZIP-215 batch
// verification of verifyBatch signatures at a time, the checks crdt's
// Ingest makes (crdt/verify.go).
func VerifyRate(h *History, dur time.Duration) (float64, error) {
	if dur <= 0 {
		dur = time.Second
	}
	type item struct{ pub, msg, sig []byte }
	items := make([]item, len(h.Raws))
	for i, raw := range h.Raws {
		r, _, err := crdt.Decode(raw)
		if err != nil {
			return 0, fmt.Errorf("bench: %w", err)
		}
		msg, err := r.SigningBytes()
		if err != nil {
			return 0, fmt.Errorf("bench: %w", err)
		}
		items[i] = item{r.Author, msg, r.Sig}
	}
	if len(items) == 0 {
		return 0, errors.New("bench: no records to verify")
	}
	opts := &voi.Options{Verify: voi.VerifyOptionsZIP_215}
	var count atomic.Int64
	var bad atomic.Bool
	var wg sync.WaitGroup
	workers := runtime.GOMAXPROCS(0)
	start := time.Now()
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w * verifyBatch; time.Since(start) < dur; i += workers * verifyBatch {
				bv := voi.NewBatchVerifierWithCapacity(verifyBatch)
				for j := range verifyBatch {
					it := items[(i+j)%len(items)]
					bv.AddWithOptions(voi.PublicKey(it.pub), it.msg, it.sig, opts)
				}
				if ok, _ := bv.Verify(rand.Reader); !ok {
					bad.Store(true)
					return
				}
				count.Add(verifyBatch)
			}
		}()
	}
	wg.Wait()
	if bad.Load() {
		return 0, errors.New("bench: a signature of the history does not verify")
	}
	return float64(count.Load()) / time.Since(start).Seconds(), nil
}
