package ui

import (
	"sync/atomic"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"

	"github.com/commons-society/commons/node"
)

// joinCounter is a Backend whose API counts the calls to Join.
type joinCounter struct {
	*node.Desktop
	joins atomic.Int32
}

func (b *joinCounter) API() node.API {
	if a := b.Desktop.API(); a != nil {
		return countingAPI{API: a, joins: &b.joins}
	}
	return nil
}

type countingAPI struct {
	node.API
	joins *atomic.Int32
}

func (c countingAPI) Join(code string) (*node.JoinResult, error) {
	c.joins.Add(1)
	return c.API.Join(code)
}

// TestFirstRunGarbageInviteCode: a code that cannot be read is refused at
// once, with a message in the member's terms, and the join never starts.
func TestFirstRunGarbageInviteCode(t *testing.T) {
	a := test.NewTempApp(t)
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	w := test.NewTempWindow(t, nil)
	w.Resize(fyne.NewSize(1000, 700))
	d := node.NewDesktop(t.TempDir(), node.DesktopConfig{Offline: true})
	b := &joinCounter{Desktop: d}
	u := New(a, w, b)
	t.Cleanup(func() {
		u.Close()
		d.Close()
	})
	if _, err := d.Create("Ann", []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	u.Start()
	if !hasText(w.Content(), "Join with an invite") {
		t.Fatalf("society choice not shown: %q", texts(w.Content()))
	}
	for _, code := range []string{"commons1abcdefgh", "hello", "commons1", "commons1!!!!", "  commons1mfrggzdfmztwq2lk  "} {
		es := entries(w.Content())
		es[len(es)-1].SetText(code)
		test.Tap(button(t, w.Content(), "Join"))
		// No u.Wait: the refusal must not wait for anything.
		top := overlayTop(u)
		if top == nil || !hasText(top, "This is not a valid invite code: copy the whole code") {
			t.Fatalf("code %q: no immediate refusal (overlay %v)", code, top)
		}
		for _, leak := range []string{"cbor", "base32", "malformed"} {
			if hasText(top, leak) {
				t.Errorf("code %q: the message shows internals (%s)", code, leak)
			}
		}
		if button(t, w.Content(), "Join").Disabled() {
			t.Errorf("code %q: Join left disabled", code)
		}
		dismissOverlays(u)
	}
	u.Wait()
	if n := b.joins.Load(); n != 0 {
		t.Fatalf("Join reached the node %d time(s) with garbage codes", n)
	}
	if st, err := d.API().Status(); err != nil || len(st.Societies) != 0 {
		t.Fatalf("status after garbage codes: %+v, %v", st, err)
	}
}

// TestFirstRunPassphraseRule: the create form applies the same rule as the
// command line (node.CheckNewPassphrase: characters, not bytes).
func TestFirstRunPassphraseRule(t *testing.T) {
	u, d := newTestUI(t)
	u.Start()
	w := u.Window()
	test.Tap(button(t, w.Content(), "Create my identity"))
	es := entries(w.Content())
	test.Type(es[0], "Ann")
	for _, p := range []string{"short", "1234567", "ééééééé"} {
		es[1].SetText(p)
		es[2].SetText(p)
		test.Tap(button(t, w.Content(), "Create"))
		u.Wait()
		if d.HasIdentity() {
			t.Fatalf("passphrase %q (%d characters) was accepted", p, len([]rune(p)))
		}
		// The problem shows next to the passphrase field, not in a dialog.
		if !hasText(w.Content(), "at least 8 characters") {
			t.Fatalf("passphrase %q: no message next to the field", p)
		}
	}
	es[1].SetText("éééééééé")
	es[2].SetText("éééééééé")
	test.Tap(button(t, w.Content(), "Create"))
	u.Wait()
	if !d.HasIdentity() {
		t.Fatal("a passphrase of 8 characters was refused")
	}
}
