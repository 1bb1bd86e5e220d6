//go:build unix

package main

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/node"
)

// TestRun runs 'commons-node run' in process and stops it with SIGINT,
// which its signal.NotifyContext catches.
func TestRun(t *testing.T) {
	t.Setenv(node.HomeEnv, filepath.Join(t.TempDir(), "not-used"))
	h := newHome(t)
	h.ok(t, "init", "--name", "Alice")
	t.Setenv(identity.PassphraseEnv, h.pass)
	pr, pw := io.Pipe()
	lines := make(chan string, 16)
	go func() {
		sc := bufio.NewScanner(pr)
		for sc.Scan() {
			lines <- sc.Text()
		}
		close(lines)
	}()
	var stderr bytes.Buffer
	exit := make(chan int, 1)
	go func() {
		exit <- run([]string{"--home", h.dir, "run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"}, strings.NewReader(""), pw, &stderr)
		pw.Close()
	}()
	// The control socket line is printed once the socket listens and the
	// signal handler is installed; the listen addresses come before it.
	sawAddr := false
	for started := false; !started; {
		select {
		case l := <-lines:
			if strings.HasPrefix(l, "listening on /ip4/127.0.0.1/tcp/") && strings.Contains(l, "/p2p/") {
				sawAddr = true
			}
			started = strings.Contains(l, "control socket "+node.Paths{Home: h.dir}.Socket())
		case code := <-exit:
			t.Fatalf("run exited %d: %s", code, stderr.String())
		case <-time.After(30 * time.Second):
			t.Fatal("run did not start")
		}
	}
	if !sawAddr {
		t.Fatal("run did not print a full loopback listen address")
	}
	if r := runCLI(t, h.dir, "", "society", "create", "Garden"); r.code != 0 {
		t.Fatalf("society create through run's socket: exit %d, %s", r.code, r.stderr)
	}
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-exit:
		if code != 0 {
			t.Fatalf("run exited %d: %s", code, stderr.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop on SIGINT")
	}
	if l := <-lines; l != "stopped" {
		t.Fatalf("run printed %q at the end", l)
	}
	if _, err := node.Dial(node.Paths{Home: h.dir}); !errors.Is(err, node.ErrNotRunning) {
		t.Fatalf("Dial after run stopped: %v", err)
	}
	if st := status(t, h.dir, ""); len(st.Societies) != 1 || st.Societies[0].Name != "Garden" {
		t.Fatalf("status after run: %+v", st)
	}
}
