package node

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"
)

// holdStore opens the store of home read-only in this process, as a
// one-shot command does; Badger's directory lock then refuses any other
// open until the returned node is closed.
func holdStore(t testing.TB, home string) *Node {
	t.Helper()
	n, err := Open(home, nil, Options{LockWait: -1})
	if err != nil {
		t.Fatalf("hold the store: %v", err)
	}
	return n
}

// openAsync runs Open in a goroutine; waiting is closed when Open starts
// waiting for the store.
func openAsync(home string, opt Options) (waiting <-chan struct{}, done <-chan openResult) {
	w, d := make(chan struct{}), make(chan openResult, 1)
	opt.OnWait = func() { close(w) }
	go func() {
		n, err := Open(home, nil, opt)
		d <- openResult{n, err}
	}()
	return w, d
}

type openResult struct {
	n   *Node
	err error
}

// await returns Open's result, whose node the caller closes; the time limit only turns a hang into a
// failure.
func await(t testing.TB, done <-chan openResult) openResult {
	t.Helper()
	select {
	case r := <-done:
		return r
	case <-time.After(30 * time.Second):
		t.Fatal("Open did not return")
	}
	return openResult{}
}

func waitFor(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(30 * time.Second):
		t.Fatalf("%s did not happen", what)
	}
}

// TestOpenWaitsForStore: a one-shot command holding the store makes Open
// wait, not fail; Open succeeds once the store is released.
func TestOpenWaitsForStore(t *testing.T) {
	home, _ := initHome(t, "Alice")
	holder := holdStore(t, home)
	waiting, done := openAsync(home, Options{LockWait: time.Minute})
	waitFor(t, waiting, "Open waiting for the held store")
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	r := await(t, done)
	if r.err != nil {
		t.Fatalf("Open after the store was released: %v", r.err)
	}
	r.n.Close()
}

// TestOpenLockedMessages: a store never released gives a message that
// tells a busy store (held by a command) from a stuck peer (one that
// holds the home but does not answer on its control socket), for a
// command and for a peer; a peer that serves the home gives ErrBusy at
// once.
func TestOpenLockedMessages(t *testing.T) {
	cases := []struct {
		name         string
		holderIsPeer bool
		serve        bool
		openerIsPeer bool
		want         error
		text         string
		detail       string
	}{
		{name: "command holds, command opens", want: ErrStoreBusy,
			text: "another command is using this home; try again when it has finished", detail: "Cannot acquire directory lock"},
		{name: "command holds, peer opens", openerIsPeer: true, want: ErrStoreBusy,
			text: "another command is using this home; try again when it has finished", detail: "Cannot acquire directory lock"},
		{name: "hung peer, command opens", holderIsPeer: true, want: ErrPeerHung,
			text: "holds this home but does not answer on its control socket", detail: "peer.lock"},
		{name: "hung peer, peer opens", holderIsPeer: true, openerIsPeer: true, want: ErrPeerHung,
			text: "holds this home but does not answer on its control socket", detail: "peer.lock"},
		{name: "serving peer, command opens", holderIsPeer: true, serve: true, want: ErrBusy,
			text: "another Commons peer is already running for this home"},
		{name: "serving peer, peer opens", holderIsPeer: true, serve: true, openerIsPeer: true, want: ErrBusy,
			text: "another Commons peer is already running for this home"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			home, _ := initHome(t, "Alice")
			p := Paths{Home: home}
			holder, err := Open(home, nil, Options{LockWait: -1, Peer: c.holderIsPeer})
			if err != nil {
				t.Fatalf("hold the store: %v", err)
			}
			defer holder.Close()
			if c.serve {
				serve(t, p, holder)
			}
			_, err = Open(home, nil, Options{LockWait: 300 * time.Millisecond, Peer: c.openerIsPeer})
			if !errors.Is(err, c.want) {
				t.Fatalf("Open: %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.text) {
				t.Fatalf("message %q lacks %q", err, c.text)
			}
			if strings.Contains(err.Error(), "Badger") || strings.Contains(err.Error(), "directory lock") {
				t.Fatalf("message %q shows the store's internals", err)
			}
			if d := strings.Join(Details(err), " "); !strings.Contains(d, c.detail) {
				t.Fatalf("details %q lack %q", d, c.detail)
			}
		})
	}
}

// TestPeerBeforeCommands: while a peer waits for the store, commands
// that want it leave it to the peer, so a loop of commands cannot starve
// it; the peer lock goes with the peer's Close.
func TestPeerBeforeCommands(t *testing.T) {
	home, _ := initHome(t, "Alice")
	holder := holdStore(t, home)
	waiting, done := openAsync(home, Options{LockWait: time.Minute, Peer: true})
	waitFor(t, waiting, "the peer waiting for the held store")
	// A command now waits for the peer rather than take the store.
	_, err := Open(home, nil, Options{LockWait: -1})
	if !errors.Is(err, ErrPeerHung) {
		t.Fatalf("command while a peer waits: %v, want ErrPeerHung", err)
	}
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	r := await(t, done)
	if r.err != nil {
		t.Fatalf("peer after the store was released: %v", r.err)
	}
	if err := r.n.Close(); err != nil {
		t.Fatal(err)
	}
	n, err := Open(home, nil, Options{LockWait: -1})
	if err != nil {
		t.Fatalf("command after the peer closed: %v", err)
	}
	n.Close()
}

// serve serves the holder's API on the control socket until the test ends.
func serve(t testing.TB, p Paths, holder *Node) {
	srv, err := Listen(p, holder)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	served := make(chan error, 1)
	go func() { served <- srv.Serve(ctx) }()
	t.Cleanup(func() { cancel(); srv.Close(); waitServe(t, served) })
}

// TestDesktopWaitsForCommand: the app unlocking while a command holds the
// store waits for it instead of failing.
func TestDesktopWaitsForCommand(t *testing.T) {
	home, _ := initHome(t, "Alice")
	holder := holdStore(t, home)
	waiting := make(chan struct{})
	d := NewDesktop(home, DesktopConfig{Offline: true, Node: Options{LockWait: time.Minute, OnWait: func() { close(waiting) }}})
	unlocked := make(chan error, 1)
	go func() { unlocked <- d.Unlock([]byte("pass-Alice")) }()
	waitFor(t, waiting, "the app waiting for the held store")
	if err := holder.Close(); err != nil {
		t.Fatal(err)
	}
	select {
	case err := <-unlocked:
		if err != nil {
			t.Fatalf("Unlock after the command finished: %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Unlock did not return")
	}
	defer d.Close()
	if d.API() == nil {
		t.Fatal("no running node after Unlock")
	}
}
