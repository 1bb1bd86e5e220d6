package recsync

import (
	"context"
	"sync"
	"testing"
)

// progressLog records the OnProgress calls of a service.
type progressLog struct {
	mu    sync.Mutex
	calls []Progress
	done  chan struct{} // closed at the first Done
}

func newProgressLog() *progressLog { return &progressLog{done: make(chan struct{})} }

func (l *progressLog) add(p Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.calls = append(l.calls, p)
	if p.Done {
		close(l.done)
	}
}

func (l *progressLog) all() []Progress {
	l.mu.Lock()
	defer l.mu.Unlock()
	return append([]Progress(nil), l.calls...)
}

// TestProgress: both sides of a session report the vectors, the records
// expected and missing, the running count received, and the end.
func TestProgress(t *testing.T) {
	cases := []struct {
		name         string
		onlyA, onlyB int
		batch        int
	}{
		{name: "initiator behind", onlyB: 300, batch: 50},
		{name: "responder behind", onlyA: 120, batch: 50},
		{name: "diverged", onlyA: 40, onlyB: 70, batch: 16},
		{name: "in sync"},
	}
	for i, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, hs := newNet(t, 2)
			g, prefix := history(uint64(100+i), 3, 60)
			var onlyA, onlyB [][]byte
			for len(onlyA) < tc.onlyA {
				onlyA = append(onlyA, g.profiles(g.members[0], 1, 0)...)
			}
			for len(onlyB) < tc.onlyB {
				onlyB = append(onlyB, g.profiles(g.members[1], 1, 0)...)
			}
			la, lb := newProgressLog(), newProgressLog()
			a := newNode(t, hs[0], nil, Options{BatchSize: tc.batch, OnProgress: la.add})
			b := newNode(t, hs[1], nil, Options{BatchSize: tc.batch, OnProgress: lb.add})
			ingest(t, a.st, g.soc, append(append([][]byte{}, prefix...), onlyA...))
			ingest(t, b.st, g.soc, append(append([][]byte{}, prefix...), onlyB...))
			if _, err := a.svc.Sync(context.Background(), hs[1].ID(), g.soc); err != nil {
				t.Fatal(err)
			}
			waitOr(t, lb.done, "the responder's session ends")

			for _, side := range []struct {
				name             string
				log              *progressLog
				inbound          bool
				expected, missed int
			}{
				{"initiator", la, false, tc.onlyB, tc.onlyA},
				{"responder", lb, true, tc.onlyA, tc.onlyB},
			} {
				calls := side.log.all()
				if len(calls) < 2 {
					t.Fatalf("%s: %d progress calls, want at least 2", side.name, len(calls))
				}
				first, last := calls[0], calls[len(calls)-1]
				if first.Done || first.Received != 0 || first.Inbound != side.inbound || !first.Society.Equals(g.soc) {
					t.Fatalf("%s: first call %+v", side.name, first)
				}
				if first.Expected != side.expected || first.Missing != side.missed {
					t.Fatalf("%s: expected %d and missing %d, want %d and %d", side.name, first.Expected, first.Missing, side.expected, side.missed)
				}
				if len(first.Ours) == 0 || len(first.Theirs) == 0 {
					t.Fatalf("%s: vectors not reported: %+v", side.name, first)
				}
				if !last.Done || last.Err != nil || last.Received != side.expected || last.Sent != side.missed {
					t.Fatalf("%s: last call %+v", side.name, last)
				}
				prev := 0
				for _, c := range calls[1 : len(calls)-1] {
					if c.Done || c.Session != first.Session || c.Received < prev || c.Received > c.Expected {
						t.Fatalf("%s: call %+v after %d received", side.name, c, prev)
					}
					prev = c.Received
				}
				if side.expected > tc.batch && tc.batch > 0 && len(calls) < 3 {
					t.Fatalf("%s: %d calls for %d records in batches of %d", side.name, len(calls), side.expected, tc.batch)
				}
			}
		})
	}
}
