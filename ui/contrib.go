package ui

import (
	"errors"
	"fmt"
	"io"
	"math"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/storage"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// contribListMax caps the contributions the list shows (the newest).
const contribListMax = 100

// contributionsScreen records the local member's work, lists the
// society's contributions with their reviews (and offers to review
// others'), and shows the local member's CV with its exports.
type contributionsScreen struct {
	u    *UI
	item *container.TabItem
	tabs *container.AppTabs

	// loads numbers the loads so that only the latest applies; mu guards
	// it and the applying (refresh may be called from any goroutine).
	mu    sync.Mutex
	loads int

	// Recording work.
	what, hours, link, guild *widget.Entry
	skill                    *widget.SelectEntry
	date                     *widget.DateEntry
	recordFields             [4]*field // what, skill, hours, date
	beneficiaries            *widget.CheckGroup
	beneficiaryIDs           map[string]string // option → account ID
	record                   *widget.Button

	// The society's contributions.
	filterSkill  *widget.SelectEntry
	filterMember *widget.Select
	memberIDs    map[string]string // filter option → member ID
	listNote     *widget.Label
	list         *fyne.Container
	all          []node.ContributionInfo

	// The local member's CV.
	cvHead    *widget.Label
	cvSummary *widget.Label
	cvNote    *widget.Label
	cvSkills  *fyne.Container
	cvWork    *fyne.Container
	cvReviews *fyne.Container
	cvTime    *fyne.Container

	// review is the open review dialog, if any.
	review *contribReviewForm
}

// contribReviewForm is the dialog reviewing one contribution.
type contribReviewForm struct {
	id              string
	quality, impact *widget.RadioGroup
	note            *widget.Entry
	send, cancel    *widget.Button
	d               dialog.Dialog
}

func newContributions(u *UI) screen { return &contributionsScreen{u: u} }

func (s *contributionsScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("All contributions"), theme.ListIcon(), s.listTab()),
		container.NewTabItemWithIcon(lang.L("Record my work"), theme.ContentAddIcon(), s.recordTab()),
		container.NewTabItemWithIcon(lang.L("My CV"), theme.AccountIcon(), s.cvTab()),
	)
	s.item = container.NewTabItemWithIcon(lang.L("Contributions"), theme.DocumentIcon(), s.tabs)
	return s.item
}

// contribHeading is a bold label for a section.
func contribHeading(text string) *widget.Label {
	return widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
}

// contribWrapped is a label that wraps at word boundaries.
func contribWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (s *contributionsScreen) listTab() fyne.CanvasObject {
	s.filterSkill = widget.NewSelectEntry(nil)
	s.filterSkill.SetPlaceHolder(lang.L("Any skill"))
	s.filterSkill.OnChanged = func(string) { s.showList() }
	s.filterMember = widget.NewSelect(nil, func(string) { s.showList() })
	s.filterMember.PlaceHolder = lang.L("Everyone")
	redrawOnThemeChange(s.u, s.filterMember)
	s.memberIDs = map[string]string{}
	s.listNote = widget.NewLabel("")
	s.listNote.Wrapping = fyne.TextWrapWord
	s.listNote.Hide()
	s.list = container.NewVBox()
	filters := sideBySide(
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Skill")), nil, s.u.tap(s.filterSkill)),
		container.NewBorder(nil, nil, widget.NewLabel(lang.L("Member")), nil, s.u.tap(s.filterMember)))
	top := container.NewVBox(contribWrapped(lang.L("Work members recorded, newest first. Review other members' work: reviews build their reputation in the skill.")),
		filters, s.listNote)
	return container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.list))
}

func (s *contributionsScreen) recordTab() fyne.CanvasObject {
	s.what = widget.NewEntry()
	s.what.SetPlaceHolder(lang.L("What did you do? For example: weeded the shared garden"))
	s.skill = widget.NewSelectEntry(nil)
	s.skill.SetPlaceHolder(lang.L("Choose or type a skill"))
	s.hours = widget.NewEntry()
	s.hours.SetPlaceHolder(lang.L("Hours, such as 1.5 or 1:30"))
	s.date = widget.NewDateEntry()
	s.date.SetPlaceHolder(lang.L("Today"))
	s.link = widget.NewEntry()
	s.link.SetPlaceHolder(lang.L("https://… (optional)"))
	s.guild = widget.NewEntry()
	s.guild.SetPlaceHolder(lang.L("The group it was for (optional)"))
	s.beneficiaries = widget.NewCheckGroup(nil, nil)
	s.beneficiaryIDs = map[string]string{}
	s.record = widget.NewButtonWithIcon(lang.L("Record contribution"), theme.ConfirmIcon(), s.submit)
	s.record.Importance = widget.HighImportance
	for _, e := range []*widget.Entry{s.what, s.hours, s.link, s.guild} {
		e.OnSubmitted = func(string) { s.submit() }
	}
	s.skill.OnSubmitted = func(string) { s.submit() }
	forBox := container.NewVScroll(s.u.tapGroup(s.beneficiaries))
	forBox.SetMinSize(fyne.NewSize(0, 110))
	s.recordFields = [4]*field{newField(s.u.tap(s.what)), newField(s.u.tap(s.skill)), newField(s.u.tap(s.hours)), newField(s.u.tap(s.date))}
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("What")), s.recordFields[0].box,
		widget.NewLabel(lang.L("Skill")), s.recordFields[1].box,
		widget.NewLabel(lang.L("Hours")), s.recordFields[2].box,
		widget.NewLabel(lang.L("Date")), s.recordFields[3].box,
		widget.NewLabel(lang.L("Link")), s.u.tap(s.link),
		widget.NewLabel(lang.L("For")), forBox,
		widget.NewLabel(lang.L("Guild")), s.u.tap(s.guild),
	)
	intro := contribWrapped(lang.L("Record work you did for the society or its members. Name whom it was for, or the guild; other members can then review it."))
	return container.NewVScroll(container.NewVBox(intro, form, container.NewHBox(layout.NewSpacer(), s.u.tap(s.record))))
}

func (s *contributionsScreen) cvTab() fyne.CanvasObject {
	s.cvHead = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.cvHead.SizeName = theme.SizeNameSubHeadingText
	s.cvSummary = contribWrapped("")
	s.cvNote = contribWrapped("")
	s.cvNote.Hide()
	s.cvSkills = container.New(&tableLayout{cols: 6})
	s.cvWork = container.NewVBox()
	s.cvReviews = container.NewVBox()
	s.cvTime = container.NewVBox()
	exports := flow(s.u.taps(
		widget.NewButtonWithIcon(lang.L("Export JSON…"), theme.DocumentSaveIcon(), func() { s.export(cvJSON) }),
		widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DocumentSaveIcon(), func() { s.export(cvCSV) }),
		widget.NewButtonWithIcon(lang.L("Export JSON-LD…"), theme.DocumentSaveIcon(), func() { s.export(cvJSONLD) }),
	)...)
	body := container.NewVBox(s.cvHead, s.cvSummary, s.cvNote, exports, widget.NewSeparator(),
		contribHeading(lang.L("Skills")), s.cvSkills, widget.NewSeparator(),
		contribHeading(lang.L("Contributions")), s.cvWork, widget.NewSeparator(),
		contribHeading(lang.L("Reviews received")), s.cvReviews, widget.NewSeparator(),
		contribHeading(lang.L("Time-bank services")), s.cvTime)
	return container.NewVScroll(body)
}

func (s *contributionsScreen) refresh() {
	soc := s.u.Society()
	if soc == "" || s.item == nil {
		return
	}
	s.mu.Lock()
	s.loads++
	n := s.loads
	s.mu.Unlock()
	var (
		ms []node.MemberInfo
		cs []node.ContributionInfo
		cv *node.CVResult
	)
	s.u.quietly(func(api node.API) (err error) {
		if ms, err = api.Members(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		if cs, err = api.Contributions(node.ContributionsRequest{Society: soc}); err != nil {
			return err
		}
		cv, err = api.CV(node.CVRequest{Society: soc})
		return err
	}, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n != s.loads {
			return
		}
		s.apply(ms, cs, cv)
	}, func(err error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n != s.loads {
			return
		}
		s.listNote.SetText(Readable(err))
		s.listNote.Show()
	})
}

// apply shows loaded data; the forms keep what the member typed.
func (s *contributionsScreen) apply(ms []node.MemberInfo, cs []node.ContributionInfo, cv *node.CVResult) {
	me := s.u.Me().MemberID
	s.all = cs

	// Members, for the filter and the beneficiaries.
	labels := contribMemberLabels(ms)
	s.memberIDs = map[string]string{}
	filterOpts := []string{lang.L("Everyone")}
	s.beneficiaryIDs = map[string]string{}
	var forOpts []string
	for _, m := range ms {
		l := labels[m.ID]
		s.memberIDs[l] = m.ID
		filterOpts = append(filterOpts, l)
		if m.ID != me && m.Status == node.MemberActive {
			s.beneficiaryIDs[l] = m.ID
			forOpts = append(forOpts, l)
		}
	}
	slices.Sort(filterOpts[1:])
	slices.Sort(forOpts)
	community := lang.L("The community account")
	s.beneficiaryIDs[community] = node.CommunityAccount
	forOpts = append(forOpts, community)
	sel := s.filterMember.Selected
	s.filterMember.SetOptions(filterOpts)
	if _, ok := s.memberIDs[sel]; !ok && sel != "" {
		s.filterMember.ClearSelected()
	}
	var keep []string
	for _, l := range s.beneficiaries.Selected {
		if _, ok := s.beneficiaryIDs[l]; ok {
			keep = append(keep, l)
		}
	}
	s.beneficiaries.Options = forOpts
	s.beneficiaries.Selected = keep
	s.beneficiaries.Refresh()

	// Skills the society knows: profiles, contributions, the CV.
	skills := map[string]string{}
	addSkill := func(k string) {
		k = strings.TrimSpace(k)
		if k != "" {
			if _, ok := skills[strings.ToLower(k)]; !ok {
				skills[strings.ToLower(k)] = k
			}
		}
	}
	for _, m := range ms {
		for _, k := range m.Skills {
			addSkill(k)
		}
	}
	for _, c := range cs {
		addSkill(c.Skill)
	}
	if cv != nil {
		for _, k := range cv.CV.Skills {
			addSkill(k)
		}
	}
	known := make([]string, 0, len(skills))
	for _, k := range skills {
		known = append(known, k)
	}
	slices.SortFunc(known, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	s.skill.SetOptions(known)
	s.filterSkill.SetOptions(known)

	s.listNote.Hide()
	s.showList()
	s.showCV(cv)
}

// contribMemberLabels names members for choices: by name, with a short ID
// when two share a name.
func contribMemberLabels(ms []node.MemberInfo) map[string]string {
	count := map[string]int{}
	for _, m := range ms {
		count[m.Name]++
	}
	out := map[string]string{}
	for _, m := range ms {
		l := m.Name
		if count[m.Name] > 1 || l == "" {
			l = fmt.Sprintf("%s (%s)", m.Name, memberIDShort(m.ID))
		}
		out[m.ID] = l
	}
	return out
}

// memberIDShort is the short form of a member ID: 8 characters after the
// prefix all member IDs share, and an ellipsis.
func memberIDShort(id string) string {
	rest := id
	if t, ok := strings.CutPrefix(id, "12D3KooW"); ok && len(t) > 8 {
		rest = t
	}
	r := []rune(rest)
	if len(r) <= 9 {
		return id
	}
	return string(r[:8]) + "…"
}

// visible returns the contributions the filters keep.
func (s *contributionsScreen) visible() []node.ContributionInfo {
	skill := strings.ToLower(strings.TrimSpace(s.filterSkill.Text))
	member := s.memberIDs[s.filterMember.Selected]
	var out []node.ContributionInfo
	for _, c := range s.all {
		if member != "" && c.Member != member {
			continue
		}
		if skill != "" && !strings.Contains(strings.ToLower(c.Skill), skill) {
			continue
		}
		out = append(out, c)
	}
	return out
}

// showList rebuilds the list from the loaded contributions and the
// filters.
func (s *contributionsScreen) showList() {
	if s.list == nil {
		return
	}
	cs := s.visible()
	var rows []fyne.CanvasObject
	switch {
	case len(s.all) == 0:
		rows = append(rows, contribWrapped(lang.L("No contributions yet. Record your work in the \"Record my work\" tab.")))
	case len(cs) == 0:
		rows = append(rows, contribWrapped(lang.L("No contribution matches the filters.")))
	case len(cs) > contribListMax:
		rows = append(rows, contribWrapped(fmt.Sprintf(lang.L("Showing the %d newest of %d contributions."), contribListMax, len(cs))))
		cs = cs[:contribListMax]
	}
	me := s.u.Me().MemberID
	for _, c := range cs {
		rows = append(rows, s.row(c, me))
	}
	s.list.Objects = rows
	s.list.Refresh()
}

// cvHours writes hours as hours and minutes, like "1 h 30 min".
func cvHours(h float64) string { return hoursText(int64(math.Round(h * 60))) }

// contribReviewSummary says how a contribution was reviewed.
func contribReviewSummary(c node.ContributionInfo) string {
	switch len(c.Reviews) {
	case 0:
		return lang.L("Not reviewed yet")
	case 1:
		return fmt.Sprintf(lang.L("Quality %.1f, impact %.1f (1 review)"), c.AvgQuality, c.AvgImpact)
	}
	return fmt.Sprintf(lang.L("Quality %.1f, impact %.1f (%d reviews)"), c.AvgQuality, c.AvgImpact, len(c.Reviews))
}

// contribAccountName names an account of a contribution for display.
func contribAccountName(a node.AccountRef) string {
	if a.ID == node.CommunityAccount {
		return lang.L("the community account")
	}
	return a.Name
}

// row shows one contribution in a card.
func (s *contributionsScreen) row(c node.ContributionInfo, me string) fyne.CanvasObject {
	title := widget.NewLabelWithStyle(c.What, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	title.Wrapping = fyne.TextWrapWord
	who := c.MemberName
	if c.Member == me {
		who = lang.L("You")
	}
	lines := []string{strings.Join([]string{who, c.Skill, cvHours(c.Hours), c.Date}, " · ")}
	var extra []string
	if len(c.For) > 0 {
		names := make([]string, len(c.For))
		for i, a := range c.For {
			names[i] = contribAccountName(a)
		}
		extra = append(extra, fmt.Sprintf(lang.L("For %s"), strings.Join(names, ", ")))
	}
	if c.Guild != "" {
		extra = append(extra, fmt.Sprintf(lang.L("Guild: %s"), c.Guild))
	}
	if len(extra) > 0 {
		lines = append(lines, strings.Join(extra, " · "))
	}
	box := container.NewVBox(title, contribWrapped(strings.Join(lines, "\n")))
	if c.Link != "" {
		if u, err := url.Parse(c.Link); err == nil {
			box.Add(s.u.tap(widget.NewHyperlink(c.Link, u)))
		}
	}
	reviews := contribWrapped(contribReviewSummary(c))
	if len(c.Reviews) == 0 {
		reviews.TextStyle = fyne.TextStyle{Italic: true}
	}
	// The review texts wrap beside the icon and the button, so that the
	// card fits a narrow window.
	texts := container.NewVBox(reviews)
	for _, r := range c.Reviews {
		if r.Reviewer == me {
			texts.Add(contribWrapped(fmt.Sprintf(lang.L("Your review: quality %d, impact %d"), r.Quality, r.Impact)))
		}
	}
	var review fyne.CanvasObject
	if c.Member != me {
		review = container.NewVBox(s.u.tap(widget.NewButtonWithIcon(lang.L("Review…"), theme.DocumentCreateIcon(), func() { s.openReview(c) })))
	}
	box.Add(container.NewBorder(nil, nil, container.NewVBox(widget.NewIcon(theme.InfoIcon())), review, texts))
	return widget.NewCard("", "", box)
}

// ratingSelect is a choice among a rating group's answers that sets the
// group: the phone layout's compact form of it.
func ratingSelect(g *widget.RadioGroup) *widget.Select {
	sel := widget.NewSelect(g.Options, g.SetSelected)
	sel.Selected = g.Selected
	return sel
}

// openReview shows the review dialog of another member's contribution,
// filled with the local member's earlier review if any.
func (s *contributionsScreen) openReview(c node.ContributionInfo) {
	me := s.u.Me().MemberID
	if c.Member == me {
		return
	}
	ratings := []string{"1", "2", "3", "4", "5"}
	f := &contribReviewForm{id: c.ID, quality: widget.NewRadioGroup(ratings, nil), impact: widget.NewRadioGroup(ratings, nil), note: widget.NewEntry()}
	f.quality.Horizontal, f.impact.Horizontal = true, true
	f.note.SetPlaceHolder(lang.L("What went well, what could be better (optional)"))
	for _, r := range c.Reviews {
		if r.Reviewer == me {
			f.quality.SetSelected(strconv.FormatUint(r.Quality, 10))
			f.impact.SetSelected(strconv.FormatUint(r.Impact, 10))
			f.note.SetText(r.Note)
		}
	}
	about := contribWrapped(fmt.Sprintf("%s: %s (%s, %s)", c.MemberName, c.What, c.Skill, cvHours(c.Hours)))
	help := contribWrapped(lang.L("Rate from 1 (poor) to 5 (excellent). Reviewing again replaces your earlier review."))
	quality, impact := fyne.CanvasObject(f.quality), fyne.CanvasObject(f.impact)
	if s.u.PhoneLayout() { // five large answers do not fit a phone's dialog: a choice each
		quality, impact = s.u.tap(ratingSelect(f.quality)), s.u.tap(ratingSelect(f.impact))
	}
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Quality")), quality,
		widget.NewLabel(lang.L("Impact")), impact,
		widget.NewLabel(lang.L("Note")), f.note)
	f.cancel = widget.NewButton(lang.L("Cancel"), nil)
	f.send = widget.NewButtonWithIcon(lang.L("Send review"), theme.ConfirmIcon(), nil)
	f.send.Importance = widget.HighImportance
	content := container.NewVBox(about, help, form, container.NewHBox(layout.NewSpacer(), f.cancel, f.send))
	f.d = dialog.NewCustomWithoutButtons(lang.L("Review a contribution"), content, s.u.win)
	f.cancel.OnTapped = func() {
		f.d.Hide()
		s.review = nil
	}
	soc := s.u.Society()
	f.send.OnTapped = func() {
		q, _ := strconv.Atoi(f.quality.Selected)
		im, _ := strconv.Atoi(f.impact.Selected)
		if q == 0 || im == 0 {
			s.u.showError(errors.New(lang.L("Rate both the quality and the impact, from 1 to 5.")))
			return
		}
		req := node.ReviewRequest{Society: soc, ID: c.ID, Quality: q, Impact: im, Note: strings.TrimSpace(f.note.Text)}
		f.send.Disable()
		s.u.quietly(func(api node.API) error {
			_, err := api.ReviewContribution(req)
			return err
		}, func() {
			f.d.Hide()
			if s.review == f {
				s.review = nil
			}
			s.refresh()
		}, func(err error) {
			f.send.Enable()
			s.u.showError(err)
		})
	}
	f.note.OnSubmitted = func(string) { f.send.OnTapped() }
	s.review = f
	f.d.Resize(fyne.NewSize(s.u.dialogWidth(520), content.MinSize().Height+80))
	f.d.Show()
}

// contribMinutes reads a duration typed as hours: "1.5" or "1,5", "1:30",
// "2h", "45 min".
func contribMinutes(s string) (int64, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	bad := fmt.Errorf(lang.L("%q is not a number of hours: write it like 1.5 or 1:30."), strings.TrimSpace(s))
	var minutes float64
	switch {
	case t == "":
		return 0, errors.New(lang.L("Say how long the work took, in hours (such as 1.5 or 1:30)."))
	case strings.HasSuffix(t, "min"):
		v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSuffix(t, "min"), ",", "."), 64)
		if err != nil {
			return 0, bad
		}
		minutes = v
	case strings.Contains(t, ":"):
		h, m, _ := strings.Cut(t, ":")
		hv, err1 := strconv.ParseUint(h, 10, 32)
		mv, err2 := strconv.ParseUint(m, 10, 32)
		if err1 != nil || err2 != nil || mv >= 60 || len(m) != 2 {
			return 0, bad
		}
		minutes = float64(hv*60 + mv)
	default:
		v, err := strconv.ParseFloat(strings.ReplaceAll(strings.TrimSuffix(t, "h"), ",", "."), 64)
		if err != nil {
			return 0, bad
		}
		minutes = v * 60
	}
	if math.IsNaN(minutes) || math.IsInf(minutes, 0) || math.Round(minutes) < 1 {
		return 0, errors.New(lang.L("The work lasts at least one minute."))
	}
	return int64(math.Round(minutes)), nil
}

// submit records the contribution of the form.
func (s *contributionsScreen) submit() {
	if !s.record.Visible() || s.record.Disabled() {
		return
	}
	what, skill := strings.TrimSpace(s.what.Text), strings.TrimSpace(s.skill.Text)
	var whatErr, skillErr, dateErr error
	if what == "" {
		whatErr = errors.New(lang.L("Say what you did."))
	}
	if skill == "" {
		skillErr = errors.New(lang.L("Choose or type a skill."))
	}
	minutes, hoursErr := contribMinutes(s.hours.Text)
	date := ""
	if strings.TrimSpace(s.date.Text) != "" {
		if s.date.Date == nil || s.date.Validate() != nil {
			dateErr = errors.New(lang.L("The date is not valid: pick it from the calendar, or leave it empty for today."))
		} else {
			date = s.date.Date.Format("2006-01-02")
		}
	}
	f := s.recordFields
	if !allFine(f[0].check(whatErr), f[1].check(skillErr), f[2].check(hoursErr), f[3].check(dateErr)) {
		return
	}
	req := node.ContributionRequest{Society: s.u.Society(), What: what, Skill: skill, Minutes: minutes, Date: date,
		Link: strings.TrimSpace(s.link.Text), Guild: strings.TrimSpace(s.guild.Text)}
	for _, l := range s.beneficiaries.Selected {
		if id, ok := s.beneficiaryIDs[l]; ok {
			req.For = append(req.For, id)
		}
	}
	slices.Sort(req.For)
	s.record.Disable()
	s.u.quietly(func(api node.API) error {
		_, err := api.AddContribution(req)
		return err
	}, func() {
		s.record.Enable()
		s.clearForm()
		s.tabs.SelectIndex(0)
		s.refresh()
	}, func(err error) {
		s.record.Enable()
		s.u.showError(err)
	})
}

func (s *contributionsScreen) clearForm() {
	for _, e := range []*widget.Entry{s.what, s.hours, s.link, s.guild} {
		e.SetText("")
	}
	s.skill.SetText("")
	s.date.SetDate(nil)
	s.beneficiaries.SetSelected(nil)
}

// showCV shows the local member's CV.
func (s *contributionsScreen) showCV(res *node.CVResult) {
	if res == nil {
		return
	}
	cv := &res.CV
	name := func(id string) string {
		if id == node.CommunityAccount {
			return lang.L("the community account")
		}
		if n := res.Names[id]; n != "" {
			return n
		}
		return memberIDShort(id)
	}
	s.cvHead.SetText(cv.Name)
	s.cvSummary.SetText(fmt.Sprintf(lang.L("%s of work: %s of contributions and %s in the time bank. Reputation score %.2f as of %s."),
		cvHours(cv.TotalHours), cvHours(cv.ContributionHours), cvHours(cv.TimeBankHours), cv.Score, cv.AsOf.UTC().Format("2006-01-02")))
	s.cvNote.SetText(fmt.Sprintf(lang.L("The score weighs each hour by the reviews of the work and halves it every %d days."), cv.HalfLifeDays))
	s.cvNote.Show()

	cells := []fyne.CanvasObject{contribHeading(lang.L("Skill")), contribHeading(lang.L("Hours")), contribHeading(lang.L("Score")),
		contribHeading(lang.L("Quality")), contribHeading(lang.L("Impact")), contribHeading(lang.L("Reviews"))}
	for _, r := range cv.Reputation {
		// Unreviewed work is weighted as average (3), which is no rating.
		quality, impact, reviews := "-", "-", lang.L("No reviews")
		if r.Reviews > 0 {
			quality, impact, reviews = fmt.Sprintf("%.1f", r.AvgQuality), fmt.Sprintf("%.1f", r.AvgImpact), strconv.Itoa(r.Reviews)
		}
		cells = append(cells, widget.NewLabel(r.Skill), widget.NewLabel(cvHours(r.Hours)), widget.NewLabel(fmt.Sprintf("%.2f", r.Score)),
			widget.NewLabel(quality), widget.NewLabel(impact), widget.NewLabel(reviews))
	}
	if len(cv.Reputation) == 0 {
		cells = []fyne.CanvasObject{widget.NewLabel(lang.L("No hours yet."))}
	}
	s.cvSkills.Objects = cells
	s.cvSkills.Refresh()

	var work []fyne.CanvasObject
	what := map[string]string{}
	for _, c := range cv.Contributions {
		what[c.ID] = c.What
		line := strings.Join([]string{c.Date, c.Skill, cvHours(c.Hours), c.What}, " · ")
		if c.Reviews > 0 {
			line += " — " + fmt.Sprintf(lang.L("quality %.1f, impact %.1f"), c.AvgQuality, c.AvgImpact)
		}
		work = append(work, contribWrapped(line))
	}
	if len(work) == 0 {
		work = append(work, widget.NewLabel(lang.L("No contributions yet.")))
	}
	s.cvWork.Objects = work
	s.cvWork.Refresh()

	var reviews []fyne.CanvasObject
	for _, r := range cv.Reviews {
		line := fmt.Sprintf(lang.L("%s on “%s”: quality %d, impact %d"), name(r.ReviewerID), what[r.Contribution], r.Quality, r.Impact)
		if r.Note != "" {
			line += " — " + r.Note
		}
		reviews = append(reviews, contribWrapped(r.Time.UTC().Format("2006-01-02")+" · "+line))
	}
	if len(reviews) == 0 {
		reviews = append(reviews, widget.NewLabel(lang.L("No reviews yet.")))
	}
	s.cvReviews.Objects = reviews
	s.cvReviews.Refresh()

	var tb []fyne.CanvasObject
	for _, l := range cv.TimeBank {
		line := strings.Join([]string{l.Time.UTC().Format("2006-01-02"), l.Skill, cvHours(l.Hours),
			fmt.Sprintf(lang.L("for %s"), name(l.CounterpartyID))}, " · ")
		if l.Review != nil {
			if l.Review.Satisfied {
				line += " — " + lang.L("satisfied")
			} else {
				line += " — " + lang.L("not satisfied")
			}
		}
		tb = append(tb, contribWrapped(line))
	}
	if len(tb) == 0 {
		tb = append(tb, widget.NewLabel(lang.L("No time-bank services yet.")))
	}
	s.cvTime.Objects = tb
	s.cvTime.Refresh()
}

// cvFormat is a file format of CV exports.
type cvFormat int

// CV export formats.
const (
	cvJSON cvFormat = iota
	cvCSV
	cvJSONLD
)

// ext is the file extension of a CV export format.
func (f cvFormat) ext() string {
	switch f {
	case cvCSV:
		return ".csv"
	case cvJSONLD:
		return ".jsonld"
	}
	return ".json"
}

// writeCVAs writes a CV in a format, with the writers the command line
// uses.
func writeCVAs(w io.Writer, f cvFormat, cv *node.CVResult) error {
	switch f {
	case cvCSV:
		return node.WriteCVCSV(w, cv)
	case cvJSONLD:
		return node.WriteCVJSONLD(w, cv)
	}
	return node.WriteCVJSON(w, cv)
}

// saveCVFile writes a CV export to a file.
func saveCVFile(path string, f cvFormat, cv *node.CVResult) (err error) {
	file, err := os.Create(path)
	if err != nil {
		return fmt.Errorf("ui: export CV: %w", err)
	}
	defer func() {
		if cerr := file.Close(); err == nil && cerr != nil {
			err = fmt.Errorf("ui: export CV: %w", cerr)
		}
	}()
	return writeCVAs(file, f, cv)
}

// export asks where to save the local member's CV, then writes it there.
func (s *contributionsScreen) export(f cvFormat) {
	soc := s.u.Society()
	d := dialog.NewFileSave(func(wc fyne.URIWriteCloser, err error) {
		if err != nil {
			s.u.showError(err)
			return
		}
		if wc == nil {
			return
		}
		s.u.async(func(api node.API) error {
			cv, err := api.CV(node.CVRequest{Society: soc})
			if err == nil {
				err = writeCVAs(wc, f, cv)
			}
			if cerr := wc.Close(); err == nil && cerr != nil {
				err = fmt.Errorf("ui: export CV: %w", cerr)
			}
			return err
		}, func() {
			dialog.ShowInformation(lang.L("CV exported"), fmt.Sprintf(lang.L("Saved to %s."), wc.URI().Path()), s.u.win)
		})
	}, s.u.win)
	d.SetFileName("commons-cv" + f.ext())
	d.SetFilter(storage.NewExtensionFileFilter([]string{f.ext()}))
	d.Show()
}
