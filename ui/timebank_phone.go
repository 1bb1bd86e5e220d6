package ui

import (
	"fmt"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
)

// The time bank's phone layout: the balance, the transfers waiting for my
// answer (Confirm and Reject as large buttons) and the statement as a
// list, one line per card, with no table to scroll sideways. It shows the
// data the desktop layout loads (timeBankScreen.refresh).

type tbPhone struct {
	box     fyne.CanvasObject
	balance *widget.Label
	limits  *widget.Label
	pending *fyne.Container
	lines   *fyne.Container
}

func (s *timeBankScreen) phone() fyne.CanvasObject {
	if s.ph != nil {
		return s.ph.box
	}
	p := &tbPhone{balance: widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		limits: tbWrapped(""), pending: container.NewVBox(), lines: container.NewVBox()}
	p.balance.SizeName = theme.SizeNameHeadingText
	p.box = container.NewVScroll(container.NewPadded(container.NewVBox(
		container.NewHBox(container.NewCenter(tbHeading(lang.L("My balance"))), p.balance), p.limits,
		widget.NewSeparator(), tbHeading(lang.L("Waiting for your answer")), p.pending,
		widget.NewSeparator(), tbHeading(lang.L("Statement")), p.lines,
	)))
	s.ph = p
	return p.box
}

// showPhone puts loaded data on the phone layout.
func (s *timeBankScreen) showPhone(d *timeBankData) {
	p := s.ph
	if p == nil {
		return
	}
	p.balance.SetText(s.balance.Text)
	p.limits.SetText(s.limits.Text)
	p.pending.RemoveAll()
	if len(d.pending) == 0 {
		p.pending.Add(widget.NewLabel(lang.L("Nothing waits for your answer.")))
	}
	for _, pi := range d.pending {
		confirm := widget.NewButtonWithIcon(confirmLabel(pi), theme.ConfirmIcon(), func() { s.u.confirmPending(pi, s.answer) })
		confirm.Importance = widget.HighImportance
		reject := widget.NewButtonWithIcon(lang.L("Reject…"), theme.CancelIcon(), func() { s.u.rejectPending(pi, s.answer) })
		eff := tbWrapped(fmt.Sprintf(lang.L("Confirming changes your balance by %s."), signedHours(pi.Minutes)))
		eff.SizeName = theme.SizeNameCaptionText
		p.pending.Add(container.NewVBox(tbWrapped(tbTime(pi.Time)+" · "+pendingText(pi)), eff,
			container.NewGridWithColumns(2, confirm, reject)))
	}
	p.lines.RemoveAll()
	if len(d.statement.Lines) == 0 {
		p.lines.Add(tbWrapped(lang.L("No transfers yet.")))
	}
	for _, l := range d.statement.Lines {
		who := tbAccountName(l.Counterparty, l.CounterpartyName)
		amount := widget.NewLabelWithStyle(signedHours(l.Minutes), fyne.TextAlignTrailing, fyne.TextStyle{Bold: true})
		if l.Minutes < 0 {
			amount.Importance = widget.DangerImportance
		}
		what := tbWrapped(who + " · " + l.Skill)
		when := widget.NewLabel(fmt.Sprintf(lang.L("%s · balance %s"), tbDate(l.Time), signedHours(l.Balance)))
		when.SizeName = theme.SizeNameCaptionText
		p.lines.Add(container.NewVBox(container.NewBorder(nil, nil, nil, amount, what), when, widget.NewSeparator()))
	}
}
