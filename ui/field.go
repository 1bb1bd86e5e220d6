package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/widget"
)

// field is a form input with a line under it that says what is wrong
// with it: a form checks every field at once and shows each problem next
// to its field, rather than one dialog at a time. The line is hidden (and
// takes no room) while the field is fine.
type field struct {
	box *fyne.Container
	msg *widget.Label
}

// newField wraps an input for a form item.
func newField(input fyne.CanvasObject) *field {
	msg := widget.NewLabel("")
	msg.Importance = widget.DangerImportance
	msg.Wrapping = fyne.TextWrapWord
	msg.Hide()
	return &field{box: container.NewVBox(input, msg), msg: msg}
}

// check shows err under the field, or clears it when nil; it reports
// whether the field is fine.
func (f *field) check(err error) bool {
	if err == nil {
		f.msg.SetText("")
		f.msg.Hide()
		return true
	}
	f.msg.SetText(Readable(err))
	f.msg.Show()
	return false
}

// problem returns the problem shown under the field ("" when none).
func (f *field) problem() string {
	if !f.msg.Visible() {
		return ""
	}
	return f.msg.Text
}

// allFine reports whether every check passed; it is there so that a form
// runs all its checks (each showing its own problem) before it stops.
func allFine(oks ...bool) bool {
	for _, ok := range oks {
		if !ok {
			return false
		}
	}
	return true
}
