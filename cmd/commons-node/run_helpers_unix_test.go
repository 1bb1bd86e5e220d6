//go:build unix

package main

import (
	"bufio"
	"io"
	"os"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/commons-society/commons/node"
)

// peerRun is 'commons-node run' running in process; it stops on SIGINT,
// which its signal.NotifyContext catches.
type peerRun struct {
	dir    string
	stdout chan string // lines printed on standard output
	stderr chan string // lines printed on standard error
	exit   chan int
}

// lines sends each line read from r to a channel, closed at the end.
func lines(r io.Reader) chan string {
	ch := make(chan string, 64)
	go func() {
		sc := bufio.NewScanner(r)
		for sc.Scan() {
			ch <- sc.Text()
		}
		close(ch)
	}()
	return ch
}

// startRun starts 'run' on a loopback address for the home dir, with the
// passphrase already in the environment and extra options after run's.
func startRun(dir string, extra ...string) *peerRun {
	outR, outW := io.Pipe()
	errR, errW := io.Pipe()
	p := &peerRun{dir: dir, stdout: lines(outR), stderr: lines(errR), exit: make(chan int, 1)}
	go func() {
		args := append([]string{"--home", dir, "run", "--listen", "/ip4/127.0.0.1/tcp/0", "--no-mdns"}, extra...)
		p.exit <- run(args, strings.NewReader(""), outW, errW)
		outW.Close()
		errW.Close()
	}()
	return p
}

// started waits for the control socket line, which run prints once the
// socket listens and the signal handler is installed; it returns the
// lines printed before it. It fails the test if run exits first.
func (p *peerRun) started(t *testing.T) []string {
	t.Helper()
	var before []string
	for {
		select {
		case l := <-p.stdout:
			if strings.Contains(l, "control socket "+node.Paths{Home: p.dir}.Socket()) {
				return before
			}
			before = append(before, l)
		case code := <-p.exit:
			t.Fatalf("run exited %d: %s", code, p.errText())
		case <-time.After(30 * time.Second):
			t.Fatal("run did not start")
		}
	}
}

// errText drains what run printed on standard error.
func (p *peerRun) errText() string {
	var b strings.Builder
	for {
		select {
		case l, ok := <-p.stderr:
			if !ok {
				return b.String()
			}
			b.WriteString(l + "\n")
		case <-time.After(time.Second):
			return b.String()
		}
	}
}

// stop sends SIGINT and waits for run to exit 0 after printing "stopped".
func (p *peerRun) stop(t *testing.T) {
	t.Helper()
	if err := syscall.Kill(os.Getpid(), syscall.SIGINT); err != nil {
		t.Fatal(err)
	}
	select {
	case code := <-p.exit:
		if code != 0 {
			t.Fatalf("run exited %d: %s", code, p.errText())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("run did not stop on SIGINT")
	}
	if l := <-p.stdout; l != "stopped" {
		t.Fatalf("run printed %q at the end", l)
	}
}
