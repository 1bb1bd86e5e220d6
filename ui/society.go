package ui

import (
	"errors"
	"fmt"
	"image"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"
	"github.com/multiformats/go-multiaddr"
	qrcode "github.com/skip2/go-qrcode"

	"github.com/commons-society/commons/node"
)

// qrSize is the smallest size of an invite's QR code on screen.
const qrSize = 220

// societyScreen shows the society: its members, invites, settings, and
// this peer's place in the network.
type societyScreen struct {
	u    *UI
	item *container.TabItem

	// The society shown, and a chooser when several are held.
	chooser    *widget.Select
	chooserIDs []string
	title      *widget.Label
	summary    *widget.Label
	societyID  *copyableID

	members *fyne.Container

	// Invites: the form, the invite just made, and this device's invites.
	uses, days   *widget.Entry
	inviteFields [2]*field // uses, days
	create       *widget.Button
	made         *fyne.Container // the invite just made; hidden until then
	madeNote     *widget.Label
	code         *widget.Label
	copyCode     *widget.Button
	qr           *canvas.Image
	revokeMade   *widget.Button
	last         *node.InviteResult
	invites      *fyne.Container

	// Society settings (editable by the founder).
	minH, maxH, halfLife *widget.Entry
	rulesFields          [3]*field // minH, maxH, halfLife
	saveRules            *widget.Button
	rulesNote            *widget.Label
	rules                node.SocietySettings // as last loaded
	rulesSoc             string

	// Network.
	netState *widget.Label
	addrs    *fyne.Container
	peers    *fyne.Container
	lan      *widget.Check
	lanBusy  bool // the check is being set by a refresh
	static   *fyne.Container
	newPeer  *widget.Entry
	addPeer  *widget.Button
}

func newSocietyScreen(u *UI) screen { return &societyScreen{u: u} }

func (s *societyScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	s.chooser = widget.NewSelect(nil, nil)
	s.chooser.PlaceHolder = lang.L("Choose a society")
	redrawOnThemeChange(s.u, s.chooser)
	s.chooser.Hide()
	s.title = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.title.SizeName = theme.SizeNameHeadingText
	s.summary = widget.NewLabel("")
	s.summary.Wrapping = fyne.TextWrapWord
	s.societyID = newCopyableID(s.u)
	head := container.NewVBox(
		container.NewBorder(nil, nil, nil, s.u.tap(s.chooser), s.title),
		s.summary,
		container.NewHBox(widget.NewLabel(lang.L("Society ID")), s.societyID.box),
	)
	s.members = container.NewVBox()
	body := container.NewVBox(head,
		widget.NewCard(lang.L("Members"), "", s.members),
		card(lang.L("Invites"), lang.L("An invite code lets someone join this society. Give it in person or through a channel you trust."), s.inviteBox()),
		card(lang.L("Society settings"), lang.L("Credit limits of the time bank and how fast reputation fades."), s.rulesBox()),
		card(lang.L("Network"), lang.L("Your peer shares the society's records with the peers it reaches."), s.networkBox()),
	)
	s.item = container.NewTabItemWithIcon(lang.L("Society"), theme.AccountIcon(), container.NewVScroll(container.NewPadded(body)))
	return s.item
}

func (s *societyScreen) inviteBox() fyne.CanvasObject {
	s.uses = widget.NewEntry()
	s.uses.SetText("1")
	s.days = widget.NewEntry()
	s.days.SetText("7")
	s.create = widget.NewButtonWithIcon(lang.L("Create invite"), theme.ContentAddIcon(), s.createInvite)
	s.create.Importance = widget.HighImportance
	s.uses.OnSubmitted = func(string) { s.createInvite() }
	s.days.OnSubmitted = func(string) { s.createInvite() }
	s.inviteFields = [2]*field{newField(s.u.tap(s.uses)), newField(s.u.tap(s.days))}
	form := formRows(
		widget.NewLabel(lang.L("People who may join with it")), s.inviteFields[0].box,
		widget.NewLabel(lang.L("Valid for (days)")), s.inviteFields[1].box,
	)

	s.madeNote = widget.NewLabel("")
	s.madeNote.Wrapping = fyne.TextWrapWord
	s.code = widget.NewLabel("")
	s.code.Selectable = true
	s.code.Wrapping = fyne.TextWrapBreak
	s.code.TextStyle = fyne.TextStyle{Monospace: true}
	s.copyCode = widget.NewButtonWithIcon(lang.L("Copy code"), theme.ContentCopyIcon(), func() {
		if s.last != nil {
			s.u.app.Clipboard().SetContent(s.last.Code)
		}
	})
	s.revokeMade = widget.NewButtonWithIcon(lang.L("Revoke this invite"), theme.CancelIcon(), func() {
		if s.last != nil {
			s.confirmRevokeInvite(s.last.Invite)
		}
	})
	s.qr = canvas.NewImageFromImage(nil)
	s.qr.FillMode = canvas.ImageFillContain
	s.qr.ScaleMode = canvas.ImageScalePixels
	s.qr.SetMinSize(fyne.NewSize(qrSize, qrSize))
	text := container.NewVBox(s.madeNote, s.code, container.NewHBox(s.u.taps(s.copyCode, s.revokeMade)...))
	s.made = edges(text, s.qr)
	s.made.Hide()

	s.invites = container.NewVBox()
	return container.NewVBox(form, container.NewHBox(s.u.tap(s.create)), s.made, widget.NewSeparator(),
		widget.NewLabelWithStyle(lang.L("Invites made on this device"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true}),
		s.invites)
}

func (s *societyScreen) rulesBox() fyne.CanvasObject {
	s.minH, s.maxH, s.halfLife = widget.NewEntry(), widget.NewEntry(), widget.NewEntry()
	s.saveRules = widget.NewButtonWithIcon(lang.L("Save settings"), theme.DocumentSaveIcon(), s.saveSettings)
	for _, e := range []*widget.Entry{s.minH, s.maxH, s.halfLife} {
		e.OnSubmitted = func(string) { s.saveSettings() }
	}
	s.rulesNote = widget.NewLabel("")
	s.rulesNote.Wrapping = fyne.TextWrapWord
	s.rulesNote.TextStyle = fyne.TextStyle{Italic: true}
	s.rulesFields = [3]*field{newField(s.u.tap(s.minH)), newField(s.u.tap(s.maxH)), newField(s.u.tap(s.halfLife))}
	form := formRows(
		widget.NewLabel(lang.L("Lowest balance (hours)")), s.rulesFields[0].box,
		widget.NewLabel(lang.L("Highest balance (hours)")), s.rulesFields[1].box,
		widget.NewLabel(lang.L("Reputation half-life (days)")), s.rulesFields[2].box,
	)
	return container.NewVBox(form, s.rulesNote, container.NewHBox(s.u.tap(s.saveRules)))
}

func (s *societyScreen) networkBox() fyne.CanvasObject {
	s.netState = widget.NewLabel("")
	s.netState.Wrapping = fyne.TextWrapWord
	s.addrs = container.NewVBox()
	s.peers = container.NewVBox()
	s.lan = widget.NewCheck("", s.setLAN)
	s.static = container.NewVBox()
	s.newPeer = widget.NewEntry()
	s.newPeer.SetPlaceHolder("/ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…")
	s.newPeer.OnSubmitted = func(string) { s.addStaticPeer() }
	s.addPeer = widget.NewButtonWithIcon(lang.L("Add peer"), theme.ContentAddIcon(), s.addStaticPeer)
	bold := func(t string) *widget.Label {
		return widget.NewLabelWithStyle(t, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	return container.NewVBox(s.netState,
		bold(lang.L("Your addresses")), s.addrs,
		bold(lang.L("Connected peers")), s.peers,
		widget.NewSeparator(), checkText(s.u.tap(s.lan), lang.L("Find peers on the local network (LAN discovery)")),
		bold(lang.L("Static peers")),
		wrapped(lang.L("Peers this device always tries to reach, as full addresses ending in /p2p/ and the peer's ID.")),
		s.static,
		container.NewBorder(nil, nil, nil, s.u.tap(s.addPeer), s.u.tap(s.newPeer)),
	)
}

// societyData is what a refresh loads.
type societyData struct {
	st      *node.Status
	members []node.MemberInfo
	invites []node.InviteInfo
	net     node.NetSettings
}

func (s *societyScreen) refresh() {
	if s.item == nil {
		return
	}
	soc := s.u.Society()
	var d societyData
	s.u.quietly(func(api node.API) (err error) {
		if d.st, err = api.Status(); err != nil {
			return err
		}
		d.net = s.u.b.NetSettings()
		if soc == "" {
			return nil
		}
		if d.members, err = api.Members(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		d.invites, err = api.Invites(node.SocietyRequest{Society: soc})
		return err
	}, func() { s.show(soc, d) }, func(err error) { s.summary.SetText(Readable(err)) })
}

// show fills the screen with what refresh loaded.
func (s *societyScreen) show(soc string, d societyData) {
	var ss *node.SocietyStatus
	for i := range d.st.Societies {
		if d.st.Societies[i].ID == soc {
			ss = &d.st.Societies[i]
		}
	}
	s.showChooser(d.st.Societies, soc)
	if ss == nil {
		s.title.SetText(lang.L("No society"))
		s.summary.SetText("")
		s.members.Objects = nil
		s.members.Refresh()
	} else {
		s.title.SetText(ss.Name)
		s.summary.SetText(societySummary(ss))
		s.societyID.set(ss.ID)
		s.showMembers(ss, d.members, d.st.Member.ID)
		s.showSettings(ss)
	}
	if s.last != nil && s.last.Society != soc {
		// The invite shown belongs to the society shown before.
		s.last = nil
		s.made.Hide()
	}
	s.showInvites(d.invites)
	s.showNetwork(d.st, d.net)
}

// societySummary says in one line how big the society is and the local
// member's standing in it.
func societySummary(ss *node.SocietyStatus) string {
	var me string
	switch ss.Me {
	case "founder":
		me = lang.L("You founded it.")
	case "member":
		me = lang.L("You are a member.")
	case "waiting":
		me = lang.L("You asked to join; a member's peer will admit you when it receives your request.")
	case "left":
		me = lang.L("You left it.")
	case "removed":
		me = lang.L("You were removed from it.")
	}
	members := fmt.Sprintf(lang.L("%d members"), ss.Members)
	if ss.Members == 1 {
		members = lang.L("1 member")
	}
	records := fmt.Sprintf(lang.L("%d records"), ss.Records)
	if ss.Records == 1 {
		records = lang.L("1 record")
	}
	return strings.TrimSpace(members + ", " + records + ". " + me)
}

// showChooser offers the societies held when there are several.
func (s *societyScreen) showChooser(socs []node.SocietyStatus, current string) {
	if len(socs) < 2 {
		s.chooser.Hide()
		return
	}
	names := map[string]int{}
	for _, ss := range socs {
		names[ss.Name]++
	}
	opts := make([]string, len(socs))
	s.chooserIDs = make([]string, len(socs))
	sel := ""
	for i, ss := range socs {
		opts[i] = ss.Name
		if names[ss.Name] > 1 {
			opts[i] = ss.Name + " (" + abbrevID(ss.ID) + ")"
		}
		s.chooserIDs[i] = ss.ID
		if ss.ID == current {
			sel = opts[i]
		}
	}
	s.chooser.OnChanged = nil
	s.chooser.SetOptions(opts)
	s.chooser.SetSelected(sel)
	s.chooser.OnChanged = func(string) {
		if i := s.chooser.SelectedIndex(); i >= 0 && i < len(s.chooserIDs) && s.chooserIDs[i] != s.u.Society() {
			s.u.SetSociety(s.chooserIDs[i])
		}
	}
	s.chooser.Show()
}

// memberStatus is a member's status in words.
func memberStatus(st string) string {
	switch st {
	case node.MemberActive:
		return lang.L("member")
	case "left":
		return lang.L("left")
	case "removed":
		return lang.L("removed")
	}
	return st
}

// sortMembers orders members for the list: the founder first, then by
// name (ignoring case), then by ID.
func sortMembers(ms []node.MemberInfo, founder string) []node.MemberInfo {
	out := slices.Clone(ms)
	slices.SortStableFunc(out, func(a, b node.MemberInfo) int {
		if fa, fb := a.ID == founder, b.ID == founder; fa != fb {
			if fa {
				return -1
			}
			return 1
		}
		if c := strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name)); c != 0 {
			return c
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return strings.Compare(a.ID, b.ID)
	})
	return out
}

func (s *societyScreen) showMembers(ss *node.SocietyStatus, ms []node.MemberInfo, me string) {
	rows := make([]fyne.CanvasObject, 0, len(ms))
	for _, m := range sortMembers(ms, ss.FounderID) {
		name := widget.NewLabelWithStyle(m.Name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
		var tags []fyne.CanvasObject
		if m.ID == ss.FounderID {
			f := widget.NewLabel(lang.L("founder"))
			f.Importance = widget.HighImportance
			tags = append(tags, f)
		}
		if m.ID == me {
			tags = append(tags, widget.NewLabelWithStyle(lang.L("(you)"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true}))
		}
		var right []fyne.CanvasObject
		// One role each: an active founder is "founder", not also "member".
		if m.ID != ss.FounderID || m.Status != node.MemberActive {
			st := widget.NewLabel(memberStatus(m.Status))
			if m.Status != node.MemberActive {
				st.Importance = widget.WarningImportance
			}
			right = append(right, st)
		}
		active := len(m.Devices) - len(m.RevokedDevices)
		devs := widget.NewLabel(fmt.Sprintf(lang.L("devices: %d"), active))
		id := newCopyableID(s.u)
		id.set(m.ID)
		left := container.NewHBox(append([]fyne.CanvasObject{widget.NewIcon(theme.AccountIcon()), name}, tags...)...)
		rows = append(rows, edges(left, container.NewHBox(append(right, devs, id.box)...)))
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No members yet.")))
	}
	s.members.Objects = rows
	s.members.Refresh()
}

// createInvite makes an invite with the form's options and shows it.
func (s *societyScreen) createInvite() {
	var usesErr, daysErr error
	uses, err := strconv.Atoi(strings.TrimSpace(s.uses.Text))
	if err != nil || uses < 1 || uses > 1000 {
		usesErr = errors.New(lang.L("An invite lets 1 to 1000 people join."))
	}
	days, err := strconv.Atoi(strings.TrimSpace(s.days.Text))
	if err != nil || days < 1 || days > 366 {
		daysErr = errors.New(lang.L("An invite lasts 1 to 366 days."))
	}
	if !allFine(s.inviteFields[0].check(usesErr), s.inviteFields[1].check(daysErr)) {
		return
	}
	req := node.InviteRequest{Society: s.u.Society(), Uses: uses, ExpiresHours: days * 24}
	var res *node.InviteResult
	s.create.Disable()
	s.u.quietly(func(api node.API) (err error) {
		res, err = api.Invite(req)
		return err
	}, func() {
		s.create.Enable()
		s.showMade(res, uses)
		s.refresh()
	}, func(err error) {
		s.create.Enable()
		s.u.showError(err)
	})
}

// showMade shows the invite just made: its code, a copy button and a QR
// code.
func (s *societyScreen) showMade(res *node.InviteResult, uses int) {
	s.last = res
	until := res.Expires
	if t, err := time.Parse(time.RFC3339, res.Expires); err == nil {
		until = t.Local().Format("2006-01-02 15:04")
	}
	s.madeNote.SetText(fmt.Sprintf(lang.L("Give this code to the people you invite (%d may join with it, until %s). It is shown only now: copy it or let them scan the QR code."), uses, until))
	s.code.SetText(res.Code)
	if img, err := qrImage(res.Code); err == nil {
		s.qr.Image = img
		s.qr.Show()
	} else {
		s.qr.Image = nil
		s.qr.Hide()
	}
	s.qr.Refresh()
	s.revokeMade.Enable()
	s.made.Show()
}

// qrImage draws a code as a QR code.
func qrImage(code string) (image.Image, error) {
	q, err := qrcode.New(code, qrcode.Medium)
	if err != nil {
		if q, err = qrcode.New(code, qrcode.Low); err != nil {
			return nil, fmt.Errorf("ui: QR code: %w", err)
		}
	}
	return q.Image(-4), nil
}

// inviteState is an invite's state in words.
func inviteState(st string) string {
	switch st {
	case node.InviteOpen:
		return lang.L("open")
	case node.InviteUsedUp:
		return lang.L("used up")
	case node.InviteExpired:
		return lang.L("expired")
	case node.InviteRevoked:
		return lang.L("revoked")
	}
	return st
}

func (s *societyScreen) showInvites(ivs []node.InviteInfo) {
	rows := make([]fyne.CanvasObject, 0, len(ivs))
	for _, iv := range ivs {
		id := iv.ID
		when := iv.Expires
		if t, err := time.Parse(time.RFC3339, iv.Expires); err == nil {
			when = t.Local().Format("2006-01-02 15:04")
		}
		st := widget.NewLabelWithStyle(inviteState(iv.State), fyne.TextAlignLeading, fyne.TextStyle{Bold: iv.State == node.InviteOpen, Italic: iv.State != node.InviteOpen})
		info := widget.NewLabel(fmt.Sprintf(lang.L("used %d of %d, until %s"), iv.Used, iv.Uses, when))
		var action fyne.CanvasObject = layout.NewSpacer()
		if iv.State == node.InviteOpen {
			rv := widget.NewButtonWithIcon(lang.L("Revoke"), theme.CancelIcon(), func() { s.confirmRevokeInvite(id) })
			action = s.u.tap(rv)
		}
		line := fyne.CanvasObject(flow(widget.NewIcon(theme.MailSendIcon()), st, info))
		if action != nil {
			line = edges(line, action)
		}
		rows = append(rows, line)
		if s.last != nil && s.last.Invite == id && iv.State != node.InviteOpen {
			s.revokeMade.Disable()
		}
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("No invites yet.")))
	}
	s.invites.Objects = rows
	s.invites.Refresh()
}

// confirmRevokeInvite asks before revoking an invite.
func (s *societyScreen) confirmRevokeInvite(id string) {
	soc := s.u.Society()
	d := dialog.NewConfirm(lang.L("Revoke this invite?"), lang.L("Nobody will be able to join with its code any more."), func(ok bool) {
		if !ok {
			return
		}
		s.u.async(func(api node.API) error {
			return api.RevokeInvite(node.RevokeInviteRequest{Society: soc, Invite: id})
		}, func() {
			if s.last != nil && s.last.Invite == id {
				s.revokeMade.Disable()
			}
			s.refresh()
		})
	}, s.u.win)
	d.SetConfirmText(lang.L("Revoke"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// hours shows minutes as hours ("-20", "1.5").
func hours(min int64) string { return strconv.FormatFloat(float64(min)/60, 'f', -1, 64) }

// showSettings shows the society's settings, editable by the founder. An
// entry the founder is editing is not overwritten by a refresh.
func (s *societyScreen) showSettings(ss *node.SocietyStatus) {
	old, fresh := s.rules, ss.Settings
	sameSoc := s.rulesSoc == ss.ID
	set := func(e *widget.Entry, was, now string) {
		if !sameSoc || e.Text == was {
			e.SetText(now)
		}
	}
	set(s.minH, hours(old.MinBalance), hours(fresh.MinBalance))
	set(s.maxH, hours(old.MaxBalance), hours(fresh.MaxBalance))
	set(s.halfLife, strconv.FormatUint(old.HalfLifeDays, 10), strconv.FormatUint(fresh.HalfLifeDays, 10))
	s.rules, s.rulesSoc = fresh, ss.ID
	for _, e := range []*widget.Entry{s.minH, s.maxH, s.halfLife} {
		if ss.Founder {
			e.Enable()
		} else {
			e.Disable()
		}
	}
	if ss.Founder {
		s.saveRules.Show()
		s.rulesNote.SetText(lang.L("As the founder, you set these for everyone. Changes apply to transfers made after them."))
	} else {
		s.saveRules.Hide()
		s.rulesNote.SetText(lang.L("Only the founder may change these."))
	}
}

// parseHours reads a number of hours as minutes.
func parseHours(s string) (int64, error) {
	f, err := strconv.ParseFloat(strings.TrimSpace(strings.ReplaceAll(s, ",", ".")), 64)
	if err != nil {
		return 0, err
	}
	if math.IsNaN(f) || math.IsInf(f, 0) || math.Abs(f) > 1e6 {
		return 0, errors.New("ui: hours out of range")
	}
	return int64(math.Round(f * 60)), nil
}

// saveSettings writes the society's settings (founder only).
func (s *societyScreen) saveSettings() {
	minM, err1 := parseHours(s.minH.Text)
	maxM, err2 := parseHours(s.maxH.Text)
	hl, err3 := strconv.ParseUint(strings.TrimSpace(s.halfLife.Text), 10, 64)
	var minErr, maxErr, hlErr error
	hoursErr := errors.New(lang.L("Enter the balance limits as numbers of hours, such as -20 and 100."))
	switch {
	case err1 != nil:
		minErr = hoursErr
	case minM > 0:
		minErr = errors.New(lang.L("The lowest balance must be zero or less, and the highest above it."))
	}
	switch {
	case err2 != nil:
		maxErr = hoursErr
	case err1 == nil && minM <= 0 && (maxM < 0 || minM >= maxM):
		maxErr = errors.New(lang.L("The lowest balance must be zero or less, and the highest above it."))
	}
	if err3 != nil || hl == 0 {
		hlErr = errors.New(lang.L("Enter the half-life as a whole number of days."))
	}
	if !allFine(s.rulesFields[0].check(minErr), s.rulesFields[1].check(maxErr), s.rulesFields[2].check(hlErr)) {
		return
	}
	req := node.SettingsRequest{Society: s.u.Society()}
	if minM != s.rules.MinBalance {
		req.MinBalanceMinutes = &minM
	}
	if maxM != s.rules.MaxBalance {
		req.MaxBalanceMinutes = &maxM
	}
	if hl != s.rules.HalfLifeDays {
		req.HalfLifeDays = &hl
	}
	if req.MinBalanceMinutes == nil && req.MaxBalanceMinutes == nil && req.HalfLifeDays == nil {
		return
	}
	s.saveRules.Disable()
	s.u.quietly(func(api node.API) error { return api.SetSocietySettings(req) }, func() {
		s.saveRules.Enable()
		s.u.refreshAll()
	}, func(err error) {
		s.saveRules.Enable()
		s.u.showError(err)
	})
}

func (s *societyScreen) showNetwork(st *node.Status, ns node.NetSettings) {
	s.netState.SetText(NetworkSummary(st))
	var addrs, peers []fyne.CanvasObject
	if st.Network != nil {
		for _, a := range st.Network.Addrs {
			addrs = append(addrs, s.addrRow(a, nil))
		}
		for _, p := range st.Network.Peers {
			id := newCopyableID(s.u)
			id.set(p.ID)
			info := fmt.Sprintf(lang.L("records received %d, sent %d"), p.RecordsIn, p.RecordsOut)
			if t, err := time.Parse(time.RFC3339, p.LastSync); err == nil {
				info += ", " + fmt.Sprintf(lang.L("last sync %s"), t.Local().Format("15:04:05"))
			}
			peers = append(peers, flow(widget.NewIcon(theme.ComputerIcon()), id.box, widget.NewLabel(info)))
		}
	}
	if len(addrs) == 0 {
		addrs = append(addrs, widget.NewLabel(lang.L("None: the network is off.")))
	}
	if len(peers) == 0 {
		peers = append(peers, widget.NewLabel(lang.L("None at the moment.")))
	}
	s.addrs.Objects = addrs
	s.addrs.Refresh()
	s.peers.Objects = peers
	s.peers.Refresh()

	s.lanBusy = true
	s.lan.SetChecked(ns.MDNS)
	s.lanBusy = false
	var static []fyne.CanvasObject
	for _, p := range ns.Peers {
		p := p
		static = append(static, s.addrRow(p, func() { s.removeStaticPeer(p) }))
	}
	if len(static) == 0 {
		static = append(static, widget.NewLabel(lang.L("None.")))
	}
	s.static.Objects = static
	s.static.Refresh()
}

// addrRow shows a multiaddr (shortened when long) with a copy button and,
// if remove is set, a remove button.
func (s *societyScreen) addrRow(addr string, remove func()) fyne.CanvasObject {
	l := widget.NewLabel(addr)
	l.Truncation = fyne.TextTruncateEllipsis
	l.TextStyle = fyne.TextStyle{Monospace: true}
	cp := widget.NewButtonWithIcon("", theme.ContentCopyIcon(), func() { s.u.app.Clipboard().SetContent(addr) })
	buttons := container.NewHBox(s.u.tap(cp))
	if remove != nil {
		buttons.Add(s.u.tap(widget.NewButtonWithIcon(lang.L("Remove"), theme.DeleteIcon(), remove)))
	}
	return container.NewBorder(nil, nil, nil, buttons, l)
}

// setLAN turns LAN discovery on or off; on failure the check goes back.
func (s *societyScreen) setLAN(on bool) {
	if s.lanBusy {
		return
	}
	ns := s.u.b.NetSettings()
	ns.MDNS = on
	s.applyNet(ns, func() {
		s.lanBusy = true
		s.lan.SetChecked(!on)
		s.lanBusy = false
	})
}

// applyNet saves network settings in the background (the network
// restarts), then refreshes; undo runs if it fails.
func (s *societyScreen) applyNet(ns node.NetSettings, undo func()) {
	s.u.quietly(func(node.API) error { return s.u.b.SetNetSettings(ns) }, s.refresh, func(err error) {
		if undo != nil {
			undo()
		}
		s.u.showError(err)
	})
}

// checkPeerAddr checks that a static peer is a full multiaddr ending in
// /p2p/ and the peer's ID.
func checkPeerAddr(addr string) error {
	m, err := multiaddr.NewMultiaddr(addr)
	if err != nil {
		return fmt.Errorf(lang.L("That is not a peer address (%w). A peer address looks like /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…"), err)
	}
	ps := m.Protocols()
	if len(ps) < 2 || ps[len(ps)-1].Code != multiaddr.P_P2P || ps[0].Code == multiaddr.P_P2P {
		return errors.New(lang.L("A peer address needs a network address and ends in /p2p/ and the peer's ID, like /ip4/192.0.2.10/tcp/4001/p2p/12D3KooW…"))
	}
	return nil
}

func (s *societyScreen) addStaticPeer() {
	addr := strings.TrimSpace(s.newPeer.Text)
	if addr == "" {
		return
	}
	if err := checkPeerAddr(addr); err != nil {
		s.u.showError(err)
		return
	}
	ns := s.u.b.NetSettings()
	if slices.Contains(ns.Peers, addr) {
		s.u.showError(errors.New(lang.L("That peer is already in the list.")))
		return
	}
	ns.Peers = append(ns.Peers, addr)
	s.u.quietly(func(node.API) error { return s.u.b.SetNetSettings(ns) }, func() {
		s.newPeer.SetText("")
		s.refresh()
	}, s.u.showError)
}

func (s *societyScreen) removeStaticPeer(addr string) {
	ns := s.u.b.NetSettings()
	ns.Peers = slices.DeleteFunc(ns.Peers, func(p string) bool { return p == addr })
	s.applyNet(ns, nil)
}

// idPrefixes are prefixes that many IDs share: peer IDs (members, devices,
// peers) and CIDs (societies, records). The short form of an ID skips them,
// so that it tells IDs apart.
var idPrefixes = []string{"12D3KooW", "bafyrei", "bafy"}

// abbrevID is the short form of a long ID: 8 characters (after a prefix
// that many IDs share) and an ellipsis.
func abbrevID(id string) string {
	rest := id
	for _, p := range idPrefixes {
		if t, ok := strings.CutPrefix(id, p); ok && len(t) > 8 {
			rest = t
			break
		}
	}
	r := []rune(rest)
	if len(r) <= 9 {
		return id
	}
	return string(r[:8]) + "…"
}

// copyableID shows an ID in its short form with a button copying the full
// ID.
type copyableID struct {
	full  string
	label *widget.Label
	copy  *widget.Button
	box   *fyne.Container
}

func newCopyableID(u *UI) *copyableID {
	c := &copyableID{label: widget.NewLabel("")}
	c.label.TextStyle = fyne.TextStyle{Monospace: true}
	c.copy = widget.NewButtonWithIcon(lang.L("Copy"), theme.ContentCopyIcon(), func() {
		if c.full != "" {
			u.app.Clipboard().SetContent(c.full)
		}
	})
	c.copy.Importance = widget.LowImportance
	c.box = container.NewHBox(c.label, u.tap(c.copy))
	return c
}

// set shows an ID.
func (c *copyableID) set(id string) {
	c.full = id
	c.label.SetText(abbrevID(id))
}
