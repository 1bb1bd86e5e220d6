package governance

import (
	"bytes"
	"encoding/base32"
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
func (c *Counter) Count(id cid.Cid) (*Result, error) { return c.count(id, true) }

// count counts one proposal, from the count cache when cached.
func (c *Counter) count(id cid.Cid, cached bool) (*Result, error) {
	pv, ok, err := ProposalByID(c.r, id)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("%w: no proposal %s", ledger.ErrBadBody, id)
	}
	return c.st.count(c.r, pv, c.now, cached)
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

// Recount is Count done again from the signed records alone: every
// counted ballot (voter, weight, delegate followed) and the result, read
// from the views and counted by the method's function over every ballot,
// with nothing taken from (or left in) the count cache. It is the count
// the cache must always equal (TestCountCacheNeverStale).
func Recount(r *crdt.Reader, id cid.Cid, now uint64) (*Result, error) {
	c, err := NewCounter(r, now)
	if err != nil {
		return nil, err
	}
	return c.count(id, false)
}

func hexKey(b []byte) string { return hex.EncodeToString(b) }

// count computes one proposal's result with the councils of st. An open
// proposal's ballots come from the count cache when cached and it can
// follow them (see cache.go); otherwise they are read from the views.
func (st *state) count(r *crdt.Reader, pv ProposalView, now uint64, cached bool) (*Result, error) {
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
	for _, c := range counted {
		cc, err := cid.Cast(c.ID)
		if err != nil {
			return nil, fmt.Errorf("%w: close id", crdt.ErrCorrupt)
		}
		res.Closes = append(res.Closes, cc.String())
	}
	if len(counted) == 0 && cached {
		return res, st.countCached(r, pv, res)
	}
	box, err := st.gather(r, pv, counted)
	if err != nil {
		return nil, err
	}
	box.fill(res, p)
	return res, nil
}

// ballotBox is what a count reads from the views: the electorate (a
// tally.Roll: members by position, ordered by key, with their counted
// direct ballots and the delegations in effect for the proposal) and, per
// member, what a result shows.
type ballotBox struct {
	roll    tally.Roll
	pos     map[string]int // member key -> position
	display []string
	latest  []ledger.Version // the counted direct vote's version
	voteOf  []string         // the counted direct vote's CID
	// overspent are quadratic votes left out (see state.overspent), and
	// overVoter their voters' keys.
	overspent, overVoter []string
	// live, when set, keeps the delegation resolved and the method's
	// count up to date as ballots and delegations change (see live.go).
	live *liveBox
}

// gather reads a proposal's electorate, votes and delegations: each
// voter's latest vote and delegation, and with counted closes only those
// in the closes' causal past.
func (st *state) gather(r *crdt.Reader, pv ProposalView, counted []CloseView) (*ballotBox, error) {
	p := pv.Proposal
	id := pv.ID
	electorate, err := st.electorate(r, pv, nil)
	if err != nil {
		return nil, err
	}
	n := len(electorate)
	box := &ballotBox{roll: tally.Roll{Voters: make([]string, n), Weight: make([]int64, n), Direct: make([]tally.Ballot, n),
		Voted: make([]bool, n), To: make([]int, n)},
		pos: make(map[string]int, n), display: make([]string, n), latest: make([]ledger.Version, n), voteOf: make([]string, n)}
	for i, k := range electorate {
		box.pos[string(k)] = i
		box.roll.Voters[i] = hexKey(k)
		box.roll.Weight[i] = 1
		box.roll.To[i] = -1
	}
	if err := displayNames(r, electorate, box.display); err != nil {
		return nil, err
	}
	// Candidate votes and delegations, each voter's in chain order.
	all, err := readVotes(r, kVote+ledger.Account(id), n)
	if err != nil {
		return nil, err
	}
	void, err := st.overspent(r, pv, all)
	if err != nil {
		return nil, err
	}
	for _, vv := range all {
		if void[string(vv.ID)] {
			if c, err := cid.Cast(vv.ID); err == nil {
				box.overspent = append(box.overspent, c.String())
				box.overVoter = append(box.overVoter, string(vv.Voter))
			}
		}
	}
	delegs := map[int][]DelegationView{}
	minTime := pv.Time
	if err := scanDelegations(r, kDeleg+ledger.Account([]byte(p.Council)), func(dv DelegationView) error {
		if i, in := box.pos[string(dv.Delegator)]; in && dv.V.Time.Millis() <= p.Closes && (dv.D.Topic == "" || dv.D.Topic == p.Topic) {
			delegs[i] = append(delegs[i], dv)
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
	var halfLife uint64
	if st.settings != nil {
		halfLife = st.settings.HalfLifeDays
	}
	weigh := st.weigher(r, p.Council, pv.Time, halfLife)
	if weigh.rule.weight != WeightEqual {
		for i, k := range electorate {
			if box.roll.Weight[i], err = weigh.of(k); err != nil {
				return nil, err
			}
		}
	}
	// Each voter's latest vote in effect: keys sort by voter, then
	// version, so from the end the first one seen is the latest.
	done := make([]bool, n)
	for j := len(all) - 1; j >= 0; j-- {
		vv := all[j]
		i, in := box.pos[string(vv.Voter)]
		if !in || done[i] || void[string(vv.ID)] || vv.V.Time.Millis() > p.Closes || !seen(vv.ID) {
			continue
		}
		box.cast(i, vv)
		done[i] = true
	}
	for i, ds := range delegs {
		if d, ok := latestDelegation(ds, p.Topic, seen); ok && len(d.D.To) > 0 {
			if j, in := box.pos[string(d.D.To)]; in {
				box.roll.To[i] = j
			}
		}
	}
	return box, nil
}

// cast counts a vote as the direct ballot of the member at position i.
func (box *ballotBox) cast(i int, vv VoteView) {
	box.change(i, func() { box.setCast(i, vv) })
}

func (box *ballotBox) setCast(i int, vv VoteView) {
	v := vv.Vote
	box.roll.Direct[i] = tally.Ballot{Choice: v.Choice, Approve: v.Approve, Rank: v.Rank, Points: v.Points}
	box.roll.Voted[i] = true
	box.latest[i] = vv.V
	box.voteOf[i] = cidString(vv.ID)
}

// base32Lower is multibase's base32 ("b"): RFC 4648, lower case, no
// padding.
var base32Lower = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// cidString is the CID with the bytes id as cid.Cid.String prints it ("" for
// bytes that are no CID), with two allocations for a version 1 CID (every
// record's) instead of go-multibase's several: a count prints thousands.
func cidString(id []byte) string {
	c, err := cid.Cast(id)
	if err != nil {
		return ""
	}
	if c.Version() != 1 {
		return c.String()
	}
	b := make([]byte, 1+base32Lower.EncodedLen(len(id)))
	b[0] = 'b'
	base32Lower.Encode(b[1:], id)
	return string(b)
}

// uncast counts no direct ballot for the member at position i.
func (box *ballotBox) uncast(i int) {
	box.change(i, func() {
		box.roll.Direct[i], box.roll.Voted[i], box.latest[i], box.voteOf[i] = tally.Ballot{}, false, ledger.Version{}, ""
	})
}

// fill follows the delegations and tallies the ballots into res.
func (box *ballotBox) fill(res *Result, p Proposal) {
	if box.live != nil {
		box.live.fill(box, res, p)
		return
	}
	res.Electorate = len(box.roll.Voters)
	res.Overspent = box.overspent
	dr, places := box.roll.Delegate()
	if len(dr.Ballots) > 0 {
		res.Ballots = make([]CountedBallot, len(dr.Ballots))
	}
	for i, b := range dr.Ballots {
		pl := places[i]
		cb := CountedBallot{Voter: b.Voter, Name: box.display[pl.Voter], Weight: b.Weight, Ballot: b, Vote: box.voteOf[pl.Source]}
		if pl.Source != pl.Voter {
			cb.Via = box.roll.Voters[pl.Source]
		}
		res.Ballots[i] = cb
	}
	res.Carried = dr.Carried
	tallyInto(res, p, dr.Ballots, int64(len(box.roll.Voters)))
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
	case MethodBudgetMES:
		budgetInto(res, tally.EqualShares(projects(p), ballots, p.Rule.Budget))
	case MethodBudgetGreedy:
		budgetInto(res, tally.GreedyBudget(projects(p), ballots, p.Rule.Budget))
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
	el, err := st.electorate(r, pv, nil)
	return slices.ContainsFunc(el, func(k []byte) bool { return bytes.Equal(k, member) }), err
}

// DelegationInEffect is a delegation that a proposal of its council put
// now would follow: a delegator's latest delegation for its topic (or
// the council-wide one), not revoked, between two members of the
// council's electorate.
type DelegationInEffect struct {
	Council string `json:"council"`
	// Topic is the topic delegated; empty for every topic.
	Topic string `json:"topic,omitempty"`
	// From and To are the delegator's and the delegate's keys in hex,
	// with their display names.
	From     string `json:"from"`
	FromName string `json:"from_name,omitempty"`
	To       string `json:"to"`
	ToName   string `json:"to_name,omitempty"`
	// Since is the delegation record's time, in Unix ms.
	Since uint64 `json:"since"`
	// ID is the CID of the delegation record.
	ID string `json:"id"`
}

// Delegations lists the delegations in effect in a council now (Unix ms),
// picked by the rule the count uses (latestDelegation): per delegator and
// topic, the latest delegation unless it revokes; a revoked topic
// delegation leaves the council-wide one in effect. Only delegations
// between members of the council's electorate for a proposal put now are
// listed, as only those count. They are ordered by delegator, then topic
// (every topic first).
func Delegations(r *crdt.Reader, council string, now uint64) ([]DelegationInEffect, error) {
	st, err := build(r, now)
	if err != nil {
		return nil, err
	}
	names := map[string]string{}
	// A proposal put now is written after every record held (its clock
	// is at least theirs, which may run ahead of now): its electorate is
	// the council's members as the records held leave it.
	el, err := st.currentMembers(r, council, names)
	if err != nil {
		return nil, err
	}
	in := make(map[string]bool, len(el))
	for _, k := range el {
		in[string(k)] = true
	}
	byFrom := map[string][]DelegationView{}
	var from []string
	if err := scan(r, kDeleg+ledger.Account([]byte(council)), func(dv DelegationView) error {
		if !in[string(dv.Delegator)] {
			return nil
		}
		k := string(dv.Delegator)
		if _, ok := byFrom[k]; !ok {
			from = append(from, k)
		}
		byFrom[k] = append(byFrom[k], dv)
		return nil
	}); err != nil {
		return nil, err
	}
	slices.Sort(from)
	all := func([]byte) bool { return true }
	var out []DelegationInEffect
	for _, k := range from {
		ds := byFrom[k]
		var topics []string
		for _, d := range ds {
			if !slices.Contains(topics, d.D.Topic) {
				topics = append(topics, d.D.Topic)
			}
		}
		slices.Sort(topics) // "" (every topic) first
		for _, topic := range topics {
			d, ok := latestDelegation(ds, topic, all)
			if !ok || d.D.Topic != topic || len(d.D.To) == 0 || !in[string(d.D.To)] {
				continue
			}
			di := DelegationInEffect{Council: council, Topic: topic, From: hexKey(d.Delegator), FromName: names[k],
				To: hexKey(d.D.To), ToName: names[string(d.D.To)], Since: d.V.Time.Millis()}
			if c, err := cid.Cast(d.ID); err == nil {
				di.ID = c.String()
			}
			out = append(out, di)
		}
	}
	return out, nil
}

// MayVote reports whether a member is in a proposal's electorate: the
// members the count takes as voters, with the councils of the counter's
// time.
func (c *Counter) MayVote(pv ProposalView, member []byte) (bool, error) {
	el, err := c.st.electorate(c.r, pv, nil)
	return slices.ContainsFunc(el, func(k []byte) bool { return bytes.Equal(k, member) }), err
}

// Decisions lists what a final proposal's actions did (see Decision), in
// their order; nothing for a proposal not final at the counter's time.
func (c *Counter) Decisions(id cid.Cid) []Decision {
	var out []Decision
	for _, d := range c.st.decisions {
		if d.Proposal == id.String() {
			out = append(out, d)
		}
	}
	return out
}
