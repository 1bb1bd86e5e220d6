package ui

import (
	"fmt"
	"slices"
	"strings"

	"fyne.io/fyne/v2"
	"fyne.io/fyne/v2/container"
	"fyne.io/fyne/v2/lang"
	"fyne.io/fyne/v2/widget"

	"github.com/commons-society/commons/node"
)

// govBar is one bar of a result: a label and a count.
type govBar struct {
	label string
	n     int64
}

// govBars draws counts as bars against the largest of max and the counts,
// each labelled with its count (written by text when set).
func govBars(bars []govBar, top int64, text func(int64) string) fyne.CanvasObject {
	for _, b := range bars {
		top = max(top, b.n)
	}
	if top <= 0 {
		top = 1
	}
	if text == nil {
		text = func(n int64) string { return fmt.Sprint(n) }
	}
	grid := container.NewGridWithColumns(2)
	for _, b := range bars {
		p := widget.NewProgressBar()
		p.Max = float64(top)
		p.SetValue(float64(max(b.n, 0)))
		n := b.n
		p.TextFormatter = func() string { return text(n) }
		grid.Add(widget.NewLabel(b.label))
		grid.Add(p)
	}
	return grid
}

// govCounts turns a tally's counts into bars.
func govCounts(cs []node.OptionCount) []govBar {
	out := make([]govBar, len(cs))
	for i, c := range cs {
		out[i] = govBar{c.Option, c.Votes}
	}
	return out
}

// govResult shows a proposal's result: provisional or final, the method's
// counts as bars (or rounds, or a ranking), the ballots counted against
// the electorate and the votes delegates carried.
func govResult(d *node.ProposalDetail, name func(string) string) fyne.CanvasObject {
	res := d.Result
	box := container.NewVBox()
	state := lang.L("Result: provisional (it may change until the proposal is final)")
	if !res.Provisional {
		state = lang.L("Result: final")
	}
	head := govHeading(state)
	head.Wrapping = fyne.TextWrapWord
	box.Add(head)
	box.Add(govWrapped(fmt.Sprintf(lang.L("%d ballots counted; %d members may vote."), len(res.Ballots), res.Electorate)))
	names := func(ids []string) string {
		out := make([]string, len(ids))
		for i, id := range ids {
			out[i] = name(id)
		}
		return strings.Join(out, ", ")
	}
	passed := func(ok bool) {
		if ok {
			box.Add(govImportant(lang.L("It passes."), widget.SuccessImportance))
		} else {
			box.Add(govImportant(lang.L("It does not pass."), widget.WarningImportance))
		}
	}
	switch {
	case res.YesNo != nil:
		r := res.YesNo
		box.Add(govBars([]govBar{{lang.L("Yes"), r.Yes}, {lang.L("No"), r.No}, {lang.L("Abstain"), r.Abstain}}, 0, nil))
		ru := d.Proposal.Rule
		q := lang.L("The quorum is not reached.")
		if r.QuorumMet {
			q = lang.L("The quorum is reached.")
		}
		box.Add(govWrapped(fmt.Sprintf(lang.L("Quorum %s of the members, threshold %s of yes and no."), ru.Quorum, ru.Threshold) + " " + q))
		passed(r.Passed)
	case res.Consent != nil:
		r := res.Consent
		box.Add(govBars([]govBar{{lang.L("Consents"), r.Consents}, {lang.L("Objections"), r.Objections}}, 0, nil))
		if len(r.Objectors) > 0 {
			box.Add(govWrapped(fmt.Sprintf(lang.L("Objections stand from: %s."), names(r.Objectors))))
		}
		passed(r.Passed)
	case res.Consensus != nil:
		r := res.Consensus
		box.Add(govBars([]govBar{{lang.L("Agree"), r.Agree}, {lang.L("Abstain"), r.Abstain}, {lang.L("Disagree"), r.Disagree},
			{lang.L("Block"), r.Blocks}}, 0, nil))
		if len(r.Blockers) > 0 {
			box.Add(govWrapped(fmt.Sprintf(lang.L("Blocked by: %s."), names(r.Blockers))))
		}
		passed(r.Passed)
	case res.Points != nil:
		box.Add(govBars(govCounts(res.Points.Counts), 0, nil))
	case res.Ranked != nil:
		box.Add(govRounds(res.Ranked))
	case res.Schulze != nil:
		var lines []string
		for i, o := range res.Schulze.Ranking {
			lines = append(lines, fmt.Sprintf("%d. %s", i+1, o))
		}
		box.Add(govHeading(lang.L("Ranking")))
		box.Add(govWrapped(strings.Join(lines, "\n")))
	case res.Budget != nil:
		box.Add(govBudget(res.Budget))
	}
	if len(res.Winners) > 0 && len(res.Ballots) > 0 {
		box.Add(govImportant(fmt.Sprintf(lang.L("Chosen: %s"), strings.Join(res.Winners, ", ")), widget.SuccessImportance))
	}
	if len(res.Carried) > 0 {
		ids := make([]string, 0, len(res.Carried))
		for id := range res.Carried {
			ids = append(ids, id)
		}
		slices.Sort(ids)
		var lines []string
		for _, id := range ids {
			lines = append(lines, fmt.Sprintf(lang.L("%s carried %d delegated votes"), name(id), res.Carried[id]))
		}
		box.Add(govWrapped(strings.Join(lines, "\n")))
	}
	return box
}

// govImportant is a label of some importance.
func govImportant(text string, imp widget.Importance) *widget.Label {
	l := govWrapped(text)
	l.Importance = imp
	return l
}

// govRounds lists the rounds of an instant-runoff or STV count.
func govRounds(r *node.RankedResult) fyne.CanvasObject {
	scale := r.Scale
	if scale <= 0 {
		scale = 1
	}
	votes := func(n int64) string {
		if scale == 1 {
			return fmt.Sprint(n)
		}
		return fmt.Sprintf("%.2f", float64(n)/float64(scale))
	}
	box := container.NewVBox()
	if r.Quota > 0 {
		box.Add(govWrapped(fmt.Sprintf(lang.L("Quota to be elected: %s votes."), votes(r.Quota))))
	}
	for i, rd := range r.Rounds {
		box.Add(govHeading(fmt.Sprintf(lang.L("Round %d"), i+1)))
		box.Add(govBars(govCounts(rd.Counts), r.Quota, votes))
		var what []string
		if len(rd.Elected) > 0 {
			what = append(what, fmt.Sprintf(lang.L("elected: %s"), strings.Join(rd.Elected, ", ")))
		}
		if rd.Eliminated != "" {
			what = append(what, fmt.Sprintf(lang.L("eliminated: %s"), rd.Eliminated))
		}
		if rd.Exhausted > 0 {
			what = append(what, fmt.Sprintf(lang.L("exhausted ballots: %s"), votes(rd.Exhausted)))
		}
		if len(what) > 0 {
			box.Add(govWrapped(strings.Join(what, "; ")))
		}
	}
	return box
}

// govBudget shows a participatory budget's funded projects and approvals.
func govBudget(r *node.BudgetResult) fyne.CanvasObject {
	box := container.NewVBox(govWrapped(fmt.Sprintf(lang.L("%d of the budget of %d spent."), r.Spent, r.Budget)))
	if len(r.Funded) == 0 {
		box.Add(govWrapped(lang.L("No project is funded.")))
	}
	for _, f := range r.Funded {
		box.Add(govWrapped(fmt.Sprintf(lang.L("Funded: %s, costing %d, approved by %d"), f.Project, f.Cost, f.Supporters)))
	}
	box.Add(govHeading(lang.L("Approvals")))
	box.Add(govBars(govCounts(r.Approvals), 0, nil))
	return box
}
