package ui

import (
	"errors"
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/driver/desktop"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/node"
)

// Title is the application title.
const Title = "Commons"

// refreshEvery is the shortest time between two refreshes caused by
// arriving records, so that a large catch-up does not flood the UI.
const refreshEvery = 300 * time.Millisecond

// screen is one of the main screens.
type screen interface {
	// tab returns the screen's tab; it is built once.
	tab() *container.TabItem
	// refresh reloads the screen's data (through UI.async).
	refresh()
}

// UI is the Commons window: the first-run flow, then the main screens.
type UI struct {
	app fyne.App
	win fyne.Window
	b   Backend

	mu      sync.Mutex
	me      node.PublicIdentity
	society string // the society shown (its ID)
	status  *node.Status

	screens []screen
	tabs    *container.AppTabs
	bar     *statusBar
	phone   *phoneShell    // the phone layout (phone.go)
	work    tracker        // loads and actions, until their results are applied
	busy    sync.WaitGroup // loads and actions, while they use the backend
	loops   sync.WaitGroup // the change follower
	stop    chan struct{}
	started bool
	// inline runs background work at once on the caller's goroutine, with
	// refreshes for arriving records done by Wait: under Fyne's test driver
	// (which has no UI goroutine), so that UI tests are deterministic and
	// race-free. The app always runs work in the background.
	inline bool
	// watching is the change channel the follower waits on; watchCond
	// signals when it changes (for Wait).
	watching  <-chan struct{}
	watchCond *sync.Cond
	// themeHooks run on the UI goroutine after the theme or text size
	// changes; styling is set while the UI itself changes them.
	themeHooks []func()
	styling    atomic.Bool
}

// New makes the UI of a window over a backend; Start shows it.
func New(a fyne.App, w fyne.Window, b Backend) *UI {
	u := &UI{app: a, win: w, b: b, stop: make(chan struct{}), inline: testing.Testing()}
	applyTheme(a)
	a.Settings().AddListener(u.restyled)
	return u
}

// Run shows the window and runs the app until it quits. The UI starts
// (Start) on the app's Started hook, on the UI goroutine once the app
// runs, never before: its background work hands results to the UI
// goroutine with fyne.Do, which needs the app running. Then then, if
// not nil, runs on a goroutine of its own.
func (u *UI) Run(then func()) {
	u.app.Lifecycle().SetOnStarted(func() {
		u.Start()
		if then != nil {
			go then()
		}
	})
	u.win.Show()
	u.app.Run()
}

// Start shows the first-run flow, the unlock screen, or the main screens.
// It runs on the UI goroutine (Run calls it there); tests call it
// directly.
func (u *UI) Start() {
	switch {
	case u.b.API() != nil:
		u.afterUnlock()
	case u.b.HasIdentity():
		u.win.SetContent(u.unlockScreen())
	default:
		u.win.SetContent(u.welcomeScreen())
	}
}

// Close stops the refresh loop and waits for background work to be done
// with the backend; results that have not been applied yet are dropped.
// It may be called on the UI goroutine (when the window closes).
func (u *UI) Close() {
	u.mu.Lock()
	if !u.stopped() {
		close(u.stop)
	}
	u.mu.Unlock()
	u.loops.Wait()
	u.busy.Wait()
}

// Wait waits until all background work started so far (loads and
// actions, with their results applied) is done. Tests use it instead of
// sleeping. Outside tests it must not be called on the UI goroutine,
// which applies the results.
func (u *UI) Wait() {
	if u.inline {
		// Work ran as it was asked for; refresh for records that arrived
		// since, as the follower would.
		for {
			u.mu.Lock()
			ch := u.watching
			if ch == nil || !isClosed(ch) {
				u.mu.Unlock()
				return
			}
			u.watching = u.b.Changes()
			u.mu.Unlock()
			u.refreshAll()
		}
	}
	for {
		u.work.Wait()
		u.mu.Lock()
		ch := u.watching
		if ch == nil || !isClosed(ch) {
			u.mu.Unlock()
			return
		}
		// Records arrived that the follower has not refreshed for yet.
		if u.watchCond == nil {
			u.watchCond = sync.NewCond(&u.mu)
		}
		for u.watching == ch {
			u.watchCond.Wait()
		}
		u.mu.Unlock()
	}
}

func isClosed(ch <-chan struct{}) bool {
	select {
	case <-ch:
		return true
	default:
		return false
	}
}

// Window returns the window.
func (u *UI) Window() fyne.Window { return u.win }

// api returns the node (nil before unlocking).
func (u *UI) api() node.API { return u.b.API() }

// Society returns the ID of the society shown ("" before one is chosen).
func (u *UI) Society() string {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.society
}

// Me returns the local member's public identity.
func (u *UI) Me() node.PublicIdentity {
	u.mu.Lock()
	defer u.mu.Unlock()
	return u.me
}

// async runs work off the UI goroutine, then apply on it; an error is
// shown in a dialog and apply is not called.
func (u *UI) async(work func(api node.API) error, apply func()) {
	u.quietly(work, apply, u.showError)
}

// quietly is async for loads whose errors are shown in place (fail) rather
// than in a dialog.
func (u *UI) quietly(work func(api node.API) error, apply func(), fail func(error)) {
	api := u.api()
	if api == nil {
		return
	}
	u.work.Add(1)
	u.busy.Add(1)
	u.spawn(func() {
		err := work(api)
		u.busy.Done()
		u.onUI(func() {
			defer u.work.Done()
			if u.stopped() {
				return
			}
			if err != nil {
				if fail != nil {
					fail(err)
				}
				return
			}
			if apply != nil {
				apply()
			}
		})
	})
}

// spawn runs f on its own goroutine, or at once in inline mode.
func (u *UI) spawn(f func()) {
	if u.inline {
		f()
		return
	}
	go f()
}

// onUI runs fn on the UI goroutine (at once in inline mode). It is for
// background goroutines: code already on the UI goroutine calls fn
// itself. It does not wait, so that the UI goroutine never waits for a
// background goroutine that waits for it (as when the window closes).
func (u *UI) onUI(fn func()) {
	if u.inline {
		fn()
		return
	}
	fyne.Do(fn)
}

// stopped reports whether Close was called.
func (u *UI) stopped() bool {
	select {
	case <-u.stop:
		return true
	default:
		return false
	}
}

// tracker counts background work; unlike a WaitGroup it may gain work
// while someone waits for it to drain.
type tracker struct {
	mu   sync.Mutex
	cond *sync.Cond
	n    int
}

func (t *tracker) Add(d int) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.n += d
	if t.n == 0 && t.cond != nil {
		t.cond.Broadcast()
	}
}

func (t *tracker) Done() { t.Add(-1) }

// Wait returns once no work is running.
func (t *tracker) Wait() {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.cond == nil {
		t.cond = sync.NewCond(&t.mu)
	}
	for t.n > 0 {
		t.cond.Wait()
	}
}

// showError shows an error as a readable dialog.
func (u *UI) showError(err error) {
	dialog.ShowError(errors.New(Readable(err)), u.win)
}

// Readable turns an error into a sentence for a dialog: its refusals in
// the app's language, without the package prefixes, capitalised.
func Readable(err error) string {
	if err == nil {
		return ""
	}
	s := refusal.Say(err, sayRefusal)
	for _, p := range []string{"node: ", "ledger: ", "crdt: ", "identity: ", "p2p: "} {
		s = strings.ReplaceAll(s, p, "")
	}
	s = strings.TrimSpace(s)
	if s == "" {
		return lang.L("Something went wrong.")
	}
	r := []rune(s)
	r[0] = unicode.ToUpper(r[0])
	s = string(r)
	if !strings.HasSuffix(s, ".") {
		s += "."
	}
	return s
}

// sayRefusal translates a refusal's English format or kind (see
// internal/refusal) through the catalogue; TestTranslationsComplete finds
// them in the ledger's and the node's source.
func sayRefusal(english string) string { return lang.X(english, english) }

// afterUnlock shows the society choice when the member belongs to none,
// the main screens otherwise.
func (u *UI) afterUnlock() {
	me, err := u.b.Public()
	if err != nil {
		u.showError(err)
		return
	}
	u.mu.Lock()
	u.me = me
	u.mu.Unlock()
	var st *node.Status
	u.async(func(api node.API) (err error) {
		st, err = api.Status()
		return err
	}, func() {
		u.setStatus(st)
		if len(st.Societies) == 0 {
			u.win.SetContent(u.societyChoiceScreen())
			return
		}
		u.showMain()
	})
}

func (u *UI) setStatus(st *node.Status) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.status = st
	if u.society == "" && len(st.Societies) > 0 {
		u.society = st.Societies[0].ID
	}
}

// SetSociety switches the society shown.
func (u *UI) SetSociety(id string) {
	u.mu.Lock()
	u.society = id
	u.mu.Unlock()
	u.refreshAll()
}

// showMain builds the main screens (once) and starts following changes.
func (u *UI) showMain() {
	if u.tabs == nil {
		u.screens = []screen{newHome(u), newTimeBank(u), newContributions(u), newDirectory(u), newGovernance(u), newSocietyScreen(u), newSettings(u)}
		items := make([]*container.TabItem, len(u.screens))
		for i, s := range u.screens {
			items[i] = s.tab()
		}
		u.tabs = container.NewAppTabs(items...)
		u.tabs.SetTabLocation(container.TabLocationLeading)
		u.tabs.OnSelected = func(*container.TabItem) { u.refreshSelected() }
		u.bar = newStatusBar(u)
		u.addShortcuts()
	}
	u.win.SetContent(u.mainContent())
	u.refreshAll()
	u.mu.Lock()
	started := u.started
	u.started = true
	u.mu.Unlock()
	switch {
	case started:
	case u.inline:
		u.mu.Lock()
		u.watching = u.b.Changes()
		u.mu.Unlock()
	default:
		u.loops.Add(1)
		go u.follow()
	}
}

// Tabs returns the main screens' tabs (nil before they are shown).
func (u *UI) Tabs() *container.AppTabs { return u.tabs }

// ShowTab selects a main screen by index (0 home … 6 settings).
func (u *UI) ShowTab(i int) {
	if u.tabs != nil && i >= 0 && i < len(u.tabs.Items) {
		u.tabs.SelectIndex(i)
	}
}

func (u *UI) addShortcuts() {
	keys := []fyne.KeyName{fyne.Key1, fyne.Key2, fyne.Key3, fyne.Key4, fyne.Key5, fyne.Key6, fyne.Key7}
	for i, k := range keys {
		i := i
		u.win.Canvas().AddShortcut(&desktop.CustomShortcut{KeyName: k, Modifier: fyne.KeyModifierShortcutDefault},
			func(fyne.Shortcut) { u.ShowTab(i) })
	}
}

// follow refreshes the screens when records arrive, at most every
// refreshEvery.
func (u *UI) follow() {
	defer u.loops.Done()
	ch := u.b.Changes()
	for ch != nil {
		u.setWatching(ch)
		select {
		case <-ch:
		case <-u.stop:
			u.setWatching(nil)
			return
		}
		// Take the next channel before refreshing, so that records
		// arriving during the refresh or the pause are not missed.
		next := u.b.Changes()
		u.work.Add(1) // before the refresh is queued, for Wait
		fyne.Do(func() {
			defer u.work.Done()
			if !u.stopped() {
				u.refreshAll()
			}
		})
		u.setWatching(next)
		t := time.NewTimer(refreshEvery)
		select {
		case <-t.C:
		case <-u.stop:
			t.Stop()
			u.setWatching(nil)
			return
		}
		ch = next
	}
}

// setWatching records the change channel the follower waits on.
func (u *UI) setWatching(ch <-chan struct{}) {
	u.mu.Lock()
	defer u.mu.Unlock()
	u.watching = ch
	if u.watchCond != nil {
		u.watchCond.Broadcast()
	}
}

// refreshAll reloads the status and every screen.
func (u *UI) refreshAll() {
	var st *node.Status
	u.quietly(func(api node.API) (err error) {
		st, err = api.Status()
		return err
	}, func() {
		u.setStatus(st)
		if u.bar != nil {
			u.bar.update(st)
		}
	}, nil)
	for _, s := range u.screens {
		s.refresh()
	}
}

func (u *UI) refreshSelected() {
	if u.tabs == nil {
		return
	}
	i := u.tabs.SelectedIndex()
	if i >= 0 && i < len(u.screens) {
		u.screens[i].refresh()
	}
}

// statusBar shows the network state and catch-up progress under every
// screen.
type statusBar struct {
	u        *UI
	label    *widget.Label
	progress *widget.ProgressBar
	box      *fyne.Container
	// after, if set, also shows the status (the phone layout's line).
	after func(*node.Status)
}

func newStatusBar(u *UI) *statusBar {
	b := &statusBar{u: u, label: widget.NewLabel(""), progress: widget.NewProgressBar()}
	// A long status is cut with an ellipsis rather than widening the
	// window: the desktop layout fits from the phone breakpoint up.
	b.label.Truncation = fyne.TextTruncateEllipsis
	b.progress.Hide()
	b.box = container.NewBorder(nil, nil, nil, container.NewGridWrap(fyne.NewSize(200, 20), b.progress), b.label)
	return b
}

func (b *statusBar) content() fyne.CanvasObject { return b.box }

func (b *statusBar) update(st *node.Status) {
	b.label.SetText(statusLine(st))
	if p, ok := syncProgress(st); ok {
		b.progress.SetValue(p)
		b.progress.Show()
	} else {
		b.progress.Hide()
	}
	if b.after != nil {
		b.after(st)
	}
}

// statusLine is the status bar's text: how the peer is connected, then
// notes on LAN discovery and unshared records.
func statusLine(st *node.Status) string {
	text := NetworkSummary(st)
	if st != nil && st.Network != nil && st.Network.LAN != "" {
		// A phone whose OS refuses multicast: a notice, not an error.
		text += " · " + lang.L("LAN discovery is unavailable on this device")
	}
	if note := unsharedNote(st); note != "" {
		text += " · " + note
	}
	return text
}

// NetworkSummary says in one line how the peer is connected.
func NetworkSummary(st *node.Status) string {
	switch {
	case st == nil:
		return ""
	case st.Network == nil:
		return lang.L("Offline: changes are kept here and shared when a peer is reachable")
	case len(st.Network.Peers) == 0:
		return lang.L("No peer connected: your changes will be shared when one is reachable")
	case len(st.Network.Peers) == 1:
		return lang.L("Connected to 1 peer")
	}
	return fmt.Sprintf(lang.L("Connected to %d peers"), len(st.Network.Peers))
}
