package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// directoryScreen is the society's directory: members with their skills,
// offers of help and requests for it, and the local member's profile.
type directoryScreen struct {
	u    *UI
	item *container.TabItem
	tabs *container.AppTabs

	// loads and searches number the loads so that only the latest of each
	// applies; mu guards them and the applying (refresh may be called from
	// any goroutine).
	mu       sync.Mutex
	loads    int
	searches int

	// Members.
	search     *widget.Entry
	memberNote *widget.Label
	memberBox  *fyne.Container
	members    []node.MemberInfo

	// Offers and requests.
	kind        *widget.Select
	skill       *widget.Select
	text        *widget.Entry
	closed      *widget.Check
	listingNote *widget.Label
	listingBox  *fyne.Container

	// The local member's profile; loaded is what the node last said, so
	// that a refresh does not overwrite what the member is typing.
	name, bio, skills *widget.Entry
	nameField         *field // under name
	save              *widget.Button
	loaded            profileText

	// form is the open "add a listing" dialog, if any.
	form *listingForm
}

// listingForm is the dialog adding an offer or a request.
type listingForm struct {
	kind               string
	skill              *widget.SelectEntry
	desc, avail, place *widget.Entry
	add, cancel        *widget.Button
	d                  dialog.Dialog
}

func newDirectory(u *UI) screen { return &directoryScreen{u: u} }

func (s *directoryScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	s.tabs = container.NewAppTabs(
		container.NewTabItemWithIcon(lang.L("Members"), theme.AccountIcon(), s.membersTab()),
		container.NewTabItemWithIcon(lang.L("Offers and requests"), theme.ListIcon(), s.listingsTab()),
		container.NewTabItemWithIcon(lang.L("My profile"), theme.DocumentCreateIcon(), s.profileTab()),
	)
	s.item = container.NewTabItemWithIcon(lang.L("Directory"), theme.SearchIcon(), s.tabs)
	return s.item
}

func (s *directoryScreen) membersTab() fyne.CanvasObject {
	s.search = widget.NewEntry()
	s.search.SetPlaceHolder(lang.L("Search by name, skill or words of the bio"))
	s.search.OnChanged = func(string) { s.showMembers() }
	s.memberNote = widget.NewLabel("")
	s.memberBox = container.NewVBox()
	top := container.NewVBox(container.NewBorder(nil, nil, widget.NewIcon(theme.SearchIcon()), nil, s.search), s.memberNote)
	return container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.memberBox))
}

func (s *directoryScreen) listingsTab() fyne.CanvasObject {
	s.kind = widget.NewSelect([]string{lang.L("Offers and requests"), lang.L("Offers"), lang.L("Requests")}, func(string) { s.searchListings() })
	s.kind.SetSelectedIndex(0)
	s.skill = widget.NewSelect(nil, func(string) { s.searchListings() })
	s.skill.PlaceHolder = lang.L("Any skill")
	redrawOnThemeChange(s.u, s.kind, s.skill)
	s.text = widget.NewEntry()
	s.text.SetPlaceHolder(lang.L("Search words"))
	s.text.OnChanged = func(string) { s.searchListings() }
	s.closed = widget.NewCheck(lang.L("Show closed"), func(bool) { s.searchListings() })
	s.listingNote = widget.NewLabel("")
	s.listingNote.Wrapping = fyne.TextWrapWord
	s.listingBox = container.NewVBox()
	offer := widget.NewButtonWithIcon(lang.L("Add offer…"), theme.ContentAddIcon(), func() { s.openListingForm(node.KindOffer) })
	request := widget.NewButtonWithIcon(lang.L("Add request…"), theme.ContentAddIcon(), func() { s.openListingForm(node.KindRequest) })
	// The filters: the kind and skill beside the search words, or above
	// them in a narrow window (a phone).
	filters := sideBySide(container.NewGridWithColumns(2, s.kind, s.skill),
		container.NewBorder(nil, nil, nil, s.closed, s.text))
	top := container.NewVBox(container.NewHBox(offer, request), filters, s.listingNote)
	return container.NewBorder(top, nil, nil, nil, container.NewVScroll(s.listingBox))
}

func (s *directoryScreen) profileTab() fyne.CanvasObject {
	s.name = widget.NewEntry()
	s.nameField = newField(s.name)
	s.bio = widget.NewMultiLineEntry()
	s.bio.Wrapping = fyne.TextWrapWord
	s.bio.SetMinRowsVisible(4)
	s.bio.SetPlaceHolder(lang.L("A few words about you"))
	s.skills = widget.NewEntry()
	s.skills.SetPlaceHolder(lang.L("gardening, cooking, bike repair"))
	s.save = widget.NewButtonWithIcon(lang.L("Save profile"), theme.DocumentSaveIcon(), s.saveProfile)
	s.save.Importance = widget.HighImportance
	s.name.OnSubmitted = func(string) { s.saveProfile() }
	s.skills.OnSubmitted = func(string) { s.saveProfile() }
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Name")), s.nameField.box,
		widget.NewLabel(lang.L("Bio")), s.bio,
		widget.NewLabel(lang.L("Skills")), container.NewVBox(s.skills, widget.NewLabelWithStyle(lang.L("Separate skills with commas."),
			fyne.TextAlignLeading, fyne.TextStyle{Italic: true})),
	)
	intro := contribWrapped(lang.L("This is how other members find you in the directory."))
	return container.NewVScroll(container.NewVBox(intro, form, container.NewHBox(layout.NewSpacer(), s.save)))
}

func (s *directoryScreen) refresh() {
	soc := s.u.Society()
	if soc == "" || s.item == nil {
		return
	}
	s.mu.Lock()
	s.loads++
	n := s.loads
	s.mu.Unlock()
	var (
		ms  []node.MemberInfo
		all []node.ListingInfo
	)
	s.u.quietly(func(api node.API) (err error) {
		if ms, err = api.Members(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		all, err = api.Listings(node.ListingsRequest{Society: soc, All: true})
		return err
	}, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n != s.loads {
			return
		}
		s.apply(ms, all)
	}, func(err error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n != s.loads {
			return
		}
		s.memberNote.SetText(Readable(err))
	})
	s.searchListings()
}

// apply shows the members and the profile, and the skills listings use.
func (s *directoryScreen) apply(ms []node.MemberInfo, all []node.ListingInfo) {
	slices.SortStableFunc(ms, func(a, b node.MemberInfo) int {
		return strings.Compare(strings.ToLower(a.Name), strings.ToLower(b.Name))
	})
	s.members = ms
	s.showMembers()

	skills := map[string]bool{}
	for _, l := range all {
		skills[l.Skill] = true
	}
	opts := []string{lang.L("Any skill")}
	for k := range skills {
		opts = append(opts, k)
	}
	slices.Sort(opts[1:])
	sel := s.skill.Selected
	s.skill.SetOptions(opts)
	if sel != "" && !skills[sel] && sel != opts[0] {
		s.skill.ClearSelected()
	}

	me := s.u.Me().MemberID
	for _, m := range ms {
		if m.ID != me {
			continue
		}
		p := profileText{name: m.Name, bio: m.Bio, skills: strings.Join(m.Skills, ", ")}
		for _, f := range []struct {
			e        *widget.Entry
			old, now string
		}{{s.name, s.loaded.name, p.name}, {s.bio, s.loaded.bio, p.bio}, {s.skills, s.loaded.skills, p.skills}} {
			if f.e.Text == f.old {
				f.e.SetText(f.now)
			}
		}
		s.loaded = p
	}
}

// memberMatches reports whether every word of q is in the member's name,
// skills or bio.
func memberMatches(m node.MemberInfo, q string) bool {
	hay := strings.ToLower(m.Name + " " + strings.Join(m.Skills, " ") + " " + m.Bio)
	for _, w := range strings.Fields(strings.ToLower(q)) {
		if !strings.Contains(hay, w) {
			return false
		}
	}
	return true
}

// showMembers rebuilds the member list from the search box.
func (s *directoryScreen) showMembers() {
	if s.memberBox == nil {
		return
	}
	me := s.u.Me().MemberID
	var rows []fyne.CanvasObject
	shown := 0
	for _, m := range s.members {
		if !memberMatches(m, s.search.Text) {
			continue
		}
		shown++
		rows = append(rows, s.memberRow(m, me))
	}
	switch {
	case strings.TrimSpace(s.search.Text) == "" && shown == 1:
		s.memberNote.SetText(lang.L("1 member"))
	case strings.TrimSpace(s.search.Text) == "":
		s.memberNote.SetText(fmt.Sprintf(lang.L("%d members"), shown))
	case shown == 0:
		s.memberNote.SetText(lang.L("No member matches the search."))
	default:
		s.memberNote.SetText(fmt.Sprintf(lang.L("%d of %d members match"), shown, len(s.members)))
	}
	s.memberBox.Objects = rows
	s.memberBox.Refresh()
}

// memberRow shows one member.
func (s *directoryScreen) memberRow(m node.MemberInfo, me string) fyne.CanvasObject {
	name := m.Name
	if m.ID == me {
		name = fmt.Sprintf(lang.L("%s (you)"), m.Name)
	}
	title := widget.NewLabelWithStyle(name, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	id := m.ID
	copyID := widget.NewButtonWithIcon(memberIDShort(id), theme.ContentCopyIcon(), func() {
		s.u.app.Clipboard().SetContent(id)
	})
	copyID.Importance = widget.LowImportance
	head := container.NewHBox(title, copyID)
	if m.Status != node.MemberActive {
		st := widget.NewLabel(lang.L("No longer a member"))
		st.Importance = widget.WarningImportance
		head.Add(st)
	}
	skills := lang.L("No skills listed")
	if len(m.Skills) > 0 {
		skills = fmt.Sprintf(lang.L("Skills: %s"), strings.Join(m.Skills, ", "))
	}
	if m.Bio != "" {
		skills += "\n" + m.Bio
	}
	return widget.NewCard("", "", container.NewVBox(head, contribWrapped(skills)))
}

// listingQuery is the search of the listings tab.
func (s *directoryScreen) listingQuery() node.ListingsRequest {
	req := node.ListingsRequest{Society: s.u.Society(), Text: strings.TrimSpace(s.text.Text), All: s.closed.Checked}
	switch s.kind.SelectedIndex() {
	case 1:
		req.Kind = node.KindOffer
	case 2:
		req.Kind = node.KindRequest
	}
	if s.skill.SelectedIndex() > 0 {
		req.Skill = s.skill.Selected
	}
	return req
}

// searchListings reloads the offers and requests the filters keep.
func (s *directoryScreen) searchListings() {
	if s.listingBox == nil || s.u.Society() == "" {
		return
	}
	req := s.listingQuery()
	s.mu.Lock()
	s.searches++
	n := s.searches
	s.mu.Unlock()
	var ls []node.ListingInfo
	s.u.quietly(func(api node.API) (err error) {
		ls, err = api.Listings(req)
		return err
	}, func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n != s.searches {
			return
		}
		s.showListings(ls, req)
	}, func(err error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if n != s.searches {
			return
		}
		s.listingNote.SetText(Readable(err))
	})
}

// showListings shows the listings a search found.
func (s *directoryScreen) showListings(ls []node.ListingInfo, req node.ListingsRequest) {
	me := s.u.Me().MemberID
	var rows []fyne.CanvasObject
	for _, l := range ls {
		rows = append(rows, s.listingRow(l, me))
	}
	filtered := req.Text != "" || req.Skill != "" || req.Kind != ""
	switch {
	case len(ls) == 0 && filtered:
		s.listingNote.SetText(lang.L("Nothing matches the search."))
	case len(ls) == 0:
		s.listingNote.SetText(lang.L("No offers or requests yet. Add what you can offer, or what you need."))
	case len(ls) == 1:
		s.listingNote.SetText(lang.L("1 listing"))
	default:
		s.listingNote.SetText(fmt.Sprintf(lang.L("%d listings"), len(ls)))
	}
	s.listingBox.Objects = rows
	s.listingBox.Refresh()
}

// listingKind names a listing's kind.
func listingKind(kind string) string {
	if kind == node.KindRequest {
		return lang.L("Request")
	}
	return lang.L("Offer")
}

// listingRow shows one listing.
func (s *directoryScreen) listingRow(l node.ListingInfo, me string) fyne.CanvasObject {
	icon := theme.ContentAddIcon()
	if l.Kind == node.KindRequest {
		icon = theme.HelpIcon()
	}
	title := widget.NewLabelWithStyle(listingKind(l.Kind)+" · "+l.Skill, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	head := container.NewHBox(widget.NewIcon(icon), title)
	if !l.Open {
		st := widget.NewLabel(lang.L("Closed"))
		st.Importance = widget.LowImportance
		head.Add(st)
	}
	who := l.MemberName
	if l.Member == me {
		who = lang.L("You")
	}
	facts := []string{who}
	if l.Availability != "" {
		facts = append(facts, fmt.Sprintf(lang.L("Available: %s"), l.Availability))
	}
	if l.Place != "" {
		facts = append(facts, fmt.Sprintf(lang.L("Place: %s"), l.Place))
	}
	if len(l.Created) >= 10 {
		facts = append(facts, fmt.Sprintf(lang.L("since %s"), l.Created[:10]))
	}
	text := strings.Join(facts, " · ")
	if l.Description != "" {
		text = l.Description + "\n" + text
	}
	var closeBtn fyne.CanvasObject
	if l.Member == me && l.Open {
		closeBtn = container.NewVBox(widget.NewButtonWithIcon(lang.L("Close…"), theme.CancelIcon(), func() { s.confirmClose(l) }))
	}
	return widget.NewCard("", "", container.NewBorder(nil, nil, nil, closeBtn, container.NewVBox(head, contribWrapped(text))))
}

// confirmClose asks before closing one of the local member's listings.
func (s *directoryScreen) confirmClose(l node.ListingInfo) {
	soc := s.u.Society()
	d := dialog.NewConfirm(lang.L("Close this listing?"),
		fmt.Sprintf(lang.L("%s · %s will no longer show in the directory."), listingKind(l.Kind), l.Skill),
		func(ok bool) {
			if !ok {
				return
			}
			s.u.async(func(api node.API) error {
				return api.CloseListing(node.CloseListingRequest{Society: soc, ID: l.ID})
			}, s.searchListings)
		}, s.u.win)
	d.SetConfirmText(lang.L("Close listing"))
	d.SetDismissText(lang.L("Keep it"))
	d.Show()
}

// openListingForm shows the dialog adding an offer or a request.
func (s *directoryScreen) openListingForm(kind string) {
	f := &listingForm{kind: kind, skill: widget.NewSelectEntry(s.knownSkills()), desc: widget.NewMultiLineEntry(),
		avail: widget.NewEntry(), place: widget.NewEntry()}
	f.skill.SetPlaceHolder(lang.L("Choose or type a skill"))
	f.desc.Wrapping = fyne.TextWrapWord
	f.desc.SetMinRowsVisible(3)
	f.avail.SetPlaceHolder(lang.L("For example: weekends, evenings"))
	f.place.SetPlaceHolder(lang.L("For example: at my place, the community hall"))
	title, help := lang.L("Add an offer"), lang.L("What can you do for other members?")
	f.desc.SetPlaceHolder(lang.L("What you offer, and anything to know"))
	if kind == node.KindRequest {
		title, help = lang.L("Add a request"), lang.L("What do you need help with?")
		f.desc.SetPlaceHolder(lang.L("What you need, and anything to know"))
	}
	form := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Skill")), f.skill,
		widget.NewLabel(lang.L("Details")), f.desc,
		widget.NewLabel(lang.L("Availability")), f.avail,
		widget.NewLabel(lang.L("Place")), f.place)
	f.cancel = widget.NewButton(lang.L("Cancel"), nil)
	f.add = widget.NewButtonWithIcon(lang.L("Add"), theme.ConfirmIcon(), nil)
	f.add.Importance = widget.HighImportance
	content := container.NewVBox(contribWrapped(help), form, container.NewHBox(layout.NewSpacer(), f.cancel, f.add))
	f.d = dialog.NewCustomWithoutButtons(title, content, s.u.win)
	f.cancel.OnTapped = func() {
		f.d.Hide()
		if s.form == f {
			s.form = nil
		}
	}
	soc := s.u.Society()
	f.add.OnTapped = func() {
		skill := strings.TrimSpace(f.skill.Text)
		if skill == "" {
			s.u.showError(errors.New(lang.L("Choose or type a skill.")))
			return
		}
		req := node.ListingRequest{Society: soc, Kind: kind, Skill: skill, Description: strings.TrimSpace(f.desc.Text),
			Availability: strings.TrimSpace(f.avail.Text), Place: strings.TrimSpace(f.place.Text)}
		f.add.Disable()
		s.u.quietly(func(api node.API) error {
			_, err := api.AddListing(req)
			return err
		}, func() {
			f.d.Hide()
			if s.form == f {
				s.form = nil
			}
			s.refresh()
		}, func(err error) {
			f.add.Enable()
			s.u.showError(err)
		})
	}
	for _, e := range []*widget.Entry{f.avail, f.place} {
		e.OnSubmitted = func(string) { f.add.OnTapped() }
	}
	f.skill.OnSubmitted = func(string) { f.add.OnTapped() }
	s.form = f
	f.d.Resize(fyne.NewSize(s.u.dialogWidth(520), content.MinSize().Height+80))
	f.d.Show()
}

// knownSkills are the skills members list and listings use, for choices.
func (s *directoryScreen) knownSkills() []string {
	seen := map[string]string{}
	add := func(k string) {
		k = strings.TrimSpace(k)
		if _, ok := seen[strings.ToLower(k)]; k != "" && !ok {
			seen[strings.ToLower(k)] = k
		}
	}
	for _, m := range s.members {
		for _, k := range m.Skills {
			add(k)
		}
	}
	for _, k := range s.skill.Options {
		if k != lang.L("Any skill") {
			add(k)
		}
	}
	out := make([]string, 0, len(seen))
	for _, k := range seen {
		out = append(out, k)
	}
	slices.SortFunc(out, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	return out
}

// dirSplitSkills reads a comma-separated list of skills as the society
// keeps them: trimmed, lower-case, sorted, without empty or repeated ones.
func dirSplitSkills(s string) []string {
	out := []string{}
	for _, k := range strings.Split(s, ",") {
		k = strings.ToLower(strings.TrimSpace(k))
		if k != "" && !slices.Contains(out, k) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// saveProfile writes the profile fields that changed.
func (s *directoryScreen) saveProfile() {
	if s.save.Disabled() {
		return
	}
	name, bio := strings.TrimSpace(s.name.Text), strings.TrimSpace(s.bio.Text)
	skills := dirSplitSkills(s.skills.Text)
	var nameErr error
	if name == "" {
		nameErr = errors.New(lang.L("Enter your name."))
	}
	if !s.nameField.check(nameErr) {
		return
	}
	req, changed := profileRequest(s.u.Society(), s.loaded, name, bio, skills)
	if !changed {
		dialog.ShowInformation(lang.L("Nothing to save"), lang.L("Your profile is unchanged."), s.u.win)
		return
	}
	s.save.Disable()
	s.u.quietly(func(api node.API) error { return api.SetProfile(req) }, func() {
		s.save.Enable()
		// The next load shows the profile as the society keeps it.
		s.loaded = profileText{name: s.name.Text, bio: s.bio.Text, skills: s.skills.Text}
		if req.Name != nil {
			s.u.mu.Lock()
			s.u.me.Name = name
			s.u.mu.Unlock()
		}
		s.u.refreshAll()
	}, func(err error) {
		s.save.Enable()
		s.u.showError(err)
	})
}
