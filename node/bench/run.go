package bench

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"time"
)

// Config is a whole run of Run.
type Config struct {
	History HistoryConfig
	// Batch is the records per Ingest (DefaultBatch when 0).
	Batch int
	// Verify is how long the verify rate is measured (1 s when 0).
	Verify time.Duration
	Query  QueryConfig
}

// Figures are the results of Run.
type Figures struct {
	Records, Bytes, Batch, Devices int
	Ingest, CatchUp                Rate
	// Verify is the parallel batch verifier's signatures per second.
	Verify  float64
	Queries *QueryFigures
}

// Run writes a history and measures ingest, catch-up, the verify rate and
// the queries on it, in temporary directories it removes.
func Run(cfg Config) (f *Figures, err error) {
	cfg.History = cfg.History.withDefaults()
	if cfg.Batch <= 0 {
		cfg.Batch = DefaultBatch
	}
	cfg.Query.Batch = cfg.Batch
	h, err := NewHistory(cfg.History)
	if err != nil {
		return nil, err
	}
	defer func() {
		if cerr := h.Close(); err == nil {
			err = cerr
		}
	}()
	f = &Figures{Records: len(h.Raws), Bytes: h.Bytes, Batch: cfg.Batch, Devices: cfg.History.Devices}
	dir, err := os.MkdirTemp(cfg.History.Dir, "commons-bench-stores-*")
	if err != nil {
		return nil, fmt.Errorf("bench: %w", err)
	}
	defer os.RemoveAll(dir)
	if f.Ingest, err = Ingest(h, filepath.Join(dir, "ingest"), cfg.Batch); err != nil {
		return nil, err
	}
	if f.CatchUp, err = CatchUp(h, filepath.Join(dir, "catchup"), cfg.Batch); err != nil {
		return nil, err
	}
	if f.Verify, err = VerifyRate(h, cfg.Verify); err != nil {
		return nil, err
	}
	if f.Queries, err = Queries(h, cfg.Query); err != nil {
		return nil, err
	}
	return f, nil
}

// Write prints the figures for people.
func (f *Figures) Write(w io.Writer) error {
	p := &printer{w: w}
	p.f("Commons on this machine (%d cores): %d records of %d bytes on average from %d devices, %d records per batch\n",
		runtime.NumCPU(), f.Records, f.Bytes/max(f.Records, 1), f.Devices, f.Batch)
	p.f("ingest:    %8.0f records/s  (%d records in %s; every signature verified, fsync per batch)\n",
		f.Ingest.PerSecond(), f.Ingest.Records, secs(f.Ingest.Elapsed))
	p.f("catch-up:  %8.0f records/s  (%d records in %s; a fresh store, one session, two hosts on 127.0.0.1)\n",
		f.CatchUp.PerSecond(), f.CatchUp.Records, secs(f.CatchUp.Elapsed))
	p.f("verify:    %8.0f signatures/s (the batch verifier on every core)\n", f.Verify)
	if f.Verify > 0 {
		p.f("ingest / verify: %.2f\n", f.Ingest.PerSecond()/f.Verify)
	}
	if q := f.Queries; q != nil {
		p.f("queries on the founder's node: %d records, %d confirmed transfers, %d pending; %d runs each\n",
			q.Records, q.Transfers, q.Pending, q.Balance.Runs)
		p.f("  (writing the transfers and answers through the API, one fsync per record, took %s)\n", secs(q.Setup))
		for _, l := range []struct {
			name string
			l    Latency
		}{{"balance", q.Balance}, {fmt.Sprintf("statement page (%d lines)", StatementPage), q.Statement}, {"pending", q.PendingList}} {
			p.f("  %-28s p50 %s  p99 %s  max %s\n", l.name+":", ms(l.l.P50), ms(l.l.P99), ms(l.l.Max))
		}
	}
	return p.err
}

// printer keeps the first write error.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, a ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, a...)
	}
}

func secs(d time.Duration) string { return fmt.Sprintf("%.2f s", d.Seconds()) }

func ms(d time.Duration) string { return fmt.Sprintf("%.3f ms", float64(d)/float64(time.Millisecond)) }
