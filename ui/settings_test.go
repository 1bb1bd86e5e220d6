package ui

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// settingsOf shows the Settings screen of u and returns it.
func settingsOf(t *testing.T, u *UI) *settingsScreen {
	t.Helper()
	u.ShowTab(settingsTab)
	u.Wait()
	s, ok := u.screens[settingsTab].(*settingsScreen)
	if !ok {
		t.Fatalf("screen %d is a %T", settingsTab, u.screens[settingsTab])
	}
	return s
}

// phraseWords returns the "n. word" labels below o, by number.
func phraseWords(o fyne.CanvasObject) map[int]string {
	words := map[int]string{}
	each(o, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok {
			var k int
			var w string
			if n, _ := fmt.Sscanf(l.Text, "%d. %s", &k, &w); n == 2 {
				words[k] = w
			}
		}
	})
	return words
}

func TestSettingsRecoveryPhrase(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := settingsOf(t, u)

	test.Tap(button(t, u.win.Content(), "Show recovery phrase…"))
	d := topDialog(u)
	if d == nil {
		t.Fatal("no passphrase dialog")
	}
	es := entries(d)
	if len(es) != 1 || !es[0].Password {
		t.Fatalf("passphrase dialog has %d entries", len(es))
	}
	test.Type(es[0], "not my passphrase")
	test.Tap(button(t, d, "Show"))
	u.Wait()
	expectDialog(t, u, "Could not open your keys")

	test.Tap(button(t, s.item.Content, "Show recovery phrase…"))
	d = topDialog(u)
	es = entries(d)
	test.Type(es[0], testPassphrase)
	es[0].TypedKey(&fyne.KeyEvent{Name: fyne.KeyReturn}) // Enter submits
	u.Wait()
	d = topDialog(u)
	if d == nil {
		t.Fatal("no phrase dialog")
	}
	words := phraseWords(d)
	want := strings.Fields(testPhrases["Ann"])
	if len(words) != 24 {
		t.Fatalf("phrase dialog shows %d words", len(words))
	}
	for i, w := range want {
		if words[i+1] != w {
			t.Fatalf("word %d is %q, want %q", i+1, words[i+1], w)
		}
	}
	closeDialogs(u)
}

func TestSettingsTheme(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := settingsOf(t, u)
	bg := func() fyne.ThemeColorName { return theme.ColorNameBackground }
	dark := theme.DefaultTheme().Color(bg(), theme.VariantDark)
	light := theme.DefaultTheme().Color(bg(), theme.VariantLight)
	for _, tc := range []struct {
		choice  string
		pref    string
		variant fyne.ThemeVariant // asked of the theme
		want    any
	}{
		{"Dark", ThemeDark, theme.VariantLight, dark},
		{"Light", ThemeLight, theme.VariantDark, light},
		{"Same as the system", ThemeSystem, theme.VariantDark, dark},
		{"Same as the system", ThemeSystem, theme.VariantLight, light},
	} {
		s.theme.SetSelected(tc.choice)
		if got := u.app.Preferences().String(PrefTheme); got != tc.pref {
			t.Fatalf("%s: preference %q", tc.choice, got)
		}
		if got := u.app.Settings().Theme().Color(bg(), tc.variant); got != tc.want {
			t.Fatalf("%s: background for variant %d is %v, want %v", tc.choice, tc.variant, got, tc.want)
		}
	}
}

func TestSettingsTextScale(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := settingsOf(t, u)
	if s.scale.Value != 100 || s.scale.Min != 80 || s.scale.Max != 160 {
		t.Fatalf("slider %v in %v…%v", s.scale.Value, s.scale.Min, s.scale.Max)
	}
	base := theme.DefaultTheme().Size(theme.SizeNameText)
	s.scale.SetValue(150)
	s.scale.OnChangeEnded(s.scale.Value)
	if got := u.app.Preferences().Float(PrefTextScale); got != 1.5 {
		t.Fatalf("text scale preference %v", got)
	}
	if got := u.app.Settings().Theme().Size(theme.SizeNameText); got != base*1.5 {
		t.Fatalf("text size %v, want %v", got, base*1.5)
	}
	if s.scaleLabel.Text != "150 %" {
		t.Fatalf("scale label %q", s.scaleLabel.Text)
	}
}

func TestSettingsLanguage(t *testing.T) {
	t.Cleanup(func() { _ = LoadTranslations("en") })
	u, _ := fixedUI(t, "Ann")
	s := settingsOf(t, u)
	if s.language.Selected != "Same as the system" {
		t.Fatalf("language %q", s.language.Selected)
	}
	tabs := u.Tabs()
	s.language.SetSelected("Français")
	u.Wait()
	if got := LanguagePref(u.app); got != "fr" {
		t.Fatalf("language preference %q", got)
	}
	if u.Tabs() == tabs || u.Tabs().SelectedIndex() != settingsTab {
		t.Fatal("the screens were not rebuilt in the new language")
	}
	s2 := settingsOf(t, u)
	if s2.language.Selected != "Français" {
		t.Fatalf("rebuilt screen shows %q", s2.language.Selected)
	}
	s2.language.SetSelected("English")
	if got := LanguagePref(u.app); got != "en" {
		t.Fatalf("language preference %q", got)
	}
}

func TestSettingsProfile(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	s := settingsOf(t, u)
	if s.pName.Text != "Ann" {
		t.Fatalf("name entry %q", s.pName.Text)
	}
	s.pName.SetText("")
	test.Tap(s.save)
	u.Wait()
	expectProblem(t, u, s.nameField, "Enter your name")

	s.pName.SetText("Ann Lee")
	test.Type(s.pBio, "Retired teacher.")
	test.Type(s.pSkills, "gardening, maths,  gardening,")
	test.Tap(s.save)
	u.Wait()
	ms, err := u.api().Members(node.SocietyRequest{Society: u.Society()})
	if err != nil || len(ms) != 1 {
		t.Fatalf("members %+v, %v", ms, err)
	}
	if m := ms[0]; m.Name != "Ann Lee" || m.Bio != "Retired teacher." || !slices.Equal(m.Skills, []string{"gardening", "maths"}) {
		t.Fatalf("profile saved as %+v", m)
	}
	if s.pName.Text != "Ann Lee" || s.pSkills.Text != "gardening, maths" || s.name.Text != "Ann Lee" {
		t.Fatalf("after saving: name %q, entries %q %q", s.name.Text, s.pName.Text, s.pSkills.Text)
	}

	// A refresh does not overwrite what the member is typing.
	s.pBio.SetText("Draft")
	u.refreshAll()
	u.Wait()
	if s.pBio.Text != "Draft" {
		t.Fatalf("refresh replaced the bio being edited by %q", s.pBio.Text)
	}
}

func TestSettingsRevokeDevice(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	// Ann restores her identity on a second device, which certifies itself
	// when it first writes.
	d2 := node.NewDesktop(t.TempDir(), node.DesktopConfig{Offline: true, Node: node.Options{Now: newTestClock().Now}})
	t.Cleanup(func() { d2.Close() })
	if err := d2.Restore("Ann", testPhrases["Ann"], []byte(testPassphrase)); err != nil {
		t.Fatal(err)
	}
	soc := u.Society()
	carry(t, u.api(), d2.API(), soc)
	bio := "On my laptop too."
	if err := d2.API().SetProfile(node.ProfileRequest{Society: soc, Bio: &bio}); err != nil {
		t.Fatal(err)
	}
	carry(t, d2.API(), u.api(), soc)
	pub2, err := d2.Public()
	if err != nil {
		t.Fatal(err)
	}
	u.refreshAll()
	s := settingsOf(t, u)
	if len(s.devices.Objects) != 2 || !hasText(s.devices, "(this device)") {
		t.Fatalf("devices shown: %q", texts(s.devices))
	}
	if !hasText(s.devices, abbrevID(pub2.DeviceID)) {
		t.Fatalf("the other device is not listed: %q", texts(s.devices))
	}

	// Cancel changes nothing; confirming revokes.
	test.Tap(button(t, s.devices, "Revoke…"))
	confirmDialog(t, u, "Cancel")
	test.Tap(button(t, s.devices, "Revoke…"))
	confirmDialog(t, u, "Revoke")
	ms, err := u.api().Members(node.SocietyRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(ms[0].RevokedDevices, pub2.DeviceID) {
		t.Fatalf("revoked devices %q", ms[0].RevokedDevices)
	}
	if !hasText(s.devices, "(revoked)") {
		t.Fatalf("devices after revoking: %q", texts(s.devices))
	}
	each(s.devices, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == "Revoke…" {
			t.Fatal("a revoked device still offers Revoke")
		}
	})
}

func TestSettingsCopyIDs(t *testing.T) {
	u, d := fixedUI(t, "Ann")
	s := settingsOf(t, u)
	pub, err := d.Public()
	if err != nil {
		t.Fatal(err)
	}
	if s.memberID.label.Text != abbrevID(pub.MemberID) || s.deviceID.label.Text != abbrevID(pub.DeviceID) {
		t.Fatalf("IDs shown %q %q", s.memberID.label.Text, s.deviceID.label.Text)
	}
	test.Tap(s.memberID.copy)
	if got := u.app.Clipboard().Content(); got != pub.MemberID {
		t.Fatalf("clipboard %q, want the member ID", got)
	}
	test.Tap(s.deviceID.copy)
	if got := u.app.Clipboard().Content(); got != pub.DeviceID {
		t.Fatalf("clipboard %q, want the device ID", got)
	}
}

func TestSettingsMarkup(t *testing.T) {
	u, d := fixedUI(t, "Ann")
	s := settingsOf(t, u)
	// Device keys are random: hide the device's ID.
	pub, err := d.Public()
	if err != nil {
		t.Fatal(err)
	}
	each(s.item.Content, func(o fyne.CanvasObject) {
		if l, ok := o.(*widget.Label); ok && l.Text == abbrevID(pub.DeviceID) {
			l.SetText("device…")
		}
	})
	test.AssertRendersToMarkup(t, "settings.xml", u.win.Canvas())
}
