package ui

import (
	"bytes"
	"log"
	"os"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/node"
)

// loopApp is a test app whose driver has a UI goroutine, as the real
// drivers do (Fyne's test driver runs fyne.Do's function on the caller's
// goroutine): Run makes its caller the UI goroutine, runs the Started
// hook there, then the functions given to fyne.Do and fyne.DoAndWait,
// until Quit. Like Fyne's drivers it logs "fyne.Do[AndWait] called from
// main goroutine" for a call made on the UI goroutine, or before Run
// (where the mobile driver cannot tell goroutines apart and runs the
// function on the caller's goroutine).
type loopApp struct {
	fyne.App
	drv *loopDriver
}

func (a *loopApp) Driver() fyne.Driver { return a.drv }
func (a *loopApp) Run()                { a.drv.run(a.Lifecycle()) }
func (a *loopApp) Quit()               { a.drv.quitOnce.Do(func() { close(a.drv.quit) }) }

type loopDriver struct {
	fyne.Driver
	// starting, when set, runs first in Run, before the UI goroutine
	// takes over: it stands for a driver's start-up time, in which
	// background work started before Run may finish (the mobile driver's
	// start-up takes long enough for the first loads).
	starting func()
	ui       atomic.Uint64 // the UI goroutine's ID, 0 before Run
	direct   sync.Mutex    // serialises the calls logged as misplaced
	queue    chan func()
	quit     chan struct{}
	quitOnce sync.Once
}

// newLoopApp makes a loopApp the current app, over a test app.
func newLoopApp(t *testing.T) *loopApp {
	base := test.NewTempApp(t)
	a := &loopApp{App: base, drv: &loopDriver{Driver: base.Driver(), queue: make(chan func(), 4096), quit: make(chan struct{})}}
	fyne.SetCurrentApp(a)
	return a
}

func goroutineID() uint64 {
	var buf [64]byte
	s := strings.TrimPrefix(string(buf[:runtime.Stack(buf[:], false)]), "goroutine ")
	var id uint64
	for _, c := range s {
		if c < '0' || c > '9' {
			break
		}
		id = id*10 + uint64(c-'0')
	}
	return id
}

func (d *loopDriver) DoFromGoroutine(fn func(), wait bool) {
	if id := d.ui.Load(); id == 0 || id == goroutineID() {
		log.Println("*** Error in Fyne call thread, fyne.Do[AndWait] called from main goroutine ***")
		d.direct.Lock() // one at a time at least, so that the test fails rather than races
		defer d.direct.Unlock()
		fn()
		return
	}
	done := make(chan struct{})
	select {
	case d.queue <- func() { fn(); close(done) }:
	case <-d.quit:
		return
	}
	if wait {
		select {
		case <-done:
		case <-d.quit:
		}
	}
}

func (d *loopDriver) run(l fyne.Lifecycle) {
	if d.starting != nil {
		d.starting()
	}
	d.ui.Store(goroutineID())
	if f := l.(interface{ OnStarted() func() }).OnStarted(); f != nil {
		f()
	}
	for {
		select {
		case fn := <-d.queue:
			fn()
		case <-d.quit:
			return
		}
	}
}

// lockedBuffer is a bytes.Buffer for the log package, safe for
// concurrent writes.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestRunOffTheUIGoroutine runs the app's start-up path (Run, as
// `commons --demo --screenshots` does) with a UI goroutine and background
// work (inline off), records arriving while it runs and theme changes,
// and checks that no fyne.Do[AndWait] call is made on the UI goroutine
// or before the app runs.
func TestRunOffTheUIGoroutine(t *testing.T) {
	noSettle(t)
	var logged lockedBuffer
	log.SetOutput(&logged)
	t.Cleanup(func() { log.SetOutput(os.Stderr) })

	a := newLoopApp(t)
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 680))
	home := t.TempDir()
	if err := node.Demo(home, []byte(node.DemoPassphrase), nil); err != nil {
		t.Fatal(err)
	}
	d := node.NewDesktop(home, node.DesktopConfig{Offline: true})
	if err := d.Unlock([]byte(node.DemoPassphrase)); err != nil {
		t.Fatal(err)
	}
	u := New(a, w, d)
	u.inline = false
	a.drv.starting = u.Wait
	t.Cleanup(func() {
		u.Close()
		d.Close()
	})

	var shotErr, offerErr error
	var shown bool
	finished := make(chan struct{})
	go func() {
		select {
		case <-finished:
		case <-time.After(2 * time.Minute):
			a.Quit() // fail rather than hang
		}
	}()
	u.Run(func() {
		defer close(finished)
		defer fyne.Do(a.Quit)
		shotErr = u.Screenshots(t.TempDir(), nil)
		// A record arriving wakes the follower, which refreshes the screens.
		_, offerErr = d.API().AddListing(node.ListingRequest{Society: u.Society(), Kind: "offer", Skill: "plumbing", Description: "taps"})
		u.Wait()
		fyne.DoAndWait(func() {
			u.SetTextScale(1.2)
			shown = u.Tabs() != nil && hasText(u.Tabs().Items[0].Content, "Ann")
		})
		u.Wait()
	})
	<-finished
	if shotErr != nil || offerErr != nil {
		t.Fatalf("screenshots: %v; offer: %v", shotErr, offerErr)
	}
	if !shown {
		t.Fatal("the home screen is not shown after the app started")
	}
	if strings.Contains(logged.String(), "called from main goroutine") {
		t.Fatalf("fyne.Do[AndWait] was called on the UI goroutine or before the app ran:\n%s", logged.String())
	}
}
