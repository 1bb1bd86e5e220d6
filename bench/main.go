// Command bench compares Commons with go-ds-crdt on this machine, in one
// process: (a) ingesting records of about 300 bytes, batched, with an
// fsync per batch, and (b) a fresh replica catching them up from a peer
// over two real libp2p hosts on 127.0.0.1. It also measures the parallel
// batch-verify rate of Commons's signatures in the same run, and prints
// every figure, the medians over the repetitions and their ratios.
//
// go-ds-crdt (v0.6.8) runs as in its globaldb example: a Pebble datastore,
// a bitswap DAG service and the pubsub broadcaster; 2,048 keys per delta
// (one batch Commit) and a Sync of the datastore after each commit. It
// signs and validates nothing. Commons verifies every signature, validates
// every record against the ledger's rules and keeps its views.
//
// Ingest is timed from the first batch to the last fsync. Catch-up is timed,
// for go-ds-crdt, from the first head announcement the fresh replica
// receives to its last value applied plus a final sync to disk (the wait
// for the announcement is left out); for Commons, as the recsync session's
// wall time, from opening the stream to the last batch stored (each with
// its fsync). Both sides use the same libp2p host (Commons's p2p.NewHost:
// TCP, Noise, yamux) on 127.0.0.1, and one go-libp2p version.
//
// This is a module of its own so that the app never depends on go-ds-crdt:
//
//	cd bench && go run . -reps 3
package main

import (
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"slices"
	"time"

	"github.com/commons-society/commons/node/bench"
	ds "github.com/ipfs/go-datastore"
	logging "github.com/ipfs/go-log/v2"
)

func main() {
	if err := run(os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

// config is the command line.
type config struct {
	records, batch, size, reps int
	verify, limit              time.Duration
}

func parse(args []string) (config, error) {
	var c config
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	fs.IntVar(&c.records, "records", bench.DefaultRecords, "records (Commons) and values (go-ds-crdt) per workload")
	fs.IntVar(&c.batch, "batch", bench.DefaultBatch, "records per Commons Ingest and keys per go-ds-crdt delta")
	fs.IntVar(&c.size, "size", bench.DefaultRecordSize, "bytes per record and per value")
	fs.IntVar(&c.reps, "reps", 3, "repetitions; the medians are reported")
	fs.DurationVar(&c.verify, "verify", time.Second, "how long each verify-rate measurement runs")
	fs.DurationVar(&c.limit, "limit", 5*time.Minute, "the longest a go-ds-crdt catch-up may take")
	if err := fs.Parse(args); err != nil {
		return c, err
	}
	if c.records < 100 || c.batch < 1 || c.size < 64 || c.reps < 1 || c.verify <= 0 || c.limit <= 0 {
		return c, fmt.Errorf("need -records ≥ 100, -batch ≥ 1, -size ≥ 64, -reps ≥ 1 and positive durations")
	}
	return c, nil
}

// rep is one repetition's figures, in records (or values) per second.
type rep struct {
	dsIngest, cmIngest, dsCatch, cmCatch, verify float64
}

func run(args []string, out io.Writer) error {
	c, err := parse(args)
	if err != nil {
		return err
	}
	_ = logging.SetLogLevel("*", "error")
	tmp, err := os.MkdirTemp("", "commons-vs-ds-crdt-*")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)

	fmt.Fprintf(out, "Commons vs go-ds-crdt: %d records/values of ~%d bytes, %d per batch/delta, fsync per batch, %d repetitions, %d cores\n",
		c.records, c.size, c.batch, c.reps, runtime.NumCPU())
	fmt.Fprintf(out, "versions: %s\n", versions())
	h, err := bench.NewHistory(bench.HistoryConfig{Records: c.records, RecordSize: c.size, Dir: tmp, Seed: 1})
	if err != nil {
		return err
	}
	defer h.Close()
	keys, vals := values(c.records, c.size)
	fmt.Fprintf(out, "Commons records: %d, %d bytes on average\n\n", len(h.Raws), h.Bytes/len(h.Raws))

	var reps []rep
	for i := range c.reps {
		dir := filepath.Join(tmp, fmt.Sprintf("rep-%d", i))
		r, err := once(c, h, keys, vals, dir, i%2 == 1)
		if err != nil {
			return fmt.Errorf("repetition %d: %w", i+1, err)
		}
		if err := os.RemoveAll(dir); err != nil {
			return err
		}
		reps = append(reps, r)
		fmt.Fprintf(out, "rep %d: ingest go-ds-crdt %6.0f/s Commons %6.0f/s (%.2f) | catch-up go-ds-crdt %6.0f/s Commons %6.0f/s (%.2f) | verify %6.0f/s\n",
			i+1, r.dsIngest, r.cmIngest, r.cmIngest/r.dsIngest, r.dsCatch, r.cmCatch, r.cmCatch/r.dsCatch, r.verify)
	}
	med := func(f func(rep) float64) float64 {
		xs := make([]float64, len(reps))
		for i, r := range reps {
			xs[i] = f(r)
		}
		slices.Sort(xs)
		return xs[len(xs)/2]
	}
	span := func(f func(rep) float64) string {
		lo, hi := f(reps[0]), f(reps[0])
		for _, r := range reps {
			lo, hi = min(lo, f(r)), max(hi, f(r))
		}
		return fmt.Sprintf("%.2f–%.2f", lo, hi)
	}
	dsI, cmI := med(func(r rep) float64 { return r.dsIngest }), med(func(r rep) float64 { return r.cmIngest })
	dsC, cmC := med(func(r rep) float64 { return r.dsCatch }), med(func(r rep) float64 { return r.cmCatch })
	ver := med(func(r rep) float64 { return r.verify })
	fmt.Fprintf(out, "\nmedians of %d:\n", len(reps))
	fmt.Fprintf(out, "(a) ingest:   go-ds-crdt %8.0f values/s   Commons %8.0f records/s   ratio Commons/go-ds-crdt %.2f (per repetition %s)\n",
		dsI, cmI, cmI/dsI, span(func(r rep) float64 { return r.cmIngest / r.dsIngest }))
	fmt.Fprintf(out, "(b) catch-up: go-ds-crdt %8.0f values/s   Commons %8.0f records/s   ratio Commons/go-ds-crdt %.2f (per repetition %s)\n",
		dsC, cmC, cmC/dsC, span(func(r rep) float64 { return r.cmCatch / r.dsCatch }))
	fmt.Fprintf(out, "Commons batch verify: %.0f signatures/s on %d cores; Commons ingest / verify %.2f\n", ver, runtime.GOMAXPROCS(0), cmI/ver)
	return nil
}

// once runs one repetition in dir; commonsFirst swaps the order of each
// pair of measurements (alternated between repetitions so that neither
// side always runs on a warmer or cooler machine).
func once(c config, h *bench.History, keys []ds.Key, vals [][]byte, dir string, commonsFirst bool) (rep, error) {
	var r rep
	src, err := newReplica(filepath.Join(dir, "ds-src"), len(keys))
	if err != nil {
		return r, err
	}
	defer src.close()
	dsIngest := func() error {
		d, err := src.ingest(keys, vals, c.batch)
		r.dsIngest = float64(len(keys)) / d.Seconds()
		return err
	}
	cmIngest := func() error {
		x, err := bench.Ingest(h, filepath.Join(dir, "cm-ingest"), c.batch)
		r.cmIngest = x.PerSecond()
		return err
	}
	dsCatch := func() error {
		d, err := catchUp(src, filepath.Join(dir, "ds-dst"), keys, vals, c.limit)
		r.dsCatch = float64(len(keys)) / d.Seconds()
		return err
	}
	cmCatch := func() error {
		x, err := bench.CatchUp(h, filepath.Join(dir, "cm-catchup"), c.batch)
		r.cmCatch = x.PerSecond()
		return err
	}
	steps := []func() error{dsIngest, cmIngest, dsCatch, cmCatch}
	if commonsFirst {
		steps = []func() error{cmIngest, dsIngest, cmCatch, dsCatch}
	}
	for _, f := range steps {
		if err := f(); err != nil {
			return r, err
		}
	}
	r.verify, err = bench.VerifyRate(h, c.verify)
	return r, err
}

// versions names the versions of the libraries measured, as built.
func versions() string {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return "unknown"
	}
	want := []string{"github.com/ipfs/go-ds-crdt", "github.com/ipfs/go-ds-pebble", "github.com/cockroachdb/pebble/v2", "github.com/ipfs/boxo",
		"github.com/libp2p/go-libp2p", "github.com/libp2p/go-libp2p-pubsub", "github.com/dgraph-io/badger/v4"}
	s := bi.GoVersion
	for _, m := range bi.Deps {
		if slices.Contains(want, m.Path) {
			s += fmt.Sprintf(", %s %s", m.Path[len("github.com/"):], m.Version)
		}
	}
	return s
}
