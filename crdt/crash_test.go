package crdt

import (
	"bufio"
	"context"
	"crypto/ed25519"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	badger "github.com/dgraph-io/badger/v4"
	"github.com/ipfs/go-cid"
)

// TestRebuildDueSurvivesCrash stops an Ingest right after it committed a
// record that calls for a rebuild (a fork, or a record whose Apply asks for
// one) and before the rebuild ran, as a crash there would. The next Open
// must run the rebuild, or the views stay different from those of any peer
// holding the same records.
func TestRebuildDueSurvivesCrash(t *testing.T) {
	w := newTestWorld(t, 1)
	b := w.device(2)
	b1, b1c := b.next("note", "b1")
	// x2 forks b's chain and is older than b2: applied last without a
	// rebuild it leaves its body in the seq-2 view, which a rebuild would not.
	x2, _ := b.build(2, &Link{b1c}, w.clock.Now(), "note", "x2")
	b2, _ := b.next("note", "b2")
	cut, _ := w.founder.next("cut", "cut")
	tests := []struct {
		name string
		last []byte
	}{
		{"fork", x2},
		{"cut", cut},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := t.TempDir()
			s, err := Open(Config{Dir: dir}, &testApp{})
			if err != nil {
				t.Fatal(err)
			}
			mustIngest(t, s, w.soc, w.genesis, b1, b2)

			// Ingest, up to its final commit and sync, of the last record.
			ds := decodeAll([][]byte{tc.last})
			if ds[0].err != nil {
				t.Fatal(ds[0].err)
			}
			s.mu.Lock()
			bt := s.newBatch(w.soc)
			var res Result
			if _, err := s.ingestOne(bt, ds[0].e, &res); err != nil || len(res.Applied) != 1 || !bt.rebuild {
				t.Fatalf("ingestOne: %v, %+v, rebuild due %v", err, res, bt.rebuild)
			}
			if err := bt.commit(); err != nil {
				t.Fatal(err)
			}
			bt.discard()
			if err := s.db.Sync(); err != nil {
				t.Fatal(err)
			}
			s.mu.Unlock()
			// The crash: the rebuild never runs.
			if err := s.Close(); err != nil {
				t.Fatal(err)
			}

			app := &testApp{}
			s = openStore(t, dir, Config{}, app)
			if app.excludes.Load() == 0 {
				t.Error("Open did not run the rebuild that was due")
			}
			fresh := newStore(t)
			mustIngest(t, fresh, w.soc, w.genesis, b1, b2, tc.last)
			if d := snapDiff(takeSnapshot(t, s, w.soc), takeSnapshot(t, fresh, w.soc)); d != "" {
				t.Fatalf("after the crash the store differs from a fresh one:\n%s", d)
			}
		})
	}
}

// TestRebuildCutShortFinishesAtOpen leaves a store as a crash in the
// middle of a rebuild would (marker set, views cleared) and checks that
// Open finishes the rebuild.
func TestRebuildCutShortFinishesAtOpen(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 3))
	d := buildDAG(t, rng, 3, 30)
	dir := t.TempDir()
	s, err := Open(Config{Dir: dir}, &testApp{})
	if err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, d.w.soc, d.raws...)
	want := takeSnapshot(t, s, d.w.soc)
	socb := d.w.soc.Bytes()
	if err := s.DB().Update(func(txn *badger.Txn) error {
		return txn.Set(append([]byte{'b'}, socb...), nil)
	}); err != nil {
		t.Fatal(err)
	}
	if err := s.clearViews(socb); err != nil {
		t.Fatal(err)
	}
	if len(views(t, s, d.w.soc)) != 0 {
		t.Fatal("views not cleared")
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s = openStore(t, dir, Config{}, &testApp{})
	if diff := snapDiff(takeSnapshot(t, s, d.w.soc), want); diff != "" {
		t.Fatalf("after the interrupted rebuild:\n%s", diff)
	}
	err = s.DB().View(func(txn *badger.Txn) error {
		_, err := txn.Get(append([]byte{'b'}, socb...))
		return err
	})
	if !errors.Is(err, badger.ErrKeyNotFound) {
		t.Fatalf("rebuild marker after Open: %v", err)
	}
}

// Environment of the crash child process.
const (
	crashEnvDir = "CRDT_CRASH_CHILD_DIR"
	crashEnvSoc = "CRDT_CRASH_CHILD_SOCIETY"
	crashEnvRNG = "CRDT_CRASH_CHILD_SEED"
	crashSeed   = 42 // the writing device's key seed
)

// TestCrashChild is the child process of TestCrashRecovery, not a test of
// its own: it appends records of one device to the store in the given
// directory until it is killed, printing "ACK <cid>" for every record only
// after the Ingest holding it returned nil.
func TestCrashChild(t *testing.T) {
	dir := os.Getenv(crashEnvDir)
	if dir == "" {
		t.Skip("child process of TestCrashRecovery")
	}
	// fail reports a child-side error on stderr and exits non-zero.
	fail := func(f string, a ...any) {
		fmt.Fprintf(os.Stderr, "crash child: "+f+"\n", a...)
		os.Exit(3)
	}
	soc, err := cid.Decode(os.Getenv(crashEnvSoc))
	if err != nil {
		fail("society: %v", err)
	}
	seed, _ := strconv.ParseUint(os.Getenv(crashEnvRNG), 10, 64)
	rng := rand.New(rand.NewPCG(seed, 1))
	s, err := Open(Config{Dir: dir}, &testApp{})
	if err != nil {
		fail("open: %v", err)
	}
	key := testKey(crashSeed)
	head, err := s.Head(soc, key.Public().(ed25519.PublicKey))
	if err != nil {
		fail("head: %v", err)
	}
	clock := NewClock(nil)
	clock.Observe(head.Time)
	prev, seq := head.CID, head.Seq
	out := bufio.NewWriter(os.Stdout)
	for {
		// One record, or a small chain delivered in a shuffled order.
		n := 1
		if rng.IntN(2) == 0 {
			n = 2 + rng.IntN(4)
		}
		var raws [][]byte
		for i := 0; i < n; i++ {
			r := &Record{Version: FormatVersion, Society: &Link{soc}, Seq: seq + 1, Time: clock.Now(), Type: "note", Body: []byte(fmt.Sprintf("crash %d", seq+1))}
			if prev.Defined() {
				r.Prev = &Link{prev}
			}
			if rng.IntN(40) == 0 {
				r.Type = "cut" // makes Ingest rebuild the views
			}
			raw, c, err := r.Sign(key)
			if err != nil {
				fail("sign: %v", err)
			}
			raws = append(raws, raw)
			prev, seq = c, seq+1
		}
		rng.Shuffle(len(raws), func(i, j int) { raws[i], raws[j] = raws[j], raws[i] })
		res, err := s.Ingest(soc, raws)
		if err != nil {
			fail("ingest: %v", err)
		}
		if len(res.Applied) != n || len(res.Rejected) != 0 {
			fail("ingest result %+v", res)
		}
		for _, c := range res.Applied {
			fmt.Fprintf(out, "ACK %s\n", c)
		}
		if err := out.Flush(); err != nil {
			fail("stdout: %v", err)
		}
	}
}

// TestCrashRecovery kills a writing child process at random points and
// checks that every write it acknowledged survives and the store reopens
// cleanly, its views matching its log.
func TestCrashRecovery(t *testing.T) {
	if testing.Short() {
		t.Skip("crash test skipped in -short mode")
	}
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, 2))
	dir := t.TempDir()
	w := newTestWorld(t, 1)
	s, err := Open(Config{Dir: dir}, &testApp{})
	if err != nil {
		t.Fatal(err)
	}
	mustIngest(t, s, w.soc, w.genesis)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var acked []cid.Cid
	device := testKey(crashSeed).Public().(ed25519.PublicKey)
	for round := 0; round < 10; round++ {
		want := 20 + rng.IntN(181)
		got := runCrashChild(ctx, t, dir, w.soc, rng.Uint64(), want)
		acked = append(acked, got...)

		s, err := Open(Config{Dir: dir}, &testApp{})
		if err != nil {
			t.Fatalf("round %d: reopen after kill: %v", round, err)
		}
		for _, c := range acked {
			raw, err := s.Record(c)
			if err != nil {
				t.Fatalf("round %d: acknowledged record %s lost: %v", round, c, err)
			}
			if _, err := DecodeAs(raw, c); err != nil {
				t.Fatalf("round %d: record %s: %v", round, c, err)
			}
		}
		head, err := s.Head(w.soc, device)
		if err != nil || head.Seq < uint64(len(acked)) {
			t.Fatalf("round %d: head %+v (%v) behind %d acknowledged records", round, head, err, len(acked))
		}
		if fs := forks1(t, s, w.soc); len(fs) != 0 {
			t.Fatalf("round %d: the device forked (a write was lost and redone): %+v", round, fs)
		}
		// The views must be those of the log: a full rebuild changes nothing.
		h0, n0 := state(t, s, w.soc)
		if n0 != head.Seq+1 {
			t.Fatalf("round %d: %d records counted, head at %d", round, n0, head.Seq)
		}
		v0 := views(t, s, w.soc)
		if viewHash(v0) != h0 {
			t.Fatalf("round %d: state hash %s does not cover the views (%s)", round, h0, viewHash(v0))
		}
		if err := s.Rebuild(w.soc); err != nil {
			t.Fatalf("round %d: rebuild: %v", round, err)
		}
		if h, _ := state(t, s, w.soc); h != h0 || !reflect.DeepEqual(views(t, s, w.soc), v0) {
			t.Fatalf("round %d: views after the crash differ from a rebuild", round)
		}
		if err := s.Close(); err != nil {
			t.Fatalf("round %d: close: %v", round, err)
		}
	}
	t.Logf("%d acknowledged records survived 10 kills", len(acked))
}

// runCrashChild starts the child writer on dir, reads its acknowledgements
// until it has n, kills it with SIGKILL and returns the acknowledged CIDs.
func runCrashChild(ctx context.Context, t *testing.T, dir string, soc cid.Cid, seed uint64, n int) []cid.Cid {
	t.Helper()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(),
		crashEnvDir+"="+dir, crashEnvSoc+"="+soc.String(), crashEnvRNG+"="+strconv.FormatUint(seed, 10))
	var stderr strings.Builder
	cmd.Stderr = &stderr
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	var acked []cid.Cid
	sc := bufio.NewScanner(stdout)
	for len(acked) < n && sc.Scan() {
		line, ok := strings.CutPrefix(sc.Text(), "ACK ")
		if !ok {
			continue
		}
		c, err := cid.Decode(line)
		if err != nil {
			t.Fatalf("child printed %q: %v", sc.Text(), err)
		}
		acked = append(acked, c)
	}
	if len(acked) < n {
		_ = cmd.Process.Kill()
		_ = cmd.Wait()
		t.Fatalf("child stopped after %d of %d acknowledgements: %v\n%s", len(acked), n, sc.Err(), stderr.String())
	}
	if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatalf("kill child: %v", err)
	}
	// The child may have acknowledged more lines before the kill; the ones
	// not read yet count too.
	for sc.Scan() {
		if line, ok := strings.CutPrefix(sc.Text(), "ACK "); ok {
			if c, err := cid.Decode(line); err == nil {
				acked = append(acked, c)
			}
		}
	}
	err = cmd.Wait()
	var ee *exec.ExitError
	if !errors.As(err, &ee) || ee.Sys().(syscall.WaitStatus).Signal() != syscall.SIGKILL {
		t.Fatalf("child did not die of SIGKILL: %v\n%s", err, stderr.String())
	}
	return acked
}
