package ui

import (
	"fmt"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// The home screen: the local member's balance with the society's limits,
// the transfers waiting for their answer (confirm or reject in place),
// the society's recent activity, and how the peer is connected and
// synced.

// homeActivityItems is how many activity items the home screen shows.
const homeActivityItems = 12

// homeZone is the time zone times are shown in (tests fix it).
var homeZone = time.Local

type homeScreen struct {
	u      *UI
	item   *container.TabItem
	scroll *container.Scroll
	// gen numbers the loads; only the latest one's result is applied.
	gen atomic.Uint64

	greeting *widget.Label
	loadErr  *widget.Label

	balanceCard *widget.Card
	balance     *canvas.Text
	pastLimit   bool
	limits      *widget.Label

	pendingCard *widget.Card
	pendingBox  *fyne.Container
	answered    *widget.Label

	activityBox *fyne.Container

	votesCard *widget.Card
	votesBox  *fyne.Container

	peers    *widget.Label
	progress *widget.ProgressBar
	catching *widget.Label
	unshared *widget.Label
}

func newHome(u *UI) screen { return &homeScreen{u: u} }

// homeWrapped is a label that wraps.
func homeWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// homeCaption is a small label.
func homeCaption(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.SizeName = theme.SizeNameCaptionText
	return l
}

func (s *homeScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	s.greeting = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.greeting.SizeName = theme.SizeNameSubHeadingText
	s.greeting.Wrapping = fyne.TextWrapWord
	s.loadErr = homeWrapped("")
	s.loadErr.Importance = widget.DangerImportance
	s.loadErr.Hide()

	s.balance = canvas.NewText("", theme.Color(theme.ColorNameForeground))
	s.balance.TextStyle = fyne.TextStyle{Bold: true}
	s.styleBalance()
	s.u.onThemeChange(s.styleBalance)
	s.limits = homeWrapped("")
	s.balanceCard = widget.NewCard(lang.L("My balance"), "", container.NewVBox(container.NewPadded(s.balance), s.limits))

	s.peers = homeWrapped("")
	s.progress = widget.NewProgressBar()
	s.progress.Hide()
	s.catching = homeCaption("")
	s.catching.Hide()
	s.unshared = homeWrapped("")
	s.unshared.Hide()
	syncCard := widget.NewCard(lang.L("Network"), "", container.NewVBox(s.peers, s.progress, s.catching, s.unshared))

	s.pendingBox = container.NewVBox()
	s.answered = widget.NewLabel("")
	s.answered.Importance = widget.SuccessImportance
	s.answered.Hide()
	s.pendingCard = widget.NewCard(lang.L("Waiting for your answer"), "", container.NewVBox(s.answered, s.pendingBox))

	s.votesBox = container.NewVBox()
	s.votesCard = widget.NewCard(lang.L("Waiting for your vote"), "", s.votesBox)

	s.activityBox = container.NewVBox()
	activityCard := widget.NewCard(lang.L("Recent activity"), "", s.activityBox)

	body := container.NewVBox(s.greeting, s.loadErr,
		sideBySide(s.balanceCard, syncCard),
		s.pendingCard, s.votesCard, activityCard)
	s.scroll = container.NewVScroll(container.NewPadded(body))
	s.item = container.NewTabItemWithIcon(lang.L("Home"), theme.HomeIcon(), s.scroll)
	return s.item
}

// homeData is what one load of the home screen reads.
type homeData struct {
	st       *node.Status
	balance  *node.BalanceInfo
	pending  []node.PendingInfo
	activity []node.ActivityItem
	votes    []node.ProposalInfo
}

func (s *homeScreen) refresh() {
	if s.item == nil {
		return
	}
	soc := s.u.Society()
	if soc == "" {
		return
	}
	gen := s.gen.Add(1)
	var d homeData
	s.u.quietly(func(api node.API) (err error) {
		if d.st, err = api.Status(); err != nil {
			return err
		}
		if d.balance, err = api.Balance(node.BalanceRequest{Society: soc}); err != nil {
			return err
		}
		if d.pending, err = api.PendingTransfers(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		if d.activity, err = api.Activity(node.ActivityRequest{Society: soc, Limit: homeActivityItems}); err != nil {
			return err
		}
		d.votes, err = waitingVotes(api, soc)
		return err
	}, func() {
		if s.gen.Load() != gen {
			return
		}
		s.loadErr.Hide()
		s.show(soc, &d)
	}, func(err error) {
		if s.gen.Load() != gen {
			return
		}
		s.loadErr.SetText(fmt.Sprintf(lang.L("Could not load this screen: %s"), Readable(err)))
		s.loadErr.Show()
		s.relayout()
	})
}

// show fills the screen from a load.
func (s *homeScreen) show(soc string, d *homeData) {
	var ss *node.SocietyStatus
	for i := range d.st.Societies {
		if d.st.Societies[i].ID == soc {
			ss = &d.st.Societies[i]
		}
	}
	name := d.st.Member.Name
	if ss != nil {
		s.greeting.SetText(fmt.Sprintf(lang.L("Hello, %s. Welcome to %s."), name, ss.Name))
	} else {
		s.greeting.SetText(fmt.Sprintf(lang.L("Hello, %s."), name))
	}
	s.showBalance(d.balance)
	s.showSync(d.st)
	s.showPending(d.pending)
	s.showVotes(d.votes)
	s.showActivity(d.activity)
	s.relayout()
}

// relayout lays the screen out again after its parts changed size.
func (s *homeScreen) relayout() {
	s.scroll.Content.Refresh()
	s.scroll.Refresh()
}

func (s *homeScreen) showBalance(b *node.BalanceInfo) {
	past := b.Minutes < b.MinMinutes || (b.MaxMinutes != nil && b.Minutes > *b.MaxMinutes)
	s.balance.Text, s.pastLimit = signedHours(b.Minutes), past
	s.styleBalance()
	var lim string
	if b.MaxMinutes != nil {
		lim = fmt.Sprintf(lang.L("The society allows balances from %s to %s."), signedHours(b.MinMinutes), signedHours(*b.MaxMinutes))
	} else {
		lim = fmt.Sprintf(lang.L("The society allows balances from %s."), signedHours(b.MinMinutes))
	}
	if past {
		lim += " " + lang.L("Your balance is past a limit: new transfers must bring it back.")
	}
	s.limits.SetText(lim)
}

// styleBalance sizes and colours the balance from the current theme (it
// is a canvas text, twice the heading size): the error colour when past a
// limit.
func (s *homeScreen) styleBalance() {
	s.balance.TextSize = 2 * theme.Size(theme.SizeNameHeadingText)
	s.balance.Color = theme.Color(theme.ColorNameForeground)
	if s.pastLimit {
		s.balance.Color = theme.Color(theme.ColorNameError)
	}
	s.balance.Refresh()
}

func (s *homeScreen) showSync(st *node.Status) {
	s.peers.SetText(NetworkSummary(st))
	if p, ok := syncProgress(st); ok {
		s.progress.SetValue(p)
		s.progress.Show()
		s.catching.SetText(fmt.Sprintf(lang.L("Catching up: %d of %d records received"), st.Network.Sync.Received, st.Network.Sync.Expected))
		s.catching.Show()
	} else {
		s.progress.Hide()
		s.catching.Hide()
	}
	if note := unsharedNote(st); note != "" {
		s.unshared.SetText(note)
		s.unshared.Show()
	} else {
		s.unshared.Hide()
	}
}

func (s *homeScreen) showPending(ps []node.PendingInfo) {
	s.pendingBox.RemoveAll()
	if len(ps) == 0 {
		s.pendingCard.SetSubTitle("")
		s.pendingBox.Add(widget.NewLabel(lang.L("Nothing waits for your answer.")))
		return
	}
	if len(ps) == 1 {
		s.pendingCard.SetSubTitle(lang.L("1 transfer"))
	} else {
		s.pendingCard.SetSubTitle(fmt.Sprintf(lang.L("%d transfers"), len(ps)))
	}
	for i, p := range ps {
		if i > 0 {
			s.pendingBox.Add(widget.NewSeparator())
		}
		s.pendingBox.Add(s.pendingRow(p))
	}
}

// pendingRow is one transfer waiting for my answer, with Confirm and
// Reject.
func (s *homeScreen) pendingRow(p node.PendingInfo) fyne.CanvasObject {
	text := homeWrapped(pendingText(p))
	effect := fmt.Sprintf(lang.L("Confirming changes your balance by %s."), signedHours(p.Minutes))
	if p.Account == node.CommunityAccount {
		effect = fmt.Sprintf(lang.L("Confirming changes the community account by %s."), signedHours(p.Minutes))
	}
	eff := homeCaption(effect)
	var confirm, reject *widget.Button
	busy := func(on bool) {
		if on {
			confirm.Disable()
			reject.Disable()
		} else {
			confirm.Enable()
			reject.Enable()
		}
	}
	answer := func(req node.AnswerRequest, done string) { s.answer(req, done, busy) }
	confirm = widget.NewButtonWithIcon(confirmLabel(p), theme.ConfirmIcon(), func() { s.u.confirmPending(p, answer) })
	confirm.Importance = widget.HighImportance
	reject = widget.NewButtonWithIcon(lang.L("Reject…"), theme.CancelIcon(), func() { s.u.rejectPending(p, answer) })
	return container.NewVBox(text, eff, container.NewHBox(confirm, reject))
}

// answer writes an answer, then reloads the screens; a failure changes
// nothing and is shown in a dialog.
func (s *homeScreen) answer(req node.AnswerRequest, done string, busy func(bool)) {
	busy(true)
	s.u.quietly(func(api node.API) error {
		_, err := api.AnswerTransfer(req)
		return err
	}, func() {
		s.answered.SetText(done)
		s.answered.Show()
		s.relayout()
		s.u.refreshAll()
	}, func(err error) {
		busy(false)
		s.u.showError(err)
	})
}

// waitingVotes lists the open proposals where the member may vote and
// has not: the node answers both from the ledger (the proposal's
// electorate as the count takes it, and the member's own counted ballot).
func waitingVotes(api node.API, soc string) ([]node.ProposalInfo, error) {
	ps, err := api.ProposalList(node.ProposalsRequest{Society: soc})
	if err != nil {
		return nil, err
	}
	out := []node.ProposalInfo{}
	for _, p := range ps {
		if p.Status == node.ProposalOpen && p.MayVote && !p.Voted {
			out = append(out, p)
		}
	}
	return out, nil
}

// showVotes lists the proposals waiting for my vote; tapping one opens it
// on the governance screen.
func (s *homeScreen) showVotes(ps []node.ProposalInfo) {
	rows := make([]fyne.CanvasObject, len(ps))
	for i, p := range ps {
		open := newWrapButton(p.Title, theme.NavigateNextIcon(), func() { s.u.openProposal(p.Council, p.ID) })
		rows[i] = container.NewVBox(open, homeCaption(fmt.Sprintf(lang.L("%s · closes %s"), govMethodName(p.Method), homeTime(p.Closes))))
	}
	homeList(s.votesBox, lang.L("Nothing waits for your vote."), rows)
}

// homeList fills a card's box with rows, or a line saying there are none.
func homeList(box *fyne.Container, empty string, rows []fyne.CanvasObject) {
	box.RemoveAll()
	if len(rows) == 0 {
		box.Add(widget.NewLabel(empty))
	}
	for _, r := range rows {
		box.Add(r)
	}
}

// openProposal shows a proposal on the governance screen.
func (u *UI) openProposal(council, id string) {
	for i, sc := range u.screens {
		if g, ok := sc.(*govScreen); ok {
			u.ShowTab(i)
			g.OpenProposal(council, id)
			return
		}
	}
}

func (s *homeScreen) showActivity(items []node.ActivityItem) {
	rows := make([]fyne.CanvasObject, len(items))
	for i, it := range items {
		when := homeCaption(homeTime(it.Time))
		rows[i] = container.NewBorder(nil, nil, when, nil, homeWrapped(homeActivityText(it)))
	}
	homeList(s.activityBox, lang.L("Nothing has happened yet."), rows)
}

// homeTime shows an RFC 3339 time as date and minute.
func homeTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(homeZone).Format("2006-01-02 15:04")
}

// pendingText says what a pending transfer is (Home and Time bank).
func pendingText(p node.PendingInfo) string {
	other := p.ProposerName
	if p.Pool {
		other = lang.L("The community account")
	}
	amount := hoursText(max(p.Minutes, -p.Minutes))
	var s string
	switch {
	case p.Mode == node.ModeGive && p.Account == node.CommunityAccount:
		s = fmt.Sprintf(lang.L("%s says they gave the community account %s of %s."), other, amount, p.Skill)
	case p.Mode == node.ModeGive:
		s = fmt.Sprintf(lang.L("%s says they gave you %s of %s."), other, amount, p.Skill)
	default:
		s = fmt.Sprintf(lang.L("%s pays you %s for %s."), other, amount, p.Skill)
	}
	if len(p.Legs) > 1 {
		s += " " + fmt.Sprintf(lang.L("(A group session of %d.)"), len(p.Legs))
	}
	if p.Note != "" {
		s += " " + fmt.Sprintf(lang.L("Note: %s"), p.Note)
	}
	return s
}

// homeActivityText says an activity item in the app's language.
func homeActivityText(it node.ActivityItem) string {
	who, other := it.Name, it.CounterpartyName
	if it.Counterparty == node.CommunityAccount {
		other = lang.L("the community account")
	}
	amount := hoursText(it.Minutes)
	switch it.Kind {
	case node.ActivityFounded:
		return fmt.Sprintf(lang.L("%s founded %s"), who, it.Detail)
	case node.ActivityJoined:
		return fmt.Sprintf(lang.L("%s joined"), who)
	case node.ActivityLeft:
		return fmt.Sprintf(lang.L("%s left the society"), who)
	case node.ActivityRemoved:
		if it.Detail != "" {
			return fmt.Sprintf(lang.L("%s removed %s: %s"), who, other, it.Detail)
		}
		return fmt.Sprintf(lang.L("%s removed %s"), who, other)
	case node.ActivityProfile:
		return fmt.Sprintf(lang.L("%s updated their profile"), who)
	case node.ActivityOffered:
		if it.Detail != "" {
			return fmt.Sprintf(lang.L("%s offers %s: %s"), who, it.Skill, it.Detail)
		}
		return fmt.Sprintf(lang.L("%s offers %s"), who, it.Skill)
	case node.ActivityRequested:
		if it.Detail != "" {
			return fmt.Sprintf(lang.L("%s asks for %s: %s"), who, it.Skill, it.Detail)
		}
		return fmt.Sprintf(lang.L("%s asks for %s"), who, it.Skill)
	case node.ActivityListingClosed:
		if it.Mode == node.KindRequest {
			return fmt.Sprintf(lang.L("%s closed their request for %s"), who, it.Skill)
		}
		return fmt.Sprintf(lang.L("%s closed their offer of %s"), who, it.Skill)
	case node.ActivityTransfer:
		switch {
		case it.Pool:
			return fmt.Sprintf(lang.L("%s paid %s %s of %s from the community account"), who, other, amount, it.Skill)
		case it.Mode == node.ModePay && it.Counterparty == node.CommunityAccount:
			return fmt.Sprintf(lang.L("%s donated %s to the community account"), who, amount)
		case it.Mode == node.ModePay:
			return fmt.Sprintf(lang.L("%s logged %s of %s received from %s"), who, amount, it.Skill, other)
		}
		return fmt.Sprintf(lang.L("%s logged %s of %s given to %s"), who, amount, it.Skill, other)
	case node.ActivityConfirmed:
		return fmt.Sprintf(lang.L("%s confirmed %s of %s with %s"), who, amount, it.Skill, other)
	case node.ActivityRejected:
		return fmt.Sprintf(lang.L("%s rejected %s of %s with %s: %s"), who, amount, it.Skill, other, it.Detail)
	case node.ActivityDisputed:
		if it.Reverse {
			return fmt.Sprintf(lang.L("%s agreed to reverse %s of %s with %s"), who, amount, it.Skill, other)
		}
		return fmt.Sprintf(lang.L("%s disputed %s of %s with %s: %s"), who, amount, it.Skill, other, it.Detail)
	case node.ActivityContribution:
		return fmt.Sprintf(lang.L("%s contributed %s of %s: %s"), who, amount, it.Skill, it.Detail)
	case node.ActivityReview:
		return fmt.Sprintf(lang.L("%s reviewed the contribution of %s in %s: quality %d/5, impact %d/5"), who, other, it.Skill, it.Quality, it.Impact)
	case node.ActivitySettings:
		return fmt.Sprintf(lang.L("%s changed the society's settings"), who)
	}
	return it.Text
}
