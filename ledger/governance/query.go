package governance

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/ipfs/go-cid"
)

// Proposal statuses. A proposal is scheduled before it opens, open while
// votes are taken, closing (its result provisional) after its close time
// until a counted close exists and the grace after the earliest close has
// passed, and final after that.
const (
	StatusScheduled = "scheduled"
	StatusOpen      = "open"
	StatusClosing   = "closing"
	StatusFinal     = "final"
)

// ProposalByID returns a stored proposal.
func ProposalByID(r *crdt.Reader, id cid.Cid) (ProposalView, bool, error) {
	var pv ProposalView
	ok, err := ledger.Get(r, kProposal+ledger.Account(id.Bytes()), &pv)
	return pv, ok, err
}

// Proposals returns the proposals of a council (every council when empty),
// newest first (ties by ID).
func Proposals(r *crdt.Reader, council string) ([]ProposalView, error) {
	var out []ProposalView
	err := scan(r, kProposal, func(pv ProposalView) error {
		if council == "" || pv.Proposal.Council == council {
			out = append(out, pv)
		}
		return nil
	})
	slices.SortFunc(out, func(a, b ProposalView) int {
		if a.Time != b.Time {
			if a.Time > b.Time {
				return -1
			}
			return 1
		}
		return bytes.Compare(b.ID, a.ID)
	})
	return out, err
}

// closes returns a proposal's stored closes, oldest first (ties by ID).
func closes(r *crdt.Reader, id []byte) ([]CloseView, error) {
	var out []CloseView
	err := scan(r, kClose+ledger.Account(id), func(cv CloseView) error {
		out = append(out, cv)
		return nil
	})
	slices.SortFunc(out, func(a, b CloseView) int {
		if a.Time != b.Time {
			if a.Time < b.Time {
				return -1
			}
			return 1
		}
		return bytes.Compare(a.ID, b.ID)
	})
	return out, err
}

// countedCloses keeps the closes no later than the earliest close plus the
// grace, and returns the time (ms) from which the result is final.
func countedCloses(cs []CloseView, grace uint64) ([]CloseView, uint64) {
	if len(cs) == 0 {
		return nil, 0
	}
	limit := cs[0].Time.Millis() + grace
	n := 0
	for n < len(cs) && cs[n].Time.Millis() <= limit {
		n++
	}
	return cs[:n], limit
}

// CountedBallot is one ballot in a result: the voter's own latest vote, or
// the one of the delegate it followed.
type CountedBallot struct {
	Voter  string       `json:"voter"`
	Name   string       `json:"name,omitempty"`
	Weight int64        `json:"weight"`
	Via    string       `json:"via,omitempty"`
	Ballot tally.Ballot `json:"ballot"`
	// Vote is the CID of the counted vote record.
	Vote string `json:"vote"`
}

// Result is a proposal's count: who counted, and the method's result.
// Exactly one of the method fields is set.
type Result struct {
	Proposal ProposalView `json:"-"`
	ID       string       `json:"id"`
	Status   string       `json:"status"`
	// Provisional is true until the status is final.
	Provisional bool `json:"provisional"`
	// FinalAt is when (Unix ms) the result becomes final; 0 without a
	// counted close.
	FinalAt uint64 `json:"final_at,omitempty"`
	// Closes are the counted closes' CIDs.
	Closes     []string        `json:"closes,omitempty"`
	Electorate int             `json:"electorate"`
	Ballots    []CountedBallot `json:"ballots"`
	// Overspent are the quadratic votes left out for taking their voter
	// past the council's voice-credit budget for the period.
	Overspent []string `json:"overspent,omitempty"`
	// Carried is, per delegate who voted, the weight their vote carried
	// for others.
	Carried map[string]int64 `json:"carried,omitempty"`
	// Passed says whether a yes/no, consent or consensus proposal passed.
	Passed    bool                   `json:"passed"`
	Winners   []string               `json:"winners,omitempty"`
	YesNo     *tally.YesNoResult     `json:"yesno,omitempty"`
	Consent   *tally.ConsentResult   `json:"consent,omitempty"`
	Consensus *tally.ConsensusResult `json:"consensus,omitempty"`
	Points    *tally.PointsResult    `json:"points,omitempty"`
	Ranked    *tally.RankedResult    `json:"ranked,omitempty"`
	Schulze   *tally.SchulzeResult   `json:"schulze,omitempty"`
	Budget    *tally.BudgetResult    `json:"budget,omitempty"`
}

// Counter counts proposals as they stand at one time, with the councils
// built once (see build); NewCounter makes one for a listing.
type Counter struct {
	r   *crdt.Reader
	st  *state
	now uint64
}

// NewCounter replays the decisions final by now (Unix ms) once, for
// counting many proposals.
func NewCounter(r *crdt.Reader, now uint64) (*Counter, error) {
	st, err := build(r, now)
	if err != nil {
		return nil, err
	}
	return &Counter{r: r, st: st, now: now}, nil
}

// Count counts one proposal.
func (c *Counter) Count(id cid.Cid) (*Result, error) {
	pv, ok, err := ProposalByID(c.r, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no proposal %s", ledger.ErrBadBody, id)
	}
	return c.st.count(c.r, pv, c.now)
}

// Count counts a proposal as it stands at time now (Unix ms), with the
// councils as the final decisions up to now made them: see Recount.
func Count(r *crdt.Reader, id cid.Cid, now uint64) (*Result, error) {
	c, err := NewCounter(r, now)
	if err != nil {
		return nil, err
	}
	return c.Count(id)
}

// Recount is Count: every counted ballot (voter, weight, delegate
// followed) and the result, from the signed records alone.
func Recount(r *crdt.Reader, id cid.Cid, now uint64) (*Result, error) { return Count(r, id, now) }

func hexKey(b []byte) string { return hex.EncodeToString(b) }

// count computes one proposal's result with the councils of st.
func (st *state) count(r *crdt.Reader, pv ProposalView, now uint64) (*Result, error) {
	p := pv.Proposal
	id := pv.ID
	res := &Result{Proposal: pv, Carried: map[string]int64{}}
	if c, err := cid.Cast(id); err == nil {
		res.ID = c.String()
	}
	all, err := closes(r, id)
	if err != nil {
		return nil, err
	}
	counted, finalAt := countedCloses(all, p.Rule.Grace())
	switch {
	case now < p.Opens:
		res.Status = StatusScheduled
	case now <= p.Closes:
		res.Status = StatusOpen
	case len(counted) > 0 && now >= finalAt:
		res.Status = StatusFinal
	default:
		res.Status = StatusClosing
	}
	res.Provisional = res.Status != StatusFinal
	res.FinalAt = finalAt
	display := map[string]string{}
	electorate, err := st.electorate(r, pv, display)
	if err != nil {
		return nil, err
	}
	res.Electorate = len(electorate)
	inElect := map[string]bool{}
	for _, k := range electorate {
		inElect[string(k)] = true
	}
	// Candidate votes and delegations, each voter's in chain order.
	void, err := st.overspent(r, pv)
	if err != nil {
		return nil, err
	}
	votes := map[string][]VoteView{}
	if err := scan(r, kVote+ledger.Account(id), func(vv VoteView) error {
		if void[string(vv.ID)] {
			if c, err := cid.Cast(vv.ID); err == nil {
				res.Overspent = append(res.Overspent, c.String())
			}
			return nil
		}
		if inElect[string(vv.Voter)] && vv.V.Time.Millis() <= p.Closes {
			votes[string(vv.Voter)] = append(votes[string(vv.Voter)], vv)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	delegs := map[string][]DelegationView{}
	minTime := pv.Time
	if err := scan(r, kDeleg+ledger.Account([]byte(p.Council)), func(dv DelegationView) error {
		if inElect[string(dv.Delegator)] && dv.V.Time.Millis() <= p.Closes && (dv.D.Topic == "" || dv.D.Topic == p.Topic) {
			delegs[string(dv.Delegator)] = append(delegs[string(dv.Delegator)], dv)
			minTime = min(minTime, dv.V.Time)
		}
		return nil
	}); err != nil {
		return nil, err
	}
	// With counted closes, only what is in their causal past counts.
	var past map[string]bool
	if len(counted) > 0 {
		past = map[string]bool{}
		from := make([]cid.Cid, 0, len(counted))
		for _, c := range counted {
			cc, err := cid.Cast(c.ID)
			if err != nil {
				return nil, fmt.Errorf("%w: close id", crdt.ErrCorrupt)
			}
			from = append(from, cc)
			res.Closes = append(res.Closes, cc.String())
		}
		if err := r.WalkBack(from, minTime, func(c cid.Cid, rec *crdt.Record) error {
			if rec.Type == TypeVote || rec.Type == TypeDelegate {
				past[string(c.Bytes())] = true
			}
			return nil
		}); err != nil {
			return nil, err
		}
	}
	seen := func(id []byte) bool { return past == nil || past[string(id)] }
	names := make([]string, len(electorate))
	weight := map[string]int64{}
	var halfLife uint64
	if st.settings != nil {
		halfLife = st.settings.HalfLifeDays
	}
	weigh := st.weigher(r, p.Council, pv.Time, halfLife)
	direct := map[string]tally.Ballot{}
	voteOf := map[string]string{}
	to := map[string]string{}
	for i, k := range electorate {
		n := hexKey(k)
		names[i] = n
		if weight[n], err = weigh.of(k); err != nil {
			return nil, err
		}
		vs := votes[string(k)]
		for j := len(vs) - 1; j >= 0; j-- { // keys sort by version: latest last
			if seen(vs[j].ID) {
				v := vs[j].Vote
				direct[n] = tally.Ballot{Choice: v.Choice, Approve: v.Approve, Rank: v.Rank, Points: v.Points}
				if c, err := cid.Cast(vs[j].ID); err == nil {
					voteOf[n] = c.String()
				}
				break
			}
		}
		if d, ok := latestDelegation(delegs[string(k)], p.Topic, seen); ok && len(d.D.To) > 0 {
			to[n] = hexKey(d.D.To)
		}
	}
	dr := tally.Delegate(names, weight, direct, to)
	for _, b := range dr.Ballots {
		cb := CountedBallot{Voter: b.Voter, Weight: b.Weight, Via: dr.Via[b.Voter], Ballot: b}
		if kb, err := hex.DecodeString(b.Voter); err == nil {
			cb.Name = display[string(kb)]
		}
		src := b.Voter
		if cb.Via != "" {
			src = cb.Via
		}
		cb.Vote = voteOf[src]
		res.Ballots = append(res.Ballots, cb)
	}
	res.Carried = dr.Carried
	tallyInto(res, p, dr.Ballots, int64(len(electorate)))
	return res, nil
}

// latestDelegation picks a delegator's delegation in effect for a topic: the
// latest topic delegation unless it is a revocation (To empty), else the
// latest council-wide one (whose revocation is a delegation to nobody).
func latestDelegation(ds []DelegationView, topic string, seen func([]byte) bool) (DelegationView, bool) {
	wants := []string{""}
	if topic != "" {
		wants = []string{topic, ""}
	}
	for _, want := range wants {
		for j := len(ds) - 1; j >= 0; j-- { // keys sort by version: latest last
			if ds[j].D.Topic == want && seen(ds[j].ID) {
				if len(ds[j].D.To) == 0 && want != "" {
					break // a revoked topic delegation falls back to the council-wide one
				}
				return ds[j], true
			}
		}
	}
	return DelegationView{}, false
}

func optionNames(p Proposal) []string {
	out := make([]string, len(p.Options))
	for i, o := range p.Options {
		out[i] = o.Name
	}
	return out
}

func seats(p Proposal) int {
	if p.Rule.Seats > 0 {
		return int(p.Rule.Seats)
	}
	return 1
}

// tallyInto runs the proposal's method over the counted ballots.
func tallyInto(res *Result, p Proposal, ballots []tally.Ballot, electorate int64) {
	opts := optionNames(p)
	switch p.Method {
	case MethodYesNo:
		y := tally.CountYesNo(ballots, electorate, tally.YesNoRule{Quorum: p.Rule.Quorum, Threshold: p.Rule.Threshold, Inclusive: p.Rule.Inclusive})
		res.YesNo, res.Passed = &y, y.Passed
	case MethodConsent:
		c := tally.CountConsent(ballots)
		res.Consent, res.Passed = &c, c.Passed && len(ballots) > 0
	case MethodConsensus:
		c := tally.CountConsensus(ballots)
		res.Consensus, res.Passed = &c, c.Passed
	case MethodApproval:
		pr := tally.Approval(opts, ballots, seats(p))
		res.Points, res.Winners = &pr, pr.Winners
	case MethodScore, MethodDots:
		pr := tally.Score(opts, ballots, seats(p))
		res.Points, res.Winners = &pr, pr.Winners
	case MethodQuadratic:
		pr := tally.Quadratic(opts, ballots, seats(p))
		res.Points, res.Winners = &pr, pr.Winners
	case MethodIRV:
		rr := tally.IRV(opts, ballots)
		res.Ranked, res.Winners = &rr, rr.Winners
	case MethodSTV:
		rr := tally.STV(opts, ballots, seats(p))
		res.Ranked, res.Winners = &rr, rr.Winners
	case MethodSchulze:
		sr := tally.Schulze(opts, ballots)
		res.Schulze, res.Winners = &sr, sr.Winners
	case MethodBudgetMES, MethodBudgetGreedy:
		projects := make([]tally.Project, len(p.Options))
		for i, o := range p.Options {
			projects[i] = tally.Project{Option: o.Name, Cost: o.Cost}
		}
		var br tally.BudgetResult
		if p.Method == MethodBudgetMES {
			br = tally.EqualShares(projects, ballots, p.Rule.Budget)
		} else {
			br = tally.GreedyBudget(projects, ballots, p.Rule.Budget)
		}
		res.Budget = &br
		for _, f := range br.Funded {
			res.Winners = append(res.Winners, f.Project)
		}
	}
}

// VotingDevices lists the devices that wrote votes on a proposal, ordered.
func VotingDevices(r *crdt.Reader, id cid.Cid) ([][]byte, error) {
	var out [][]byte
	err := scan(r, kVote+ledger.Account(id.Bytes()), func(vv VoteView) error {
		if !slices.ContainsFunc(out, func(d []byte) bool { return bytes.Equal(d, vv.V.Device) }) {
			out = append(out, vv.V.Device)
		}
		return nil
	})
	slices.SortFunc(out, bytes.Compare)
	return out, err
}

// InElectorate reports whether a member may vote on a proposal: a member
// of its council's electorate as of its opening, with the councils as the
// final decisions up to now made them.
func InElectorate(r *crdt.Reader, id cid.Cid, member []byte, now uint64) (bool, error) {
	pv, ok, err := ProposalByID(r, id)
	if err != nil || !ok {
		return false, err
	}
	st, err := build(r, now)
	if err != nil {
		return false, err
	}
	el, err := st.electorate(r, pv, map[string]string{})
	return slices.ContainsFunc(el, func(k []byte) bool { return bytes.Equal(k, member) }), err
}
