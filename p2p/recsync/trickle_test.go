package recsync

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"io"
	"math/rand/v2"
	"runtime"
	"testing"
	"time"

	"github.com/commons-society/commons/p2p"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/network"
	"github.com/libp2p/go-libp2p/core/peer"
)

// countingBudget is a bodyBudget that records what was reserved.
type countingBudget struct {
	declared    int
	held, peak  int
	refuseAbove int // 0: refuse nothing
}

func (b *countingBudget) begin(n int) { b.declared = n }
func (b *countingBudget) reserve(n int) error {
	if b.refuseAbove > 0 && b.held+n > b.refuseAbove {
		return ErrNoMemory
	}
	b.held += n
	b.peak = max(b.peak, b.held)
	return nil
}
func (b *countingBudget) release(n int) { b.held -= n }

// frame is a message's length prefix followed by body.
func frame(n int, body []byte) []byte {
	return append(binary.AppendUvarint(nil, uint64(n)), body...)
}

// TestReadMsgGrowsAsBytesArrive: a message declared at the 4 MiB limit of
// which only a few bytes come costs a buffer of its first chunk, not of the
// declared length; every reservation is given back on failure, and a whole
// message keeps exactly its reservation.
func TestReadMsgGrowsAsBytesArrive(t *testing.T) {
	whole, err := encodeMsg(&msg{Done: &done{Records: 3}})
	if err != nil {
		t.Fatal(err)
	}
	big := make([]byte, 300<<10)
	cases := []struct {
		name     string
		in       []byte
		refuse   int
		wantErr  error
		maxAlloc uint64 // bytes allocated by the read, at most
		maxPeak  int
	}{
		{name: "4 MiB declared, 10 bytes sent", in: frame(DefaultMaxMessageBytes, make([]byte, 10)),
			wantErr: io.ErrUnexpectedEOF, maxAlloc: 512 << 10, maxPeak: bodyChunk},
		{name: "4 MiB declared, 300 KiB sent", in: frame(DefaultMaxMessageBytes, big),
			wantErr: io.ErrUnexpectedEOF, maxAlloc: 2 << 20, maxPeak: 512 << 10},
		{name: "budget refuses growth", in: frame(DefaultMaxMessageBytes, big), refuse: 128 << 10,
			wantErr: ErrNoMemory, maxAlloc: 1 << 20, maxPeak: 128 << 10},
		{name: "whole message", in: whole, maxAlloc: 256 << 10, maxPeak: bodyChunk},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			b := &countingBudget{refuseAbove: tc.refuse}
			r := bufio.NewReaderSize(bytes.NewReader(tc.in), 4096)
			var before, after runtime.MemStats
			runtime.ReadMemStats(&before)
			m, mem, err := readMsg(r, DefaultMaxMessageBytes, b)
			runtime.ReadMemStats(&after)
			if tc.wantErr != nil {
				if !errors.Is(err, tc.wantErr) || m != nil {
					t.Fatalf("got %v, %v; want %v", m, err, tc.wantErr)
				}
				if b.held != 0 || mem != 0 {
					t.Fatalf("%d bytes still held after a failed read (returned %d)", b.held, mem)
				}
			} else if err != nil || m == nil || mem != b.held {
				t.Fatalf("got %v, %d, %v; holding %d", m, mem, err, b.held)
			}
			if alloc := after.TotalAlloc - before.TotalAlloc; alloc > tc.maxAlloc {
				t.Errorf("the read allocated %d bytes, want at most %d", alloc, tc.maxAlloc)
			}
			if b.peak > tc.maxPeak {
				t.Errorf("reserved up to %d bytes, want at most %d", b.peak, tc.maxPeak)
			}
		})
	}
}

// trickle writes head to str, then one byte every tick until the stream
// fails or stop is closed; the returned channel is closed once reading
// str fails (the peer reset or closed it).
func trickle(t *testing.T, str network.Stream, head []byte, tick time.Duration, stop <-chan struct{}) <-chan struct{} {
	t.Helper()
	if _, err := str.Write(head); err != nil {
		t.Fatal(err)
	}
	go func() {
		tk := time.NewTicker(tick)
		defer tk.Stop()
		for {
			select {
			case <-stop:
				return
			case <-tk.C:
			}
			if _, err := str.Write([]byte{0}); err != nil {
				return
			}
		}
	}()
	ended := make(chan struct{})
	go func() {
		_, _ = io.Copy(io.Discard, str)
		close(ended)
	}()
	return ended
}

// TestSlowTrickle: a peer sending one byte at a time, always within the
// idle timeout, loses its stream once a message falls behind
// MinBytesPerSecond after the grace of IdleTimeout, whatever length it
// declares, or once the session overruns SessionTimeout.
func TestSlowTrickle(t *testing.T) {
	g, prefix := history(41, 2, 20)
	hello, err := encodeMsg(helloOf(t, openStore(t), g.soc))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		opts Options
		head []byte
		// within bounds how long the stream may last.
		within time.Duration
	}{
		{name: "hello trickled", opts: Options{IdleTimeout: 300 * time.Millisecond, MinBytesPerSecond: 1000},
			head: frame(1000, nil), within: 3 * time.Second},
		{name: "4 MiB declared, trickled", opts: Options{IdleTimeout: 300 * time.Millisecond},
			head: frame(DefaultMaxMessageBytes, make([]byte, 100)), within: 3 * time.Second},
		{name: "batch trickled past the session", opts: Options{IdleTimeout: 300 * time.Millisecond, MinBytesPerSecond: 1, SessionTimeout: time.Second},
			head: append(bytes.Clone(hello), frame(1000, nil)...), within: 3 * time.Second},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			victim := newNode(t, hs[0], nil, tc.opts)
			ingest(t, victim.st, g.soc, prefix)
			str, err := hs[1].NewStream(context.Background(), hs[0].ID(), ProtocolID)
			if err != nil {
				t.Fatal(err)
			}
			defer str.Reset()
			stop := make(chan struct{})
			defer close(stop)
			start := time.Now()
			ended := trickle(t, str, tc.head, 20*time.Millisecond, stop)
			waitOr(t, ended, "the victim ends the trickling stream")
			if took := time.Since(start); took > tc.within {
				t.Errorf("the stream lasted %v, want at most %v", took, tc.within)
			}
			waitOr(t, waitSessions(victim.svc), "no session left")
			if victim.badCount() != 0 {
				t.Errorf("a slow peer is not a bad peer: %v", victim.bad)
			}
		})
	}
}

// TestUnknownPeersCapped: peers Options.Known does not know share a few
// inbound sessions and a budget of message buffers; a known peer is served
// meanwhile.
func TestUnknownPeersCapped(t *testing.T) {
	g, prefix := history(43, 2, 20)
	_, hs := newNet(t, 5)
	known := hs[4].ID()
	victim := newNode(t, hs[0], nil, Options{Known: func(p peer.ID) bool { return p == known },
		MaxUnknownSessions: 2, MaxUnknownBytes: 128 << 10})
	ingest(t, victim.st, g.soc, prefix)
	open := func(h host.Host) *wire {
		str, err := h.NewStream(context.Background(), hs[0].ID(), ProtocolID)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { str.Reset() })
		return newWire(str)
	}
	unknownSessions := func() int {
		victim.svc.mu.Lock()
		defer victim.svc.mu.Unlock()
		return victim.svc.unknown
	}
	// Two unknown peers hold a session each, one of them trickling a
	// large message: its buffer may not outgrow the unknown peers' share.
	first, second := open(hs[1]), open(hs[2])
	if err := first.send(helloOf(t, openStore(t), g.soc)); err != nil {
		t.Fatal(err)
	}
	if m, err := first.recv(); err != nil || m.Hello == nil {
		t.Fatalf("an unknown peer within the cap got %v, %v; want a hello", m, err)
	}
	if _, err := second.str.Write(frame(DefaultMaxMessageBytes, make([]byte, 32<<10))); err != nil {
		t.Fatal(err)
	}
	waitOr(t, until(func() bool { return unknownSessions() == 2 }), "two unknown sessions")
	third := open(hs[3])
	if err := third.send(helloOf(t, openStore(t), g.soc)); err != nil {
		t.Fatal(err)
	}
	if m, err := third.recv(); err != nil || m.Error == nil || m.Error.Code != codeBusy {
		t.Fatalf("a third unknown peer got %+v, %v; want a busy refusal", m, err)
	}
	mine := open(hs[4])
	if err := mine.send(helloOf(t, openStore(t), g.soc)); err != nil {
		t.Fatal(err)
	}
	if m, err := mine.recv(); err != nil || m.Hello == nil {
		t.Fatalf("a known peer got %+v, %v; want a hello", m, err)
	}
	// The trickler's message outgrows the share: its stream is reset.
	if _, err := second.str.Write(make([]byte, 128<<10)); err != nil && !errors.Is(err, network.ErrReset) {
		t.Fatal(err)
	}
	ended := make(chan struct{})
	go func() { second.drain(); close(ended) }()
	waitOr(t, ended, "the stream over the unknown peers' share is reset")
	waitOr(t, until(func() bool {
		victim.svc.mu.Lock()
		defer victim.svc.mu.Unlock()
		return victim.svc.unkBytes <= bodyChunk // the first peer's hello only
	}), "the share given back")
}

// until returns a channel closed once cond holds (polled).
func until(cond func() bool) <-chan struct{} {
	ch := make(chan struct{})
	go func() {
		tk := time.NewTicker(10 * time.Millisecond)
		defer tk.Stop()
		deadline := time.Now().Add(2 * guard)
		for !cond() && time.Now().Before(deadline) {
			<-tk.C
		}
		if cond() {
			close(ch)
		}
	}()
	return ch
}

// TestStreamMemoryAccounted: over real hosts on 127.0.0.1 with libp2p's
// resource manager, the buffer of a message being received is reserved in
// the sync protocol's scope, and given back when the stream ends.
func TestStreamMemoryAccounted(t *testing.T) {
	g, prefix := history(47, 2, 20)
	hosts := make([]host.Host, 2)
	for i := range hosts {
		h, err := p2p.NewHost(p2p.Config{Key: newKey(rand.New(rand.NewPCG(uint64(i)+470, 1))), Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { h.Close() })
		hosts[i] = h
	}
	victim := newNode(t, hosts[0], nil, Options{})
	ingest(t, victim.st, g.soc, prefix)
	ctx := context.Background()
	if err := hosts[1].Connect(ctx, peer.AddrInfo{ID: hosts[0].ID(), Addrs: hosts[0].Addrs()}); err != nil {
		t.Fatal(err)
	}
	str, err := hosts[1].NewStream(ctx, hosts[0].ID(), ProtocolID)
	if err != nil {
		t.Fatal(err)
	}
	defer str.Reset()
	if _, err := str.Write(frame(DefaultMaxMessageBytes, make([]byte, 200<<10))); err != nil {
		t.Fatal(err)
	}
	memory := func() int64 {
		var m int64
		_ = hosts[0].Network().ResourceManager().ViewProtocol(ProtocolID, func(s network.ProtocolScope) error {
			m = s.Stat().Memory
			return nil
		})
		return m
	}
	waitOr(t, until(func() bool { return memory() >= 200<<10 }), "the message buffer reserved in the protocol's scope")
	if m := memory(); m > 1<<20 {
		t.Errorf("%d bytes reserved for 200 KiB received", m)
	}
	_ = str.Reset()
	waitOr(t, until(func() bool { return memory() == 0 }), "the reservation given back")
}
