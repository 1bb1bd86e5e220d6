package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/commons-society/commons/node/bench"
)

// usageBench is the bench command's line of the usage.
const usageBench = `  bench [--records N] [--batch N] [--size BYTES] [--devices N] [--transfers N] [--pending N]
        [--queries N] [--verify DURATION] [--dir DIR]
                                         measure ingest, catch-up (two hosts on 127.0.0.1),
                                         signature checks and time-bank queries on this
                                         machine, in temporary homes (never --home)
`

// cmdBench runs the benchmarks of package node/bench and prints their
// figures. It uses temporary homes under --dir (the system's temporary
// directory by default) and removes them; the member's home is never
// touched.
func (c *cli) cmdBench(args []string) error {
	fs := flag.NewFlagSet("bench", flag.ContinueOnError)
	var cfg bench.Config
	fs.IntVar(&cfg.History.Records, "records", bench.DefaultRecords, "records in the society that is ingested and caught up")
	fs.IntVar(&cfg.Batch, "batch", bench.DefaultBatch, "records per ingest batch (one fsync each)")
	fs.IntVar(&cfg.History.RecordSize, "size", bench.DefaultRecordSize, "bytes per record, roughly")
	fs.IntVar(&cfg.History.Devices, "devices", bench.DefaultDevices, "members (one device each) writing the records")
	fs.IntVar(&cfg.Query.Transfers, "transfers", bench.DefaultTransfers, "confirmed time-bank transfers the queries read")
	fs.IntVar(&cfg.Query.Pending, "pending", bench.DefaultPending, "transfers left waiting for an answer")
	fs.IntVar(&cfg.Query.Queries, "queries", bench.DefaultQueries, "times each query runs")
	fs.DurationVar(&cfg.Verify, "verify", time.Second, "how long the verify rate is measured")
	fs.StringVar(&cfg.History.Dir, "dir", "", "directory for the temporary homes (default: the system's)")
	if _, err := flags(fs, args, 0); err != nil {
		return err
	}
	switch {
	case cfg.History.Records < 1 || cfg.Batch < 1 || cfg.History.RecordSize < 1:
		return usageErr("bench: --records, --batch and --size must be at least 1")
	case cfg.History.Devices < 2:
		return usageErr("bench: --devices must be at least 2")
	case cfg.Query.Transfers < 1 || cfg.Query.Pending < 0 || cfg.Query.Queries < 1:
		return usageErr("bench: --transfers and --queries must be at least 1, --pending at least 0")
	case cfg.Verify <= 0:
		return usageErr("bench: --verify must be a positive duration")
	}
	if cfg.Query.Pending == 0 {
		cfg.Query.Pending = -1 // none (0 would mean the default)
	}
	fmt.Fprintf(c.stderr, "measuring: %d records, then %d transfers through the API (this takes a while)...\n",
		cfg.History.Records, cfg.Query.Transfers)
	f, err := bench.Run(cfg)
	if err != nil {
		return err
	}
	return f.Write(c.stdout)
}
