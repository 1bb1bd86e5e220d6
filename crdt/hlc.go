package crdt

import (
	"sync"
	"time"
)

// HLC is a hybrid logical clock reading: milliseconds since the Unix epoch in
// the high 48 bits and a logical counter in the low 16.
type HLC uint64

// MakeHLC builds a reading from milliseconds and a counter.
func MakeHLC(ms uint64, counter uint16) HLC { return HLC(ms<<16 | uint64(counter)) }

// Millis returns the physical part in milliseconds since the Unix epoch.
func (h HLC) Millis() uint64 { return uint64(h) >> 16 }

// Time returns the physical part as a time.Time (for display only).
func (h HLC) Time() time.Time { return time.UnixMilli(int64(h.Millis())).UTC() }

// Clock issues HLC readings that are strictly increasing and never behind
// any reading it has observed. It is safe for concurrent use.
type Clock struct {
	mu   sync.Mutex
	last HLC
	wall func() time.Time
}

// NewClock returns a clock reading the given wall clock (time.Now when nil).
func NewClock(wall func() time.Time) *Clock {
	if wall == nil {
		wall = time.Now
	}
	return &Clock{wall: wall}
}

// Now returns a reading after every earlier one and after every observed one.
func (c *Clock) Now() HLC {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := MakeHLC(uint64(c.wall().UnixMilli()), 0)
	if w > c.last {
		c.last = w
	} else {
		c.last++
	}
	return c.last
}

// Observe moves the clock past a reading seen on a record.
func (c *Clock) Observe(h HLC) {
	c.mu.Lock()
	if h > c.last {
		c.last = h
	}
	c.mu.Unlock()
}
