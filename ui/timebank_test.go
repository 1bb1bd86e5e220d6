package ui

import (
	"encoding/csv"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/canvas"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/test"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// timeBankOf returns u's time bank screen, shown.
func timeBankOf(t *testing.T, u *UI) *timeBankScreen {
	t.Helper()
	return shownScreen[*timeBankScreen](t, u)
}

// utcTimes shows times in UTC for the length of a test, so that screens
// and goldens do not depend on the machine's time zone.
func utcTimes(t *testing.T) {
	t.Helper()
	old := tbZone
	tbZone = time.UTC
	t.Cleanup(func() { tbZone = old })
}

// topOverlay returns the topmost overlay (a dialog) of u's window, or
// fails.
func topOverlay(t *testing.T, u *UI) fyne.CanvasObject {
	t.Helper()
	o := u.Window().Canvas().Overlays().Top()
	if o == nil {
		t.Fatal("no dialog shown")
	}
	return o
}

// closeOverlays hides every dialog of u's window.
func closeOverlays(u *UI) {
	for o := u.Window().Canvas().Overlays().Top(); o != nil; o = u.Window().Canvas().Overlays().Top() {
		u.Window().Canvas().Overlays().Remove(o)
	}
}

// radio finds the first radio group below c.
func radio(t *testing.T, c fyne.CanvasObject) *widget.RadioGroup {
	t.Helper()
	var found *widget.RadioGroup
	each(c, func(o fyne.CanvasObject) {
		if r, ok := o.(*widget.RadioGroup); ok && found == nil {
			found = r
		}
	})
	if found == nil {
		t.Fatalf("no radio group; texts %q", texts(c))
	}
	return found
}

// logHours fills the "Log hours" form and taps Log.
func logHours(t *testing.T, u *UI, s *timeBankScreen, direction, who, how, skill string) {
	t.Helper()
	s.direction.SetSelected(direction)
	s.member.SetSelected(who)
	if s.member.Selected != who {
		t.Fatalf("%q is not offered; options %q", who, s.member.Options)
	}
	test.Type(s.minutes, how)
	test.Type(s.skill, skill)
	test.Tap(button(t, u.Window().Content(), lang.L("Log")))
	u.Wait()
}

// propose has a member propose a transfer to someone.
func propose(t *testing.T, api node.API, mode, to string, minutes int64, skill, note string) *node.TransferInfo {
	t.Helper()
	ti, err := api.ProposeTransfer(node.TransferRequest{Mode: mode, To: []string{to}, Minutes: minutes, Skill: skill, Note: note})
	if err != nil {
		t.Fatal(err)
	}
	return ti
}

// confirmAll has a member confirm every transfer waiting for them.
func confirmAll(t *testing.T, api node.API) {
	t.Helper()
	ps, err := api.PendingTransfers(node.SocietyRequest{})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		if _, err := api.AnswerTransfer(node.AnswerRequest{ID: p.ID, Accept: true}); err != nil {
			t.Fatal(err)
		}
	}
}

func TestParseLogTime(t *testing.T) {
	for _, c := range []struct {
		in   string
		want int64
	}{
		{"90", 90}, {" 90 ", 90}, {"90m", 90}, {"90 min", 90}, {"45 minutes", 45},
		{"1.5h", 90}, {"1,5 h", 90}, {"2h", 120}, {"2 hours", 120}, {".5h", 30}, {"1h30", 90}, {"1 h 30 min", 90},
		{"1:30", 90}, {"0:05", 5}, {"21h", 1260},
	} {
		got, err := parseLogTime(c.in)
		if err != nil || got != c.want {
			t.Errorf("parseLogTime(%q) = %d, %v; want %d", c.in, got, err, c.want)
		}
	}
	for _, in := range []string{"", "abc", "1.5", "1:75", "-3", "0", "0h", "1h75", "h", "1:", "99999999999999999999", "1e3h"} {
		if got, err := parseLogTime(in); err == nil {
			t.Errorf("parseLogTime(%q) = %d, want an error", in, got)
		}
	}
}

func TestTimeBankShortID(t *testing.T) {
	if err := LoadTranslations("en"); err != nil {
		t.Fatal(err)
	}
	if got := tbShortID("bafyreigh2akiscaildcqabsyg3dfr6chu3fgpregiymsck7e7aqa4s52zy"); got != "bafyreig…" {
		t.Errorf("tbShortID = %q", got)
	}
}

func TestTimeBankLogHoursGiven(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	s := timeBankOf(t, u)
	if got := s.balance.Text; got != "0 h" {
		t.Fatalf("balance %q", got)
	}
	want := []string{"Ben", "Community account"}
	if !reflect.DeepEqual(s.member.Options, want) {
		t.Fatalf("member choices %q, want %q", s.member.Options, want)
	}

	logHours(t, u, s, "I gave", "Ben", "1.5h", "Gardening")
	if !s.logged.Visible() || !strings.Contains(s.logged.Text, "Waiting for Ben to confirm") {
		t.Fatalf("confirmation %q (visible %v)", s.logged.Text, s.logged.Visible())
	}
	if s.member.Selected != "" || s.minutes.Text != "" || s.skill.Text != "" {
		t.Fatalf("form not cleared: %q %q %q", s.member.Selected, s.minutes.Text, s.skill.Text)
	}
	if !hasText(s.proposalsBox, "Waiting for Ben to answer") {
		t.Fatalf("proposals: %q", texts(s.proposalsBox))
	}

	ben.sync(t, u)
	ps, err := ben.api.PendingTransfers(node.SocietyRequest{})
	if err != nil || len(ps) != 1 {
		t.Fatalf("Ben's pending: %+v, %v", ps, err)
	}
	p := ps[0]
	if p.Minutes != -90 || p.Skill != "gardening" || p.Mode != node.ModeGive || p.ProposerName != "Ann" {
		t.Fatalf("Ben's pending transfer %+v", p)
	}
	if _, err := ben.api.AnswerTransfer(node.AnswerRequest{ID: p.ID, Accept: true}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if got := s.balance.Text; got != "+1 h 30 min" {
		t.Fatalf("balance after Ben confirmed: %q", got)
	}
	if len(s.lines) != 1 || s.lines[0].Minutes != 90 || s.lines[0].Balance != 90 || s.lines[0].CounterpartyName != "Ben" {
		t.Fatalf("statement %+v", s.lines)
	}
	for _, w := range []string{"Ben", "gardening", "+1 h 30 min", "1 h 30 min"} {
		if !hasText(s.table, w) {
			t.Errorf("statement table lacks %q: %q", w, texts(s.table))
		}
	}
	if s.empty.Visible() {
		t.Error("the empty-statement note is shown over a line")
	}
	if hasText(s.proposalsBox, "Waiting for Ben") {
		t.Errorf("a confirmed proposal still waits: %q", texts(s.proposalsBox))
	}
}

func TestTimeBankLimitRefused(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	addMember(t, u, "Ben")
	s := timeBankOf(t, u)
	// Receiving 21 h takes Ann's balance to -21 h, past the -20 h minimum.
	logHours(t, u, s, "I received", "Ben", "21h", "Plumbing")
	top := topOverlay(t, u)
	if !hasText(top, "below the society's minimum") {
		t.Fatalf("dialog texts %q", texts(top))
	}
	ts, err := u.api().Transfers(node.TransfersRequest{})
	if err != nil || len(ts) != 0 {
		t.Fatalf("transfers after a refused log: %+v, %v", ts, err)
	}
	if s.minutes.Text != "21h" || s.skill.Text != "Plumbing" || s.member.Selected != "Ben" {
		t.Fatal("a refused log cleared the form")
	}
	if s.logged.Visible() || s.logBtn.Disabled() {
		t.Fatalf("after a refusal: confirmation visible %v, Log disabled %v", s.logged.Visible(), s.logBtn.Disabled())
	}
	if s.balance.Text != "0 h" {
		t.Fatalf("balance %q", s.balance.Text)
	}
}

// TestTimeBankFormChecks: the Log hours form shows every problem next to
// its field at once, in no dialog, logs nothing, and clears a problem
// once it is fixed.
func TestTimeBankFormChecks(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	addMember(t, u, "Ben")
	s := timeBankOf(t, u)
	for _, c := range []struct {
		who, how, skill string
		says            [3]string // under With, Time, Skill
	}{
		{"", "1h", "Gardening", [3]string{"Choose who", "", ""}},
		{"Ben", "soon", "Gardening", [3]string{"", "is not a time", ""}},
		{"Ben", "1h", "", [3]string{"", "", "which skill"}},
		{"", "soon", "", [3]string{"Choose who", "is not a time", "which skill"}},
	} {
		s.member.ClearSelected()
		if c.who != "" {
			s.member.SetSelected(c.who)
		}
		s.minutes.SetText(c.how)
		s.skill.SetText(c.skill)
		s.minutes.OnSubmitted(s.minutes.Text) // Enter in a field logs
		u.Wait()
		if o := u.Window().Canvas().Overlays().Top(); o != nil {
			t.Errorf("%+v: a dialog %q", c, texts(o))
			closeOverlays(u)
		}
		for i, f := range s.logFields {
			if got := f.problem(); (c.says[i] == "") != (got == "") || !strings.Contains(got, c.says[i]) {
				t.Errorf("%+v: field %d says %q, want %q", c, i, got, c.says[i])
			}
		}
	}
	if ts, err := u.api().Transfers(node.TransfersRequest{}); err != nil || len(ts) != 0 {
		t.Fatalf("transfers %+v, %v", ts, err)
	}
	// The statement's amounts are hours and minutes ("-1 h 30 min"): the
	// column says so.
	if s.headers[2] != "Hours" {
		t.Errorf("statement amount column %q", s.headers[2])
	}
	s.minutes.SetText("")
	s.skill.SetText("")
	logHours(t, u, s, "I gave", "Ben", "1h", "Gardening")
	for i, f := range s.logFields {
		if p := f.problem(); p != "" {
			t.Errorf("field %d still says %q after a good log", i, p)
		}
	}
}

func TestTimeBankConfirmPending(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	s := timeBankOf(t, u)
	if !hasText(s.pendingBox, "Nothing waits") {
		t.Fatalf("pending %q", texts(s.pendingBox))
	}
	// Ben gave Ann a service: Ann pays once she confirms.
	ti := propose(t, ben.api, node.ModeGive, "Ann", 90, "Bike repair", "new chain")
	ben.sync(t, u)
	if !hasText(s.pendingBox, "Ben says they gave you 1 h 30 min of bike repair") ||
		!hasText(s.pendingBox, "Confirming changes your balance by -1 h 30 min") {
		t.Fatalf("pending %q", texts(s.pendingBox))
	}
	test.Tap(button(t, s.pendingBox, "Confirm…"))
	top := topOverlay(t, u)
	radio(t, top).SetSelected("Satisfied")
	test.Type(entries(top)[0], "quick and neat")
	test.Tap(button(t, top, "Confirm"))
	u.Wait()
	if got := s.balance.Text; got != "-1 h 30 min" {
		t.Fatalf("balance after confirming: %q", got)
	}
	if !hasText(s.pendingBox, "Nothing waits") {
		t.Fatalf("pending after confirming %q", texts(s.pendingBox))
	}
	if len(s.lines) != 1 || s.lines[0].Minutes != -90 {
		t.Fatalf("statement %+v", s.lines)
	}
	ben.sync(t, u)
	got, err := ben.api.Transfer(node.TransferIDRequest{ID: ti.ID})
	if err != nil {
		t.Fatal(err)
	}
	l := got.Legs[0]
	if l.State != node.StateConfirmed || l.Review == nil || !l.Review.Satisfied || l.Review.Note != "quick and neat" {
		t.Fatalf("Ben sees %+v (review %+v)", l, l.Review)
	}
}

func TestTimeBankRejectPending(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	s := timeBankOf(t, u)
	// Ben pays Ann: confirming needs no review, so Confirm acts at once;
	// Ann rejects it instead.
	ti := propose(t, ben.api, node.ModePay, "Ann", 30, "Lessons", "")
	ben.sync(t, u)
	if !hasText(s.pendingBox, "Ben pays you 30 min for lessons") {
		t.Fatalf("pending %q", texts(s.pendingBox))
	}
	button(t, s.pendingBox, "Confirm") // no review for a payment
	test.Tap(button(t, s.pendingBox, "Reject…"))
	top := topOverlay(t, u)
	reject := button(t, top, "Reject")
	if !reject.Disabled() {
		t.Fatal("Reject is possible without a reason")
	}
	test.Type(entries(top)[0], "I gave no lesson")
	if reject.Disabled() {
		t.Fatal("Reject stays disabled with a reason")
	}
	test.Tap(reject)
	u.Wait()
	if !hasText(s.pendingBox, "Nothing waits") || s.balance.Text != "0 h" {
		t.Fatalf("after rejecting: pending %q, balance %q", texts(s.pendingBox), s.balance.Text)
	}
	ben.sync(t, u)
	got, err := ben.api.Transfer(node.TransferIDRequest{ID: ti.ID})
	if err != nil {
		t.Fatal(err)
	}
	if l := got.Legs[0]; l.State != node.StateRejected || l.Reason != "I gave no lesson" {
		t.Fatalf("Ben sees %+v", l)
	}
}

func TestTimeBankExportCSV(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	propose(t, u.api(), node.ModeGive, "Ben", 90, "Gardening", "beds, weeding")
	ben.sync(t, u)
	confirmAll(t, ben.api)
	propose(t, ben.api, node.ModeGive, "Ann", 30, "Bike repair", "")
	ben.sync(t, u)
	confirmAll(t, u.api())
	s := timeBankOf(t, u)

	path := filepath.Join(t.TempDir(), "statement.csv")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	s.exportCSV(f)
	u.Wait()
	if !strings.Contains(s.logged.Text, "2 lines") {
		t.Fatalf("confirmation %q", s.logged.Text)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != 3 || !reflect.DeepEqual(rows[0], node.StatementCSVHeader()) {
		t.Fatalf("CSV rows %q", rows)
	}
	// Oldest first: the minutes and running balance of each line.
	if r := rows[1]; r[3] != "Ben" || r[4] != "gardening" || r[5] != "beds, weeding" || r[6] != "90" || r[7] != "90" {
		t.Errorf("first line %q", r)
	}
	if r := rows[2]; r[6] != "-30" || r[7] != "60" {
		t.Errorf("second line %q", r)
	}

	// The button asks where to save.
	test.Tap(button(t, s.item.Content, "Export CSV…"))
	if u.Window().Canvas().Overlays().Top() == nil {
		t.Error("Export CSV… shows no file dialog")
	}
	closeOverlays(u)
}

func TestTimeBankChart(t *testing.T) {
	utcTimes(t)
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	s := timeBankOf(t, u)
	s.views.SelectIndex(1)
	u.Wait()
	if len(s.chart.points) != 0 || !strings.HasPrefix(s.chartNote.Text, "No transfers yet") {
		t.Fatalf("empty chart: %d points, %q", len(s.chart.points), s.chartNote.Text)
	}
	propose(t, u.api(), node.ModeGive, "Ben", 120, "Gardening", "")
	ben.sync(t, u)
	confirmAll(t, ben.api)
	propose(t, ben.api, node.ModeGive, "Ann", 180, "Bike repair", "")
	ben.sync(t, u)
	confirmAll(t, u.api())
	u.refreshAll()
	u.Wait()
	if len(s.chart.points) != 2 || s.chart.points[0].balance != 120 || s.chart.points[1].balance != -60 {
		t.Fatalf("chart points %+v", s.chart.points)
	}
	var dots int
	for _, o := range test.WidgetRenderer(s.chart).Objects() {
		if _, ok := o.(*canvas.Rectangle); ok {
			dots++
		}
	}
	if dots != 2 {
		t.Errorf("chart draws %d dots", dots)
	}
	if !strings.Contains(s.chartNote.Text, "Lowest -1 h, highest +2 h, now -1 h") {
		t.Errorf("chart note %q", s.chartNote.Text)
	}
	w := test.NewTempWindow(t, s.chart)
	w.Resize(fyne.NewSize(400, 200))
	test.AssertRendersToMarkup(t, "timebank_chart.xml", w.Canvas())
}

func TestTimeBankPaging(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	for range statementPage + 3 {
		propose(t, u.api(), node.ModeGive, "Ben", 5, "Dishes", "")
	}
	ben.sync(t, u)
	confirmAll(t, ben.api)
	ben.sync(t, u)
	s := timeBankOf(t, u)
	if len(s.lines) != statementPage || !s.more.Visible() {
		t.Fatalf("first page: %d lines, More shown %v", len(s.lines), s.more.Visible())
	}
	test.Tap(s.more)
	u.Wait()
	if len(s.lines) != statementPage+3 || s.more.Visible() {
		t.Fatalf("after More: %d lines, More shown %v", len(s.lines), s.more.Visible())
	}
	if s.lines[0].Balance != 5*(statementPage+3) || s.lines[len(s.lines)-1].Balance != 5 {
		t.Fatalf("not newest first: %d … %d", s.lines[0].Balance, s.lines[len(s.lines)-1].Balance)
	}
	// A refresh keeps the lines loaded so far.
	u.refreshAll()
	u.Wait()
	if len(s.lines) != statementPage+3 {
		t.Fatalf("after a refresh: %d lines", len(s.lines))
	}
}

func TestTimeBankDisputeAndReverse(t *testing.T) {
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	ti := propose(t, u.api(), node.ModeGive, "Ben", 60, "Painting", "")
	ben.sync(t, u)
	confirmAll(t, ben.api)
	ben.sync(t, u)
	s := timeBankOf(t, u)
	if s.balance.Text != "+1 h" {
		t.Fatalf("balance %q", s.balance.Text)
	}

	// A statement line opens the transfer's detail.
	s.table.Select(widget.TableCellID{Row: 0, Col: 2})
	u.Wait()
	detail := topOverlay(t, u)
	if !hasText(detail, "Ben pays Ann 1 h. Confirmed.") || hasText(detail, ti.ID) || !hasText(detail, ti.ID[:8]+"…") {
		t.Fatalf("detail %q", texts(detail))
	}
	test.Tap(button(t, detail, "Copy ID"))
	if got := u.app.Clipboard().Content(); got != ti.ID {
		t.Errorf("clipboard %q, want the transfer ID", got)
	}
	test.Tap(button(t, detail, "Agree to reverse…"))
	form := topOverlay(t, u)
	test.Type(entries(form)[0], "painted the wrong fence")
	test.Tap(button(t, form, "Agree to reverse"))
	u.Wait()
	if !strings.Contains(s.logged.Text, "once the other side agrees") {
		t.Fatalf("after agreeing: %q", s.logged.Text)
	}
	closeOverlays(u)

	// Ben agrees too: the transfer is reversed on both sides.
	ben.sync(t, u)
	if _, err := ben.api.DisputeTransfer(node.DisputeRequest{ID: ti.ID, Reason: "fair enough", Reverse: true}); err != nil {
		t.Fatal(err)
	}
	ben.sync(t, u)
	if s.balance.Text != "0 h" || len(s.lines) != 2 || !s.lines[0].Reversal {
		t.Fatalf("after the reversal: balance %q, lines %+v", s.balance.Text, s.lines)
	}
	if mark, _, _ := tbStatementCell(s.lines[0], colMarks); mark != "reversal" {
		t.Errorf("reversal line marked %q", mark)
	}

	// A plain dispute from the detail.
	s.table.Select(widget.TableCellID{Row: 1, Col: 0})
	u.Wait()
	detail = topOverlay(t, u)
	if hasText(detail, "Agree to reverse…") {
		t.Fatal("a reversed transfer offers to reverse it again")
	}
	test.Tap(button(t, detail, "Dispute…"))
	form = topOverlay(t, u)
	test.Type(entries(form)[0], "one more thing")
	test.Tap(button(t, form, "Dispute"))
	u.Wait()
	got, err := u.api().Transfer(node.TransferIDRequest{ID: ti.ID})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, d := range got.Legs[0].Disputes {
		found = found || d.Reason == "one more thing" && !d.Reverse
	}
	if !found {
		t.Fatalf("disputes %+v", got.Legs[0].Disputes)
	}
}

func TestTimeBankGolden(t *testing.T) {
	utcTimes(t)
	u, _ := fixedUI(t, "Ann")
	ben := addMember(t, u, "Ben")
	propose(t, u.api(), node.ModeGive, "Ben", 90, "Gardening", "")
	ben.sync(t, u)
	confirmAll(t, ben.api)
	propose(t, ben.api, node.ModeGive, "Ann", 30, "Bike repair", "new brakes")
	ben.sync(t, u)

	// The screen alone in a window of its own, so that the golden holds
	// only what this screen draws.
	s := newTimeBank(u).(*timeBankScreen)
	w := test.NewTempWindow(t, s.tab().Content)
	w.Resize(fyne.NewSize(1000, 640))
	s.refresh()
	u.Wait()
	if !hasText(s.pendingBox, "bike repair") || len(s.lines) != 1 {
		t.Fatalf("pending %q, lines %+v", texts(s.pendingBox), s.lines)
	}
	test.AssertRendersToMarkup(t, "timebank.xml", w.Canvas())
}

// TestStatementFitsWidth: the statement table never needs to scroll
// sideways in the desktop layout: its columns fit the table's width, all
// five when they can, three (the balance under the hours, the marks beside
// the skill) when a line's marks are long, from just above the phone
// breakpoint (620 dp) up.
func TestStatementFitsWidth(t *testing.T) {
	noSettle(t)
	u := demoUI(t)
	s := shownScreen[*timeBankScreen](t, u)
	if len(s.lines) == 0 {
		t.Fatal("the demo member's statement is empty")
	}
	all := []int{colDate, colWith, colMinutes, colBalance, colMarks}
	for _, c := range []struct {
		width float32
		marks bool // the first line is past a limit and void
		cols  []int
	}{
		{620, false, all},
		{620, true, compactColumns},
		{700, true, compactColumns},
		{1000, true, compactColumns},
		{1900, true, all},
		{620, true, compactColumns}, // narrowed again
	} {
		t.Run(fmt.Sprintf("%v/marks=%v", c.width, c.marks), func(t *testing.T) {
			s.lines[0].Flagged, s.lines[0].Void = c.marks, c.marks
			u.Window().Resize(fyne.NewSize(c.width, 640))
			s.showLines()
			u.Wait()
			if u.PhoneLayout() {
				t.Fatal("the phone layout is shown")
			}
			if !slices.Equal(s.cols, c.cols) {
				t.Fatalf("columns %v, want %v", s.cols, c.cols)
			}
			if rows, cols := s.table.Length(); rows != len(s.lines) || cols != len(c.cols) {
				t.Fatalf("the table has %d rows and %d columns, want %d and %d", rows, cols, len(s.lines), len(c.cols))
			}
			need := theme.Padding()
			for _, w := range s.colW {
				need += w + theme.Padding()
			}
			if tw := s.table.Size().Width; need > tw+0.5 || tw <= 0 {
				t.Fatalf("the columns need %.0f dp, the table is %.0f wide", need, tw)
			}
			l := s.lines[0]
			want := []string{l.Skill}
			if len(c.cols) < statementColumns {
				want = []string{"Balance " + signedHours(l.Balance), l.Skill + " · past a limit, void: made after a decision removed its author"}
			}
			for _, w := range want {
				if !hasText(s.table, w) {
					t.Fatalf("the first line lacks %q: %q", w, texts(s.table))
				}
			}
		})
	}
}
