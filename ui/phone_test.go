package ui

import (
	"fmt"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// phoneUI returns Ann's UI (fixed identities and clocks, times in UTC)
// with Ben, who gave her 1 h 30 min of gardening, in a 360 × 640 window.
func phoneUI(t *testing.T) (*UI, *member) {
	t.Helper()
	oldHome, oldTB := homeZone, tbZone
	homeZone, tbZone = time.UTC, time.UTC
	t.Cleanup(func() { homeZone, tbZone = oldHome, oldTB })
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	ben.give(t, u, 90, "gardening")
	u.Window().Resize(fyne.NewSize(360, 640))
	u.Wait()
	if !u.PhoneLayout() {
		t.Fatal("a 360 dp wide window does not show the phone layout")
	}
	return u, ben
}

// nav finds a destination of the phone's bottom navigation.
func nav(t *testing.T, u *UI, text string) *navButton {
	t.Helper()
	for _, e := range u.phone.entries {
		if e.nav != nil && e.nav.Text == text {
			return e.nav
		}
	}
	t.Fatalf("no %q in the bottom navigation", text)
	return nil
}

// society returns the status of the society shown.
func society(t *testing.T, u *UI) node.SocietyStatus {
	t.Helper()
	st, err := u.api().Status()
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range st.Societies {
		if s.ID == u.Society() {
			return s
		}
	}
	t.Fatal("the society shown is not in the status")
	return node.SocietyStatus{}
}

// TestPhoneLogHoursThreeTaps: from launch, Log hours (1), Ben, a recent
// counterparty (2), then "1 h" (3) signs exactly one transfer record, of
// the skill last used, which the screen says is not yet shared.
func TestPhoneLogHoursThreeTaps(t *testing.T) {
	u, ben := phoneUI(t)
	before := society(t, u)
	ts, err := u.api().Transfers(node.TransfersRequest{Society: u.Society()})
	if err != nil {
		t.Fatal(err)
	}
	w := u.Window()
	test.Tap(nav(t, u, "Log hours"))
	u.Wait()
	h := u.phone.hours
	if len(h.members) == 0 || h.members[0].name != "Ben" || !h.members[0].recent {
		t.Fatalf("Ben, a recent counterparty, does not come first: %+v", h.members)
	}
	if h.skill.Text != "gardening" {
		t.Fatalf("the skill last used is not filled in: %q", h.skill.Text)
	}
	test.Tap(button(t, h.people, "Ben"))
	test.Tap(button(t, w.Content(), "1 h"))
	u.Wait()
	after := society(t, u)
	if after.Records != before.Records+1 {
		t.Fatalf("records: %d before, %d after; want exactly one more", before.Records, after.Records)
	}
	ts2, err := u.api().Transfers(node.TransfersRequest{Society: u.Society()})
	if err != nil {
		t.Fatal(err)
	}
	if len(ts2) != len(ts)+1 {
		t.Fatalf("transfers: %d before, %d after", len(ts), len(ts2))
	}
	got := ts2[0]
	if got.Mode != node.ModeGive || got.Skill != "gardening" || len(got.Legs) != 1 || got.Legs[0].Member != ben.id || got.Legs[0].Minutes != 60 {
		t.Fatalf("logged %+v", got)
	}
	for _, want := range []string{"Logged: you gave Ben 1 h of gardening.", "not yet shared"} {
		if !hasText(w.Content(), want) {
			t.Fatalf("the screen lacks %q: %q", want, texts(w.Content()))
		}
	}
	// Once Ben holds it (his records, with it, imported here), the
	// screen says so.
	ben.sync(t, u)
	ben.sync(t, u)
	if !hasText(w.Content(), "Shared with a peer.") {
		t.Fatalf("after Ben synced: %q", texts(w.Content()))
	}
}

// TestPhoneLogHoursRefuses: without a member or a skill, nothing is
// written and the screen says what is missing.
func TestPhoneLogHoursRefuses(t *testing.T) {
	for _, c := range []struct {
		name, skill, want string
		pick              bool
	}{
		{"no member", "gardening", "Choose who you exchanged time with.", false},
		{"no skill", "", "Say which skill or service it was.", true},
	} {
		t.Run(c.name, func(t *testing.T) {
			u, _ := phoneUI(t)
			before := society(t, u)
			test.Tap(nav(t, u, "Log hours"))
			u.Wait()
			h := u.phone.hours
			h.skill.SetText(c.skill)
			if c.pick {
				test.Tap(button(t, h.people, "Ben"))
			}
			test.Tap(button(t, u.Window().Content(), "30 min"))
			u.Wait()
			if h.result.Text != c.want {
				t.Fatalf("result %q, want %q", h.result.Text, c.want)
			}
			if after := society(t, u); after.Records != before.Records {
				t.Fatalf("records changed: %d → %d", before.Records, after.Records)
			}
		})
	}
}

// TestPhoneNarrowing: a desktop window can be made phone-narrow and then
// shows the phone layout; widened again it shows the desktop one.
func TestPhoneNarrowing(t *testing.T) {
	u, _ := mainUI(t)
	w := u.Window()
	if u.PhoneLayout() {
		t.Fatal("a 1000 dp wide window shows the phone layout")
	}
	if m := w.Content().MinSize(); m.Width > 360 {
		t.Fatalf("the window cannot be narrowed to 360 dp: minimum %v", m)
	}
	for _, c := range []struct {
		width float32
		phone bool
	}{{360, true}, {1000, false}, {599, true}, {1200, false}} {
		w.Resize(fyne.NewSize(c.width, 640))
		desktop := w.Content().(*fyne.Container).Objects[0]
		if u.PhoneLayout() != c.phone || desktop.Visible() == c.phone {
			t.Fatalf("at %v dp: phone layout %v, want %v", c.width, u.PhoneLayout(), c.phone)
		}
	}
	// The desktop tabs got their screen back.
	if c := u.tabs.Selected().Content; !c.Visible() || c.Position().X == 0 {
		t.Fatalf("the home screen is not back in the tabs: at %v", c.Position())
	}
}

// TestPhoneScreens: confirming on the phone's time bank, and the markup
// goldens of the phone screens.
func TestPhoneScreens(t *testing.T) {
	u, _ := phoneUI(t)
	w := u.Window()
	for _, name := range []string{"home", "hours", "timebank", "directory"} {
		if !u.ShowPhone(name) {
			t.Fatalf("no phone screen %q", name)
		}
		u.Wait()
		test.AssertRendersToMarkup(t, "phone_"+name+".xml", w.Canvas())
	}
	// The directory's listings: the filters stacked at a phone's width.
	u.ShowPhone("directory")
	dir := u.screens[3].(*directoryScreen)
	dir.tabs.SelectIndex(1)
	u.Wait()
	if o := windowOverflows(w); len(o) > 0 {
		t.Fatalf("the listings do not fit the phone: %q", o)
	}
	abs := fyne.CurrentApp().Driver().AbsolutePositionForObject
	if k, txt := abs(dir.kind).Y, abs(dir.text).Y; k >= txt {
		t.Fatalf("the search words (y %v) are not under the kind and skill (y %v)", txt, k)
	}
	test.AssertRendersToMarkup(t, "phone_directory_listings.xml", w.Canvas())
	dir.tabs.SelectIndex(0)
	u.ShowPhone("timebank")
	u.Wait()
	ph := u.screens[1].(*timeBankScreen).ph
	if !hasText(ph.lines, "gardening") && len(ph.lines.Objects) != 1 {
		t.Fatalf("statement: %q", texts(ph.lines))
	}
	test.Tap(button(t, ph.pending, "Confirm…"))
	// The dialog fits the phone.
	if top := w.Canvas().Overlays().Top(); top == nil || len(overflows(top, 360)) > 0 {
		t.Fatalf("the confirmation dialog does not fit the phone: %q", overflows(top, 360))
	}
	test.Tap(button(t, w.Canvas().Overlays().Top(), "Confirm"))
	u.Wait()
	if !hasText(ph.pending, "Nothing waits for your answer.") || ph.balance.Text != "-1 h 30 min" {
		t.Fatalf("after confirming: %q, balance %q", texts(ph.pending), ph.balance.Text)
	}
	if !hasText(ph.lines, "Ben · gardening") {
		t.Fatalf("statement after confirming: %q", texts(ph.lines))
	}
}

// TestPhoneScreenshots: the phone screens are captured at 360 × 640,
// light and dark, and the window's size comes back.
func TestPhoneScreenshots(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	dir := t.TempDir()
	if err := u.PhoneScreenshots(dir); err != nil {
		t.Fatal(err)
	}
	for _, name := range PhoneScreenNames {
		var lum [2]float64
		for i, th := range ScreenshotThemes {
			path := filepath.Join(dir, "phone-"+name+"-"+th+".png")
			img := readPNG(t, path)
			if b := img.Bounds(); b.Dx() != 360 || b.Dy() != 640 {
				t.Errorf("%s is %v, want 360 × 640", path, b)
			}
			lum[i] = luminance(img)
		}
		if lum[0] < 0.6 || lum[1] > 0.4 {
			t.Errorf("%s: mean luminance light %.2f, dark %.2f", name, lum[0], lum[1])
		}
	}
	if u.PhoneLayout() || u.Window().Canvas().Size().Width != 1000 {
		t.Fatalf("after the phone screenshots: phone layout %v, size %v", u.PhoneLayout(), u.Window().Canvas().Size())
	}
}

// TestHoursChoices: the picker offers active members other than me, the
// recent counterparties first (newest first), then the others by name;
// the skills of recent transfers come before my profile's, without
// repeats.
func TestHoursChoices(t *testing.T) {
	ms := []node.MemberInfo{
		{ID: "me", Name: "Ann", Skills: []string{"Baking", "gardening"}, Status: node.MemberActive},
		{ID: "b", Name: "Ben", Status: node.MemberActive},
		{ID: "c", Name: "cleo", Status: node.MemberActive},
		{ID: "d", Name: "Dev", Status: node.MemberActive},
		{ID: "e", Name: "Eli", Status: "left"},
	}
	for _, c := range []struct {
		name   string
		ts     []node.TransferInfo
		people []string
		skills []string
	}{
		{"no transfers", nil, []string{"Ben", "cleo", "Dev"}, []string{"Baking", "gardening"}},
		{"recent first", []node.TransferInfo{
			{Proposer: "me", Skill: "Gardening", Legs: []node.LegInfo{{Member: "d"}}},
			{Proposer: "c", Skill: "repairs", Legs: []node.LegInfo{{Member: "me"}}},
			{Proposer: "me", Skill: "repairs", Legs: []node.LegInfo{{Member: "d"}, {Member: "e"}}},
		}, []string{"Dev*", "cleo*", "Ben"}, []string{"Gardening", "repairs", "Baking"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, skills := hoursChoices(ms, c.ts, "me")
			var people []string
			for _, m := range got {
				n := m.name
				if m.recent {
					n += "*"
				}
				people = append(people, n)
			}
			if !slices.Equal(people, c.people) || !slices.Equal(skills, c.skills) {
				t.Fatalf("people %q, skills %q; want %q, %q", people, skills, c.people, c.skills)
			}
		})
	}
}

// touchTargets lists the visible controls below o that are lower than
// touchHeight: buttons, choices, single-line fields, check boxes, links,
// sliders, the governance tree's rows and, with groups, the items of radio
// and check groups (UI.tapGroup raises those). Left out: the tab bars
// of tabs inside a screen (only the shown tab's content is walked).
func touchTargets(o fyne.CanvasObject, groups bool) []string {
	var out []string
	var walk func(o fyne.CanvasObject)
	walk = func(o fyne.CanvasObject) {
		if o == nil || !o.Visible() {
			return
		}
		low := o.Size().Height+0.5 < touchHeight
		switch v := o.(type) {
		case *widget.RadioGroup, *widget.CheckGroup:
			if groups {
				for _, it := range test.WidgetRenderer(v.(fyne.Widget)).Objects() {
					if it.Size().Height+0.5 < touchHeight {
						out = append(out, fmt.Sprintf("an item of %s is %.0f high", describe(o), it.Size().Height))
					}
				}
			}
			return
		case *container.AppTabs:
			if it := v.Selected(); it != nil {
				walk(it.Content)
			}
			return
		case *widget.Button, *widget.Select, *widget.SelectEntry, *widget.DateEntry, *widget.Check, *widget.Hyperlink, *widget.Slider, *wrapButton:
			if low {
				out = append(out, fmt.Sprintf("%s is %.0f high", describe(o), o.Size().Height))
			}
			return
		case *widget.Entry:
			if low && !v.MultiLine {
				out = append(out, fmt.Sprintf("%s is %.0f high", describe(o), o.Size().Height))
			}
			return
		case *widget.Tree:
			each(v, func(c fyne.CanvasObject) {
				if l, ok := c.(*widget.Label); ok && l.Visible() && l.Text != "" && l.Size().Height+0.5 < touchHeight {
					out = append(out, fmt.Sprintf("tree row %q is %.0f high", l.Text, l.Size().Height))
				}
			})
			return
		}
		switch v := o.(type) {
		case *fyne.Container:
			for _, c := range v.Objects {
				walk(c)
			}
		case fyne.Widget:
			if r := test.WidgetRenderer(v); r != nil {
				for _, c := range r.Objects() {
					walk(c)
				}
			}
		}
	}
	walk(o)
	return out
}

// twoColumns lists the two-part layouts below o that show their parts side
// by side (sideBySide, adaptiveSplit).
func twoColumns(o fyne.CanvasObject) []string {
	var out []string
	each(o, func(c fyne.CanvasObject) {
		if !c.Visible() {
			return
		}
		if k, ok := c.(*fyne.Container); ok {
			switch k.Layout.(type) {
			case *pairLayout:
				if k.Objects[1].Visible() && k.Objects[1].Position().Y < k.Objects[0].Position().Y+k.Objects[0].Size().Height {
					out = append(out, "side by side: "+describe(k.Objects[0])+" and "+describe(k.Objects[1]))
				}
			case splitLayout:
				if k.Objects[0].(*container.Split).Horizontal {
					out = append(out, "a split side by side")
				}
			}
		}
	})
	return out
}

// TestPhoneMoreScreens: at 360 × 640, each screen under "More" (and each
// of its tabs) is one column, fits the window's width, and its buttons,
// choices, fields and rows are touch targets at least 48 dp high, as the
// bottom navigation; in the desktop layout the same controls keep their
// own height.
func TestPhoneMoreScreens(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	w := u.Window()
	contrib := u.screens[2].(*contributionsScreen)
	gov := u.screens[4].(*govScreen)
	type view struct {
		screen, name string
		show         func()
	}
	views := []view{
		{"contributions", "all", func() { contrib.tabs.SelectIndex(0) }},
		{"contributions", "record", func() { contrib.tabs.SelectIndex(1) }},
		{"contributions", "cv", func() { contrib.tabs.SelectIndex(2) }},
		{"governance", "proposals", func() { gov.tabs.SelectIndex(0) }},
		{"governance", "proposal", func() { gov.open(gov.props[0].ID) }},
		{"governance", "delegation", func() { gov.tabs.SelectIndex(3) }},
		{"society", "", func() {}},
		{"settings", "", func() {}},
	}
	for _, c := range []struct {
		width float32
		phone bool
	}{{360, true}, {1000, false}} {
		w.Resize(fyne.NewSize(c.width, 640))
		for _, v := range views {
			t.Run(fmt.Sprintf("%v/%s/%s", c.width, v.screen, v.name), func(t *testing.T) {
				if c.phone {
					if !u.ShowPhone(v.screen) {
						t.Fatalf("no phone destination %q", v.screen)
					}
				} else {
					u.ShowTab(slices.Index(ScreenNames, v.screen))
				}
				u.Wait()
				v.show()
				u.Wait()
				if !checkTargets(t, w.Content(), c.phone) {
					return
				}
				for _, o := range append(windowOverflows(w), twoColumns(w.Content())...) {
					t.Error(o)
				}
			})
		}
	}
}

// checkTargets fails the test on each control of o lower than a touch
// target in the phone layout; on the desktop (phone false) it fails unless
// some control keeps its own, lower height. It reports whether the layout
// is the phone's.
func checkTargets(t *testing.T, o fyne.CanvasObject, phone bool) bool {
	t.Helper()
	low := touchTargets(o, true)
	if !phone {
		if len(low) == 0 {
			t.Fatal("the desktop layout's controls are as high as the phone's")
		}
		return false
	}
	for _, l := range low {
		t.Error(l)
	}
	return true
}

// TestPhoneBallotTargets: in the phone layout, the controls of every
// kind of ballot (answers, ticks, score sliders, − and + steppers of dots
// and quadratic votes, up and down buttons of a ranking) are large touch
// targets and fit the width; on the desktop they keep their own height.
func TestPhoneBallotTargets(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	opts := []node.ProposalOption{{Name: "a"}, {Name: "b"}, {Name: "c"}}
	for _, c := range []struct {
		width, scale float32
		phone        bool
	}{{360, 1, true}, {360, 0.8, true}, {1000, 1, false}} {
		u.app.Preferences().SetFloat(PrefTextScale, float64(c.scale)) // the member's text size (Settings)
		applyTheme(u.app)
		u.Window().Resize(fyne.NewSize(c.width, 640))
		u.Wait()
		if u.PhoneLayout() != c.phone {
			t.Fatalf("at %v dp the phone layout is %v", c.width, u.PhoneLayout())
		}
		for _, p := range []node.ProposalBody{
			{Method: node.MethodYesNo},
			{Method: node.MethodConsent},
			{Method: node.MethodConsensus},
			{Method: node.MethodApproval, Options: opts},
			{Method: node.MethodBudgetMES, Options: []node.ProposalOption{{Name: "a", Cost: 30}, {Name: "b", Cost: 50}}, Rule: node.ProposalRule{Budget: 60}},
			{Method: node.MethodScore, Options: opts, Rule: node.ProposalRule{ScoreMax: 5}},
			{Method: node.MethodDots, Options: opts, Rule: node.ProposalRule{Dots: 3}},
			{Method: node.MethodQuadratic, Options: opts, Rule: node.ProposalRule{Credits: 9}},
			{Method: node.MethodIRV, Options: opts},
		} {
			t.Run(fmt.Sprintf("%v/%v/%s", c.width, c.scale, p.Method), func(t *testing.T) {
				b := newGovBallot(&p, nil, u)
				w := test.NewWindow(b.obj)
				defer w.Close()
				w.Resize(fyne.NewSize(c.width, 640))
				low := touchTargets(w.Content(), true)
				if !c.phone {
					if len(low) == 0 {
						t.Fatal("the desktop ballot's controls are as high as the phone's")
					}
					return
				}
				for _, o := range append(low, windowOverflows(w)...) {
					t.Error(o)
				}
			})
		}
	}
}
