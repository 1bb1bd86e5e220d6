package ui

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// The governance screen: the councils as a tree (the society at the root),
// joining and leaving open councils, the selected council's proposals, a
// proposal's ballot for its method and its result (provisional until
// final), a form to put a new proposal, and the local member's
// delegation in the council. Ballots are in governance_ballot.go,
// results in governance_result.go, the proposal form in
// governance_form.go.

// govScreen is the governance screen.
type govScreen struct {
	u    *UI
	item *container.TabItem
	// gen numbers the loads; only the latest one's result is applied.
	gen atomic.Uint64

	loadErr *widget.Label

	// The councils.
	tree     *widget.Tree
	councils map[string]node.Council
	children map[string][]string
	council  string // the council selected
	about    *widget.Label
	// councilCard is the selected council's whole line (the tree may cut it).
	councilCard *widget.Label
	join        *widget.Button
	leave       *widget.Button

	tabs *container.AppTabs

	// The selected council's proposals.
	listHead *widget.Label
	list     *fyne.Container
	props    []node.ProposalInfo

	// The proposal shown.
	proposal   string
	detail     *node.ProposalDetail
	detailHead *widget.Label
	detailInfo *widget.Label
	ballotBox  *fyne.Container
	ballot     *govBallot
	ballotMsg  *field
	vote       *widget.Button
	voted      *widget.Label
	resultBox  *fyne.Container

	form *govForm

	// Delegation in the selected council.
	delegTo    *widget.Select
	delegIDs   map[string]string // choice → member ID
	delegTopic *widget.Entry
	delegMsg   *field
	delegDone  *widget.Label
	// The delegations in effect in the council: mine (each with its
	// revoke button) and those given to me.
	delegGiven    *fyne.Container
	delegReceived *fyne.Container

	names map[string]string // member ID → name
	// councilNames names every council, dissolved ones too (for the
	// actions of proposals).
	councilNames map[string]string
	// settings are the society's settings in force (the form's settings
	// action starts from them).
	settings node.SocietySettings

	// scrolls are the tabs' scrolls, laid out again after their content
	// changes size.
	scrolls []*container.Scroll
}

// scroll makes a tab's scroll and keeps it for relayout.
func (s *govScreen) scroll(content fyne.CanvasObject) *container.Scroll {
	sc := container.NewVScroll(content)
	s.scrolls = append(s.scrolls, sc)
	return sc
}

// relayout lays the tabs out again after their parts changed size.
func (s *govScreen) relayout() {
	for _, sc := range s.scrolls {
		sc.Content.Refresh()
		sc.Refresh()
	}
}

func newGovernance(u *UI) screen { return &govScreen{u: u, council: node.RootCouncil} }

// govWrapped is a label that wraps at word boundaries.
func govWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

// govHeading is a bold label.
func govHeading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

func (s *govScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	s.loadErr = govWrapped("")
	s.loadErr.Importance = widget.DangerImportance
	s.loadErr.Hide()
	s.councils = map[string]node.Council{}
	s.children = map[string][]string{}
	s.names = map[string]string{}
	s.tree = widget.NewTree(
		func(id widget.TreeNodeID) []widget.TreeNodeID {
			if id == "" {
				return []string{node.RootCouncil}
			}
			return s.children[id]
		},
		func(id widget.TreeNodeID) bool { return id == "" || len(s.children[id]) > 0 },
		func(bool) fyne.CanvasObject {
			// A council's line is cut with an ellipsis where the tree is
			// narrow; the council's card below the tree shows it whole.
			l := widget.NewLabel("")
			l.Truncation = fyne.TextTruncateEllipsis
			return s.u.tap(l)
		},
		func(id widget.TreeNodeID, _ bool, o fyne.CanvasObject) {
			o.(*tapTarget).obj.(*widget.Label).SetText(s.councilLine(id))
		})
	s.tree.OnSelected = func(id widget.TreeNodeID) {
		if id != s.council {
			s.council, s.proposal, s.detail = id, "", nil
			s.tabs.SelectIndex(0)
			s.refresh()
		}
	}
	s.councilCard = govWrapped("")
	s.councilCard.TextStyle = fyne.TextStyle{Bold: true}
	s.about = govWrapped("")
	s.join = widget.NewButtonWithIcon(lang.L("Join council"), theme.ContentAddIcon(), func() { s.membership(true) })
	s.leave = widget.NewButtonWithIcon(lang.L("Leave council"), theme.LogoutIcon(), func() { s.membership(false) })
	s.join.Hide()
	s.leave.Hide()
	left := container.NewBorder(govHeading(lang.L("Councils")), container.NewVBox(widget.NewSeparator(), s.councilCard, s.about,
		container.NewHBox(s.u.taps(s.join, s.leave)...)), nil, nil, s.tree)

	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Proposals"), theme.ListIcon(), s.listTab()),
		container.NewTabItemWithIcon(lang.L("Proposal"), theme.DocumentIcon(), s.detailTab()),
		container.NewTabItemWithIcon(lang.L("New proposal"), theme.ContentAddIcon(), s.formTab()),
		container.NewTabItemWithIcon(lang.L("Delegation"), theme.AccountIcon(), s.delegTab()),
	)
	split := container.NewHSplit(left, s.tabs)
	split.Offset = 0.38
	s.item = container.NewTabItemWithIcon(lang.L("Governance"), theme.GridIcon(),
		container.NewBorder(s.loadErr, nil, nil, nil, adaptiveSplit(split)))
	return s.item
}

func (s *govScreen) listTab() fyne.CanvasObject {
	s.listHead = govHeading("")
	s.listHead.Wrapping = fyne.TextWrapWord
	s.list = container.NewVBox()
	top := container.NewVBox(s.listHead, govWrapped(lang.L("Proposals put to this council, newest first. Results are provisional until final.")))
	return container.NewBorder(top, nil, nil, nil, s.scroll(s.list))
}

func (s *govScreen) detailTab() fyne.CanvasObject {
	s.detailHead = govHeading(lang.L("Choose a proposal in the list."))
	s.detailHead.Wrapping = fyne.TextWrapWord
	s.detailInfo = govWrapped("")
	s.ballotBox = container.NewVBox()
	s.ballotMsg = newField(s.ballotBox)
	s.vote = widget.NewButtonWithIcon(lang.L("Vote"), theme.ConfirmIcon(), s.sendVote)
	s.vote.Importance = widget.HighImportance
	s.vote.Hide()
	s.voted = widget.NewLabel("")
	s.voted.Importance = widget.SuccessImportance
	s.voted.Hide()
	s.resultBox = container.NewVBox()
	return s.scroll(container.NewVBox(s.detailHead, s.detailInfo, widget.NewSeparator(),
		s.ballotMsg.box, container.NewHBox(s.u.tap(s.vote), s.voted), widget.NewSeparator(), s.resultBox))
}

func (s *govScreen) delegTab() fyne.CanvasObject {
	s.delegIDs = map[string]string{}
	s.delegTo = widget.NewSelect(nil, nil)
	s.delegTo.PlaceHolder = lang.L("Choose a member")
	redrawOnThemeChange(s.u, s.delegTo)
	s.delegTopic = widget.NewEntry()
	s.delegTopic.SetPlaceHolder(lang.L("Every topic (or name one)"))
	s.delegMsg = newField(s.u.tap(s.delegTo))
	s.delegDone = widget.NewLabel("")
	s.delegDone.Importance = widget.SuccessImportance
	s.delegDone.Hide()
	give := widget.NewButtonWithIcon(lang.L("Delegate"), theme.ConfirmIcon(), func() { s.delegate(true) })
	give.Importance = widget.HighImportance
	take := widget.NewButtonWithIcon(lang.L("Undelegate"), theme.CancelIcon(), func() { s.delegate(false) })
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Delegate to")), s.delegMsg.box,
		widget.NewLabel(lang.L("Topic")), s.u.tap(s.delegTopic))
	intro := govWrapped(lang.L("Give your vote in this council to a member you trust, for every topic or one. They vote for you until you undelegate; your own vote on a proposal always counts instead."))
	s.delegGiven = container.NewVBox()
	s.delegReceived = container.NewVBox()
	return s.scroll(container.NewVBox(govHeading(lang.L("Your delegation in this council")), s.delegGiven,
		widget.NewSeparator(), intro, form, container.NewHBox(s.u.taps(give, take)...), s.delegDone,
		widget.NewSeparator(), govHeading(lang.L("Members who give you their vote here")), s.delegReceived))
}

// govTopic names a delegation's topic.
func govTopic(topic string) string {
	if topic == "" {
		return lang.L("Every topic")
	}
	return fmt.Sprintf(lang.L("Topic %s"), topic)
}

// showDelegations shows the delegations in effect in the council: mine,
// each with a button revoking it, and those given to me.
func (s *govScreen) showDelegations(d *node.DelegationsInfo) {
	s.delegGiven.RemoveAll()
	if len(d.Given) == 0 {
		s.delegGiven.Add(govWrapped(lang.L("You vote for yourself in this council: you have not delegated your vote.")))
	}
	for _, x := range d.Given {
		topic := x.Topic
		line := govWrapped(fmt.Sprintf(lang.L("%s: %s votes for you, since %s."), govTopic(x.Topic), s.memberName(x.To), tbTime(x.Since)))
		revoke := widget.NewButtonWithIcon(lang.L("Revoke"), theme.CancelIcon(), func() { s.revoke(topic) })
		s.delegGiven.Add(container.NewBorder(nil, nil, nil, s.u.tap(revoke), line))
	}
	s.delegReceived.RemoveAll()
	if len(d.Received) == 0 {
		s.delegReceived.Add(govWrapped(lang.L("Nobody gives you their vote in this council.")))
	}
	for _, x := range d.Received {
		s.delegReceived.Add(govWrapped(fmt.Sprintf(lang.L("%s: %s, since %s."), govTopic(x.Topic), s.memberName(x.From), tbTime(x.Since))))
	}
}

// councilLine is a council's line in the tree: name, kind and membership
// rule.
func (s *govScreen) councilLine(id string) string {
	c, ok := s.councils[id]
	if !ok {
		return id
	}
	name := c.Name
	if id == node.RootCouncil {
		name = lang.L("The society")
	}
	return fmt.Sprintf("%s · %s · %s", name, govKind(c.Kind), govRule(c.Membership))
}

// govKind names a council kind.
func govKind(k string) string {
	switch k {
	case node.CouncilWorkers:
		return lang.L("workers")
	case node.CouncilConsumers:
		return lang.L("consumers")
	case node.CouncilGeneral:
		return lang.L("general")
	}
	return k
}

// govRule names a membership rule.
func govRule(r string) string {
	switch r {
	case node.MembershipOpen:
		return lang.L("open")
	case node.MembershipInvitation:
		return lang.L("by invitation")
	case node.MembershipElection:
		return lang.L("elected")
	}
	return r
}

// govStatus names a proposal status.
func govStatus(st string) string {
	switch st {
	case node.ProposalScheduled:
		return lang.L("scheduled")
	case node.ProposalOpen:
		return lang.L("open")
	case node.ProposalClosing:
		return lang.L("closing")
	case node.ProposalFinal:
		return lang.L("final")
	}
	return st
}

// govData is what one load of the screen reads.
type govData struct {
	councils []node.Council
	members  []node.MemberInfo
	council  *node.CouncilDetail
	detail   *node.ProposalDetail
	delegs   *node.DelegationsInfo
	settings node.SocietySettings
}

func (s *govScreen) refresh() {
	if s.item == nil {
		return
	}
	soc := s.u.Society()
	if soc == "" {
		return
	}
	gen := s.gen.Add(1)
	council, proposal := s.council, s.proposal
	var d govData
	s.u.quietly(func(api node.API) (err error) {
		if d.councils, err = api.CouncilList(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		if d.members, err = api.Members(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		if !slices.ContainsFunc(d.councils, func(c node.Council) bool { return c.ID == council }) {
			council, proposal = node.RootCouncil, ""
		}
		if d.council, err = api.CouncilShow(node.CouncilRequest{Society: soc, Council: council}); err != nil {
			return err
		}
		if d.delegs, err = api.Delegations(node.DelegationsRequest{Society: soc, Council: council}); err != nil {
			return err
		}
		st, err := api.Status()
		if err != nil {
			return err
		}
		for _, ss := range st.Societies {
			if ss.ID == soc {
				d.settings = ss.Settings
			}
		}
		if proposal != "" {
			d.detail, err = api.ProposalShow(node.ProposalIDRequest{Society: soc, ID: proposal})
		}
		return err
	}, func() {
		if s.gen.Load() != gen {
			return
		}
		s.loadErr.Hide()
		s.show(&d)
	}, func(err error) {
		if s.gen.Load() != gen {
			return
		}
		s.loadErr.SetText(fmt.Sprintf(lang.L("Could not load this screen: %s"), Readable(err)))
		s.loadErr.Show()
	})
}

// show fills the screen from a load.
func (s *govScreen) show(d *govData) {
	me := s.u.Me().MemberID
	s.names = map[string]string{}
	s.delegIDs = map[string]string{}
	var choices []string
	for _, m := range d.members {
		s.names[m.ID] = m.Name
		if m.ID != me && m.Status == node.MemberActive {
			label := m.Name
			if _, dup := s.delegIDs[label]; dup {
				label = fmt.Sprintf("%s (%s)", m.Name, tbShortID(m.ID))
			}
			s.delegIDs[label] = m.ID
			choices = append(choices, label)
		}
	}
	s.delegTo.SetOptions(choices)

	s.settings = d.settings
	s.councils = map[string]node.Council{}
	s.children = map[string][]string{}
	s.councilNames = map[string]string{node.RootCouncil: lang.L("The society")}
	for _, c := range d.councils {
		if c.ID != node.RootCouncil {
			s.councilNames[c.ID] = c.Name
		}
		if c.Dissolved {
			continue
		}
		s.councils[c.ID] = c
		if c.ID != node.RootCouncil {
			p := c.Parent
			if p == "" {
				p = node.RootCouncil
			}
			s.children[p] = append(s.children[p], c.ID)
		}
	}
	c := d.council.Council
	s.council = c.ID
	s.tree.Refresh()
	s.tree.OpenAllBranches()
	s.tree.Select(c.ID)
	s.showCouncil(c, me)
	s.showDelegations(d.delegs)
	s.showList(d.council.Proposals)
	if d.detail != nil && d.detail.Info.Council == c.ID {
		s.showDetail(d.detail, s.detail == nil || s.detail.Info.ID != d.detail.Info.ID)
	} else if d.detail == nil {
		s.proposal, s.detail = "", nil
		s.clearDetail()
	}
	if s.form != nil {
		s.form.setCouncil(c.ID, s.councilLine(c.ID))
	}
	s.relayout()
}

// showCouncil describes the selected council and offers join or leave.
func (s *govScreen) showCouncil(c node.Council, me string) {
	var text string
	if c.ID == node.RootCouncil {
		text = lang.L("Every member of the society belongs to it.")
	} else {
		text = fmt.Sprintf(lang.L("%d members; members come in: %s."), len(c.Members), govRule(c.Membership))
		if c.Seats > 0 {
			text += " " + fmt.Sprintf(lang.L("%d seats."), c.Seats)
		}
	}
	in := slices.Contains(c.Members, me)
	if c.ID != node.RootCouncil && in {
		text += " " + lang.L("You are a member.")
	}
	s.councilCard.SetText(s.councilLine(c.ID))
	s.about.SetText(text)
	s.join.Hidden = c.ID == node.RootCouncil || in || c.Membership != node.MembershipOpen
	s.leave.Hidden = c.ID == node.RootCouncil || !in
	s.join.Refresh()
	s.leave.Refresh()
}

// proposalLine is a proposal's summary under its title.
func proposalLine(p node.ProposalInfo) string {
	st := govStatus(p.Status)
	if p.Provisional {
		st += " · " + lang.L("provisional")
	}
	if p.Status == node.ProposalFinal {
		switch {
		case !hasOptions(p.Method) && p.Passed:
			st += " · " + lang.L("passed")
		case !hasOptions(p.Method):
			st += " · " + lang.L("not passed")
		case len(p.Winners) > 0 && p.Ballots > 0:
			st += " · " + fmt.Sprintf(lang.L("chosen: %s"), strings.Join(p.Winners, ", "))
		}
	}
	return fmt.Sprintf(lang.L("%s · %s · %d of %d voted · closes %s"), govMethodName(p.Method), st, p.Ballots, p.Electorate, tbTime(p.Closes))
}

func (s *govScreen) showList(ps []node.ProposalInfo) {
	s.props = ps
	s.listHead.SetText(s.councilLine(s.council))
	s.list.RemoveAll()
	if len(ps) == 0 {
		s.list.Add(widget.NewLabel(lang.L("No proposals in this council yet.")))
	}
	for _, p := range ps {
		open := newWrapButton(p.Title, nil, func() { s.open(p.ID) })
		line := govWrapped(proposalLine(p))
		line.SizeName = theme.SizeNameCaptionText
		s.list.Add(container.NewVBox(s.u.tap(open), line))
	}
	s.list.Refresh()
}

// open shows a proposal in the Proposal tab.
func (s *govScreen) open(id string) {
	s.proposal = id
	s.tabs.SelectIndex(1)
	s.refresh()
}

// OpenProposal selects a proposal's council and shows the proposal (the
// home screen's waiting votes use it).
func (s *govScreen) OpenProposal(council, id string) {
	s.council, s.proposal, s.detail = council, id, nil
	if s.tabs != nil {
		s.tabs.SelectIndex(1)
	}
	s.refresh()
}

func (s *govScreen) clearDetail() {
	s.detailHead.SetText(lang.L("Choose a proposal in the list."))
	s.detailInfo.SetText("")
	s.ballotBox.RemoveAll()
	s.ballot = nil
	s.ballotMsg.check(nil)
	s.vote.Hide()
	s.voted.Hide()
	s.resultBox.RemoveAll()
}

// myBallot is the local member's own counted ballot, if any.
func myBallot(d *node.ProposalDetail, me string) *node.Ballot {
	if d.Result == nil {
		return nil
	}
	for _, b := range d.Result.Ballots {
		if b.Voter == me && b.Via == "" {
			return &b.Ballot
		}
	}
	return nil
}

// showDetail shows a proposal; the ballot is rebuilt only for a newly
// shown proposal (fresh), so that a refresh does not undo a ballot being
// filled.
func (s *govScreen) showDetail(d *node.ProposalDetail, fresh bool) {
	s.detail = d
	info := d.Info
	s.detailHead.SetText(info.Title)
	text := proposalLine(info)
	if d.Proposal.Topic != "" {
		text += "\n" + fmt.Sprintf(lang.L("Topic: %s"), d.Proposal.Topic)
	}
	text += "\n" + fmt.Sprintf(lang.L("Opens %s, closes %s."), tbTime(info.Opens), tbTime(info.Closes))
	text += "\n" + govFinality(info)
	if d.Proposal.Text != "" {
		text += "\n\n" + d.Proposal.Text
	}
	if len(d.Actions) > 0 {
		head := lang.L("If it passes:")
		if info.Status == node.ProposalFinal {
			head = lang.L("What it did:")
		}
		lines := []string{head}
		for _, a := range d.Actions {
			lines = append(lines, "• "+govActionLine(a, s.memberName, s.councilName))
		}
		text += "\n\n" + strings.Join(lines, "\n")
	}
	s.detailInfo.SetText(text)
	me := s.u.Me().MemberID
	if fresh || s.ballot == nil {
		s.ballotBox.RemoveAll()
		s.ballotMsg.check(nil)
		s.voted.Hide()
		s.ballot = nil
		if info.Status == node.ProposalOpen {
			s.ballot = newGovBallot(&d.Proposal, myBallot(d, me), s.u)
			s.ballotBox.Add(govHeading(lang.L("Your ballot")))
			s.ballotBox.Add(s.ballot.obj)
		} else {
			s.ballotBox.Add(govWrapped(lang.L("Voting is not open: no ballot to cast.")))
		}
	}
	s.vote.Hidden = s.ballot == nil
	s.vote.Refresh()
	s.resultBox.RemoveAll()
	s.resultBox.Add(govResult(d, s.memberName))
	s.resultBox.Refresh()
}

// councilName names a council by ID (the ID when unknown).
func (s *govScreen) councilName(id string) string {
	if n, ok := s.councilNames[id]; ok && n != "" {
		return n
	}
	return id
}

// govFinality says when the result is final: peers close the proposal
// from its close time plus the grace, and the result is final a grace
// after the first close; provisional until then.
func govFinality(info node.ProposalInfo) string {
	grace := info.Grace
	if d, err := time.ParseDuration(info.Grace); err == nil {
		grace = hoursText(int64(d / time.Minute))
	}
	switch {
	case info.Status == node.ProposalFinal:
		return fmt.Sprintf(lang.L("Final since %s (the first close plus the grace of %s; closes counted: %d)."), tbTime(info.FinalAt), grace, info.ClosedBy)
	case info.ClosedBy > 0:
		return fmt.Sprintf(lang.L("Closed by %d peers so far; final at %s (the first close plus the grace of %s). Provisional until then."),
			info.ClosedBy, tbTime(info.FinalAt), grace)
	}
	return fmt.Sprintf(lang.L("Peers close it from %s (its close time plus a grace of %s); the result is final a grace after the first close, provisional until then."),
		tbTime(info.ClosableFrom), grace)
}

// memberName names a member by ID (the short ID when unknown).
func (s *govScreen) memberName(id string) string {
	if n, ok := s.names[id]; ok && n != "" {
		return n
	}
	return tbShortID(id)
}

// sendVote checks the ballot on the device, then sends it; problems show
// next to the ballot and nothing is written.
func (s *govScreen) sendVote() {
	if s.ballot == nil || s.detail == nil {
		return
	}
	req, err := s.ballot.request()
	ok := s.ballotMsg.check(err)
	s.relayout()
	if !ok {
		return
	}
	req.Society, req.ID = s.u.Society(), s.detail.Info.ID
	s.voted.Hide()
	s.u.quietly(func(api node.API) error {
		_, err := api.Vote(req)
		return err
	}, func() {
		s.ballotMsg.check(nil)
		s.voted.SetText(lang.L("Your vote is recorded. You may change it until voting closes."))
		s.voted.Show()
		s.relayout()
		s.refresh()
	}, func(err error) {
		s.ballotMsg.check(err)
		s.relayout()
	})
}

// membership joins or leaves the selected council.
func (s *govScreen) membership(join bool) {
	req := node.CouncilRequest{Society: s.u.Society(), Council: s.council}
	s.u.async(func(api node.API) error {
		if join {
			return api.CouncilJoin(req)
		}
		return api.CouncilLeave(req)
	}, s.refresh)
}

// delegate gives or revokes the local member's delegation in the selected
// council.
func (s *govScreen) delegate(give bool) {
	s.sendDelegation(give, strings.TrimSpace(s.delegTopic.Text))
}

// revoke revokes the local member's delegation for a topic (every topic
// when empty) in the selected council.
func (s *govScreen) revoke(topic string) { s.sendDelegation(false, topic) }

// sendDelegation gives (to the member chosen) or revokes the local
// member's delegation for a topic in the selected council.
func (s *govScreen) sendDelegation(give bool, topic string) {
	req := node.DelegateRequest{Society: s.u.Society(), Council: s.council, Topic: topic}
	s.delegDone.Hide()
	if give {
		id, ok := s.delegIDs[s.delegTo.Selected]
		if !s.delegMsg.check(govErrIf(!ok, lang.L("Choose the member who votes for you."))) {
			s.relayout()
			return
		}
		req.To = id
	}
	s.u.quietly(func(api node.API) error {
		if give {
			return api.Delegate(req)
		}
		return api.Undelegate(req)
	}, func() {
		s.delegMsg.check(nil)
		var done string
		switch {
		case give && req.Topic != "":
			done = fmt.Sprintf(lang.L("%s now votes for you in this council on %s."), s.delegTo.Selected, req.Topic)
		case give:
			done = fmt.Sprintf(lang.L("%s now votes for you in this council."), s.delegTo.Selected)
		case req.Topic != "":
			done = fmt.Sprintf(lang.L("Your delegation on %s is revoked."), req.Topic)
		default:
			done = lang.L("Your delegation is revoked: you vote for yourself.")
		}
		s.delegDone.SetText(done)
		s.delegDone.Show()
		s.relayout()
		s.refresh()
	}, func(err error) {
		s.delegMsg.check(err)
		s.relayout()
	})
}

// govErrIf is an error with the message when bad, nil otherwise.
func govErrIf(bad bool, msg string) error {
	if bad {
		return errors.New(msg)
	}
	return nil
}

// govMethodName names a voting method.
func govMethodName(m string) string {
	switch m {
	case node.MethodYesNo:
		return lang.L("Yes / no")
	case node.MethodConsent:
		return lang.L("Consent")
	case node.MethodConsensus:
		return lang.L("Consensus")
	case node.MethodApproval:
		return lang.L("Approval")
	case node.MethodScore:
		return lang.L("Score")
	case node.MethodDots:
		return lang.L("Dot voting")
	case node.MethodQuadratic:
		return lang.L("Quadratic")
	case node.MethodIRV:
		return lang.L("Instant runoff")
	case node.MethodSTV:
		return lang.L("Single transferable vote")
	case node.MethodSchulze:
		return lang.L("Schulze")
	case node.MethodBudgetMES:
		return lang.L("Budget (equal shares)")
	case node.MethodBudgetGreedy:
		return lang.L("Budget (most approved)")
	}
	return m
}

// govMethodHelp explains a voting method in one sentence.
func govMethodHelp(m string) string {
	switch m {
	case node.MethodYesNo:
		return lang.L("Members answer yes, no or abstain; it passes when enough take part (quorum) and the yes share of yes and no reaches the threshold.")
	case node.MethodConsent:
		return lang.L("It passes unless a member's objection, which needs a reason, still stands when voting closes.")
	case node.MethodConsensus:
		return lang.L("Members agree, abstain, disagree or block with a reason; a block fails it, otherwise it passes when more agree than disagree.")
	case node.MethodApproval:
		return lang.L("Members tick every option they accept; the options with the most ticks win.")
	case node.MethodScore:
		return lang.L("Members give each option a score from 0 to the maximum; the highest totals win.")
	case node.MethodDots:
		return lang.L("Each member spreads a number of dots over the options; the options with the most dots win.")
	case node.MethodQuadratic:
		return lang.L("Each member has voice credits; n votes on an option cost n² credits, so strong preferences cost more.")
	case node.MethodIRV:
		return lang.L("Members rank the options; the last is eliminated round by round until one has a majority.")
	case node.MethodSTV:
		return lang.L("Members rank the candidates; several seats are filled by quota, surplus and eliminated votes moving to next preferences.")
	case node.MethodSchulze:
		return lang.L("Members rank the options; the option that beats every other by the strongest chain of pairwise wins comes first.")
	case node.MethodBudgetMES:
		return lang.L("Members approve projects; the budget is shared equally among voters, who fund the projects they approve (equal shares).")
	case node.MethodBudgetGreedy:
		return lang.L("Members approve projects; the most approved are funded in turn while the budget lasts.")
	}
	return ""
}

// govInt parses a whole number from an entry ("" is zero).
func govInt(s string) (int64, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf(lang.L("%q is not a whole number"), s)
	}
	return n, nil
}
