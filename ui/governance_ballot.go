package ui

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/theme"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// govBallot is the ballot of one proposal, in its method's shape. request
// reads it into a vote, or says in the member's terms what is wrong with
// it (checked on the device, before anything is sent).
type govBallot struct {
	p   *node.ProposalBody
	obj fyne.CanvasObject
	// tap and group make a control, or a radio or check group's items,
	// large touch targets in the phone layout (UI.tap, UI.tapGroup); they
	// leave them as they are without a UI. phone is whether the ballot
	// was made for the phone layout (answers are then listed one above
	// the other).
	tap, group func(fyne.CanvasObject) fyne.CanvasObject
	phone      bool

	// yes/no, consent, consensus: the answer, and a reason.
	choice  *widget.RadioGroup
	choices map[string]string // shown answer → ballot choice
	reason  *widget.Entry

	// approval and budgets: the options approved.
	checks  *widget.CheckGroup
	checked map[string]string // shown option → option
	total   *widget.Label

	// score, dots, quadratic: a number per option.
	points  map[string]int64
	sliders map[string]*widget.Slider
	plus    map[string]*widget.Button
	minus   map[string]*widget.Button
	counts  map[string]*widget.Label
	left    *widget.Label

	// ranked: the options, most preferred first.
	order []string
	rows  *fyne.Container
}

// newGovBallot makes a proposal's ballot, filled with the member's counted
// ballot when there is one; u (or nil) sizes its controls for touch in
// the phone layout.
func newGovBallot(p *node.ProposalBody, prev *node.Ballot, u *UI) *govBallot {
	same := func(o fyne.CanvasObject) fyne.CanvasObject { return o }
	b := &govBallot{p: p, tap: same, group: same}
	if u != nil {
		b.tap, b.group, b.phone = u.tap, u.tapGroup, u.PhoneLayout()
	}
	switch p.Method {
	case node.MethodYesNo:
		b.answers(prev, []string{node.ChoiceYes, lang.L("Yes"), node.ChoiceNo, lang.L("No"), node.ChoiceAbstain, lang.L("Abstain")}, "")
	case node.MethodConsent:
		b.answers(prev, []string{node.ChoiceConsent, lang.L("I consent"), node.ChoiceObject, lang.L("I object")}, lang.L("Why you object (needed for an objection)"))
	case node.MethodConsensus:
		b.answers(prev, []string{node.ChoiceAgree, lang.L("Agree"), node.ChoiceAbstain, lang.L("Abstain"), node.ChoiceDisagree, lang.L("Disagree"),
			node.ChoiceBlock, lang.L("Block")}, lang.L("Why you block (needed for a block)"))
	case node.MethodApproval, node.MethodBudgetMES, node.MethodBudgetGreedy:
		b.approvals(prev)
	case node.MethodScore:
		b.scores(prev)
	case node.MethodDots, node.MethodQuadratic:
		b.steppers(prev)
	case node.MethodIRV, node.MethodSTV, node.MethodSchulze:
		b.ranking(prev)
	default:
		b.obj = widget.NewLabel(fmt.Sprintf(lang.L("This app cannot show a %s ballot."), p.Method))
	}
	return b
}

// answers is a ballot of fixed answers (pairs of choice and shown text),
// with a reason entry when reasonHint is set.
func (b *govBallot) answers(prev *node.Ballot, pairs []string, reasonHint string) {
	b.choices = map[string]string{}
	var shown []string
	for i := 0; i < len(pairs); i += 2 {
		b.choices[pairs[i+1]] = pairs[i]
		shown = append(shown, pairs[i+1])
	}
	b.choice = widget.NewRadioGroup(shown, nil)
	b.choice.Horizontal = !b.phone
	if prev != nil {
		for t, c := range b.choices {
			if c == prev.Choice {
				b.choice.SetSelected(t)
			}
		}
	}
	if reasonHint == "" {
		b.obj = b.group(b.choice)
		return
	}
	b.reason = widget.NewMultiLineEntry()
	b.reason.SetPlaceHolder(reasonHint)
	b.reason.SetMinRowsVisible(2)
	b.reason.Wrapping = fyne.TextWrapWord
	b.obj = container.NewVBox(b.group(b.choice), b.reason)
}

// approvals is a ballot of ticks; for a budget, each project's cost and
// the total approved.
func (b *govBallot) approvals(prev *node.Ballot) {
	b.checked = map[string]string{}
	var shown []string
	budget := b.p.Method != node.MethodApproval
	for _, o := range b.p.Options {
		t := o.Name
		if budget {
			t = fmt.Sprintf(lang.L("%s (costs %d)"), o.Name, o.Cost)
		}
		b.checked[t] = o.Name
		shown = append(shown, t)
	}
	b.checks = widget.NewCheckGroup(shown, nil)
	if prev != nil {
		var sel []string
		for _, t := range shown {
			if slices.Contains(prev.Approve, b.checked[t]) {
				sel = append(sel, t)
			}
		}
		b.checks.SetSelected(sel)
	}
	if !budget {
		b.obj = b.group(b.checks)
		return
	}
	b.total = govWrapped("")
	b.checks.OnChanged = func([]string) { b.showTotal() }
	b.showTotal()
	b.obj = container.NewVBox(b.group(b.checks), b.total)
}

// showTotal shows the cost of the projects approved against the budget.
func (b *govBallot) showTotal() {
	var sum int64
	for _, t := range b.checks.Selected {
		if i := slices.IndexFunc(b.p.Options, func(o node.ProposalOption) bool { return o.Name == b.checked[t] }); i >= 0 {
			sum += b.p.Options[i].Cost
		}
	}
	b.total.SetText(fmt.Sprintf(lang.L("The projects you approve cost %d; the budget is %d."), sum, b.p.Rule.Budget))
}

// prevPoints reads the points of an earlier ballot.
func (b *govBallot) prevPoints(prev *node.Ballot) {
	b.points = map[string]int64{}
	if prev != nil {
		for _, pt := range prev.Points {
			b.points[pt.Option] = pt.N
		}
	}
	b.counts = map[string]*widget.Label{}
}

// scores is a slider from 0 to the score maximum per option.
func (b *govBallot) scores(prev *node.Ballot) {
	b.prevPoints(prev)
	b.sliders = map[string]*widget.Slider{}
	grid := container.NewGridWithColumns(3)
	for _, o := range b.p.Options {
		sl := widget.NewSlider(0, float64(b.p.Rule.ScoreMax))
		sl.Step = 1
		sl.SetValue(float64(b.points[o.Name]))
		n := widget.NewLabel(fmt.Sprint(b.points[o.Name]))
		sl.OnChanged = func(v float64) {
			b.points[o.Name] = int64(v)
			n.SetText(fmt.Sprint(int64(v)))
		}
		b.sliders[o.Name], b.counts[o.Name] = sl, n
		grid.Add(widget.NewLabel(o.Name))
		grid.Add(b.tap(sl))
		grid.Add(n)
	}
	b.obj = container.NewVBox(govWrapped(fmt.Sprintf(lang.L("Score each option from 0 to %d."), b.p.Rule.ScoreMax)), grid)
}

// steppers is a − and + per option: dots with the dots left, or quadratic
// votes with their running n² cost against the credits.
func (b *govBallot) steppers(prev *node.Ballot) {
	b.prevPoints(prev)
	b.plus, b.minus = map[string]*widget.Button{}, map[string]*widget.Button{}
	b.left = govWrapped("")
	rows := container.NewVBox()
	for _, o := range b.p.Options {
		n := widget.NewLabel("")
		b.counts[o.Name] = n
		b.minus[o.Name] = widget.NewButtonWithIcon("", theme.ContentRemoveIcon(), func() { b.step(o.Name, -1) })
		b.plus[o.Name] = widget.NewButtonWithIcon("", theme.ContentAddIcon(), func() { b.step(o.Name, 1) })
		rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(b.tap(b.minus[o.Name]), n, b.tap(b.plus[o.Name])), widget.NewLabel(o.Name)))
	}
	b.showPoints()
	b.obj = container.NewVBox(rows, b.left)
}

// step adds d to an option's dots or votes.
func (b *govBallot) step(opt string, d int64) {
	b.points[opt] += d
	b.showPoints()
}

// spent is what the points use: dots, or quadratic credits.
func (b *govBallot) spent() int64 {
	var sum int64
	for _, n := range b.points {
		if b.p.Method == node.MethodQuadratic {
			sum += n * n
		} else {
			sum += n
		}
	}
	return sum
}

// showPoints shows each option's number and what is left.
func (b *govBallot) showPoints() {
	spent := b.spent()
	for _, o := range b.p.Options {
		n := b.points[o.Name]
		b.counts[o.Name].SetText(fmt.Sprint(n))
		if b.p.Method == node.MethodDots {
			if n <= 0 {
				b.minus[o.Name].Disable()
			} else {
				b.minus[o.Name].Enable()
			}
		}
	}
	if b.p.Method == node.MethodDots {
		b.left.SetText(fmt.Sprintf(lang.L("%d of %d dots left."), b.p.Rule.Dots-spent, b.p.Rule.Dots))
		b.left.Importance = govOver(spent > b.p.Rule.Dots)
	} else {
		b.left.SetText(fmt.Sprintf(lang.L("These votes cost %d of your %d credits (n votes cost n²)."), spent, b.p.Rule.Credits))
		b.left.Importance = govOver(spent > b.p.Rule.Credits)
	}
	b.left.Refresh()
}

// govOver is a label's importance: danger when over a budget.
func govOver(over bool) widget.Importance {
	if over {
		return widget.DangerImportance
	}
	return widget.MediumImportance
}

// ranking orders the options with up and down buttons, most preferred
// first.
func (b *govBallot) ranking(prev *node.Ballot) {
	if prev != nil {
		b.order = slices.Clone(prev.Rank)
	}
	for _, o := range b.p.Options {
		if !slices.Contains(b.order, o.Name) {
			b.order = append(b.order, o.Name)
		}
	}
	b.rows = container.NewVBox()
	b.showOrder()
	b.obj = container.NewVBox(govWrapped(lang.L("Put the options in your order of preference, most preferred first.")), b.rows)
}

// move moves the option at i by d places.
func (b *govBallot) move(i, d int) {
	j := i + d
	if j < 0 || j >= len(b.order) {
		return
	}
	b.order[i], b.order[j] = b.order[j], b.order[i]
	b.showOrder()
}

func (b *govBallot) showOrder() {
	b.rows.RemoveAll()
	for i, o := range b.order {
		up := widget.NewButtonWithIcon("", theme.MoveUpIcon(), func() { b.move(i, -1) })
		down := widget.NewButtonWithIcon("", theme.MoveDownIcon(), func() { b.move(i, 1) })
		if i == 0 {
			up.Disable()
		}
		if i == len(b.order)-1 {
			down.Disable()
		}
		b.rows.Add(container.NewBorder(nil, nil, nil, container.NewHBox(b.tap(up), b.tap(down)), widget.NewLabel(fmt.Sprintf("%d. %s", i+1, o))))
	}
	b.rows.Refresh()
}

// request reads the ballot into a vote, or says what is wrong with it.
func (b *govBallot) request() (node.VoteRequest, error) {
	var req node.VoteRequest
	switch {
	case b.choice != nil:
		c, ok := b.choices[b.choice.Selected]
		if !ok {
			return req, errors.New(lang.L("Choose your answer."))
		}
		req.Choice = c
		if b.reason != nil {
			req.Reason = strings.TrimSpace(b.reason.Text)
			if (c == node.ChoiceObject || c == node.ChoiceBlock) && req.Reason == "" {
				return req, errors.New(lang.L("Say why: an objection or a block needs a reason."))
			}
		}
	case b.checks != nil:
		req.Approve = []string{}
		for _, t := range b.checks.Selected {
			req.Approve = append(req.Approve, b.checked[t])
		}
	case b.points != nil:
		switch spent := b.spent(); {
		case b.p.Method == node.MethodDots && spent > b.p.Rule.Dots:
			return req, fmt.Errorf(lang.L("You gave %d dots; you have %d."), spent, b.p.Rule.Dots)
		case b.p.Method == node.MethodQuadratic && spent > b.p.Rule.Credits:
			return req, fmt.Errorf(lang.L("These votes cost %d credits; you have %d. Take some votes back."), spent, b.p.Rule.Credits)
		}
		req.Points = []node.BallotPoint{}
		for _, o := range b.p.Options {
			if n := b.points[o.Name]; n != 0 {
				req.Points = append(req.Points, node.BallotPoint{Option: o.Name, N: n})
			}
		}
	case b.order != nil:
		req.Rank = slices.Clone(b.order)
	}
	return req, nil
}
