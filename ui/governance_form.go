package ui

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/layout"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// govNow is the clock the proposal form reads open and close times from
// (tests fix it).
var govNow = time.Now

// govForm is the form putting a proposal to the selected council.
type govForm struct {
	s       *govScreen
	council *widget.Label

	title, text, options, topic        *widget.Entry
	quorum, threshold                  *widget.Entry
	seats, scoreMax, dots, credits     *widget.Entry
	budget                             *widget.Entry
	inclusive                          *widget.Check
	method                             *widget.Select
	methods                            map[string]string // shown name → method
	help                               *widget.Label
	opens, lasts                       *widget.Select
	fTitle, fMethod, fOptions, fQuorum *field
	fThreshold, fSeats, fScore, fDots  *field
	fCredits, fBudget, fSend           *field
	// rows are the method-dependent rows: their label and field, and
	// which methods use them.
	rows []govRow
	send *widget.Button
	done *widget.Label
	// actions are what the proposal does if it passes (yes/no, consent
	// and consensus only); councilID is the council they were offered
	// for.
	actions   *govActions
	councilID string
}

// govRow is a form row shown only for some methods.
type govRow struct {
	label *widget.Label
	box   fyne.CanvasObject
	uses  func(method string) bool
}

// govDurations are the choices of when voting opens and how long it lasts.
var govOpens = []time.Duration{0, time.Hour, 24 * time.Hour}
var govLasts = []time.Duration{time.Hour, 24 * time.Hour, 3 * 24 * time.Hour, 7 * 24 * time.Hour, 14 * 24 * time.Hour}

func isBudgetMethod(m string) bool {
	return m == node.MethodBudgetMES || m == node.MethodBudgetGreedy
}

func hasOptions(m string) bool {
	return m != node.MethodYesNo && m != node.MethodConsent && m != node.MethodConsensus
}

func hasSeats(m string) bool {
	return m == node.MethodApproval || m == node.MethodScore || m == node.MethodDots ||
		m == node.MethodQuadratic || m == node.MethodSTV
}

func (s *govScreen) formTab() fyne.CanvasObject {
	f := &govForm{s: s, methods: map[string]string{}}
	s.form = f
	f.council = govWrapped("")
	entry := func(hint string) *widget.Entry {
		e := widget.NewEntry()
		e.SetPlaceHolder(hint)
		return e
	}
	f.title = entry(lang.L("What is to be decided?"))
	f.text = widget.NewMultiLineEntry()
	f.text.SetPlaceHolder(lang.L("Details (optional)"))
	f.text.Wrapping = fyne.TextWrapWord
	var names []string
	for _, m := range node.VotingMethods() {
		n := govMethodName(m)
		f.methods[n] = m
		names = append(names, n)
	}
	f.help = govWrapped("")
	f.method = widget.NewSelect(names, func(string) { f.methodChanged() })
	redrawOnThemeChange(s.u, f.method)
	f.options = widget.NewMultiLineEntry()
	f.options.SetMinRowsVisible(3)
	f.options.OnChanged = func(string) { f.actions.projectsChanged() }
	f.quorum = entry(lang.L("For example 1/2 or 50%"))
	f.quorum.SetText("1/2")
	f.threshold = entry(lang.L("For example 1/2 or 2/3"))
	f.threshold.SetText("1/2")
	f.inclusive = widget.NewCheck("", nil)
	f.seats = entry("1")
	f.scoreMax = entry("")
	f.scoreMax.SetText("5")
	f.dots = entry("")
	f.dots.SetText("10")
	f.credits = entry("")
	f.credits.SetText("100")
	f.budget = entry(lang.L("Minutes of the community account"))
	f.topic = entry(lang.L("A tag for topic delegations (optional)"))
	f.opens = widget.NewSelect([]string{lang.L("Now"), lang.L("In 1 hour"), lang.L("In 1 day")}, nil)
	f.opens.SetSelectedIndex(0)
	f.lasts = widget.NewSelect([]string{lang.L("1 hour"), lang.L("1 day"), lang.L("3 days"), lang.L("1 week"), lang.L("2 weeks")}, nil)
	f.lasts.SetSelectedIndex(3)
	for _, sel := range []*widget.Select{f.opens, f.lasts} {
		redrawOnThemeChange(s.u, sel)
	}
	f.fTitle, f.fMethod, f.fOptions = newField(f.title), newField(container.NewVBox(f.method, f.help)), newField(f.options)
	f.fQuorum, f.fThreshold, f.fSeats = newField(f.quorum), newField(container.NewVBox(f.threshold,
		checkText(f.inclusive, lang.L("Reaching the threshold is enough (for a supermajority such as 2/3)")))), newField(f.seats)
	f.fScore, f.fDots, f.fCredits, f.fBudget = newField(f.scoreMax), newField(f.dots), newField(f.credits), newField(f.budget)
	f.send = widget.NewButtonWithIcon(lang.L("Put the proposal"), theme.ConfirmIcon(), f.submit)
	f.send.Importance = widget.HighImportance
	f.fSend = newField(f.send)
	f.done = widget.NewLabel("")
	f.done.Importance = widget.SuccessImportance
	f.done.Hide()
	f.actions = newGovActions(f)

	form := container.New(layout.NewFormLayout())
	add := func(label string, box fyne.CanvasObject, uses func(string) bool) {
		l := widget.NewLabel(label)
		form.Add(l)
		form.Add(box)
		if uses != nil {
			f.rows = append(f.rows, govRow{l, box, uses})
		}
	}
	is := func(ms ...string) func(string) bool {
		return func(m string) bool {
			for _, x := range ms {
				if x == m {
					return true
				}
			}
			return false
		}
	}
	add(lang.L("Title"), f.fTitle.box, nil)
	add(lang.L("Details"), f.text, nil)
	add(lang.L("Method"), f.fMethod.box, nil)
	add(lang.L("Options"), f.fOptions.box, hasOptions)
	add(lang.L("Quorum"), f.fQuorum.box, is(node.MethodYesNo))
	add(lang.L("Threshold"), f.fThreshold.box, is(node.MethodYesNo))
	add(lang.L("Seats"), f.fSeats.box, hasSeats)
	add(lang.L("Highest score"), f.fScore.box, is(node.MethodScore))
	add(lang.L("Dots per member"), f.fDots.box, is(node.MethodDots))
	add(lang.L("Credits per member"), f.fCredits.box, is(node.MethodQuadratic))
	add(lang.L("Budget"), f.fBudget.box, isBudgetMethod)
	add(lang.L("If it passes"), f.actions.view, func(m string) bool { return m != "" && (!hasOptions(m) || isBudgetMethod(m)) })
	add(lang.L("Voting opens"), f.opens, nil)
	add(lang.L("Voting lasts"), f.lasts, nil)
	add(lang.L("Topic"), f.topic, nil)
	f.method.SetSelectedIndex(0)
	return s.scroll(container.NewVBox(f.council, form, container.NewHBox(layout.NewSpacer(), f.fSend.box), f.done))
}

// setCouncil names the council proposals are put to.
func (f *govForm) setCouncil(id, line string) {
	f.council.SetText(fmt.Sprintf(lang.L("Put a proposal to the council: %s"), line))
	if id != f.councilID {
		f.councilID = id
		f.actions.clear()
	} else {
		f.actions.offer()
	}
}

// methodChanged explains the method chosen and shows its rows only.
func (f *govForm) methodChanged() {
	m := f.methods[f.method.Selected]
	f.help.SetText(govMethodHelp(m))
	if f.actions.budget != isBudgetMethod(m) { // a budget's actions pay for its projects, others' differ
		f.actions.budget = isBudgetMethod(m)
		f.actions.clear()
	}
	if isBudgetMethod(m) {
		f.options.SetPlaceHolder(lang.L("One project a line: name = cost"))
	} else {
		f.options.SetPlaceHolder(lang.L("One option a line"))
	}
	for _, r := range f.rows {
		if r.uses(m) {
			r.label.Show()
			r.box.Show()
		} else {
			r.label.Hide()
			r.box.Hide()
		}
	}
	f.s.relayout()
}

// govFrac parses a fraction written a/b or n%.
func govFrac(s string) (node.Fraction, error) {
	s = strings.TrimSpace(s)
	bad := fmt.Errorf(lang.L("%q is not a fraction: write it as 1/2 or 50%%"), s)
	if p, ok := strings.CutSuffix(s, "%"); ok {
		n, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || n < 0 || n > 100 {
			return node.Fraction{}, bad
		}
		return node.Fraction{Num: n, Den: 100}, nil
	}
	a, b, ok := strings.Cut(s, "/")
	if !ok {
		return node.Fraction{}, bad
	}
	n, err1 := strconv.ParseInt(strings.TrimSpace(a), 10, 64)
	d, err2 := strconv.ParseInt(strings.TrimSpace(b), 10, 64)
	if err1 != nil || err2 != nil || d <= 0 || n < 0 || n > d {
		return node.Fraction{}, bad
	}
	return node.Fraction{Num: n, Den: d}, nil
}

// govOptions parses the options, one a line ("name = cost" for budgets).
func govOptions(text string, budget bool) ([]node.ProposalOption, error) {
	var out []node.ProposalOption
	seen := map[string]bool{}
	for _, line := range strings.Split(text, "\n") {
		line = strings.TrimSpace(line)
		if line == "" {
			continue
		}
		o, err := govOption(line, budget)
		if err != nil {
			return nil, err
		}
		if seen[o.Name] {
			return nil, fmt.Errorf(lang.L("%q is listed twice"), o.Name)
		}
		seen[o.Name] = true
		out = append(out, o)
	}
	if len(out) < 2 {
		return nil, errors.New(lang.L("Give at least two options, one a line."))
	}
	return out, nil
}

// govOption parses one option line, trimmed ("name = cost" for budgets).
func govOption(line string, budget bool) (node.ProposalOption, error) {
	o := node.ProposalOption{Name: line}
	if budget {
		name, cost, ok := strings.Cut(line, "=")
		n, err := strconv.ParseInt(strings.TrimSpace(cost), 10, 64)
		if !ok || err != nil || n <= 0 {
			return o, fmt.Errorf(lang.L("%q: write a project as name = cost, the cost a whole number above 0"), line)
		}
		o = node.ProposalOption{Name: strings.TrimSpace(name), Cost: n}
	}
	if strings.ContainsAny(o.Name, ",=") {
		return o, fmt.Errorf(lang.L("%q: an option cannot contain a comma or ="), o.Name)
	}
	return o, nil
}

// govCount parses a required whole number from lo to hi.
func govCount(s string, lo, hi int64) (int64, error) {
	n, err := govInt(s)
	if err == nil && (n < lo || n > hi) {
		err = fmt.Errorf(lang.L("Give a whole number from %d to %d."), lo, hi)
	}
	return n, err
}

// request reads the form into a proposal, each problem shown next to its
// field; ok is false when there is one. order is the actions' editors in
// the order the node numbers them (see govActions.read).
func (f *govForm) request() (req node.ProposalRequest, order []*govAction, ok bool) {
	m := f.methods[f.method.Selected]
	req = node.ProposalRequest{Society: f.s.u.Society(), Council: f.s.council, Title: strings.TrimSpace(f.title.Text),
		Text: strings.TrimSpace(f.text.Text), Method: m, Topic: strings.TrimSpace(f.topic.Text)}
	var errs [9]error
	if req.Title == "" {
		errs[0] = errors.New(lang.L("Say what is to be decided."))
	}
	if m == "" {
		errs[1] = errors.New(lang.L("Choose how members vote."))
	}
	if hasOptions(m) {
		req.Options, errs[2] = govOptions(f.options.Text, isBudgetMethod(m))
	}
	if m == node.MethodYesNo {
		req.Rule.Quorum, errs[3] = govFrac(f.quorum.Text)
		req.Rule.Threshold, errs[4] = govFrac(f.threshold.Text)
		req.Rule.Inclusive = f.inclusive.Checked
	}
	if hasSeats(m) {
		req.Rule.Seats, errs[5] = govCount(f.seats.Text, 0, max(int64(len(req.Options))-1, 0))
	}
	switch {
	case m == node.MethodScore:
		req.Rule.ScoreMax, errs[6] = govCount(f.scoreMax.Text, 1, node.MaxScore)
	case m == node.MethodDots:
		req.Rule.Dots, errs[6] = govCount(f.dots.Text, 1, node.MaxDots)
	case m == node.MethodQuadratic:
		req.Rule.Credits, errs[7] = govCount(f.credits.Text, 1, node.MaxCredits)
	case isBudgetMethod(m):
		req.Rule.Budget, errs[8] = govCount(f.budget.Text, 1, node.MaxCost)
	}
	actionsOK := true
	if m != "" && (!hasOptions(m) || isBudgetMethod(m)) {
		order, actionsOK = f.actions.read(&req)
	}
	ok = allFine(f.fTitle.check(errs[0]), f.fMethod.check(errs[1]), f.fOptions.check(errs[2]), f.fQuorum.check(errs[3]),
		f.fThreshold.check(errs[4]), f.fSeats.check(errs[5]),
		f.fScore.check(govPick(m == node.MethodScore, errs[6])), f.fDots.check(govPick(m == node.MethodDots, errs[6])),
		f.fCredits.check(errs[7]), f.fBudget.check(errs[8])) && actionsOK
	now := govNow()
	opens := now.Add(govOpens[max(f.opens.SelectedIndex(), 0)])
	if f.opens.SelectedIndex() > 0 {
		req.Opens = uint64(opens.UnixMilli())
	}
	req.Closes = uint64(opens.Add(govLasts[max(f.lasts.SelectedIndex(), 0)]).UnixMilli())
	return req, order, ok
}

// govPick is err when the field is in use, nil otherwise.
func govPick(used bool, err error) error {
	if used {
		return err
	}
	return nil
}

// submit checks the form and puts the proposal; the node's refusal shows
// next to the button.
func (f *govForm) submit() {
	f.done.Hide()
	req, order, ok := f.request()
	f.fSend.check(nil)
	f.s.relayout()
	if !ok {
		return
	}
	var info *node.ProposalInfo
	f.s.u.quietly(func(api node.API) (err error) {
		info, err = api.ProposalCreate(req)
		return err
	}, func() {
		f.title.SetText("")
		f.text.SetText("")
		f.options.SetText("")
		f.actions.clear()
		f.done.SetText(fmt.Sprintf(lang.L("The proposal %q is put to the council."), info.Title))
		f.done.Show()
		f.s.OpenProposal(info.Council, info.ID)
	}, func(err error) {
		if !f.actions.refused(order, err) {
			f.fSend.check(err)
		}
		f.s.relayout()
	})
}
