//go:build unix

package main

import (
	"bufio"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/commons-society/commons/identity"
)

// runChildEnv makes the test binary act as 'commons-node' with the
// arguments in it (separated by newlines).
const runChildEnv = "COMMONS_TEST_RUN_ARGS"

// TestRunChild is the body of a child 'commons-node run' process.
func TestRunChild(t *testing.T) {
	args := os.Getenv(runChildEnv)
	if args == "" {
		t.Skip("child process of TestThreeRunProcesses")
	}
	os.Exit(run(strings.Split(args, "\n"), os.Stdin, os.Stdout, os.Stderr))
}

// peerProc is one 'commons-node run' child process.
type peerProc struct {
	cmd  *exec.Cmd
	addr string
	done chan error
}

// startPeer starts 'commons-node run' for h on loopback, without mDNS, and
// waits until it serves its control socket.
func startPeer(t *testing.T, h home, extra ...string) *peerProc {
	t.Helper()
	args := append([]string{"--home", h.dir, "run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns", "--sync-interval", "2s"}, extra...)
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunChild$")
	cmd.Env = append(os.Environ(), runChildEnv+"="+strings.Join(args, "\n"), identity.PassphraseEnv+"="+h.pass)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &peerProc{cmd: cmd, done: make(chan error, 1)}
	ready := make(chan struct{})
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			l := sc.Text()
			if a, ok := strings.CutPrefix(l, "listening on "); ok && strings.HasPrefix(a, "/ip4/127.0.0.1/tcp/") {
				p.addr = a
			}
			if strings.HasPrefix(l, "control socket ") {
				close(ready)
			}
		}
		p.done <- cmd.Wait()
	}()
	t.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.done:
		case <-time.After(20 * time.Second):
			_ = cmd.Process.Kill()
		}
	})
	select {
	case <-ready:
	case err := <-p.done:
		t.Fatalf("run exited early: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("run did not start")
	}
	if p.addr == "" {
		t.Fatal("run printed no loopback listen address")
	}
	return p
}

// stop ends the process with SIGTERM and waits for it to exit 0.
func (p *peerProc) stop(t *testing.T) {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-p.done:
		p.done <- err // for the cleanup
		if err != nil {
			t.Fatalf("run exited: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop on SIGTERM")
	}
}

// eventually polls cond until it holds, failing the test with cond's
// description of the last state once the deadline passes.
func eventually(t *testing.T, within time.Duration, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(within)
	for {
		ok, state := cond()
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("not reached within %v: %s", within, state)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, with a deadline
	}
}

// threeRunPeers starts 'commons-node run' for Alice, Bob and Carol on
// loopback with --no-mdns; Alice founds a society and invites the others,
// who join through the invite codes' addresses. It returns once every
// peer holds the society with three members and one state hash.
func threeRunPeers(t *testing.T, extra ...string) ([3]home, [3]*peerProc, string) {
	t.Helper()
	hs := [3]home{newHome(t), newHome(t), newHome(t)}
	hs[1].dir, hs[2].dir = hs[1].dir+"-b", hs[2].dir+"-c"
	var ps [3]*peerProc
	for i, h := range hs {
		h.ok(t, "init", "--name", []string{"Alice", "Bob", "Carol"}[i])
		ps[i] = startPeer(t, h, extra...)
	}
	// Through the control sockets: no passphrase needed.
	soc := runCLI(t, hs[0].dir, "", "society", "create", "Elm Street").last()
	for _, h := range hs[1:] {
		code := runCLI(t, hs[0].dir, "", "invite").last()
		if r := runCLI(t, h.dir, "", "join", code); r.code != 0 || !strings.Contains(r.stdout, "joined") {
			t.Fatalf("join: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	converged(t, hs, soc)
	return hs, ps, soc
}

// converged waits until the three homes hold the society with three
// members and the same state hash.
func converged(t *testing.T, hs [3]home, soc string) {
	t.Helper()
	eventually(t, 45*time.Second, func() (bool, string) {
		var hashes []string
		var members []uint64
		for _, h := range hs {
			st := status(t, h.dir, "")
			if len(st.Societies) != 1 || st.Societies[0].ID != soc {
				t.Fatalf("%s holds %+v", h.dir, st.Societies)
			}
			hashes = append(hashes, st.Societies[0].StateHash)
			members = append(members, st.Societies[0].Members)
		}
		return hashes[0] == hashes[1] && hashes[1] == hashes[2] && members[0] == 3, fmt.Sprintf("hashes %v, members %v", hashes, members)
	})
}

// TestThreeRunProcesses: three 'commons-node run' processes on loopback
// with --no-mdns (and a private DHT rendezvous without bootstrap peers);
// one founds, invites twice, two join through the invite codes'
// addresses, every peer writes, and all reach identical state.
func TestThreeRunProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	hs, _, soc := threeRunPeers(t, "--dht")
	for i, h := range hs {
		if r := runCLI(t, h.dir, "", "profile", "set", "--skills", []string{"cooking", "plumbing", "gardening"}[i]); r.code != 0 {
			t.Fatalf("profile set: %s", r.stderr)
		}
	}
	converged(t, hs, soc)
}
