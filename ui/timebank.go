package ui

import (
	"errors"
	"fmt"
	"io"
	"math"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

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

// The time bank screen: logging hours, answering the transfers that wait
// for the local member, the statement (a table paged newest first, a
// balance chart, CSV export) and disputes on a transfer's detail.

// statementPage is how many statement lines a page loads.
const statementPage = 50

// tbZone is the time zone times are shown in (tests fix it).
var tbZone = time.Local

// The statement table's columns: the date, the other side (with the
// skill in small print under it), the minutes the line moves, the
// balance after it, and marks (past a limit, reversal). Where the five do
// not fit the table's width (a desktop window just above the phone
// breakpoint), the table shows three (compactColumns): the marks join the
// skill under the other side, and the balance goes under the minutes.
const (
	colDate = iota
	colWith
	colMinutes
	colBalance
	colMarks
	statementColumns
)

// compactColumns are the columns of the statement table when all five do
// not fit its width.
var compactColumns = []int{colDate, colWith, colMinutes}

// minWithWidth is the narrowest the statement's "With" column gets: it
// takes the width the other columns leave.
const minWithWidth = 110

type timeBankScreen struct {
	u    *UI
	item *container.TabItem
	// gen numbers the loads; only the latest one's result is applied.
	gen atomic.Uint64

	balance *widget.Label
	limits  *widget.Label
	loadErr *widget.Label

	// The "Log hours" form.
	gave, received string // the direction choices, translated
	direction      *widget.RadioGroup
	member         *widget.Select
	memberIDs      map[string]string // choice → member ID or node.CommunityAccount
	minutes        *widget.Entry
	skill          *widget.SelectEntry
	logFields      [3]*field // member, minutes, skill
	note           *widget.Entry
	noteBox        *widget.Accordion
	logBtn         *widget.Button
	logged         *widget.Label

	pendingBox   *fyne.Container
	pendingKey   string
	proposalsBox *fyne.Container
	proposalsKey string

	// The statement, newest first, and the cursor of older lines.
	lines   []node.StatementLineInfo
	next    string
	table   *widget.Table
	headers [statementColumns]string
	tableW  float32 // the width the table was last laid out at
	// cols are the columns shown (all, or compactColumns), colW their
	// widths.
	cols []int
	colW []float32

	empty     *widget.Label
	more      *widget.Button
	views     *container.AppTabs
	chart     *balanceChart
	chartNote *widget.Label
	ph        *tbPhone // the phone layout (timebank_phone.go)
}

func newTimeBank(u *UI) screen { return &timeBankScreen{u: u} }

// tbHeading is a section heading.
func tbHeading(text string) *widget.Label {
	l := widget.NewLabelWithStyle(text, fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	l.SizeName = theme.SizeNameSubHeadingText
	return l
}

// tbWrapped is a label that wraps.
func tbWrapped(text string) *widget.Label {
	l := widget.NewLabel(text)
	l.Wrapping = fyne.TextWrapWord
	return l
}

func (s *timeBankScreen) tab() *container.TabItem {
	if s.item != nil {
		return s.item
	}
	s.balance = widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	s.balance.SizeName = theme.SizeNameHeadingText
	s.limits = widget.NewLabel("")
	s.loadErr = tbWrapped("")
	s.loadErr.Importance = widget.DangerImportance
	s.loadErr.Hide()
	s.pendingBox = container.NewVBox()
	s.proposalsBox = container.NewVBox()
	// What waits for an answer comes before the form, so that its
	// buttons show without scrolling.
	// The balance beside its heading, to keep the column short.
	balance := container.NewHBox(container.NewCenter(tbHeading(lang.L("My balance"))), s.balance)
	left := container.NewVBox(
		balance, s.limits, s.loadErr,
		widget.NewSeparator(),
		tbHeading(lang.L("Waiting for your answer")), s.pendingBox,
		widget.NewSeparator(),
		tbHeading(lang.L("Log hours")), s.logForm(),
		widget.NewSeparator(),
		tbHeading(lang.L("Your recent proposals")), s.proposalsBox,
	)
	split := container.NewHSplit(container.NewVScroll(container.NewPadded(left)), container.NewPadded(s.statementView()))
	split.Offset = 0.37
	s.item = container.NewTabItemWithIcon(lang.L("Time bank"), theme.HistoryIcon(), adaptiveSplit(split))
	return s.item
}

// logForm builds the "Log hours" form: who, how long, which skill, in
// which direction, and an optional note.
func (s *timeBankScreen) logForm() fyne.CanvasObject {
	s.gave, s.received = lang.L("I gave"), lang.L("I received")
	s.direction = widget.NewRadioGroup([]string{s.gave, s.received}, nil)
	s.direction.Horizontal = true
	s.direction.Required = true
	s.direction.SetSelected(s.gave)
	s.member = widget.NewSelect(nil, nil)
	s.member.PlaceHolder = lang.L("Choose a member")
	redrawOnThemeChange(s.u, s.member)
	s.memberIDs = map[string]string{}
	s.minutes = widget.NewEntry()
	s.minutes.SetPlaceHolder(lang.L("90, 1.5h or 1:30"))
	s.minutes.OnSubmitted = func(string) { s.log() }
	s.skill = widget.NewSelectEntry(nil)
	s.skill.SetPlaceHolder(lang.L("Gardening, repairs…"))
	s.skill.OnSubmitted = func(string) { s.log() }
	s.note = widget.NewMultiLineEntry()
	s.note.SetPlaceHolder(lang.L("A few words for the other side"))
	s.note.Wrapping = fyne.TextWrapWord
	s.noteBox = widget.NewAccordion(widget.NewAccordionItem(lang.L("Add a note (optional)"), s.note))
	s.logFields = [3]*field{newField(s.member), newField(s.minutes), newField(s.skill)}
	form := widget.NewForm(
		widget.NewFormItem(lang.L("Direction"), s.u.tapGroup(s.direction)),
		widget.NewFormItem(lang.L("With"), s.logFields[0].box),
		&widget.FormItem{Text: lang.L("Time"), Widget: s.logFields[1].box, HintText: lang.L("Minutes, hours, or hours:minutes")},
		widget.NewFormItem(lang.L("Skill"), s.logFields[2].box),
	)
	s.logBtn = widget.NewButtonWithIcon(lang.L("Log"), theme.ConfirmIcon(), s.log)
	s.logBtn.Importance = widget.HighImportance
	s.logged = tbWrapped("")
	s.logged.Importance = widget.SuccessImportance
	s.logged.Hide()
	return container.NewVBox(form, s.noteBox, container.NewHBox(layout.NewSpacer(), s.logBtn), s.logged)
}

// statementView builds the statement: its table and chart, paging and
// export.
func (s *timeBankScreen) statementView() fyne.CanvasObject {
	s.headers = [statementColumns]string{lang.L("Date"), lang.L("With"), lang.L("Hours"), lang.L("Balance"), lang.L("Marks")}
	s.table = widget.NewTable(
		func() (int, int) { return len(s.lines), len(s.cols) },
		newTbCell,
		func(id widget.TableCellID, o fyne.CanvasObject) {
			c := o.(*fyne.Container)
			top, sub := c.Objects[0].(*widget.Label), c.Objects[1].(*widget.Label)
			if id.Row < 0 || id.Row >= len(s.lines) || id.Col < 0 || id.Col >= len(s.cols) {
				top.SetText("")
				sub.Hide()
				return
			}
			l, col := s.lines[id.Row], s.cols[id.Col]
			text, align, imp := tbStatementCell(l, col)
			top.Alignment, top.Importance = align, imp
			top.SetText(text)
			if small, simp := s.smallPrint(l, col); small != "" {
				sub.Alignment, sub.Importance = align, simp
				sub.SetText(small)
				sub.Show()
			} else {
				sub.Hide()
			}
			c.Refresh()
		})
	s.table.ShowHeaderRow = true
	s.table.CreateHeader = func() fyne.CanvasObject {
		return widget.NewLabelWithStyle("", fyne.TextAlignLeading, fyne.TextStyle{Bold: true})
	}
	s.table.UpdateHeader = func(id widget.TableCellID, o fyne.CanvasObject) {
		l := o.(*widget.Label)
		if id.Row < 0 && id.Col >= 0 && id.Col < len(s.cols) {
			col := s.cols[id.Col]
			l.Alignment = fyne.TextAlignLeading
			if col == colMinutes || col == colBalance {
				l.Alignment = fyne.TextAlignTrailing
			}
			l.SetText(s.headers[col])
			return
		}
		l.SetText("")
	}
	s.fitColumns(0)
	s.table.OnSelected = func(id widget.TableCellID) {
		s.table.UnselectAll()
		if id.Row >= 0 && id.Row < len(s.lines) {
			s.showTransfer(s.lines[id.Row].Transfer)
		}
	}
	s.empty = tbWrapped(lang.L("No transfers on your statement yet: hours appear here once confirmed."))
	s.empty.Alignment = fyne.TextAlignCenter
	s.more = widget.NewButtonWithIcon(lang.L("More"), theme.MoreVerticalIcon(), s.loadMore)
	s.more.Hide()
	hint := widget.NewLabel(lang.L("Select a line for its details and disputes."))
	hint.SizeName = theme.SizeNameCaptionText
	linesView := container.NewBorder(nil, container.NewHBox(hint, layout.NewSpacer(), s.more), nil, nil,
		container.New(&tbTableLayout{s: s}, s.table, container.NewVBox(layout.NewSpacer(), s.empty, layout.NewSpacer())))

	s.chart = newBalanceChart()
	s.chartNote = tbWrapped("")
	chartView := container.NewBorder(nil, s.chartNote, nil, nil, s.chart)

	s.views = container.NewAppTabs(
		container.NewTabItem(lang.L("Lines"), linesView),
		container.NewTabItem(lang.L("Chart"), chartView),
	)
	s.views.OnSelected = func(*container.TabItem) {
		if s.chartShown() {
			s.loadChart()
		}
	}
	export := widget.NewButtonWithIcon(lang.L("Export CSV…"), theme.DocumentSaveIcon(), s.askExport)
	return container.NewBorder(container.NewHBox(tbHeading(lang.L("My statement")), layout.NewSpacer(), export), nil, nil, nil, s.views)
}

// newTbCell makes a statement table cell: a line of text and, in the
// "With" column, the skill in small print under it.
func newTbCell() fyne.CanvasObject {
	top := widget.NewLabel("2026-12-31")
	top.Truncation = fyne.TextTruncateEllipsis
	sub := widget.NewLabel("skill")
	sub.Truncation = fyne.TextTruncateEllipsis
	sub.SizeName = theme.SizeNameCaptionText
	return container.New(tbCellLayout{}, top, sub)
}

// tbCellLayout stacks a statement cell's two labels without the padding
// between them (one label, centred, when the second is hidden).
type tbCellLayout struct{}

func (tbCellLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	top, sub := objs[0].MinSize(), objs[1].MinSize()
	return fyne.NewSize(max(top.Width, sub.Width), top.Height+sub.Height-2*theme.InnerPadding())
}

func (tbCellLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	top, sub := objs[0], objs[1]
	th, sh := top.MinSize().Height, sub.MinSize().Height
	if !sub.Visible() {
		top.Move(fyne.NewPos(0, (size.Height-th)/2))
		top.Resize(fyne.NewSize(size.Width, th))
		return
	}
	overlap := 2 * theme.InnerPadding()
	y := (size.Height - (th + sh - overlap)) / 2
	top.Move(fyne.NewPos(0, y))
	top.Resize(fyne.NewSize(size.Width, th))
	sub.Move(fyne.NewPos(0, y+th-overlap))
	sub.Resize(fyne.NewSize(size.Width, sh))
}

// tbTableLayout lays the statement table (and what covers it) out over
// the whole space, fitting the columns to the width.
type tbTableLayout struct{ s *timeBankScreen }

func (l *tbTableLayout) MinSize(objs []fyne.CanvasObject) fyne.Size {
	var m fyne.Size
	for _, o := range objs {
		m = m.Max(o.MinSize())
	}
	return m
}

func (l *tbTableLayout) Layout(objs []fyne.CanvasObject, size fyne.Size) {
	if l.s.fitColumns(size.Width) {
		l.s.table.Refresh()
	}
	for _, o := range objs {
		o.Move(fyne.NewPos(0, 0))
		o.Resize(size)
	}
}

// smallPrint is the small print under a statement cell: the skill under
// the other side, and in the compact columns the marks beside the skill
// and the balance under the minutes.
func (s *timeBankScreen) smallPrint(l node.StatementLineInfo, col int) (string, widget.Importance) {
	compact := len(s.cols) < statementColumns
	switch {
	case col == colWith && compact:
		if marks, _, imp := tbStatementCell(l, colMarks); marks != "" {
			return l.Skill + " · " + marks, imp
		}
		return l.Skill, widget.MediumImportance
	case col == colWith:
		return l.Skill, widget.MediumImportance
	case col == colMinutes && compact:
		return s.headers[colBalance] + " " + signedHours(l.Balance), widget.MediumImportance
	}
	return "", widget.MediumImportance
}

// fitColumns chooses the statement's columns and sets their widths for a
// table width (0 keeps the last one): the date, minutes, balance and marks
// columns get what their widest text needs, the "With" column the rest.
// When the five columns do not fit, the table shows compactColumns;
// changed reports that the columns shown changed.
func (s *timeBankScreen) fitColumns(width float32) (changed bool) {
	if width > 0 {
		s.tableW = width
	}
	pad, inner := theme.Padding(), 2*theme.InnerPadding()
	measure := func(text string, style fyne.TextStyle) float32 {
		return float32(math.Ceil(float64(fyne.MeasureText(text, theme.TextSize(), style).Width + inner)))
	}
	small := func(text string) float32 {
		return float32(math.Ceil(float64(fyne.MeasureText(text, theme.CaptionTextSize(), fyne.TextStyle{}).Width + inner)))
	}
	var w [statementColumns]float32
	for i, h := range s.headers {
		w[i] = measure(h, fyne.TextStyle{Bold: true})
	}
	w[colDate] = max(w[colDate], measure("2026-12-31", fyne.TextStyle{}))
	var compactMinutes float32
	for _, l := range s.lines {
		for _, c := range []int{colDate, colMinutes, colBalance, colMarks} {
			text, _, _ := tbStatementCell(l, c)
			w[c] = max(w[c], measure(text, fyne.TextStyle{}))
		}
		compactMinutes = max(compactMinutes, small(s.headers[colBalance]+" "+signedHours(l.Balance)))
	}
	// The columns and a divider after each, and room for the scroll bar.
	fits := func(cols []int) (float32, bool) {
		rest := s.tableW - float32(len(cols))*pad - theme.Padding()
		for _, c := range cols {
			if c != colWith {
				rest -= w[c]
			}
		}
		return rest, s.tableW <= 0 || rest >= minWithWidth
	}
	before := len(s.cols)
	s.cols = []int{colDate, colWith, colMinutes, colBalance, colMarks}
	rest, ok := fits(s.cols)
	if !ok {
		w[colMinutes] = max(w[colMinutes], compactMinutes)
		s.cols = compactColumns
		rest, _ = fits(s.cols)
	}
	w[colWith] = max(w[colWith], minWithWidth, float32(math.Floor(float64(rest))))
	s.colW = s.colW[:0]
	for i, c := range s.cols {
		s.colW = append(s.colW, w[c])
		s.table.SetColumnWidth(i, w[c])
	}
	return len(s.cols) != before
}

// tbStatementCell is the text, alignment and importance of a statement
// table cell (the "With" column's first line).
func tbStatementCell(l node.StatementLineInfo, col int) (string, fyne.TextAlign, widget.Importance) {
	switch col {
	case colDate:
		return tbDate(l.Time), fyne.TextAlignLeading, widget.MediumImportance
	case colWith:
		return tbAccountName(l.Counterparty, l.CounterpartyName), fyne.TextAlignLeading, widget.MediumImportance
	case colMinutes:
		imp := widget.SuccessImportance
		if l.Minutes < 0 {
			imp = widget.MediumImportance
		}
		return signedHours(l.Minutes), fyne.TextAlignTrailing, imp
	case colBalance:
		return signedHours(l.Balance), fyne.TextAlignTrailing, widget.MediumImportance
	case colMarks:
		var marks []string
		if l.Flagged {
			marks = append(marks, lang.L("past a limit"))
		}
		if l.Reversal {
			marks = append(marks, lang.L("reversal"))
		}
		if l.Void {
			marks = append(marks, lang.L("void: made after a decision removed its author"))
		}
		imp := widget.MediumImportance
		if l.Flagged || l.Void {
			imp = widget.WarningImportance
		}
		return strings.Join(marks, ", "), fyne.TextAlignLeading, imp
	}
	return "", fyne.TextAlignLeading, widget.MediumImportance
}

// chartShown reports whether the chart is the statement view shown.
func (s *timeBankScreen) chartShown() bool { return s.views != nil && s.views.SelectedIndex() == 1 }

// timeBankData is what a refresh loads.
type timeBankData struct {
	balance   *node.BalanceInfo
	pending   []node.PendingInfo
	transfers []node.TransferInfo
	members   []node.MemberInfo
	statement *node.StatementInfo
}

func (s *timeBankScreen) refresh() {
	if s.item == nil {
		return
	}
	gen := s.gen.Add(1)
	soc, me := s.u.Society(), s.u.Me().MemberID
	limit := max(statementPage, len(s.lines))
	var d timeBankData
	s.u.quietly(func(api node.API) (err error) {
		if d.balance, err = api.Balance(node.BalanceRequest{Society: soc}); err != nil {
			return err
		}
		if d.pending, err = api.PendingTransfers(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		if d.transfers, err = api.Transfers(node.TransfersRequest{Society: soc, Limit: 20}); err != nil {
			return err
		}
		if d.members, err = api.Members(node.SocietyRequest{Society: soc}); err != nil {
			return err
		}
		d.statement, err = api.Statement(node.StatementRequest{Society: soc, Limit: limit})
		return err
	}, func() {
		if s.gen.Load() != gen {
			return
		}
		s.loadErr.Hide()
		s.show(&d, me)
	}, func(err error) {
		if s.gen.Load() != gen {
			return
		}
		s.loadErr.SetText(fmt.Sprintf(lang.L("The time bank could not be loaded: %s"), Readable(err)))
		s.loadErr.Show()
	})
	if s.chartShown() {
		s.loadChart()
	}
}

// show puts loaded data on the screen.
func (s *timeBankScreen) show(d *timeBankData, me string) {
	s.balance.SetText(signedHours(d.balance.Minutes))
	if d.balance.MaxMinutes != nil {
		s.limits.SetText(fmt.Sprintf(lang.L("Limits: from %s to %s"), signedHours(d.balance.MinMinutes), signedHours(*d.balance.MaxMinutes)))
	} else {
		s.limits.SetText(fmt.Sprintf(lang.L("Limit: at least %s"), signedHours(d.balance.MinMinutes)))
	}
	s.showMembers(d.members, me)
	s.showPending(d.pending)
	s.showProposals(d.transfers, me)
	s.lines, s.next = d.statement.Lines, d.statement.Next
	s.showLines()
	s.showPhone(d)
}

// showMembers fills the member picker (active members other than me, by
// name, then the community account) and the skill suggestions.
func (s *timeBankScreen) showMembers(ms []node.MemberInfo, me string) {
	count := map[string]int{}
	for _, m := range ms {
		count[strings.ToLower(m.Name)]++
	}
	ids := map[string]string{}
	var opts []string
	skills := map[string]string{}
	for _, m := range ms {
		for _, sk := range m.Skills {
			if k := strings.ToLower(strings.TrimSpace(sk)); k != "" && skills[k] == "" {
				skills[k] = strings.TrimSpace(sk)
			}
		}
		if m.ID == me || m.Status != node.MemberActive {
			continue
		}
		label := m.Name
		if count[strings.ToLower(m.Name)] > 1 || strings.TrimSpace(label) == "" {
			label = fmt.Sprintf("%s (%s)", m.Name, tbShortID(m.ID))
		}
		ids[label] = m.ID
		opts = append(opts, label)
	}
	slices.SortFunc(opts, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	community := lang.L("Community account")
	ids[community] = node.CommunityAccount
	opts = append(opts, community)
	s.memberIDs = ids
	sel := s.member.Selected
	if !slices.Equal(s.member.Options, opts) {
		s.member.SetOptions(opts)
	}
	if _, ok := ids[sel]; !ok && sel != "" {
		s.member.ClearSelected()
	}
	var sk []string
	for _, v := range skills {
		sk = append(sk, v)
	}
	slices.SortFunc(sk, func(a, b string) int { return strings.Compare(strings.ToLower(a), strings.ToLower(b)) })
	s.skill.SetOptions(sk)
}

// showPending lists the transfers waiting for my answer (rebuilt only when
// they change, so that focus stays put).
func (s *timeBankScreen) showPending(ps []node.PendingInfo) {
	var key strings.Builder
	for _, p := range ps {
		fmt.Fprintf(&key, "%s/%s;", p.ID, p.Account)
	}
	if key.String() == s.pendingKey && len(s.pendingBox.Objects) > 0 {
		return
	}
	s.pendingKey = key.String()
	s.pendingBox.RemoveAll()
	if len(ps) == 0 {
		s.pendingBox.Add(widget.NewLabel(lang.L("Nothing waits for your answer.")))
		return
	}
	for _, p := range ps {
		s.pendingBox.Add(s.pendingRow(p))
	}
}

// pendingRow is one transfer waiting for my answer, with Confirm and
// Reject.
func (s *timeBankScreen) pendingRow(p node.PendingInfo) fyne.CanvasObject {
	text := tbWrapped(tbTime(p.Time) + " · " + pendingText(p))
	effect := fmt.Sprintf(lang.L("Confirming changes your balance by %s."), signedHours(p.Minutes))
	if p.Account == node.CommunityAccount {
		effect = fmt.Sprintf(lang.L("Confirming changes the community account by %s."), signedHours(p.Minutes))
	}
	eff := widget.NewLabel(effect)
	eff.SizeName = theme.SizeNameCaptionText
	confirm := widget.NewButtonWithIcon(confirmLabel(p), theme.ConfirmIcon(), func() { s.u.confirmPending(p, s.answer) })
	confirm.Importance = widget.HighImportance
	reject := widget.NewButtonWithIcon(lang.L("Reject…"), theme.CancelIcon(), func() { s.u.rejectPending(p, s.answer) })
	details := widget.NewButtonWithIcon(lang.L("Details"), theme.InfoIcon(), func() { s.showTransfer(p.ID) })
	return container.NewVBox(text, eff, container.NewHBox(confirm, reject, details))
}

// tbRequired is the validator of required text fields.
func tbRequired(s string) error {
	if strings.TrimSpace(s) == "" {
		return errors.New(lang.L("Required"))
	}
	return nil
}

// answer writes an answer, then refreshes the screens.
func (s *timeBankScreen) answer(req node.AnswerRequest, done string) {
	s.u.async(func(api node.API) error {
		_, err := api.AnswerTransfer(req)
		return err
	}, func() {
		s.showLogged(done)
		s.u.refreshAll()
	})
}

// showProposals lists my recent proposals that wait for an answer or were
// rejected.
func (s *timeBankScreen) showProposals(ts []node.TransferInfo, me string) {
	var key strings.Builder
	var rows []node.TransferInfo
	for _, ti := range ts {
		if ti.Proposer != me {
			continue
		}
		open := false
		for _, l := range ti.Legs {
			if l.State == node.StatePending || l.State == node.StateRejected {
				open = true
			}
			fmt.Fprintf(&key, "%s/%s/%s;", ti.ID, l.Member, l.State)
		}
		if open {
			rows = append(rows, ti)
		}
	}
	if key.String() == s.proposalsKey && len(s.proposalsBox.Objects) > 0 {
		return
	}
	s.proposalsKey = key.String()
	s.proposalsBox.RemoveAll()
	if len(rows) == 0 {
		s.proposalsBox.Add(widget.NewLabel(lang.L("None waits for an answer.")))
		return
	}
	for _, ti := range rows {
		var lines []string
		for _, l := range ti.Legs {
			who := tbAccountName(l.Member, l.Name)
			switch l.State {
			case node.StatePending:
				lines = append(lines, fmt.Sprintf(lang.L("Waiting for %s to answer."), who))
			case node.StateRejected:
				lines = append(lines, fmt.Sprintf(lang.L("%s rejected it: %s"), who, l.Reason))
			}
		}
		text := tbWrapped(tbTime(ti.Time) + " · " + tbProposalText(&ti) + "\n" + strings.Join(lines, "\n"))
		details := widget.NewButtonWithIcon(lang.L("Details"), theme.InfoIcon(), func() { s.showTransfer(ti.ID) })
		s.proposalsBox.Add(container.NewBorder(nil, nil, nil, container.NewVBox(details), text))
	}
}

// tbProposalText says what the local member proposed.
func tbProposalText(ti *node.TransferInfo) string {
	if len(ti.Legs) == 0 {
		return ti.Skill
	}
	amount := hoursText(ti.Legs[0].Minutes)
	var names []string
	for _, l := range ti.Legs {
		names = append(names, tbAccountName(l.Member, l.Name))
	}
	who := strings.Join(names, ", ")
	if ti.Mode == node.ModeGive {
		return fmt.Sprintf(lang.L("You gave %s %s of %s."), who, amount, ti.Skill)
	}
	return fmt.Sprintf(lang.L("You pay %s %s for %s."), who, amount, ti.Skill)
}

// showLines shows the statement lines loaded.
func (s *timeBankScreen) showLines() {
	s.fitColumns(0)
	s.table.Refresh()
	if len(s.lines) == 0 {
		s.empty.Show()
	} else {
		s.empty.Hide()
	}
	if s.next != "" {
		s.more.Show()
	} else {
		s.more.Hide()
	}
}

// loadMore appends the next page of older statement lines.
func (s *timeBankScreen) loadMore() {
	if s.next == "" {
		return
	}
	gen := s.gen.Load()
	req := node.StatementRequest{Society: s.u.Society(), Limit: statementPage, Cursor: s.next}
	var st *node.StatementInfo
	s.u.async(func(api node.API) (err error) {
		st, err = api.Statement(req)
		return err
	}, func() {
		if s.gen.Load() != gen {
			return
		}
		s.lines = append(s.lines, st.Lines...)
		s.next = st.Next
		s.showLines()
	})
}

// loadChart loads the whole statement (oldest first) into the chart.
func (s *timeBankScreen) loadChart() {
	gen := s.gen.Load()
	req := node.StatementRequest{Society: s.u.Society(), All: true}
	var st *node.StatementInfo
	s.u.quietly(func(api node.API) (err error) {
		st, err = api.Statement(req)
		return err
	}, func() {
		if s.gen.Load() != gen {
			return
		}
		pts := tbChartPoints(st.Lines)
		s.chart.SetPoints(pts)
		s.chartNote.SetText(tbChartSummary(pts))
	}, func(err error) {
		s.chartNote.SetText(fmt.Sprintf(lang.L("The chart could not be loaded: %s"), Readable(err)))
	})
}

// tbChartPoints turns statement lines (oldest first) into chart points.
func tbChartPoints(lines []node.StatementLineInfo) []chartPoint {
	pts := make([]chartPoint, 0, len(lines))
	for _, l := range lines {
		t, err := time.Parse(time.RFC3339, l.Time)
		if err != nil {
			continue
		}
		pts = append(pts, chartPoint{at: t, balance: l.Balance, flagged: l.Flagged})
	}
	return pts
}

// tbChartSummary says in words what the chart shows.
func tbChartSummary(pts []chartPoint) string {
	if len(pts) == 0 {
		return lang.L("No transfers yet: the chart starts with the first confirmed one.")
	}
	lo, hi := pts[0].balance, pts[0].balance
	for _, p := range pts {
		lo, hi = min(lo, p.balance), max(hi, p.balance)
	}
	since := pts[0].at.In(tbZone).Format("2006-01-02")
	if len(pts) == 1 {
		return fmt.Sprintf(lang.L("1 line on %s: the balance is %s."), since, signedHours(pts[0].balance))
	}
	return fmt.Sprintf(lang.L("%d lines since %s. Lowest %s, highest %s, now %s."), len(pts),
		since, signedHours(lo), signedHours(hi), signedHours(pts[len(pts)-1].balance))
}

// askExport asks where to save the statement as CSV.
func (s *timeBankScreen) askExport() {
	d := dialog.NewFileSave(func(w fyne.URIWriteCloser, err error) {
		if err != nil {
			s.u.showError(err)
			return
		}
		if w == nil {
			return
		}
		s.exportCSV(w)
	}, s.u.win)
	d.SetFileName("statement.csv")
	d.SetFilter(storage.NewExtensionFileFilter([]string{".csv"}))
	d.Show()
}

// exportCSV writes the whole statement as CSV (the columns of the command
// line's statement --csv) to w and closes it; a failed export removes
// what it wrote when w is a file.
func (s *timeBankScreen) exportCSV(w io.WriteCloser) {
	soc := s.u.Society()
	var n int
	s.u.async(func(api node.API) error {
		st, err := api.Statement(node.StatementRequest{Society: soc, All: true})
		if err == nil {
			n = len(st.Lines)
			err = node.WriteStatementCSV(w, st)
		}
		if cerr := w.Close(); err == nil {
			err = cerr
		}
		if err != nil {
			if uw, ok := w.(fyne.URIWriteCloser); ok {
				_ = storage.Delete(uw.URI())
			}
			return fmt.Errorf("%s: %w", lang.L("The statement was not exported"), err)
		}
		return nil
	}, func() {
		s.showLogged(fmt.Sprintf(lang.L("Statement exported: %d lines."), n))
	})
}

// log proposes the transfer of the "Log hours" form.
func (s *timeBankScreen) log() {
	if s.logBtn.Disabled() {
		return
	}
	to, ok := s.memberIDs[s.member.Selected]
	var memberErr, skillErr error
	if !ok {
		memberErr = errors.New(lang.L("Choose who you exchanged time with."))
	}
	minutes, timeErr := parseLogTime(s.minutes.Text)
	skill := strings.TrimSpace(s.skill.Text)
	if skill == "" {
		skillErr = errors.New(lang.L("Say which skill or service it was."))
	}
	if !allFine(s.logFields[0].check(memberErr), s.logFields[1].check(timeErr), s.logFields[2].check(skillErr)) {
		return
	}
	mode := node.ModeGive
	if s.direction.Selected == s.received {
		mode = node.ModePay
	}
	req := node.TransferRequest{Society: s.u.Society(), Mode: mode, To: []string{to}, Minutes: minutes, Skill: skill,
		Note: strings.TrimSpace(s.note.Text)}
	who := s.member.Selected
	s.logBtn.Disable()
	var ti *node.TransferInfo
	s.u.quietly(func(api node.API) (err error) {
		ti, err = api.ProposeTransfer(req)
		return err
	}, func() {
		s.logBtn.Enable()
		s.showLogged(tbLoggedText(ti, mode, who, minutes, skill))
		s.member.ClearSelected()
		s.minutes.SetText("")
		s.skill.SetText("")
		s.note.SetText("")
		s.noteBox.CloseAll()
		s.u.refreshAll()
	}, func(err error) {
		s.logBtn.Enable()
		s.u.showError(err)
	})
}

// tbLoggedText confirms a logged transfer.
func tbLoggedText(ti *node.TransferInfo, mode, who string, minutes int64, skill string) string {
	var s string
	if mode == node.ModeGive {
		s = fmt.Sprintf(lang.L("Logged: you gave %s %s of %s."), who, hoursText(minutes), skill)
	} else {
		s = fmt.Sprintf(lang.L("Logged: %s gave you %s of %s."), who, hoursText(minutes), skill)
	}
	var waiting []string
	for _, l := range ti.Legs {
		if l.State == node.StatePending {
			waiting = append(waiting, tbAccountName(l.Member, l.Name))
		}
	}
	if len(waiting) > 0 {
		s += " " + fmt.Sprintf(lang.L("Waiting for %s to confirm."), strings.Join(waiting, ", "))
	}
	return s
}

// showLogged shows a short confirmation under the form.
func (s *timeBankScreen) showLogged(text string) {
	s.logged.SetText(text)
	s.logged.Show()
}

// showTransfer loads a transfer and shows its detail.
func (s *timeBankScreen) showTransfer(id string) {
	req := node.TransferIDRequest{Society: s.u.Society(), ID: id}
	var ti *node.TransferInfo
	s.u.async(func(api node.API) (err error) {
		ti, err = api.Transfer(req)
		return err
	}, func() { s.transferDialog(ti) })
}

// transferDialog shows a transfer: its legs, reviews and disputes, with
// "Dispute…" and "Agree to reverse…" on the legs the local member is
// party to.
func (s *timeBankScreen) transferDialog(ti *node.TransferInfo) {
	me := s.u.Me().MemberID
	box := container.NewVBox()
	var d *dialog.CustomDialog
	kind := lang.L("a service given")
	if ti.Mode == node.ModePay {
		kind = lang.L("a payment")
	}
	box.Add(tbHeading(fmt.Sprintf(lang.L("Skill: %s"), ti.Skill)))
	box.Add(tbWrapped(fmt.Sprintf(lang.L("Proposed by %s on %s (%s)."), ti.ProposerName, tbTime(ti.Time), kind)))
	if ti.Note != "" {
		box.Add(tbWrapped(fmt.Sprintf(lang.L("Note: %s"), ti.Note)))
	}
	for _, l := range ti.Legs {
		box.Add(widget.NewSeparator())
		box.Add(tbWrapped(tbLegText(ti, l)))
		if l.Review != nil {
			verdict := lang.L("satisfied")
			if !l.Review.Satisfied {
				verdict = lang.L("unsatisfied")
			}
			r := fmt.Sprintf(lang.L("Review: %s"), verdict)
			if l.Review.Note != "" {
				r += " · " + l.Review.Note
			}
			box.Add(tbWrapped(r))
		}
		consented := false
		for _, dp := range l.Disputes {
			text := fmt.Sprintf(lang.L("%s disputed it on %s: %s"), dp.ByName, tbTime(dp.Time), dp.Reason)
			if dp.Reverse {
				text = fmt.Sprintf(lang.L("%s agreed to reverse it on %s: %s"), dp.ByName, tbTime(dp.Time), dp.Reason)
				if dp.By == me {
					consented = true
				}
			}
			lb := tbWrapped(text)
			lb.Importance = widget.WarningImportance
			box.Add(lb)
		}
		if l.Payer != me && l.Provider != me {
			continue
		}
		with := l.Payer
		if with == me {
			with = l.Provider
		}
		dispute := widget.NewButtonWithIcon(lang.L("Dispute…"), theme.WarningIcon(), func() { s.askDispute(ti, with, false, d) })
		buttons := flow(dispute)
		if l.State == node.StateConfirmed && !l.Reversed && !consented {
			buttons.Add(widget.NewButtonWithIcon(lang.L("Agree to reverse…"), theme.ContentUndoIcon(), func() { s.askDispute(ti, with, true, d) }))
		}
		box.Add(buttons)
	}
	box.Add(widget.NewSeparator())
	id := ti.ID
	copyID := widget.NewButtonWithIcon(lang.L("Copy ID"), theme.ContentCopyIcon(), func() {
		s.u.app.Clipboard().SetContent(id)
	})
	box.Add(container.NewHBox(widget.NewLabel(fmt.Sprintf(lang.L("Transfer %s"), tbShortID(id))), copyID))
	d = dialog.NewCustom(lang.L("Transfer"), lang.L("Close"), box, s.u.win)
	d.Resize(fyne.NewSize(s.u.dialogWidth(520), d.MinSize().Height))
	d.Show()
}

// tbLegText says what a leg moves, and its state.
func tbLegText(ti *node.TransferInfo, l node.LegInfo) string {
	name := func(id string) string {
		switch id {
		case l.Member:
			return tbAccountName(l.Member, l.Name)
		case ti.Proposer:
			return ti.ProposerName
		}
		return tbAccountName(id, tbShortID(id))
	}
	s := fmt.Sprintf(lang.L("%s pays %s %s."), name(l.Payer), name(l.Provider), hoursText(l.Minutes))
	switch {
	case l.Reversed:
		s += " " + lang.L("Reversed.")
	case l.State == node.StateRejected:
		s += " " + fmt.Sprintf(lang.L("Rejected: %s"), l.Reason)
	case l.State == node.StateConfirmed:
		s += " " + lang.L("Confirmed.")
	default:
		s += " " + lang.L("Waiting for an answer.")
	}
	return s
}

// askDispute asks for the reason of a dispute (or of agreeing to reverse)
// on the leg with counterparty with, then records it.
func (s *timeBankScreen) askDispute(ti *node.TransferInfo, with string, reverse bool, parent dialog.Dialog) {
	reason := widget.NewEntry()
	reason.Validator = tbRequired
	title, confirm := lang.L("Dispute this transfer"), lang.L("Dispute")
	reason.SetPlaceHolder(lang.L("What is wrong? The other side sees it."))
	if reverse {
		title, confirm = lang.L("Agree to reverse this transfer"), lang.L("Agree to reverse")
		reason.SetPlaceHolder(lang.L("Why undo it? It is undone once both sides agree."))
	}
	req := node.DisputeRequest{Society: s.u.Society(), ID: ti.ID, Reverse: reverse, With: with}
	d := dialog.NewForm(title, confirm, lang.L("Cancel"), []*widget.FormItem{
		{Text: lang.L("Reason"), Widget: reason},
	}, func(ok bool) {
		if !ok {
			return
		}
		req.Reason = strings.TrimSpace(reason.Text)
		var out *node.TransferInfo
		s.u.async(func(api node.API) (err error) {
			out, err = api.DisputeTransfer(req)
			return err
		}, func() {
			if parent != nil {
				parent.Hide()
			}
			msg := lang.L("Dispute recorded: the other side sees it on the transfer.")
			if reverse {
				msg = lang.L("You agreed to reverse it: it is undone once the other side agrees too.")
				for _, l := range out.Legs {
					if l.Reversed {
						msg = lang.L("Both sides agreed: the transfer is reversed.")
					}
				}
			}
			s.showLogged(msg)
			s.u.refreshAll()
		})
	}, s.u.win)
	reason.OnSubmitted = func(string) { d.Submit() }
	d.Resize(fyne.NewSize(s.u.dialogWidth(460), d.MinSize().Height))
	d.Show()
}

// tbTime writes an API time (RFC 3339) to the minute, in tbZone.
func tbTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(tbZone).Format("2006-01-02 15:04")
}

// tbDate writes the day of an API time (RFC 3339), in tbZone.
func tbDate(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.In(tbZone).Format("2006-01-02")
}

// tbShortID shortens a long ID for display: its first 8 characters and
// an ellipsis.
func tbShortID(id string) string {
	r := []rune(id)
	if len(r) <= 9 {
		return id
	}
	return string(r[:8]) + "…"
}

// tbAccountName names an account: the community account, or a member.
func tbAccountName(id, name string) string {
	if id == node.CommunityAccount {
		return lang.L("Community account")
	}
	return name
}

var (
	tbTimeMinutes = regexp.MustCompile(`^(\d+)(m|min|mins|minute|minutes)?$`)
	tbTimeClock   = regexp.MustCompile(`^(\d+):(\d{1,2})$`)
	tbTimeHours   = regexp.MustCompile(`^(\d*\.?\d+)(h|hr|hrs|hour|hours)((\d+)(m|min|mins|minute|minutes)?)?$`)
)

// maxLogHours bounds what parseLogTime accepts (the node refuses more
// than 100 hours anyway); it keeps the arithmetic far from overflow.
const maxLogHours = 100000

// parseLogTime reads a time for the "Log hours" form: minutes ("90",
// "90 min"), hours ("1.5h", "1,5 h", "2 hours", "1h30") or hours and
// minutes ("1:30").
func parseLogTime(s string) (int64, error) {
	t := strings.ToLower(strings.Join(strings.Fields(s), ""))
	t = strings.ReplaceAll(t, ",", ".")
	if t == "" {
		return 0, errors.New(lang.L("Enter the time: minutes (90), hours (1.5h) or hours and minutes (1:30)."))
	}
	bad := fmt.Errorf(lang.L("%q is not a time: write minutes (90), hours (1.5h) or hours and minutes (1:30)."), strings.TrimSpace(s))
	var n int64
	switch {
	case tbTimeMinutes.MatchString(t):
		m := tbTimeMinutes.FindStringSubmatch(t)
		v, err := strconv.ParseInt(m[1], 10, 64)
		if err != nil || v > maxLogHours*60 {
			return 0, bad
		}
		n = v
	case tbTimeClock.MatchString(t):
		m := tbTimeClock.FindStringSubmatch(t)
		h, err1 := strconv.ParseInt(m[1], 10, 64)
		mm, err2 := strconv.ParseInt(m[2], 10, 64)
		if err1 != nil || err2 != nil || mm >= 60 || h > maxLogHours {
			return 0, bad
		}
		n = h*60 + mm
	case tbTimeHours.MatchString(t):
		m := tbTimeHours.FindStringSubmatch(t)
		h, err := strconv.ParseFloat(m[1], 64)
		if err != nil || math.IsNaN(h) || h > maxLogHours {
			return 0, bad
		}
		n = int64(math.Round(h * 60))
		if m[4] != "" {
			mm, err := strconv.ParseInt(m[4], 10, 64)
			if err != nil || mm >= 60 {
				return 0, bad
			}
			n += mm
		}
	default:
		return 0, bad
	}
	if n < 1 {
		return 0, errors.New(lang.L("Log at least 1 minute."))
	}
	return n, nil
}
