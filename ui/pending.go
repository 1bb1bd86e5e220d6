package ui

import (
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// Home and Time bank both list the transfers waiting for my answer; these
// are the answers they share, so that the same action has the same label
// and asks the same questions on both.

// answerFunc writes an answer to a pending transfer; done says it worked.
type answerFunc func(req node.AnswerRequest, done string)

// reviewable reports whether confirming p may carry a review: a service
// the local member received.
func reviewable(p node.PendingInfo) bool {
	return p.Mode == node.ModeGive && p.Account != node.CommunityAccount && p.Minutes < 0
}

// confirmLabel is the label of the button that confirms p: with an
// ellipsis when it opens a dialog first (to ask for a review).
func confirmLabel(p node.PendingInfo) string {
	if reviewable(p) {
		return lang.L("Confirm…")
	}
	return lang.L("Confirm")
}

// confirmPending confirms p, asking first for an optional review when the
// local member received a service.
func (u *UI) confirmPending(p node.PendingInfo, answer answerFunc) {
	req := node.AnswerRequest{Society: u.Society(), ID: p.ID, Accept: true, Community: p.Account == node.CommunityAccount}
	if !reviewable(p) {
		answer(req, lang.L("Confirmed."))
		return
	}
	satisfied, unsatisfied := lang.L("Satisfied"), lang.L("Unsatisfied")
	verdict := widget.NewRadioGroup([]string{satisfied, unsatisfied}, nil)
	verdict.Horizontal = !u.PhoneLayout() // one above the other on a phone, where they are larger
	note := widget.NewEntry()
	note.SetPlaceHolder(lang.L("A few words (optional)"))
	d := dialog.NewForm(lang.L("Confirm this transfer"), lang.L("Confirm"), lang.L("Cancel"), []*widget.FormItem{
		{Text: lang.L("Transfer"), Widget: tbWrapped(pendingText(p))},
		{Text: lang.L("Review"), Widget: u.tapGroup(verdict), HintText: lang.L("Optional: how was the service?")},
		{Text: lang.L("Note"), Widget: note},
	}, func(ok bool) {
		if !ok {
			return
		}
		switch {
		case verdict.Selected != "":
			req.Review = &node.TransferReview{Satisfied: verdict.Selected == satisfied, Note: strings.TrimSpace(note.Text)}
		case strings.TrimSpace(note.Text) != "":
			req.Review = &node.TransferReview{Satisfied: true, Note: strings.TrimSpace(note.Text)}
		}
		answer(req, lang.L("Confirmed."))
	}, u.win)
	note.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(u.dialogWidth(460), d.MinSize().Height))
	d.Show()
}

// rejectPending asks for the reason of a rejection, then rejects p.
func (u *UI) rejectPending(p node.PendingInfo, answer answerFunc) {
	reason := widget.NewEntry()
	reason.SetPlaceHolder(lang.L("Why? The other side sees it."))
	reason.Validator = tbRequired
	d := dialog.NewForm(lang.L("Reject this transfer"), lang.L("Reject"), lang.L("Cancel"), []*widget.FormItem{
		{Text: lang.L("Transfer"), Widget: tbWrapped(pendingText(p))},
		{Text: lang.L("Reason"), Widget: reason},
	}, func(ok bool) {
		if !ok {
			return
		}
		answer(node.AnswerRequest{Society: u.Society(), ID: p.ID, Reason: strings.TrimSpace(reason.Text),
			Community: p.Account == node.CommunityAccount}, lang.L("Rejected."))
	}, u.win)
	reason.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(u.dialogWidth(460), d.MinSize().Height))
	d.Show()
	u.win.Canvas().Focus(reason)
}
