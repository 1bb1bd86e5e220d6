//go:build unix

package main

import (
	"bufio"
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

// TestThreeRunProcesses: three 'commons-node run' processes on loopback
// with --no-mdns; one founds, invites twice, two join through the invite
// codes' addresses, every peer writes, and all reach identical state.
func TestThreeRunProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts three processes")
	}
	a, b, c := newHome(t), newHome(t), newHome(t)
	b.dir, c.dir = b.dir+"-b", c.dir+"-c"
	for i, h := range []home{a, b, c} {
		h.ok(t, "init", "--name", []string{"Alice", "Bob", "Carol"}[i])
	}
	for _, h := range []home{a, b, c} {
		startPeer(t, h, "--dht") // private DHT rendezvous too (no bootstrap peers)
	}
	// Through the control sockets: no passphrase needed.
	soc := runCLI(t, a.dir, "", "society", "create", "Elm Street").last()
	for _, h := range []home{b, c} {
		code := runCLI(t, a.dir, "", "invite").last()
		if r := runCLI(t, h.dir, "", "join", code); r.code != 0 || !strings.Contains(r.stdout, "joined") {
			t.Fatalf("join: exit %d\n%s\n%s", r.code, r.stdout, r.stderr)
		}
	}
	for i, h := range []home{a, b, c} {
		if r := runCLI(t, h.dir, "", "profile", "set", "--skills", []string{"cooking", "plumbing", "gardening"}[i]); r.code != 0 {
			t.Fatalf("profile set: %s", r.stderr)
		}
	}
	deadline := time.Now().Add(45 * time.Second)
	for {
		var hashes []string
		var members []uint64
		for _, h := range []home{a, b, c} {
			st := status(t, h.dir, "")
			if len(st.Societies) != 1 || st.Societies[0].ID != soc {
				t.Fatalf("%s holds %+v", h.dir, st.Societies)
			}
			hashes = append(hashes, st.Societies[0].StateHash)
			members = append(members, st.Societies[0].Members)
		}
		if hashes[0] == hashes[1] && hashes[1] == hashes[2] && members[0] == 3 {
			t.Logf("converged: %s", hashes[0])
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("no convergence: hashes %v, members %v", hashes, members)
		}
		time.Sleep(200 * time.Millisecond) // polling a condition, with a deadline
	}
}
