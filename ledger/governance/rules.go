package governance

import (
	"bytes"
	"math"
	"slices"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/reputation"
)

// This file holds a council's own counting rules, set by its decisions:
// the voice-credit budget its members' quadratic votes share per period,
// and the weight of each member's vote.

// period names the calendar month (UTC) of a time in Unix ms, "2026-12":
// the period of a quadratic proposal is that of its opening.
func period(ms uint64) string { return time.UnixMilli(int64(ms)).UTC().Format("2006-01") }

// periodStart is the first millisecond of the period of ms.
func periodStart(ms uint64) uint64 {
	t := time.UnixMilli(int64(ms)).UTC()
	return uint64(time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC).UnixMilli())
}

// overspent returns the votes (by CID) that a quadratic proposal leaves
// out because they took their voter past the council's voice-credit
// budget for the period. A member's spending is the sum, over the
// council's quadratic proposals opening in the same period, of the cost
// of their latest vote on each; their votes are taken in chain order
// (ledger.Version), and a vote that would take the sum past the budget
// counts for nothing, so that an overspend from two devices or a fork is
// voided identically on every peer (a device refuses to write one). The
// budget is the council's as decided before the period began. own are
// pv's votes (readVotes), when the caller has read them.
func (st *state) overspent(r *crdt.Reader, pv ProposalView, own []VoteView) (map[string]bool, error) {
	budget, qs, err := st.sharingCredits(r, pv)
	if err != nil || qs == nil {
		return nil, err
	}
	byVoter := map[string][]costly{}
	for _, q := range qs {
		vs := own
		if !bytes.Equal(q.ID, pv.ID) || own == nil {
			if vs, err = readVotes(r, kVote+ledger.Account(q.ID), len(own)); err != nil {
				return nil, err
			}
		}
		for _, vv := range vs {
			if vv.V.Time.Millis() <= q.Proposal.Closes {
				byVoter[string(vv.Voter)] = append(byVoter[string(vv.Voter)], costly{vv, string(q.ID), tally.QuadraticCost(vv.Vote.Points)})
			}
		}
	}
	void := map[string]bool{}
	for _, cs := range byVoter { // each voter on their own: the map's order does not matter
		voidOverspent(cs, budget, void)
	}
	return void, nil
}

// sharingCredits returns the voice-credit budget of a quadratic
// proposal's council for its period, and the council's quadratic
// proposals of that period (pv among them), which share it; no proposals
// for another method.
func (st *state) sharingCredits(r *crdt.Reader, pv ProposalView) (int64, []ProposalView, error) {
	p := pv.Proposal
	c := st.councils[p.Council]
	if c == nil || p.Method != MethodQuadratic {
		return 0, nil, nil
	}
	budget := c.ruleAt(crdt.MakeHLC(periodStart(p.Opens), 0)).credits
	per := period(p.Opens)
	ps, err := Proposals(r, p.Council)
	if err != nil {
		return 0, nil, err
	}
	qs := []ProposalView{}
	for _, q := range ps {
		if q.Proposal.Method == MethodQuadratic && period(q.Proposal.Opens) == per {
			qs = append(qs, q)
		}
	}
	return budget, qs, nil
}

// costly is a quadratic vote with its proposal and cost.
type costly struct {
	vv   VoteView
	prop string
	cost int64
}

// voidOverspent marks in void the votes of one voter (cs, on the
// proposals sharing a budget) that take them past it, taken in chain
// order.
func voidOverspent(cs []costly, budget int64, void map[string]bool) {
	slices.SortFunc(cs, func(a, b costly) int {
		switch {
		case a.vv.V.Less(b.vv.V):
			return -1
		case b.vv.V.Less(a.vv.V):
			return 1
		}
		return 0
	})
	cur := map[string]int64{}
	var total int64
	for _, x := range cs {
		next := total - cur[x.prop] + x.cost
		if next > budget {
			void[string(x.vv.ID)] = true
			continue
		}
		total, cur[x.prop] = next, x.cost
	}
}

// CreditsLeft returns what a member may still spend on a quadratic
// proposal: the council's budget for the proposal's period, less the cost
// of their latest counted votes on the council's other quadratic
// proposals of that period (their vote on this one is replaced). Front
// ends refuse a ballot costing more.
func CreditsLeft(r *crdt.Reader, pv ProposalView, member []byte, now uint64) (left, budget int64, err error) {
	st, err := build(r, now)
	if err != nil {
		return 0, 0, err
	}
	p := pv.Proposal
	c := st.councils[p.Council]
	if c == nil {
		return 0, 0, nil
	}
	budget = c.ruleAt(crdt.MakeHLC(periodStart(p.Opens), 0)).credits
	void, err := st.overspent(r, pv, nil)
	if err != nil {
		return 0, 0, err
	}
	ps, err := Proposals(r, p.Council)
	if err != nil {
		return 0, 0, err
	}
	spent := int64(0)
	for _, q := range ps {
		if q.Proposal.Method != MethodQuadratic || period(q.Proposal.Opens) != period(p.Opens) || string(q.ID) == string(pv.ID) {
			continue
		}
		var latest *VoteView
		if err := scan(r, kVote+ledger.Account(q.ID)+ledger.Account(member), func(vv VoteView) error {
			if !void[string(vv.ID)] && vv.V.Time.Millis() <= q.Proposal.Closes {
				latest = &vv // keys sort by version: the last one is the latest
			}
			return nil
		}); err != nil {
			return 0, 0, err
		}
		if latest != nil {
			spent += tally.QuadraticCost(latest.Vote.Points)
		}
	}
	return budget - spent, budget, nil
}

// weigher gives each member's vote weight in one count.
type weigher struct {
	rule councilRule
	r    *crdt.Reader
	at   time.Time
	hl   uint64
}

// weigher returns the weights of a council's votes for a proposal written
// at time at: the council's weight rule in force then.
func (st *state) weigher(r *crdt.Reader, council string, at crdt.HLC, halfLife uint64) weigher {
	w := weigher{rule: councilRule{weight: WeightEqual}, r: r, at: time.UnixMilli(int64(at.Millis())), hl: halfLife}
	if c := st.councils[council]; c != nil {
		w.rule = c.ruleAt(at)
	}
	return w
}

// of returns a member's vote weight: 1, or by reputation 1 plus one per
// ten hours of work others vouched for (time-bank services their
// receivers confirmed, and contributions in skills peers reviewed),
// rounded to the minute so that every peer's floating point agrees, at
// most the council's cap.
func (w weigher) of(member []byte) (int64, error) {
	if w.rule.weight != WeightReputation {
		return 1, nil
	}
	rs, err := reputation.ReputationWithHalfLife(w.r, member, w.at, w.hl)
	if err != nil {
		return 0, err
	}
	var minutes int64
	for _, s := range rs {
		h := s.TimeBankHours
		if s.Reviews > 0 {
			h += s.ContributionHours
		}
		minutes += int64(math.Round(h * 60))
	}
	return min(w.rule.weightCap, 1+minutes/600), nil
}
