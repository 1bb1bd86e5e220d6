package mobile

import (
	"errors"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/node"
)

// fakeTimers replaces time.AfterFunc: the test fires the scheduled calls
// itself, so no test waits on the wall clock.
type fakeTimers struct {
	mu    sync.Mutex
	calls []*fakeTimer
}

type fakeTimer struct {
	d       time.Duration
	f       func()
	stopped bool
}

func (t *fakeTimer) Stop() bool { was := !t.stopped; t.stopped = true; return was }

func (ft *fakeTimers) after(d time.Duration, f func()) Timer {
	ft.mu.Lock()
	defer ft.mu.Unlock()
	t := &fakeTimer{d: d, f: f}
	ft.calls = append(ft.calls, t)
	return t
}

// fire runs the last scheduled call, as the timer would (even when it was
// stopped too late to prevent it: the lifecycle must ignore a stale call).
func (ft *fakeTimers) fire(t *testing.T) {
	t.Helper()
	ft.mu.Lock()
	if len(ft.calls) == 0 {
		ft.mu.Unlock()
		t.Fatal("nothing scheduled")
	}
	c := ft.calls[len(ft.calls)-1]
	ft.mu.Unlock()
	c.f()
}

// newPeer is a real embedded peer on loopback, no mDNS, in a temp home with
// the phone profiles.
func newPeer(t *testing.T) *node.Desktop {
	t.Helper()
	home := filepath.Join(t.TempDir(), "home")
	d := node.NewDesktop(home, node.DesktopConfig{
		Net:  NetConfig(node.NetConfig{Listen: []string{"/ip4/127.0.0.1/tcp/0"}}),
		Node: Options(node.Options{}),
	})
	if _, err := d.Create("Ann", []byte("correct horse battery")); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// TestLifecycle drives a real peer through the phone's lifecycle: leaving
// the foreground keeps the network for the grace period, then stops it;
// coming back within the grace keeps it; coming back later restarts it.
func TestLifecycle(t *testing.T) {
	d := newPeer(t)
	ft := &fakeTimers{}
	l := NewLifecycle(d, 0)
	l.after = ft.after
	resumed := 0
	l.OnResume = func() { resumed++ }
	var errs []error
	l.OnError = func(err error) { errs = append(errs, err) }
	if !d.Networking() {
		t.Fatal("the peer does not run its network at start")
	}

	l.Background()
	if len(ft.calls) != 1 || ft.calls[0].d != Grace {
		t.Fatalf("scheduled %+v, want one stop after %s", ft.calls, Grace)
	}
	if !d.Networking() {
		t.Fatal("the network stopped before the grace period")
	}
	l.Foreground() // back within the grace period
	ft.fire(t)     // the stale stop runs anyway
	if !d.Networking() || l.Suspended() || resumed != 0 {
		t.Fatalf("networking %v suspended %v resumed %d: a stop cancelled by Foreground took effect", d.Networking(), l.Suspended(), resumed)
	}

	l.Background()
	ft.fire(t)
	if d.Networking() || !l.Suspended() {
		t.Fatal("the network still runs after the grace period in the background")
	}
	st, err := d.API().Status()
	if err != nil {
		t.Fatal(err)
	}
	if st.Network != nil {
		t.Fatalf("status still shows a network: %+v", st.Network)
	}
	l.Foreground()
	if !d.Networking() || resumed != 1 {
		t.Fatalf("networking %v resumed %d after coming back", d.Networking(), resumed)
	}
	if st, err := d.API().Status(); err != nil || st.Network == nil || len(st.Network.Addrs) == 0 {
		t.Fatalf("status after resume: %+v, %v", st, err)
	}
	if len(errs) > 0 {
		t.Fatalf("errors: %v", errs)
	}
}

// failingPeer fails every call.
type failingPeer struct{}

func (failingPeer) Flush() error   { return errors.New("disk full") }
func (failingPeer) Suspend() error { return errors.New("suspend failed") }
func (failingPeer) Resume() error  { return errors.New("no network") }

// TestLifecycleReportsErrors: failures reach OnError, none panics, and a
// failed restart does not call OnResume.
func TestLifecycleReportsErrors(t *testing.T) {
	ft := &fakeTimers{}
	l := NewLifecycle(failingPeer{}, time.Second)
	l.after = ft.after
	var got []string
	l.OnError = func(err error) { got = append(got, err.Error()) }
	l.OnResume = func() { t.Error("OnResume after a failed restart") }
	l.Background()
	ft.fire(t)
	l.Foreground()
	if strings.Join(got, "; ") != "disk full; suspend failed; no network" {
		t.Fatalf("errors %q", got)
	}
}

// TestPhoneProfiles: the phone options and storage.
func TestPhoneProfiles(t *testing.T) {
	if o := Options(node.Options{}); o.StoreProfile != crdt.ProfilePhone {
		t.Errorf("store profile %v", o.StoreProfile)
	}
	nc := NetConfig(node.NetConfig{MDNS: true})
	if nc.ConnHigh == 0 || nc.ConnHigh > 32 || nc.SyncInterval != SyncInterval || !nc.MDNS {
		t.Errorf("net config %+v", nc)
	}
	a := test.NewTempApp(t)
	if IsPhone(a) {
		t.Error("the test app is not a phone")
	}
	home, err := Home(a)
	if err != nil || filepath.Base(home) != "commons" || !filepath.IsAbs(home) {
		t.Errorf("home %q, %v", home, err)
	}
	if s := String(); !strings.Contains(s, "4 MiB memtables") || !strings.Contains(s, "8 MiB block cache") {
		t.Errorf("profile %q", s)
	}
}
