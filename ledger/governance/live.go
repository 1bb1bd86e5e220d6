package governance

import (
	"slices"

	"github.com/commons-society/commons/ledger/governance/tally"
)

// liveBox keeps a cached ballot box counted: the delegation resolved
// (tally.Live), the method's count kept ballot by ballot (tally.Running)
// and the counted ballots as a result lists them, so that a new vote or
// delegation costs the members it reaches (the voter and those whose
// chain of delegations passes through them) and a count copies the
// result out. Every change to the box's ballots and delegations goes
// through ballotBox.change.
type liveBox struct {
	l   *tally.Live
	run tally.Running
	// rows are the counted ballots, in electorate order, and at their
	// members' positions.
	rows []CountedBallot
	at   []int
}

// newRunning is the running count of a proposal's method; nil for a
// method it does not know (which the box then counts from scratch).
func newRunning(p Proposal) tally.Running {
	opts := optionNames(p)
	switch p.Method {
	case MethodYesNo, MethodConsent, MethodConsensus:
		return tally.NewChoices()
	case MethodApproval, MethodBudgetGreedy:
		return tally.NewSums(opts, tally.SumApprovals)
	case MethodScore, MethodDots:
		return tally.NewSums(opts, tally.SumPoints)
	case MethodQuadratic:
		return tally.NewSums(opts, tally.SumQuadratic)
	case MethodIRV, MethodSTV:
		return tally.NewRanks(opts)
	case MethodSchulze:
		return tally.NewPairwise(opts)
	case MethodBudgetMES:
		return tally.NewGroups(projects(p))
	}
	return nil
}

func projects(p Proposal) []tally.Project {
	out := make([]tally.Project, len(p.Options))
	for i, o := range p.Options {
		out[i] = tally.Project{Option: o.Name, Cost: o.Cost}
	}
	return out
}

// startLive makes the box keep its count from now on (for the count
// cache).
func (box *ballotBox) startLive(p Proposal) {
	run := newRunning(p)
	if run == nil {
		return
	}
	lb := &liveBox{l: tally.NewLive(&box.roll), run: run}
	lb.l.Count(run)
	n := 0
	for m := range box.roll.Voters {
		if lb.l.Source(m) >= 0 {
			n++
		}
	}
	lb.rows, lb.at = make([]CountedBallot, 0, n), make([]int, 0, n)
	for m := range box.roll.Voters {
		if lb.l.Source(m) >= 0 {
			lb.rows = append(lb.rows, box.row(lb.l, m))
			lb.at = append(lb.at, m)
		}
	}
	box.live = lb
}

// row is the counted ballot of member m.
func (box *ballotBox) row(l *tally.Live, m int) CountedBallot {
	src := l.Source(m)
	b := l.Ballot(m)
	cb := CountedBallot{Voter: b.Voter, Name: box.display[m], Weight: b.Weight, Ballot: b, Vote: box.voteOf[src]}
	if src != m {
		cb.Via = box.roll.Voters[src]
	}
	return cb
}

// change makes change, which changes the direct ballot or the delegation
// of the member at position i, keeping the live count up to date.
func (box *ballotBox) change(i int, change func()) {
	lb := box.live
	if lb == nil {
		change()
		return
	}
	for _, m := range lb.l.Change(i, lb.run, change) {
		k, found := slices.BinarySearch(lb.at, m)
		switch counted := lb.l.Source(m) >= 0; {
		case counted && found:
			lb.rows[k] = box.row(lb.l, m)
		case counted:
			lb.rows = slices.Insert(lb.rows, k, box.row(lb.l, m))
			lb.at = slices.Insert(lb.at, k, m)
		case found:
			lb.rows = slices.Delete(lb.rows, k, k+1)
			lb.at = slices.Delete(lb.at, k, k+1)
		}
	}
}

// delegate makes the member at position i delegate to the one at
// position to (-1: to nobody).
func (box *ballotBox) delegate(i, to int) {
	if box.roll.To[i] == to {
		return
	}
	if box.live == nil {
		box.roll.To[i] = to
		return
	}
	box.change(i, func() { box.live.l.SetTo(i, to) })
}

// fill copies the kept count into res, as ballotBox.fill counts it from
// scratch.
func (lb *liveBox) fill(box *ballotBox, res *Result, p Proposal) {
	electorate := int64(len(box.roll.Voters))
	res.Electorate = len(box.roll.Voters)
	res.Overspent = box.overspent
	if len(lb.rows) > 0 {
		res.Ballots = slices.Clone(lb.rows)
	}
	res.Carried = lb.l.Carried()
	switch run := lb.run.(type) {
	case *tally.Choices:
		switch p.Method {
		case MethodYesNo:
			y := run.YesNo(electorate, tally.YesNoRule{Quorum: p.Rule.Quorum, Threshold: p.Rule.Threshold, Inclusive: p.Rule.Inclusive})
			res.YesNo, res.Passed = &y, y.Passed
		case MethodConsent:
			c := run.Consent()
			res.Consent, res.Passed = &c, c.Passed && len(lb.rows) > 0
		case MethodConsensus:
			c := run.Consensus()
			res.Consensus, res.Passed = &c, c.Passed
		}
	case *tally.Sums:
		if p.Method == MethodBudgetGreedy {
			br := run.Greedy(projects(p), p.Rule.Budget)
			budgetInto(res, br)
			return
		}
		pr := run.Points(seats(p))
		res.Points, res.Winners = &pr, pr.Winners
	case *tally.Ranks:
		var rr tally.RankedResult
		if p.Method == MethodIRV {
			rr = run.IRV()
		} else {
			rr = run.STV(seats(p))
		}
		res.Ranked, res.Winners = &rr, rr.Winners
	case *tally.Pairwise:
		sr := run.Schulze()
		res.Schulze, res.Winners = &sr, sr.Winners
	case *tally.Groups:
		budgetInto(res, run.EqualShares(p.Rule.Budget))
	}
}

// budgetInto sets a participatory budget's result.
func budgetInto(res *Result, br tally.BudgetResult) {
	res.Budget = &br
	for _, f := range br.Funded {
		res.Winners = append(res.Winners, f.Project)
	}
}
