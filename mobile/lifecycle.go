package mobile

import (
	"sync"
	"time"

	"fyne.io/fyne/v2"
)

// Grace is how long the network stays up after the app leaves the
// foreground, so that switching apps briefly does not drop every peer.
const Grace = 30 * time.Second

// Peer is the part of the embedded peer the lifecycle drives
// (node.Desktop implements it).
type Peer interface {
	// Flush makes every write durable.
	Flush() error
	// Suspend stops the network, keeping the store open.
	Suspend() error
	// Resume starts the network again and syncs with the peers it reaches.
	Resume() error
}

// Timer is a pending call that can be cancelled (*time.Timer is one).
type Timer interface{ Stop() bool }

// Lifecycle runs the peer's network while the app is in the foreground:
// leaving the foreground flushes the store at once and stops the network
// after a grace period; entering it again cancels the stop or restarts the
// network, which syncs with every peer it reaches at once.
type Lifecycle struct {
	peer  Peer
	grace time.Duration
	// after schedules f after d (time.AfterFunc); tests replace it.
	after func(d time.Duration, f func()) Timer
	// OnError, when set, is told of a failed flush, stop or restart (the
	// app shows it in its status bar).
	OnError func(error)
	// OnResume, when set, is called after the network restarted, so the
	// app can show the catch-up.
	OnResume func()

	mu        sync.Mutex
	timer     Timer
	gen       uint64 // invalidates a stop scheduled before the last Foreground
	suspended bool
}

// NewLifecycle returns the lifecycle of a peer with a grace period (Grace
// when zero).
func NewLifecycle(p Peer, grace time.Duration) *Lifecycle {
	if grace <= 0 {
		grace = Grace
	}
	return &Lifecycle{peer: p, grace: grace, after: func(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }}
}

// Attach makes l follow the app's foreground and background events.
func Attach(lc fyne.Lifecycle, l *Lifecycle) {
	lc.SetOnEnteredForeground(l.Foreground)
	lc.SetOnExitedForeground(l.Background)
}

// Background is the app leaving the foreground.
func (l *Lifecycle) Background() {
	l.report(l.peer.Flush())
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.timer != nil {
		l.timer.Stop()
	}
	l.gen++
	gen := l.gen
	l.timer = l.after(l.grace, func() { l.stop(gen) })
}

func (l *Lifecycle) stop(gen uint64) {
	l.mu.Lock()
	if gen != l.gen || l.suspended {
		l.mu.Unlock()
		return
	}
	l.suspended = true
	l.timer = nil
	l.mu.Unlock()
	l.report(l.peer.Suspend())
}

// Foreground is the app entering the foreground (also on launch).
func (l *Lifecycle) Foreground() {
	l.mu.Lock()
	l.gen++
	if l.timer != nil {
		l.timer.Stop()
		l.timer = nil
	}
	resume := l.suspended
	l.suspended = false
	l.mu.Unlock()
	if !resume {
		return
	}
	if err := l.peer.Resume(); err != nil {
		l.report(err)
		return
	}
	if l.OnResume != nil {
		l.OnResume()
	}
}

// Suspended reports whether the network was stopped by the lifecycle.
func (l *Lifecycle) Suspended() bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.suspended
}

func (l *Lifecycle) report(err error) {
	if err != nil && l.OnError != nil {
		l.OnError(err)
	}
}
