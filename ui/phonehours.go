package ui

import (
	"errors"
	"slices"
	"strings"
	"sync/atomic"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// The phone's "Log hours" screen: one tap opens it, one picks the member
// (recent counterparties first), one on a time chip signs the transfer at
// once, offline, with the skill last used. It says "not yet shared" until
// a peer holds the record.

// hoursPeople is how many members the picker shows at once.
const hoursPeople = 3

// hoursChips are the quick times, in minutes.
var hoursChips = []int64{30, 60, 120}

type hoursView struct {
	u   *UI
	box fyne.CanvasObject
	gen atomic.Uint64

	gave, received string
	direction      *widget.RadioGroup
	search         *widget.Entry
	people         *fyne.Container
	skill          *widget.SelectEntry
	skillChips     *fyne.Container
	other          *widget.Entry
	result         *widget.Label
	shared         *widget.Label

	members  []hoursMember // recent counterparties first, then by name
	skills   []string      // recent skills first
	chosen   string        // member ID
	name     string        // its name
	sharing  bool          // a logged record waits to be shared
	chipBtns []*widget.Button
}

// hoursMember is a member the picker offers.
type hoursMember struct {
	id, name string
	recent   bool
}

func newHoursView(u *UI) *hoursView { return &hoursView{u: u} }

func (h *hoursView) content() fyne.CanvasObject {
	if h.box != nil {
		return h.box
	}
	h.gave, h.received = lang.L("I gave"), lang.L("I received")
	h.direction = widget.NewRadioGroup([]string{h.gave, h.received}, nil)
	h.direction.Horizontal = true
	h.direction.Required = true
	h.direction.SetSelected(h.gave)
	h.search = widget.NewEntry()
	h.search.SetPlaceHolder(lang.L("Search members"))
	h.search.OnChanged = func(string) { h.showPeople() }
	h.people = container.NewVBox()
	h.skill = widget.NewSelectEntry(nil)
	h.skill.SetPlaceHolder(lang.L("Gardening, repairs…"))
	h.skillChips = container.NewGridWithColumns(3)
	chips := container.NewGridWithColumns(len(hoursChips))
	for _, m := range hoursChips {
		b := widget.NewButton(hoursText(m), func() { h.log(m) })
		b.Importance = widget.HighImportance
		h.chipBtns = append(h.chipBtns, b)
		chips.Add(touch(b))
	}
	h.other = widget.NewEntry()
	h.other.SetPlaceHolder(lang.L("90, 1.5h or 1:30"))
	logOther := func() {
		m, err := parseLogTime(h.other.Text)
		if err != nil {
			h.fail(err)
			return
		}
		h.log(m)
	}
	h.other.OnSubmitted = func(string) { logOther() }
	otherBtn := widget.NewButtonWithIcon(lang.L("Log"), theme.ConfirmIcon(), logOther)
	h.result = tbWrapped("")
	h.result.Hide()
	h.shared = tbWrapped("")
	h.shared.SizeName = theme.SizeNameCaptionText
	h.shared.Hide()
	h.box = container.NewVScroll(container.NewPadded(container.NewVBox(
		h.u.tapGroup(h.direction),
		tbHeading(lang.L("With")), h.search, h.people,
		tbHeading(lang.L("Skill")), h.skill, h.skillChips,
		tbHeading(lang.L("How long? Tap to log")), chips,
		container.NewBorder(nil, nil, nil, otherBtn, h.other),
		h.result, h.shared,
	)))
	return h.box
}

// refresh loads the members and the recent transfers.
func (h *hoursView) refresh() {
	gen := h.gen.Add(1)
	soc, me := h.u.Society(), h.u.Me().MemberID
	var ms []node.MemberInfo
	var ts []node.TransferInfo
	h.u.quietly(func(api node.API) (err error) {
		if ms, err = api.Members(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		ts, err = api.Transfers(node.TransfersRequest{Society: soc, Limit: 50})
		return err
	}, func() {
		if h.gen.Load() == gen {
			h.members, h.skills = hoursChoices(ms, ts, me)
			h.showPeople()
			h.showSkills()
		}
	}, h.fail)
}

// hoursChoices orders the members (active, not me: the recent
// counterparties of ts first, newest first, then by name) and the skills
// (those of ts first, then my profile's).
func hoursChoices(ms []node.MemberInfo, ts []node.TransferInfo, me string) ([]hoursMember, []string) {
	names := map[string]string{}
	var rest []hoursMember
	var skills []string
	addSkill := func(s string) {
		s = strings.TrimSpace(s)
		if s != "" && !slices.ContainsFunc(skills, func(x string) bool { return strings.EqualFold(x, s) }) {
			skills = append(skills, s)
		}
	}
	var mine []string
	for _, m := range ms {
		if m.ID == me {
			mine = m.Skills // after the recent ones
			continue
		}
		if m.Status == node.MemberActive {
			names[m.ID] = m.Name
			rest = append(rest, hoursMember{id: m.ID, name: m.Name})
		}
	}
	var out []hoursMember
	seen := map[string]bool{}
	for _, t := range ts {
		addSkill(t.Skill)
		var with []string
		if t.Proposer == me {
			for _, l := range t.Legs {
				with = append(with, l.Member)
			}
		} else {
			with = append(with, t.Proposer)
		}
		for _, id := range with {
			if n, ok := names[id]; ok && !seen[id] {
				seen[id] = true
				out = append(out, hoursMember{id: id, name: n, recent: true})
			}
		}
	}
	for _, s := range mine {
		addSkill(s)
	}
	slices.SortFunc(rest, func(a, b hoursMember) int { return strings.Compare(strings.ToLower(a.name), strings.ToLower(b.name)) })
	for _, m := range rest {
		if !seen[m.id] {
			out = append(out, m)
		}
	}
	return out, skills
}

// showPeople lists the members matching the search, as large buttons.
func (h *hoursView) showPeople() {
	h.people.RemoveAll()
	q := strings.ToLower(strings.TrimSpace(h.search.Text))
	n := 0
	for _, m := range h.members {
		if q != "" && !strings.Contains(strings.ToLower(m.name), q) {
			continue
		}
		if n == hoursPeople {
			break
		}
		n++
		icon := theme.AccountIcon()
		if m.recent {
			icon = theme.HistoryIcon()
		}
		b := widget.NewButtonWithIcon(m.name, icon, func() {
			h.chosen, h.name = m.id, m.name
			h.showPeople()
		})
		b.Alignment = widget.ButtonAlignLeading
		if m.id == h.chosen {
			b.Importance = widget.HighImportance
			b.Icon = theme.ConfirmIcon()
		}
		h.people.Add(touch(b))
	}
	if n == 0 {
		h.people.Add(widget.NewLabel(lang.L("No member matches.")))
	}
	h.box.Refresh() // the column grows or shrinks with the list
}

// showSkills offers the recent skills, the last used one filled in.
func (h *hoursView) showSkills() {
	h.skill.SetOptions(h.skills)
	if strings.TrimSpace(h.skill.Text) == "" && len(h.skills) > 0 {
		h.skill.SetText(h.skills[0])
	}
	h.skillChips.RemoveAll()
	for i, s := range h.skills {
		if i == 3 {
			break
		}
		h.skillChips.Add(touch(widget.NewButton(s, func() { h.skill.SetText(s) })))
	}
	h.box.Refresh()
}

// fail shows an error under the form.
func (h *hoursView) fail(err error) {
	h.result.Importance = widget.DangerImportance
	h.result.SetText(Readable(err))
	h.result.Show()
}

// log signs the transfer of the chosen member, minutes and skill.
func (h *hoursView) log(minutes int64) {
	skill := strings.TrimSpace(h.skill.Text)
	switch {
	case h.chosen == "":
		h.fail(errors.New(lang.L("Choose who you exchanged time with.")))
		return
	case skill == "":
		h.fail(errors.New(lang.L("Say which skill or service it was.")))
		return
	}
	mode := node.ModeGive
	if h.direction.Selected == h.received {
		mode = node.ModePay
	}
	req := node.TransferRequest{Society: h.u.Society(), Mode: mode, To: []string{h.chosen}, Minutes: minutes, Skill: skill}
	who := h.name
	for _, b := range h.chipBtns {
		b.Disable()
	}
	enable := func() {
		for _, b := range h.chipBtns {
			b.Enable()
		}
	}
	var ti *node.TransferInfo
	h.u.quietly(func(api node.API) (err error) {
		ti, err = api.ProposeTransfer(req)
		return err
	}, func() {
		enable()
		h.result.Importance = widget.SuccessImportance
		h.result.SetText(tbLoggedText(ti, mode, who, minutes, skill))
		h.result.Show()
		h.chosen, h.name = "", ""
		h.other.SetText("")
		h.sharing = true
		h.shared.SetText(lang.L("Signed on this device; not yet shared."))
		h.shared.Show()
		h.u.refreshAll()
		h.refresh()
	}, func(err error) {
		enable()
		h.fail(err)
	})
}

// statusChanged says once a peer holds the logged record.
func (h *hoursView) statusChanged(st *node.Status) {
	if !h.sharing || st == nil {
		return
	}
	soc := h.u.Society()
	for _, s := range st.Societies {
		if s.ID != soc {
			continue
		}
		if s.Unshared == 0 {
			h.sharing = false
			h.shared.SetText(lang.L("Shared with a peer."))
		}
	}
}
