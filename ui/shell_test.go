package ui

import (
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"
)

// labelTexts walks the object tree below o and returns the text of every
// label it finds.
func labelTexts(o fyne.CanvasObject) []string {
	var texts []string
	var walk func(fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		switch v := o.(type) {
		case *widget.Label:
			texts = append(texts, v.Text)
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		}
	}
	walk(o)
	return texts
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func TestShellShowsWelcome(t *testing.T) {
	test.NewTempApp(t)
	w := test.NewTempWindow(t, NewShell())
	w.Resize(fyne.NewSize(640, 480))

	texts := labelTexts(w.Content())
	for _, want := range []string{"Commons", "Your society's economy, with no server."} {
		if !contains(texts, want) {
			t.Errorf("shell does not show label %q; labels found: %q", want, texts)
		}
	}
}

// TestLabelTextsDetectsAbsence makes sure the walker used above can report
// a missing label, so TestShellShowsWelcome cannot pass vacuously.
func TestLabelTextsDetectsAbsence(t *testing.T) {
	test.NewTempApp(t)
	texts := labelTexts(NewShell())
	if len(texts) == 0 {
		t.Fatal("walker found no labels in the shell")
	}
	if contains(texts, "no such label") {
		t.Fatal("walker reported a label that is not there")
	}
}
