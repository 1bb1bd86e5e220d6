package ui

import (
	"strings"
	"testing"

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
