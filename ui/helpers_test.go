package ui

import (
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// testPassphrase is the passphrase of test identities.
const testPassphrase = "correct horse battery"

// newTestUI returns a UI over a real, offline node in a fresh home, in a
// test app and window.
func newTestUI(t *testing.T) (*UI, *node.Desktop) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	d := node.NewDesktop(t.TempDir(), node.DesktopConfig{Offline: true})
	u := New(a, w, d)
	t.Cleanup(func() {
		u.Close()
		d.Close()
	})
	return u, d
}

// mainUI returns a UI showing the main screens of a member (Ann) who
// founded a society.
func mainUI(t *testing.T) (*UI, *node.Desktop) {
	t.Helper()
	u, d := newTestUI(t)
	if _, err := d.Create("Ann", []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.API().CreateSociety("Elm Street"); err != nil {
		t.Fatal(err)
	}
	u.Start()
	u.Wait()
	if u.Tabs() == nil {
		t.Fatal("the main screens are not shown")
	}
	return u, d
}

// each visits o and everything below it, widgets' rendered parts included.
func each(o fyne.CanvasObject, fn func(fyne.CanvasObject)) {
	if o == nil {
		return
	}
	fn(o)
	switch v := o.(type) {
	case *fyne.Container:
		for _, c := range v.Objects {
			each(c, fn)
		}
	case fyne.Widget:
		if r := test.WidgetRenderer(v); r != nil {
			for _, c := range r.Objects() {
				each(c, fn)
			}
		}
	}
}

// button finds a visible button by its text.
func button(t *testing.T, c fyne.CanvasObject, text string) *widget.Button {
	t.Helper()
	var found *widget.Button
	each(c, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() && found == nil {
			found = b
		}
		if b, ok := o.(*wrapButton); ok && b.Text == text && b.Visible() && found == nil {
			found = b.bg
		}
	})
	if found == nil {
		t.Fatalf("no button %q; texts: %q", text, texts(c))
	}
	return found
}

// entries returns the entries below c, in order.
func entries(c fyne.CanvasObject) []*widget.Entry {
	var out []*widget.Entry
	each(c, func(o fyne.CanvasObject) {
		if e, ok := o.(*widget.Entry); ok {
			out = append(out, e)
		}
	})
	return out
}

// texts returns the texts of the labels, buttons and rich texts below c.
func texts(c fyne.CanvasObject) []string {
	var out []string
	each(c, func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			out = append(out, v.Text)
		case *widget.Button:
			out = append(out, v.Text)
		case *wrapButton:
			out = append(out, v.Text)
		case *widget.Hyperlink:
			out = append(out, v.Text)
		}
	})
	return out
}

// hasText reports whether some label or button below c contains s.
func hasText(c fyne.CanvasObject, s string) bool {
	for _, x := range texts(c) {
		if strings.Contains(x, s) {
			return true
		}
	}
	return false
}

// Fixed recovery phrases: identities restored from them have fixed member
// IDs, for deterministic screens and markup goldens.
var testPhrases = map[string]string{
	"Ann":  "yellow face accuse giraffe game friend mention accident seven much ball ridge tree room ceiling undo describe arrest review come jungle rib hobby hat",
	"Ben":  "weekend learn donkey limb enact company moment design combine lock clock payment labor stay bunker fashion rule awkward atom pause night carbon scrap rich",
	"Cleo": "assault buyer visual teach luggage control pair alarm pass anchor tennis suit average guess display grass seek lake museum friend economy mango beyond melt",
}

// testClock is a clock that moves one second per reading from a fixed
// start, so record times are deterministic.
type testClock struct {
	mu sync.Mutex
	t  time.Time
}

func newTestClock() *testClock {
	return &testClock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

// fixedUI returns a UI showing the main screens of a member restored from
// testPhrases[name] with a fixed clock, who founded the society "Elm
// Street".
func fixedUI(t *testing.T, name string) (*UI, *node.Desktop) {
	t.Helper()
	a := test.NewTempApp(t)
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	d := node.NewDesktop(t.TempDir(), node.DesktopConfig{Offline: true, Node: node.Options{Now: newTestClock().Now}})
	u := New(a, w, d)
	t.Cleanup(func() {
		u.Close()
		d.Close()
	})
	if err := d.Restore(name, testPhrases[name], []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	if _, err := d.API().CreateSociety("Elm Street"); err != nil {
		t.Fatal(err)
	}
	u.Start()
	u.Wait()
	if u.Tabs() == nil {
		t.Fatal("the main screens are not shown")
	}
	return u, d
}

// member is another member's offline peer, for tests that need someone
// to trade with.
type member struct {
	name string
	d    *node.Desktop
	api  node.API
	id   string
}

// addMember creates a member restored from testPhrases[name] (fixed
// clock), has it join the society shown in u, and exchanges records
// through CAR files until both hold the same records.
func addMember(t *testing.T, u *UI, name string) *member {
	t.Helper()
	return addMemberAt(t, u, name, newTestClock())
}

// addMemberAt is addMember with the member's clock given.
func addMemberAt(t *testing.T, u *UI, name string, clock *testClock) *member {
	t.Helper()
	d := node.NewDesktop(t.TempDir(), node.DesktopConfig{Offline: true, Node: node.Options{Now: clock.Now}})
	t.Cleanup(func() { d.Close() })
	if err := d.Restore(name, testPhrases[name], []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	pub, err := d.Public()
	if err != nil {
		t.Fatal(err)
	}
	m := &member{name: name, d: d, api: d.API(), id: pub.MemberID}
	soc := u.Society()
	inv, err := u.api().Invite(node.InviteRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	carry(t, u.api(), m.api, soc)
	if _, err := m.api.Join(inv.Code); err != nil {
		t.Fatalf("%s joins: %v", name, err)
	}
	carry(t, m.api, u.api(), soc)
	carry(t, u.api(), m.api, soc)
	u.refreshAll()
	u.Wait()
	return m
}

// carry copies a society's records from one peer to another.
func carry(t *testing.T, from, to node.API, soc string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "records.car")
	if _, err := from.Export(node.ExportRequest{Society: soc, Path: path}); err != nil {
		t.Fatal(err)
	}
	res, err := to.Import(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) > 0 {
		t.Fatalf("import rejected %v", res.Rejected)
	}
}

// sync gives u's node and m's node the same records and refreshes u.
func (m *member) sync(t *testing.T, u *UI) {
	t.Helper()
	soc := u.Society()
	carry(t, m.api, u.api(), soc)
	carry(t, u.api(), m.api, soc)
	u.refreshAll()
	u.Wait()
}

// shownScreen returns u's main screen of type T, shown.
func shownScreen[T screen](t *testing.T, u *UI) T {
	t.Helper()
	for i, sc := range u.screens {
		if s, ok := sc.(T); ok {
			u.ShowTab(i)
			u.Wait()
			return s
		}
	}
	var zero T
	t.Fatalf("no %T screen", zero)
	return zero
}
