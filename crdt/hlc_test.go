package crdt

import (
	"sync"
	"testing"
	"time"
)

// fakeWall is a settable wall clock for Clock tests.
type fakeWall struct {
	mu sync.Mutex
	t  time.Time
}

// now returns the current fake time.
func (f *fakeWall) now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.t
}

// set moves the fake time to t (forwards or backwards).
func (f *fakeWall) set(t time.Time) {
	f.mu.Lock()
	f.t = t
	f.mu.Unlock()
}

func TestHLCParts(t *testing.T) {
	h := MakeHLC(1_700_000_000_123, 7)
	if h.Millis() != 1_700_000_000_123 || uint16(h) != 7 {
		t.Fatalf("MakeHLC parts: %d %d", h.Millis(), uint16(h))
	}
	if got := h.Time(); !got.Equal(time.UnixMilli(1_700_000_000_123)) {
		t.Fatalf("Time() = %v", got)
	}
	if MakeHLC(5, 0xffff) >= MakeHLC(6, 0) {
		t.Fatal("counter overflows into the next millisecond's range")
	}
}

func TestClockStrictlyIncreasingFrozenWall(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	wall := &fakeWall{t: base}
	c := NewClock(wall.now)
	prev := c.Now()
	if prev != MakeHLC(uint64(base.UnixMilli()), 0) {
		t.Fatalf("first reading %d, want the wall time", prev)
	}
	for i := 0; i < 70_000; i++ { // past a full 16-bit counter
		h := c.Now()
		if h <= prev {
			t.Fatalf("reading %d: %d not after %d", i, h, prev)
		}
		prev = h
	}
	// A wall clock that steps back does not move the clock back.
	wall.set(base.Add(-time.Hour))
	if h := c.Now(); h <= prev {
		t.Fatalf("after wall stepped back: %d not after %d", h, prev)
	} else {
		prev = h
	}
	// A wall clock far ahead is taken as is.
	ahead := base.Add(time.Hour)
	wall.set(ahead)
	if h := c.Now(); h != MakeHLC(uint64(ahead.UnixMilli()), 0) || h <= prev {
		t.Fatalf("after wall moved ahead: %d", h)
	}
}

func TestClockConcurrentReadingsUnique(t *testing.T) {
	wall := &fakeWall{t: time.UnixMilli(1_700_000_000_000)}
	c := NewClock(wall.now)
	const workers, each = 8, 2000
	out := make([][]HLC, workers)
	var wg sync.WaitGroup
	for w := range out {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < each; i++ {
				out[w] = append(out[w], c.Now())
			}
		}()
	}
	wg.Wait()
	seen := map[HLC]bool{}
	for _, rs := range out {
		for i, h := range rs {
			if seen[h] {
				t.Fatalf("reading %d issued twice", h)
			}
			seen[h] = true
			if i > 0 && h <= rs[i-1] {
				t.Fatalf("goroutine saw %d after %d", h, rs[i-1])
			}
		}
	}
}

func TestClockObserve(t *testing.T) {
	base := time.UnixMilli(1_700_000_000_000)
	tests := []struct {
		name     string
		observed HLC
		want     HLC // the next reading
	}{
		{"future reading", MakeHLC(uint64(base.UnixMilli())+5000, 3), MakeHLC(uint64(base.UnixMilli())+5000, 4)},
		{"same millisecond higher counter", MakeHLC(uint64(base.UnixMilli()), 9), MakeHLC(uint64(base.UnixMilli()), 10)},
		{"past reading ignored", MakeHLC(uint64(base.UnixMilli())-5000, 0), MakeHLC(uint64(base.UnixMilli()), 1)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := NewClock((&fakeWall{t: base}).now)
			first := c.Now()
			c.Observe(tc.observed)
			got := c.Now()
			if got != tc.want {
				t.Fatalf("after Observe(%d): %d, want %d", tc.observed, got, tc.want)
			}
			if got <= first || got <= tc.observed {
				t.Fatalf("reading %d not after %d and %d", got, first, tc.observed)
			}
		})
	}
}

func TestNewClockDefaultsToTimeNow(t *testing.T) {
	before := uint64(time.Now().UnixMilli())
	h := NewClock(nil).Now()
	after := uint64(time.Now().UnixMilli())
	if h.Millis() < before || h.Millis() > after {
		t.Fatalf("reading %d ms outside [%d, %d]", h.Millis(), before, after)
	}
}
