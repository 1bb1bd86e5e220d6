//go:build unix

package main

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
)

// TestRun runs 'commons-node run' in process and stops it with SIGINT.
func TestRun(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	t.Setenv(identity.PassphraseEnv, h.pass)
	p := startRun(h.dir)
	// The listen addresses come before the control socket line.
	sawAddr := false
	for _, l := range p.started(t) {
		if strings.HasPrefix(l, "listening on /ip4/127.0.0.1/tcp/") && strings.Contains(l, "/p2p/") {
			sawAddr = true
		}
	}
	if !sawAddr {
		t.Fatal("run did not print a full loopback listen address")
	}
	if r := runCLI(t, h.dir, h.pass, "society", "create", "Garden"); r.code != 0 {
		t.Fatalf("society create through run's socket: exit %d, %s", r.code, r.stderr)
	}
	p.stop(t)
	if _, err := node.Dial(node.Paths{Home: h.dir}); !errors.Is(err, node.ErrNotRunning) {
		t.Fatalf("Dial after run stopped: %v", err)
	}
	if st := status(t, h.dir, ""); len(st.Societies) != 1 || st.Societies[0].Name != "Garden" {
		t.Fatalf("status after run: %+v", st)
	}
}

// TestRunWaitsForCommand: 'run' started while a one-shot command holds the
// store waits for it and then starts.
func TestRunWaitsForCommand(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	t.Setenv(identity.PassphraseEnv, h.pass)
	holder, err := node.Open(h.dir, nil, node.Options{LockWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	p := startRun(h.dir)
	select {
	case l := <-p.stderr:
		if !strings.Contains(l, "in use by another process; waiting for it") {
			t.Fatalf("run said %q while the store was held", l)
		}
	case code := <-p.exit:
		t.Fatalf("run exited %d while the store was held: %s", code, p.errText())
	case <-time.After(30 * time.Second):
		t.Fatal("run did not say it waits for the store")
	}
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	p.started(t)
	p.stop(t)
}

// TestStoreHeldMessages: a command that never gets the store says why, in
// the user's terms, and keeps the store's own error for --verbose.
func TestStoreHeldMessages(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	defer func(w time.Duration) { lockWait = w }(lockWait)
	lockWait = 200 * time.Millisecond
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	holder, err := node.Open(h.dir, nil, node.Options{LockWait: -1})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	for _, verbose := range []bool{false, true} {
		args := []string{"status"}
		if verbose {
			args = append([]string{"--verbose"}, args...)
		}
		r := runCLI(t, h.dir, "", args...)
		if r.code != 1 || !strings.Contains(r.stderr, "another command is using this home; try again when it has finished") {
			t.Fatalf("status with the store held: exit %d\n%s", r.code, r.stderr)
		}
		if got := strings.Contains(r.stderr, "Cannot acquire directory lock"); got != verbose {
			t.Fatalf("verbose %v: store's error shown %v\n%s", verbose, got, r.stderr)
		}
	}
}

// TestStatusLoopDuringRunStart: a 'status' loop running while 'run'
// starts never makes run fail, nor fails itself: it reaches run's socket
// once run serves.
func TestStatusLoopDuringRunStart(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	h.ok(t, "society", "create", "Garden")
	t.Setenv(identity.PassphraseEnv, h.pass)
	for round := range 3 {
		var started atomic.Bool
		stop, after := make(chan struct{}), make(chan struct{}, 1)
		failures := make(chan string, 1000)
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				begunAfter := started.Load()
				var out, errb strings.Builder
				if code := run([]string{"--home", h.dir, "status"}, strings.NewReader(""), &out, &errb); code != 0 {
					failures <- errb.String()
				}
				if begunAfter {
					select {
					case after <- struct{}{}:
					default:
					}
				}
			}
		}()
		p := startRun(h.dir)
		p.started(t)
		started.Store(true)
		select {
		case <-after:
		case <-time.After(30 * time.Second):
			t.Fatal("no status completed after run started")
		}
		close(stop)
		wg.Wait()
		p.stop(t)
		close(failures)
		for f := range failures {
			t.Fatalf("round %d: status failed while run started: %s", round, f)
		}
	}
}
