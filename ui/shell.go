package ui

import (
	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// Title is the application title shown at the top of the shell.
const Title = "Commons"

// Tagline is the one-line description shown under the title.
const Tagline = "Your society's economy, with no server."

// NewShell returns the root content of the Commons window: for now a
// minimal welcome screen with the application title and tagline.
func NewShell() fyne.CanvasObject {
	title := widget.NewLabelWithStyle(Title, fyne.TextAlignCenter, fyne.TextStyle{Bold: true})
	title.SizeName = theme.SizeNameHeadingText
	tagline := widget.NewLabelWithStyle(Tagline, fyne.TextAlignCenter, fyne.TextStyle{})
	return container.NewCenter(container.NewVBox(title, tagline))
}
