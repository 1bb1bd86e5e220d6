package ui

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/dialog"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// settingsScreen is the member's own settings: identity and devices, the
// recovery phrase, the profile, and the app's appearance and language.
type settingsScreen struct {
	u    *UI
	item *container.TabItem

	// Identity and devices.
	name     *widget.Label
	memberID *copyableID
	deviceID *copyableID
	devices  *fyne.Container
	phrase   *widget.Button

	// Profile: the entries and the values last loaded into them (an entry
	// the member is editing is not overwritten by a refresh).
	pName, pBio, pSkills *widget.Entry
	nameField            *field // under pName
	loaded               profileText
	save                 *widget.Button

	// Appearance.
	theme      *widget.RadioGroup
	scale      *widget.Slider
	scaleLabel *widget.Label
	language   *widget.Select
}

// profileText is a profile as the entries show it.
// profileText is a profile as its editor shows it (skills joined by ", ").
type profileText struct{ name, bio, skills string }

// profileRequest asks to change the profile fields that differ from
// loaded (the Settings and Directory editors); changed is false when none
// does.
func profileRequest(society string, loaded profileText, name, bio string, skills []string) (req node.ProfileRequest, changed bool) {
	req.Society = society
	if name != loaded.name {
		req.Name = &name
	}
	if bio != loaded.bio {
		req.Bio = &bio
	}
	if strings.Join(skills, ", ") != loaded.skills {
		req.Skills = &skills
	}
	return req, req.Name != nil || req.Bio != nil || req.Skills != nil
}

func newSettings(u *UI) screen { return &settingsScreen{u: u} }

func (s *settingsScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	body := container.NewVBox(
		card(lang.L("Identity"), lang.L("Your member key identifies you in every society; each of your devices has its own key."), s.identityBox()),
		card(lang.L("Profile"), lang.L("What other members see about you."), s.profileBox()),
		widget.NewCard(lang.L("Appearance"), "", s.appearanceBox()),
	)
	s.item = container.NewTabItemWithIcon(lang.L("Settings"), theme.SettingsIcon(), container.NewVScroll(container.NewPadded(body)))
	return s.item
}

func (s *settingsScreen) identityBox() fyne.CanvasObject {
	s.name = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.memberID = newCopyableID(s.u)
	s.deviceID = newCopyableID(s.u)
	s.devices = container.NewVBox()
	s.phrase = widget.NewButtonWithIcon(lang.L("Show recovery phrase…"), theme.VisibilityIcon(), s.askPhrase)
	grid := container.New(layout.NewFormLayout(),
		widget.NewLabel(lang.L("Name")), s.name,
		widget.NewLabel(lang.L("Member ID")), s.memberID.box,
		widget.NewLabel(lang.L("This device")), s.deviceID.box,
	)
	devHead := widget.NewLabelWithStyle(lang.L("Your devices"), fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	return container.NewVBox(grid, widget.NewSeparator(), devHead, s.devices, widget.NewSeparator(),
		container.NewHBox(s.u.tap(s.phrase)))
}

func (s *settingsScreen) profileBox() fyne.CanvasObject {
	s.pName = widget.NewEntry()
	s.pBio = widget.NewMultiLineEntry()
	s.pBio.Wrapping = fyne.TextWrapWord
	s.pBio.SetMinRowsVisible(3)
	s.pSkills = widget.NewEntry()
	s.pSkills.SetPlaceHolder(lang.L("For example: gardening, plumbing, tutoring"))
	s.save = widget.NewButtonWithIcon(lang.L("Save profile"), theme.DocumentSaveIcon(), s.saveProfile)
	s.save.Importance = widget.HighImportance
	s.pName.OnSubmitted = func(string) { s.saveProfile() }
	s.pSkills.OnSubmitted = func(string) { s.saveProfile() }
	s.nameField = newField(s.u.tap(s.pName))
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Name"), s.nameField.box),
		&widget.FormItem{Text: lang.L("About me"), Widget: s.pBio},
		&widget.FormItem{Text: lang.L("Skills"), Widget: s.u.tap(s.pSkills), HintText: lang.L("Separated by commas")},
	)
	return container.NewVBox(form, container.NewHBox(layout.NewSpacer(), s.u.tap(s.save)))
}

// themeChoices are the theme options in the order shown.
var themeChoices = []string{ThemeLight, ThemeDark, ThemeSystem}

func themeLabel(v string) string {
	switch v {
	case ThemeLight:
		return lang.L("Light")
	case ThemeDark:
		return lang.L("Dark")
	}
	return lang.L("Same as the system")
}

func (s *settingsScreen) appearanceBox() fyne.CanvasObject {
	p := s.u.app.Preferences()
	opts := make([]string, len(themeChoices))
	for i, v := range themeChoices {
		opts[i] = themeLabel(v)
	}
	s.theme = widget.NewRadioGroup(opts, nil)
	s.theme.Required = true
	s.theme.SetSelected(themeLabel(p.StringWithFallback(PrefTheme, ThemeSystem)))
	s.theme.OnChanged = func(sel string) {
		for _, v := range themeChoices {
			if themeLabel(v) == sel && v != s.u.app.Preferences().StringWithFallback(PrefTheme, ThemeSystem) {
				s.u.SetTheme(v)
			}
		}
	}

	s.scale = widget.NewSlider(80, 160)
	s.scale.Step = 10
	s.scaleLabel = widget.NewLabel("")
	scale := p.FloatWithFallback(PrefTextScale, 1)
	if scale < 0.8 || scale > 1.6 {
		scale = 1
	}
	s.scale.SetValue(math.Round(scale * 100))
	s.scaleLabel.SetText(percent(s.scale.Value))
	s.scale.OnChanged = func(v float64) { s.scaleLabel.SetText(percent(v)) }
	s.scale.OnChangeEnded = func(v float64) { s.u.SetTextScale(v / 100) }

	system := lang.L("Same as the system")
	langs := []string{system}
	for _, l := range Languages {
		langs = append(langs, l.Name)
	}
	s.language = widget.NewSelect(langs, nil)
	s.language.SetSelected(system)
	for _, l := range Languages {
		if l.Code == LanguagePref(s.u.app) {
			s.language.SetSelected(l.Name)
		}
	}
	s.language.OnChanged = func(sel string) {
		code := ""
		for _, l := range Languages {
			if l.Name == sel {
				code = l.Code
			}
		}
		if code != LanguagePref(s.u.app) {
			s.u.SetLanguage(code)
		}
	}
	return widget.NewForm(
		widget.NewFormItem(lang.L("Theme"), s.u.tapGroup(s.theme)),
		widget.NewFormItem(lang.L("Text size"), container.NewBorder(nil, nil, nil, s.scaleLabel, s.u.tap(s.scale))),
		widget.NewFormItem(lang.L("Language"), s.u.tap(s.language)),
	)
}

func percent(v float64) string { return fmt.Sprintf("%.0f %%", v) }

func (s *settingsScreen) refresh() {
	if s.item == nil {
		return
	}
	// The theme may have been set elsewhere (the screenshots).
	if cur := themeLabel(s.u.app.Preferences().StringWithFallback(PrefTheme, ThemeSystem)); s.theme.Selected != cur {
		s.theme.SetSelected(cur)
	}
	soc := s.u.Society()
	var st *node.Status
	var ms []node.MemberInfo
	s.u.quietly(func(api node.API) (err error) {
		if st, err = api.Status(); err != nil {
			return err
		}
		if soc != "" {
			ms, err = api.Members(node.SocietyRequest{Society: soc})
		}
		return err
	}, func() { s.show(st, ms) }, nil)
}

// show fills the screen from the node's status and the society's members.
func (s *settingsScreen) show(st *node.Status, ms []node.MemberInfo) {
	s.name.SetText(st.Member.Name)
	s.memberID.set(st.Member.ID)
	s.deviceID.set(st.Member.DeviceID)
	var mine *node.MemberInfo
	for i := range ms {
		if ms[i].ID == st.Member.ID {
			mine = &ms[i]
		}
	}
	var rows []fyne.CanvasObject
	if mine != nil {
		s.name.SetText(mine.Name)
		for _, d := range mine.Devices {
			rows = append(rows, s.deviceRow(d, d == st.Member.DeviceID, slices.Contains(mine.RevokedDevices, d)))
		}
		s.showProfile(profileText{name: mine.Name, bio: mine.Bio, skills: strings.Join(mine.Skills, ", ")})
	} else {
		s.showProfile(profileText{name: st.Member.Name})
	}
	if len(rows) == 0 {
		rows = append(rows, widget.NewLabel(lang.L("This device only.")))
	}
	s.devices.Objects = rows
	s.devices.Refresh()
}

// showProfile loads a profile into the entries the member has not edited.
func (s *settingsScreen) showProfile(p profileText) {
	if s.pName.Text == s.loaded.name {
		s.pName.SetText(p.name)
	}
	if s.pBio.Text == s.loaded.bio {
		s.pBio.SetText(p.bio)
	}
	if s.pSkills.Text == s.loaded.skills {
		s.pSkills.SetText(p.skills)
	}
	s.loaded = p
}

// deviceRow shows one of the member's devices, with Revoke for the others.
func (s *settingsScreen) deviceRow(id string, this, revoked bool) fyne.CanvasObject {
	f := newCopyableID(s.u)
	f.set(id)
	var note fyne.CanvasObject = layout.NewSpacer()
	switch {
	case this:
		note = widget.NewLabelWithStyle(lang.L("(this device)"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
	case revoked:
		l := widget.NewLabelWithStyle(lang.L("(revoked)"), fyne.TextAlignLeading, fyne.TextStyle{Italic: true})
		l.Importance = widget.WarningImportance
		note = l
	default:
		rv := widget.NewButtonWithIcon(lang.L("Revoke…"), theme.CancelIcon(), func() { s.confirmRevoke(id) })
		rv.Importance = widget.DangerImportance
		note = s.u.tap(rv)
	}
	return container.NewHBox(widget.NewIcon(theme.ComputerIcon()), f.box, note)
}

// confirmRevoke asks before revoking another device of the member.
func (s *settingsScreen) confirmRevoke(id string) {
	soc := s.u.Society()
	msg := fmt.Sprintf(lang.L("Records that device %s writes from now on will take no effect. Do this for a lost or stolen device; it cannot be undone."), abbrevID(id))
	d := dialog.NewConfirm(lang.L("Revoke this device?"), msg, func(ok bool) {
		if !ok {
			return
		}
		s.u.async(func(api node.API) error {
			return api.RevokeDevice(node.RevokeDeviceRequest{Society: soc, Device: id})
		}, s.u.refreshAll)
	}, s.u.win)
	d.SetConfirmText(lang.L("Revoke"))
	d.SetDismissText(lang.L("Cancel"))
	d.SetConfirmImportance(widget.DangerImportance)
	d.Show()
}

// saveProfile writes the profile fields that changed.
func (s *settingsScreen) saveProfile() {
	name := strings.TrimSpace(s.pName.Text)
	var nameErr error
	if name == "" {
		nameErr = errors.New(lang.L("Enter your name."))
	}
	if !s.nameField.check(nameErr) {
		return
	}
	bio := strings.TrimSpace(s.pBio.Text)
	skills := splitSkills(s.pSkills.Text)
	req, changed := profileRequest(s.u.Society(), s.loaded, name, bio, skills)
	if !changed {
		return
	}
	s.save.Disable()
	s.u.quietly(func(api node.API) error { return api.SetProfile(req) }, func() {
		s.save.Enable()
		// The saved values are now the loaded ones; the refresh confirms
		// them.
		s.loaded = profileText{name: name, bio: bio, skills: strings.Join(skills, ", ")}
		s.pName.SetText(name)
		s.pBio.SetText(bio)
		s.pSkills.SetText(s.loaded.skills)
		s.u.refreshAll()
	}, func(err error) {
		s.save.Enable()
		s.u.showError(err)
	})
}

// splitSkills turns "a, b,,c " into [a b c], without duplicates.
func splitSkills(s string) []string {
	out := []string{}
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		if f != "" && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// askPhrase asks for the passphrase, then shows the recovery phrase.
func (s *settingsScreen) askPhrase() {
	pass := widget.NewPasswordEntry()
	pass.SetPlaceHolder(lang.L("Passphrase"))
	d := dialog.NewForm(lang.L("Show recovery phrase"), lang.L("Show"), lang.L("Cancel"),
		// The hint wraps above the entry, so that the dialog fits a phone.
		[]*widget.FormItem{{Widget: container.NewVBox(wrapped(lang.L("The passphrase that protects your keys on this device.")), pass)}},
		func(ok bool) {
			if !ok {
				return
			}
			p := []byte(pass.Text)
			var phrase string
			s.u.async(func(node.API) (err error) {
				if phrase, err = s.u.b.RecoveryPhrase(p); err != nil {
					return fmt.Errorf(lang.L("Could not open your keys: %w"), err)
				}
				return nil
			}, func() { s.showPhrase(phrase) })
		}, s.u.win)
	pass.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(s.u.dialogWidth(420), d.MinSize().Height))
	d.Show()
	s.u.win.Canvas().Focus(pass)
}

// showPhrase shows the 24 words in a dialog.
func (s *settingsScreen) showPhrase(phrase string) {
	// Four words a row, fewer on a phone.
	grid := container.New(&tableLayout{cols: 4})
	for i, w := range strings.Fields(phrase) {
		l := widget.NewLabel(fmt.Sprintf("%d. %s", i+1, w))
		l.TextStyle = fyne.TextStyle{Monospace: true}
		grid.Add(l)
	}
	warn := widget.NewLabel(lang.L("Anyone who has these words can act as you. Write them down and keep them out of sight; never type them into a website or a message."))
	warn.Wrapping = fyne.TextWrapWord
	warn.Importance = widget.WarningImportance
	d := dialog.NewCustom(lang.L("Your recovery phrase"), lang.L("Close"), container.NewVBox(warn, grid), s.u.win)
	d.Resize(fyne.NewSize(s.u.dialogWidth(640), d.MinSize().Height))
	d.Show()
}
