package ui

import (
	"fmt"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// overflows lists the visible objects below o that end past width (their
// position taken from o's origin) or are narrower than their minimum
// width: what a window of that width cuts or scrolls sideways (objects
// not laid out yet, of no width, the rows of lists, trees and tables,
// which are as wide as those, and an entry's text are left out). Only the outermost object of
// each such branch is named, with its type, first text and minimum width.
func overflows(o fyne.CanvasObject, width float32) []string {
	var out []string
	var walk func(o fyne.CanvasObject, x float32)
	walk = func(o fyne.CanvasObject, x float32) {
		if o == nil || !o.Visible() {
			return
		}
		x += o.Position().X
		var kids []fyne.CanvasObject
		switch v := o.(type) {
		case *fyne.Container:
			kids = v.Objects
		case fyne.Widget:
			if r := test.WidgetRenderer(v); r != nil {
				kids = r.Objects()
			}
		}
		if x+o.Size().Width > width+0.5 {
			out = append(out, fmt.Sprintf("%s ends at %.0f (minimum width %.0f)", describe(o), x+o.Size().Width, o.MinSize().Width))
			return
		}
		if o.Size().Width > 0 && o.Size().Width+0.5 < o.MinSize().Width {
			out = append(out, fmt.Sprintf("%s is cut to %.0f (minimum width %.0f)", describe(o), o.Size().Width, o.MinSize().Width))
			return
		}
		switch o.(type) {
		case *widget.List, *widget.Tree, *widget.Table, *widget.Entry:
			// Their rows are as wide as they are (a table scrolls, an
			// entry scrolls its text).
			return
		}
		for _, c := range kids {
			walk(c, x)
		}
	}
	walk(o, 0)
	return out
}

// describe names an object for overflows: its type, and its text if any.
func describe(o fyne.CanvasObject) string {
	s := fmt.Sprintf("%T", o)
	var text string
	each(o, func(c fyne.CanvasObject) {
		if text != "" {
			return
		}
		switch v := c.(type) {
		case *widget.Label:
			text = v.Text
		case *widget.Button:
			text = v.Text
		case *widget.Select:
			text = v.PlaceHolder
		case *widget.Entry:
			text = v.PlaceHolder
		}
	})
	if text != "" {
		s += fmt.Sprintf(" %q", text)
	}
	return s
}

// windowOverflows lists what ends past the window's width, in its
// content and its overlays (dialogs, menus).
func windowOverflows(w fyne.Window) []string {
	c := w.Canvas()
	out := overflows(c.Content(), c.Size().Width)
	for _, o := range c.Overlays().List() {
		out = append(out, overflows(o, c.Size().Width)...)
	}
	return out
}

// TestScreensFit: at 620 dp the desktop layout is shown and every main
// screen fits the window's width; at 360 dp the phone layout is shown and
// every destination (those under "More" included) fits: nothing is cut
// or scrolls sideways.
func TestScreensFit(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	w := u.Window()
	for _, c := range []struct {
		width float32
		phone bool
	}{{620, false}, {600, false}, {360, true}} {
		w.Resize(fyne.NewSize(c.width, 640))
		if u.PhoneLayout() != c.phone {
			t.Fatalf("at %v dp: phone layout %v, want %v", c.width, u.PhoneLayout(), c.phone)
		}
		for i, name := range ScreenNames {
			t.Run(fmt.Sprintf("%v/%s", c.width, name), func(t *testing.T) {
				if c.phone {
					if !u.ShowPhone(name) {
						t.Fatalf("no phone destination %q", name)
					}
				} else {
					u.ShowTab(i)
				}
				u.Wait()
				for _, o := range windowOverflows(w) {
					t.Error(o)
				}
			})
		}
	}
}

// TestPhoneDialogsFit: at 360 × 640 the dialogs of the phone's screens
// fit the window: nothing ends past its width or below its height.
func TestPhoneDialogsFit(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	w := u.Window()
	w.Resize(fyne.NewSize(360, 640))
	for _, c := range []struct{ screen, button string }{
		{"home", "Confirm…"},
		{"home", "Reject…"},
		{"timebank", "Details"},
		{"contributions", "Review…"},
		{"directory", "Add offer…"},
		{"settings", "Show recovery phrase…"},
		{"settings", "Show"}, // the 24 words, after the passphrase
	} {
		t.Run(c.screen+"/"+c.button, func(t *testing.T) {
			if !u.ShowPhone(c.screen) {
				t.Fatalf("no phone destination %q", c.screen)
			}
			u.Wait()
			if c.screen == "directory" {
				u.screens[3].(*directoryScreen).tabs.SelectIndex(1)
			}
			if c.button == "Show" {
				test.Tap(button(t, w.Content(), "Show recovery phrase…"))
				test.Type(entries(w.Canvas().Overlays().Top())[0], node.DemoPassphrase)
				test.Tap(button(t, w.Canvas().Overlays().Top(), c.button))
				u.Wait()
			} else {
				test.Tap(button(t, w.Content(), c.button))
			}
			top := w.Canvas().Overlays().Top()
			if top == nil {
				t.Fatal("no dialog")
			}
			t.Cleanup(func() {
				for w.Canvas().Overlays().Top() != nil {
					w.Canvas().Overlays().Remove(w.Canvas().Overlays().Top())
				}
			})
			if c.button == "Show" && !hasText(top, "24. ") {
				t.Fatalf("the recovery phrase is not shown: %q", texts(top))
			}
			for _, o := range overflows(top, 360) {
				t.Error(o)
			}
			each(top, func(o fyne.CanvasObject) {
				if o.Visible() && o.Size().Height > 640 {
					t.Errorf("%s is %v high", describe(o), o.Size().Height)
				}
			})
		})
	}
}
