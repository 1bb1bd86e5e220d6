//go:build linux

package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
	"github.com/commons-society/commons/node/bench"
)

// startupRecords is the size of the society BenchmarkRunStartup opens.
var startupRecords = flag.Int("startup-records", 1_000_000, "records in the society BenchmarkRunStartup opens")

// startupKeep is a directory where BenchmarkRunStartup keeps the home it
// writes and finds it again in later runs of the same size.
var startupKeep = flag.String("startup-keep", "", "keep BenchmarkRunStartup's home in this directory and reuse it")

// BenchmarkRunStartup measures issue 12's startup at scale: a home holding
// a society of -startup-records records (1,000,000 by default: 2,000
// confirmed transfers of the member's, 5 waiting, the rest profile edits
// of about 300 bytes from 4 devices, desktop store profile) is written
// once and closed; each iteration then launches 'commons-node run'
// (this test binary as a child process, on 127.0.0.1 without mDNS) and
// measures from the launch to 'status' answering through the control
// socket (ms/start), with the child's peak RSS at that moment (peak-MB,
// the highest of the iterations; VmHWM of the child). Badger's opening
// work (manifest, tables, value-log replay) is part of it. Run it with
//
//	go test ./cmd/commons-node -run '^$' -bench RunStartup -benchtime 3x -timeout 60m
//	go test ./cmd/commons-node -run '^$' -bench RunStartup -benchtime 3x -startup-records 100000
func BenchmarkRunStartup(b *testing.B) {
	hm := startupHome(b)
	b.Logf("home of %d records", hm.Records)
	var peak int
	b.ResetTimer()
	for range b.N {
		hwm, records, err := startupOnce(hm.Dir)
		if err != nil {
			b.Fatal(err)
		}
		if records != hm.Records {
			b.Fatalf("status reports %d records, want %d", records, hm.Records)
		}
		peak = max(peak, hwm)
	}
	b.StopTimer()
	b.ReportMetric(float64(b.Elapsed().Milliseconds())/float64(b.N), "ms/start")
	b.ReportMetric(float64(peak)/1024, "peak-MB")
	b.ReportMetric(0, "ns/op")
}

// startupHome writes the home BenchmarkRunStartup opens, or finds the one
// kept in -startup-keep for the same number of records.
func startupHome(b *testing.B) *bench.Home {
	if startupMade != nil {
		return startupMade
	}
	const transfers = 2_000
	dir, err := os.MkdirTemp("", "commons-startup-*")
	if err != nil {
		b.Fatal(err)
	}
	stamp := ""
	if *startupKeep != "" {
		dir = *startupKeep
		stamp = filepath.Join(dir, fmt.Sprintf("home-%d", *startupRecords))
		if home, err := os.ReadFile(stamp); err == nil {
			startupMade = &bench.Home{Dir: string(home), Records: *startupRecords}
			return startupMade
		}
	}
	h, err := bench.NewHistory(bench.HistoryConfig{Records: *startupRecords - 2*transfers - 5, Dir: dir, Seed: 12})
	if err != nil {
		b.Fatal(err)
	}
	if stamp == "" {
		startupClose = func() { h.Close(); os.RemoveAll(dir) }
	}
	hm, err := bench.FillHome(h, bench.QueryConfig{Transfers: transfers, Pending: 5}, node.Options{StoreProfile: crdt.ProfileDesktop})
	if err != nil {
		b.Fatal(err)
	}
	if hm.Records != *startupRecords {
		b.Fatalf("the home holds %d records, want %d", hm.Records, *startupRecords)
	}
	if stamp != "" {
		if err := os.WriteFile(stamp, []byte(hm.Dir), 0o600); err != nil {
			b.Fatal(err)
		}
	}
	startupMade = hm
	return hm
}

// startupMade is the home written by the first run of BenchmarkRunStartup
// (the testing package runs a benchmark once with b.N = 1 before the
// measured run); startupClose removes it when the tests end (TestMain).
var (
	startupMade  *bench.Home
	startupClose = func() {}
)

// startupOnce launches 'run' for home in a child process and returns, once
// 'status' answers through its control socket, the child's peak RSS (KiB)
// and the records status reports; it then stops the child.
func startupOnce(home string) (hwm, records int, err error) {
	args := []string{"--home", home, "run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$")
	cmd.Env = append(os.Environ(), runChildEnv+"="+strings.Join(args, "\n"), identity.PassphraseEnv+"="+bench.Passphrase)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return 0, 0, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return 0, 0, err
	}
	defer func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if werr := cmd.Wait(); err == nil && werr != nil {
			err = fmt.Errorf("run: %w: %s", werr, stderr.String())
		}
	}()
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "control socket ") {
			break
		}
	}
	go func() { // keep draining, so that run never blocks on its output
		for sc.Scan() {
		}
	}()
	c, err := node.Dial(node.Paths{Home: home})
	if err != nil {
		return 0, 0, fmt.Errorf("run did not serve its control socket: %w (%s)", err, stderr.String())
	}
	st, err := c.Status()
	if err != nil {
		return 0, 0, err
	}
	for _, s := range st.Societies {
		records += int(s.Records)
	}
	hwm, err = bench.PeakRSS(cmd.Process.Pid)
	return hwm, records, err
}

// TestMain removes the home BenchmarkRunStartup wrote once every test and
// benchmark has run.
func TestMain(m *testing.M) {
	code := m.Run()
	startupClose()
	os.Exit(code)
}
