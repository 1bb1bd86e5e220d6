package ui

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// contribScreenOf returns the contributions screen of u's main screens.
func contribScreenOf(t *testing.T, u *UI) *contributionsScreen {
	t.Helper()
	for _, s := range u.screens {
		if c, ok := s.(*contributionsScreen); ok {
			return c
		}
	}
	t.Fatal("no contributions screen")
	return nil
}

// overlayTop returns the topmost overlay of u's window (a dialog), or nil.
func overlayTop(u *UI) fyne.CanvasObject { return u.Window().Canvas().Overlays().Top() }

// dismissOverlays removes every overlay (dialog) of u's window and
// returns how many there were.
func dismissOverlays(u *UI) int {
	n := 0
	ov := u.Window().Canvas().Overlays()
	for o := ov.Top(); o != nil; o = ov.Top() {
		ov.Remove(o)
		n++
	}
	return n
}

// soloWindow shows a screen's content alone in a window of its own, for
// markup goldens that do not depend on the other screens' tabs or the
// status bar.
func soloWindow(t *testing.T, content fyne.CanvasObject) fyne.Window {
	t.Helper()
	w := test.NewTempWindow(t, content)
	w.Resize(fyne.NewSize(900, 640))
	return w
}

// buttons returns the visible buttons below c with the text.
func buttons(c fyne.CanvasObject, text string) []*widget.Button {
	var out []*widget.Button
	each(c, func(o fyne.CanvasObject) {
		if b, ok := o.(*widget.Button); ok && b.Text == text && b.Visible() {
			out = append(out, b)
		}
	})
	return out
}

// recordWork fills the contribution form and taps Record.
func recordWork(t *testing.T, u *UI, s *contributionsScreen, what, skill, hours string, forWhom ...string) {
	t.Helper()
	s.tabs.SelectIndex(1)
	test.Type(s.what, what)
	s.skill.SetText(skill)
	test.Type(s.hours, hours)
	s.beneficiaries.SetSelected(forWhom)
	test.Tap(s.record)
	u.Wait()
}

func TestContributionsRecordReviewAndCV(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	soc := u.Society()
	u.ShowTab(2)
	u.Wait()
	s := contribScreenOf(t, u)
	if !hasText(s.list, "No contributions yet") {
		t.Fatalf("empty list: %q", texts(s.list))
	}
	if got := s.beneficiaries.Options; len(got) != 2 || got[0] != "Ben" || got[1] != "The community account" {
		t.Fatalf("beneficiary choices %q", got)
	}

	// Problems show next to their fields, all at once, in no dialog, and
	// record nothing.
	recordWork(t, u, s, "", "", "soon", "Ben")
	if top := overlayTop(u); top != nil {
		t.Fatalf("a dialog for a form problem: %q", texts(top))
	}
	for i, want := range []string{"Say what you did", "Choose or type a skill", "not a number of hours", ""} {
		if got := s.recordFields[i].problem(); (want == "") != (got == "") || !strings.Contains(got, want) {
			t.Errorf("field %d says %q, want %q", i, got, want)
		}
	}
	test.Type(s.what, "Weeded the shared garden")
	s.skill.SetText("Gardening")
	test.Tap(s.record)
	u.Wait()
	if p0, p1, p2 := s.recordFields[0].problem(), s.recordFields[1].problem(), s.recordFields[2].problem(); p0 != "" || p1 != "" || p2 == "" {
		t.Fatalf("after fixing what and skill: %q, %q, %q", p0, p1, p2)
	}
	cs, err := u.api().Contributions(node.ContributionsRequest{Society: soc})
	if err != nil || len(cs) != 0 {
		t.Fatalf("contributions %+v, %v", cs, err)
	}

	s.hours.SetText("1:30")
	test.Tap(s.record)
	u.Wait()
	if top := overlayTop(u); top != nil {
		t.Fatalf("a dialog after recording: %q", texts(top))
	}
	cs, err = u.api().Contributions(node.ContributionsRequest{Society: soc})
	if err != nil || len(cs) != 1 || cs[0].Minutes != 90 || cs[0].Skill != "gardening" || len(cs[0].For) != 1 || cs[0].For[0].ID != ben.id {
		t.Fatalf("contributions %+v, %v", cs, err)
	}
	if s.tabs.SelectedIndex() != 0 || s.what.Text != "" || len(s.beneficiaries.Selected) != 0 {
		t.Fatal("the form was not cleared, or the list not shown, after recording")
	}
	if !hasText(s.list, "Weeded the shared garden") || !hasText(s.list, "Not reviewed yet") || !hasText(s.list, "For Ben") {
		t.Fatalf("list: %q", texts(s.list))
	}
	// One's own contribution offers no review.
	if len(buttons(s.list, "Review…")) != 0 {
		t.Fatal("Review offered on one's own contribution")
	}
	s.openReview(cs[0])
	if s.review != nil || overlayTop(u) != nil {
		t.Fatal("a review dialog opened on one's own contribution")
	}

	// Ben reviews it: the average shows once his records arrive.
	ben.sync(t, u)
	if _, err := ben.api.ReviewContribution(node.ReviewRequest{Society: soc, ID: cs[0].ID, Quality: 4, Impact: 5, Note: "Tidy work"}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if !hasText(s.list, "Quality 4.0, impact 5.0 (1 review)") {
		t.Fatalf("list after Ben's review: %q", texts(s.list))
	}

	// Ben's own contribution: Ann reviews it through the dialog.
	if _, err := ben.api.AddContribution(node.ContributionRequest{Society: soc, What: "Fixed the gate", Skill: "Carpentry", Minutes: 120,
		For: []string{node.CommunityAccount}}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	rvs := buttons(s.list, "Review…")
	if len(rvs) != 1 {
		t.Fatalf("%d Review buttons, want 1 (Ben's contribution only)", len(rvs))
	}
	test.Tap(rvs[0])
	f := s.review
	if f == nil || overlayTop(u) == nil {
		t.Fatal("no review dialog")
	}
	// Both ratings are needed.
	f.quality.SetSelected("3")
	test.Tap(button(t, overlayTop(u), "Send review"))
	u.Wait()
	if !hasText(overlayTop(u), "Rate both") {
		t.Fatal("no error without an impact rating")
	}
	u.Window().Canvas().Overlays().Remove(overlayTop(u))
	f.impact.SetSelected("4")
	test.Type(f.note, "Solid")
	test.Tap(button(t, overlayTop(u), "Send review"))
	u.Wait()
	if top := overlayTop(u); top != nil {
		t.Fatalf("a dialog after reviewing: %q", texts(top))
	}
	gate, err := u.api().Contributions(node.ContributionsRequest{Society: soc, Member: ben.id})
	if err != nil || len(gate) != 1 || len(gate[0].Reviews) != 1 {
		t.Fatalf("Ben's contributions %+v, %v", gate, err)
	}
	if r := gate[0].Reviews[0]; r.Reviewer != u.Me().MemberID || r.Quality != 3 || r.Impact != 4 || r.Note != "Solid" {
		t.Fatalf("Ann's review %+v", r)
	}
	if !hasText(s.list, "Your review: quality 3, impact 4") || !hasText(s.list, "For the community account") {
		t.Fatalf("list after Ann's review: %q", texts(s.list))
	}

	// Filters.
	s.filterSkill.SetText("carp")
	if hasText(s.list, "Weeded") || !hasText(s.list, "Fixed the gate") {
		t.Fatalf("skill filter: %q", texts(s.list))
	}
	s.filterSkill.SetText("")
	s.filterMember.SetSelected("Ann")
	if !hasText(s.list, "Weeded") || hasText(s.list, "Fixed the gate") {
		t.Fatalf("member filter: %q", texts(s.list))
	}
	s.filterMember.SetSelected("Everyone")
	if !hasText(s.list, "Weeded") || !hasText(s.list, "Fixed the gate") {
		t.Fatalf("no filter: %q", texts(s.list))
	}

	// The CV: hours per skill, the review received.
	if !hasText(s.cvSkills, "gardening") || !hasText(s.cvSkills, "1 h 30 min") || hasText(s.cvSkills, "carpentry") {
		t.Fatalf("CV skills: %q", texts(s.cvSkills))
	}
	if !hasText(s.cvReviews, "Ben on “Weeded the shared garden”: quality 4, impact 5 — Tidy work") {
		t.Fatalf("CV reviews: %q", texts(s.cvReviews))
	}
	if !hasText(s.cvSummary, "1 h 30 min of work") {
		t.Fatalf("CV summary: %q", s.cvSummary.Text)
	}
	// A skill without reviews shows no rating (the score counts it as
	// average, 3), but says it has no reviews.
	if _, err := u.api().AddContribution(node.ContributionRequest{Society: soc, What: "Soup", Skill: "Cooking", Minutes: 30}); err != nil {
		t.Fatal(err)
	}
	u.refreshAll()
	u.Wait()
	cells := s.cvSkills.Objects
	row := slices.IndexFunc(cells, func(o fyne.CanvasObject) bool { l, ok := o.(*widget.Label); return ok && l.Text == "cooking" })
	if row < 0 || row+5 >= len(cells) {
		t.Fatalf("no cooking row in the CV: %q", texts(s.cvSkills))
	}
	var got []string
	for _, o := range cells[row+3 : row+6] {
		got = append(got, o.(*widget.Label).Text)
	}
	if want := []string{"-", "-", "No reviews"}; !slices.Equal(got, want) {
		t.Fatalf("CV quality, impact, reviews of an unreviewed skill: %q, want %q", got, want)
	}
}

func TestContributionsHours(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
		ok   bool
	}{
		{"1.5", 90, true}, {"1,5", 90, true}, {"2", 120, true}, {"2h", 120, true}, {" 1:30 ", 90, true}, {"0:05", 5, true},
		{"45 min", 45, true}, {"0.25", 15, true},
		{"", 0, false}, {"soon", 0, false}, {"1:75", 0, false}, {"1:5", 0, false}, {"0", 0, false}, {"-1", 0, false}, {"0.001", 0, false},
	} {
		got, err := contribMinutes(c.in)
		if (err == nil) != c.ok || got != c.want {
			t.Errorf("contribMinutes(%q) = %d, %v; want %d (ok %v)", c.in, got, err, c.want, c.ok)
		}
	}
	for h, want := range map[float64]string{1.5: "1 h 30 min", 2: "2 h", 0.25: "15 min", 0: "0 h"} {
		if got := cvHours(h); got != want {
			t.Errorf("cvHours(%v) = %q, want %q", h, got, want)
		}
	}
}

func TestContributionsExportCV(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	soc := u.Society()
	s := contribScreenOf(t, u)
	recordWork(t, u, s, "Soup for the meeting", "=cooking", "0.5", "Ben")
	res, err := u.api().CV(node.CVRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	_ = ben
	dir := t.TempDir()

	path := filepath.Join(dir, "cv.json")
	if err := saveCVFile(path, cvJSON, res); err != nil {
		t.Fatal(err)
	}
	var cv struct {
		Name          string `json:"name"`
		Contributions []struct {
			What    string `json:"what"`
			Minutes int    `json:"minutes"`
		} `json:"contributions"`
	}
	b, err := os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &cv) != nil || cv.Name != "Ann" || len(cv.Contributions) != 1 || cv.Contributions[0].Minutes != 30 {
		t.Fatalf("JSON export %s: %v", b, err)
	}

	path = filepath.Join(dir, "cv.csv")
	if err := saveCVFile(path, cvCSV, res); err != nil {
		t.Fatal(err)
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := csv.NewReader(f).ReadAll()
	if err != nil || len(rows) != 2 || rows[0][0] != "kind" || rows[1][0] != "contribution" || rows[1][4] != "30" ||
		rows[1][3] != "'=cooking" || rows[1][6] != "Soup for the meeting" {
		t.Fatalf("CSV export %q, %v", rows, err)
	}

	path = filepath.Join(dir, "cv.jsonld")
	if err := saveCVFile(path, cvJSONLD, res); err != nil {
		t.Fatal(err)
	}
	var ld map[string]any
	b, err = os.ReadFile(path)
	if err != nil || json.Unmarshal(b, &ld) != nil {
		t.Fatalf("JSON-LD export %s: %v", b, err)
	}
	if g, ok := ld["@graph"].([]any); !ok || len(g) != 2 || ld["@context"] == nil {
		t.Fatalf("JSON-LD export %s", b)
	}
	if !strings.Contains(string(b), "vf:EconomicEvent") {
		t.Fatalf("JSON-LD export without an economic event: %s", b)
	}

	// A file that cannot be created is an error.
	if err := saveCVFile(filepath.Join(dir, "missing", "cv.json"), cvJSON, res); err == nil {
		t.Fatal("saved into a missing directory")
	}
	if cvJSON.ext() != ".json" || cvCSV.ext() != ".csv" || cvJSONLD.ext() != ".jsonld" {
		t.Fatal("export extensions")
	}
}

// contribMarkupWorld is a society where Ben reviewed Ann's work and
// recorded his own, shown by a contributions screen alone in a window.
func contribMarkupWorld(t *testing.T) (*contributionsScreen, fyne.Window) {
	t.Helper()
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	soc := u.Society()
	s := contribScreenOf(t, u)
	recordWork(t, u, s, "Weeded the shared garden", "Gardening", "1.5", "Ben")
	ben.sync(t, u)
	cs, err := ben.api.Contributions(node.ContributionsRequest{Society: soc})
	if err != nil || len(cs) != 1 {
		t.Fatalf("contributions %+v, %v", cs, err)
	}
	if _, err := ben.api.ReviewContribution(node.ReviewRequest{Society: soc, ID: cs[0].ID, Quality: 4, Impact: 5, Note: "Tidy work"}); err != nil {
		t.Fatal(err)
	}
	if _, err := ben.api.AddContribution(node.ContributionRequest{Society: soc, What: "Fixed the gate", Skill: "Carpentry", Minutes: 120,
		Link: "https://example.org/gate", Guild: "Repairs"}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)

	solo := newContributions(u).(*contributionsScreen)
	w := soloWindow(t, solo.tab().Content)
	solo.refresh()
	u.Wait()
	return solo, w
}

// TestContributionsMarkup renders the list, the CV and the form.
func TestContributionsMarkup(t *testing.T) {
	s, w := contribMarkupWorld(t)
	test.AssertRendersToMarkup(t, "contributions.xml", w.Canvas())
	s.tabs.SelectIndex(2)
	test.AssertRendersToMarkup(t, "contributions_cv.xml", w.Canvas())
	s.tabs.SelectIndex(1)
	test.AssertRendersToMarkup(t, "contributions_record.xml", w.Canvas())
}

// TestRatingSelect: the phone's choice of a rating shows the group's
// answer and sets the group, which the review form reads.
func TestRatingSelect(t *testing.T) {
	for _, c := range []struct{ before, pick, want string }{
		{"", "2", "2"},
		{"4", "5", "5"},
		{"3", "", "3"},
	} {
		t.Run(c.before+"→"+c.pick, func(t *testing.T) {
			g := widget.NewRadioGroup([]string{"1", "2", "3", "4", "5"}, nil)
			g.SetSelected(c.before)
			sel := ratingSelect(g)
			if sel.Selected != c.before {
				t.Fatalf("the choice shows %q, want %q", sel.Selected, c.before)
			}
			if c.pick != "" {
				sel.SetSelected(c.pick)
			}
			if g.Selected != c.want {
				t.Errorf("the group holds %q, want %q", g.Selected, c.want)
			}
		})
	}
}
