package governance

import (
	"bytes"
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/ipfs/go-cid"
)

// The count cache keeps, for the open proposals counted last, what gather
// read from the views (the ballot box) and the crdt.Mark it was read at.
// The next count of the proposal asks the store what was stored since
// (crdt.Reader.Since): when that is only vote records (and no device
// forked), it adds their votes to the box and tallies again without
// reading the views; anything else (a record of any other type, a record
// older than the mark, another store, a rebuild) reads everything again.
// The box is a function of the records, so a count from the cache is the
// count from the views, and never a stale one.

// maxCached is how many proposals the cache keeps.
const maxCached = 8

// maxFollow is the most records a cache follows; after more (a sync), it
// is as cheap to read everything again.
const maxFollow = 2000

// follow calls fn for each record stored after m (see crdt.Reader.Since),
// and reports whether a cache made at m can be brought up to date from
// them: no more than maxFollow of them, and no device forked since.
func follow(r *crdt.Reader, m crdt.Mark, fn func(c cid.Cid, meta crdt.Meta) error) (crdt.Mark, bool, error) {
	cur, err := r.Mark()
	if err != nil || cur.Records < m.Records || cur.Records-m.Records > maxFollow || cur.Forks != m.Forks {
		return cur, false, err
	}
	return r.Since(m, fn)
}

type cached struct {
	mark crdt.Mark
	box  *ballotBox
	used uint64
	// sig is the council's counting rule the box was read with.
	sig countSig
	// quad are, for a quadratic proposal, the proposals sharing its
	// voice-credit budget (itself among them).
	quad []ProposalView
}

// countSig is what of a council's rules a count reads besides the
// records: the weight rule (and the half-life of the reputation it
// weighs by) and a quadratic proposal's voice-credit budget. Decisions
// becoming final can change it with no new record, so a cached count
// holds only while it is the same.
type countSig struct {
	weight   string
	cap      int64
	halfLife uint64
	credits  int64
}

func (st *state) sigOf(pv ProposalView) countSig {
	p := pv.Proposal
	var sig countSig
	if c := st.councils[p.Council]; c != nil {
		rule := c.ruleAt(pv.Time)
		sig.weight, sig.cap = rule.weight, rule.weightCap
		if p.Method == MethodQuadratic {
			sig.credits = c.ruleAt(crdt.MakeHLC(periodStart(p.Opens), 0)).credits
		}
	}
	if st.settings != nil {
		sig.halfLife = st.settings.HalfLifeDays
	}
	return sig
}

var countCache = struct {
	sync.Mutex
	m    map[string]*cached // proposal ID (bytes) -> ballots
	tick uint64
}{m: map[string]*cached{}}

// ForgetCounts empties the count cache and the members' roll, so that
// the next counts read everything from the views (for benchmarks and
// tests). The named electorates Check keeps (namedElectorate) stay: no
// count reads them, and they never go stale.
func ForgetCounts() {
	countCache.Lock()
	defer countCache.Unlock()
	clear(countCache.m)
	rolls.Lock()
	defer rolls.Unlock()
	rolls.roll, rolls.mark = nil, crdt.Mark{}
}

// countCached fills res, an open proposal's result (no counted close), from
// the cache when it can follow the store from its mark, else from the
// views, keeping what it read for the next count.
func (st *state) countCached(r *crdt.Reader, pv ProposalView, res *Result) error {
	// The electorate of a council other than the root depends on the
	// decisions up to now, not only on the records: it is read every
	// time, and the cache is used only when it is unchanged.
	var electorate []string
	if pv.Proposal.Council != Root {
		keys, err := st.electorate(r, pv, nil)
		if err != nil {
			return err
		}
		for _, k := range keys {
			electorate = append(electorate, hexKey(k))
		}
	}
	key := string(pv.ID)
	sig := st.sigOf(pv)
	countCache.Lock()
	if c := countCache.m[key]; c != nil && c.sig == sig && (pv.Proposal.Council == Root || slices.Equal(c.box.roll.Voters, electorate)) {
		ok, err := c.update(r, pv)
		if err != nil {
			delete(countCache.m, key)
			countCache.Unlock()
			return err
		}
		if ok {
			countCache.tick++
			c.used = countCache.tick
			c.box.fill(res, pv.Proposal)
			countCache.Unlock()
			return nil
		}
		delete(countCache.m, key)
	}
	countCache.Unlock()
	mark, err := r.Mark()
	if err != nil {
		return err
	}
	box, err := st.gather(r, pv, nil)
	if err != nil {
		return err
	}
	if !mark.Valid() {
		box.fill(res, pv.Proposal)
		return nil
	}
	box.startLive(pv.Proposal)
	box.fill(res, pv.Proposal)
	_, quad, err := st.sharingCredits(r, pv)
	if err != nil {
		return err
	}
	countCache.Lock()
	defer countCache.Unlock()
	if len(countCache.m) >= maxCached {
		var old string
		var oldest *cached
		for k, c := range countCache.m {
			if oldest == nil || c.used < oldest.used {
				old, oldest = k, c
			}
		}
		delete(countCache.m, old)
	}
	countCache.tick++
	countCache.m[key] = &cached{mark: mark, box: box, used: countCache.tick, sig: sig, quad: quad}
	return nil
}

// update brings c's box up to the reader's state if only votes were stored
// since its mark, and reports whether it could.
func (c *cached) update(r *crdt.Reader, pv ProposalView) (bool, error) {
	var votes []VoteView
	shared := map[string]bool{} // the proposals sharing a quadratic budget
	for _, q := range c.quad {
		shared[string(q.ID)] = true
	}
	var recount []string // voters to count again on a quadratic proposal
	var delegators []string
	others := false
	cur, ok, err := follow(r, c.mark, func(id cid.Cid, m crdt.Meta) error {
		if !others && m.Type == TypeDelegate && c.box.live != nil {
			// A delegation in the proposal's council changes its
			// delegator's delegation in effect, read again below.
			if !slices.Contains(delegators, string(m.Member)) {
				delegators = append(delegators, string(m.Member))
			}
			return nil
		}
		if others || m.Type != TypeVote {
			others = true
			return nil
		}
		rec, err := r.Record(id)
		if err != nil {
			return err
		}
		var v Vote
		if err := ledger.DecodeBody(rec, &v); err != nil {
			return err
		}
		if shared[string(v.Proposal.Bytes())] {
			// The vote may change what its voter has left to spend on
			// every proposal sharing the budget.
			if !slices.Contains(recount, string(m.Member)) {
				recount = append(recount, string(m.Member))
			}
			return nil
		}
		if !bytes.Equal(v.Proposal.Bytes(), pv.ID) {
			return nil
		}
		// The vote counts as the fold stored it, if it took effect.
		ver := ledger.VersionOf(rec)
		var vv VoteView
		took, err := ledger.Get(r, kVote+ledger.Account(pv.ID)+ledger.Account(m.Member)+versionKey(ver), &vv)
		if err != nil || !took {
			return err
		}
		votes = append(votes, vv)
		return nil
	})
	if err != nil || !ok || others {
		return false, err
	}
	for _, vv := range votes {
		i, in := c.box.pos[string(vv.Voter)]
		if !in || vv.V.Time.Millis() > pv.Proposal.Closes {
			continue
		}
		if c.box.roll.Voted[i] && !c.box.latest[i].Less(vv.V) {
			continue
		}
		c.box.cast(i, vv)
	}
	for _, voter := range recount {
		if err := c.recount(r, pv, voter); err != nil {
			return false, err
		}
	}
	for _, d := range delegators {
		if err := c.redelegate(r, pv, d); err != nil {
			return false, err
		}
	}
	c.mark = cur
	return true, nil
}

// redelegate reads a delegator's delegations in the proposal's council
// again and follows the one in effect, as gather does.
func (c *cached) redelegate(r *crdt.Reader, pv ProposalView, delegator string) error {
	p := pv.Proposal
	i, in := c.box.pos[delegator]
	if !in {
		return nil
	}
	var ds []DelegationView
	if err := scanDelegations(r, kDeleg+ledger.Account([]byte(p.Council))+ledger.Account([]byte(delegator)), func(dv DelegationView) error {
		if dv.V.Time.Millis() <= p.Closes && (dv.D.Topic == "" || dv.D.Topic == p.Topic) {
			ds = append(ds, dv)
		}
		return nil
	}); err != nil {
		return err
	}
	to := -1
	if d, ok := latestDelegation(ds, p.Topic, func([]byte) bool { return true }); ok && len(d.D.To) > 0 {
		if j, in := c.box.pos[string(d.D.To)]; in {
			to = j
		}
	}
	c.box.delegate(i, to)
	return nil
}

// recount counts a voter's ballot on a quadratic proposal again, as
// gather does: their votes on the proposals sharing the budget, the ones
// that overspend it left out (state.overspent), and their latest other
// vote on pv counted.
func (c *cached) recount(r *crdt.Reader, pv ProposalView, voter string) error {
	var cs []costly
	var mine []VoteView
	for _, q := range c.quad {
		vs, err := readVotes(r, kVote+ledger.Account(q.ID)+ledger.Account([]byte(voter)), 0)
		if err != nil {
			return err
		}
		for _, vv := range vs {
			if vv.V.Time.Millis() <= q.Proposal.Closes {
				cs = append(cs, costly{vv, string(q.ID), tally.QuadraticCost(vv.Vote.Points)})
			}
		}
		if bytes.Equal(q.ID, pv.ID) {
			mine = vs
		}
	}
	void := map[string]bool{}
	voidOverspent(cs, c.sig.credits, void)
	box := c.box
	var over, overVoter []string
	for k, v := range box.overVoter {
		if v != voter {
			over, overVoter = append(over, box.overspent[k]), append(overVoter, v)
		}
	}
	i, in := box.pos[voter]
	counted := -1
	for k, vv := range mine { // in key order: by version
		switch {
		case void[string(vv.ID)]:
			if id, err := cid.Cast(vv.ID); err == nil {
				over, overVoter = append(over, id.String()), append(overVoter, voter)
			}
		case vv.V.Time.Millis() <= pv.Proposal.Closes:
			counted = k
		}
	}
	// Voters in key order, as gather lists them.
	idx := make([]int, len(over))
	for k := range idx {
		idx[k] = k
	}
	slices.SortStableFunc(idx, func(a, b int) int {
		return strings.Compare(ledger.Account([]byte(overVoter[a])), ledger.Account([]byte(overVoter[b])))
	})
	box.overspent, box.overVoter = nil, nil
	for _, k := range idx {
		box.overspent, box.overVoter = append(box.overspent, over[k]), append(box.overVoter, overVoter[k])
	}
	switch {
	case !in:
	case counted >= 0:
		box.cast(i, mine[counted])
	default:
		box.uncast(i)
	}
	return nil
}

// voteRow is the part of a VoteView a count reads: without the proposal's
// link and the reason, which decoding then skips.
type voteRow struct {
	ID    []byte         `cbor:"id"`
	Voter []byte         `cbor:"voter"`
	V     ledger.Version `cbor:"v"`
	Vote  struct {
		Choice  string        `cbor:"choice"`
		Approve []string      `cbor:"approve"`
		Rank    []string      `cbor:"rank"`
		Points  []tally.Point `cbor:"points"`
	} `cbor:"vote"`
}

// readVotes reads the stored votes under a prefix of kVote (a proposal's,
// or a proposal's and voter's) in key order (voter, then version) with
// what a count needs of them: the ballot, not the proposal link or the
// reason. hint is how many there may be (the electorate's size for a
// proposal's), so that the list grows once.
func readVotes(r *crdt.Reader, prefix string, hint int) ([]VoteView, error) {
	out := make([]VoteView, 0, hint)
	err := r.ScanValues(prefix, func(b []byte) error {
		vv, err := decodeVote(b)
		if err != nil {
			return fmt.Errorf("%w: a vote view under %q: %v", crdt.ErrCorrupt, prefix, err)
		}
		out = append(out, vv)
		return nil
	})
	return out, err
}

// decodeVote decodes what a count reads of a VoteView (see voteRow) by
// hand (crdt.ViewFields), or with the general decoder when that fails.
func decodeVote(b []byte) (VoteView, error) {
	var vv VoteView
	err := crdt.ViewFields(b, func(k string, v []byte) error {
		var err error
		switch k {
		case "id":
			vv.ID, err = crdt.ViewBytes(v)
		case "voter":
			vv.Voter, err = crdt.ViewBytes(v)
		case "v":
			vv.V, err = decodeVersion(v)
		case "vote":
			err = crdt.ViewFields(v, func(k string, v []byte) error {
				var err error
				switch k {
				case "choice":
					vv.Vote.Choice, err = crdt.ViewText(v)
				case "approve":
					vv.Vote.Approve, err = viewTexts(v)
				case "rank":
					vv.Vote.Rank, err = viewTexts(v)
				case "points":
					vv.Vote.Points, err = viewPoints(v)
				}
				return err
			})
		}
		return err
	})
	if err == nil {
		return vv, nil
	}
	var x voteRow
	if err := crdt.UnmarshalView(b, &x); err != nil {
		return VoteView{}, err
	}
	return VoteView{ID: x.ID, Voter: x.Voter, V: x.V,
		Vote: Vote{Choice: x.Vote.Choice, Approve: x.Vote.Approve, Rank: x.Vote.Rank, Points: x.Vote.Points}}, nil
}

// decodeVersion decodes a ledger.Version by hand.
func decodeVersion(b []byte) (ledger.Version, error) {
	var ver ledger.Version
	err := crdt.ViewFields(b, func(k string, v []byte) error {
		var err error
		switch k {
		case "t":
			var t uint64
			t, err = crdt.ViewUint(v)
			ver.Time = crdt.HLC(t)
		case "d":
			ver.Device, err = crdt.ViewBytes(v)
		case "n":
			ver.Seq, err = crdt.ViewUint(v)
		}
		return err
	})
	return ver, err
}

// viewTexts decodes an array of text strings (nil for null, as the general
// decoder does).
func viewTexts(b []byte) ([]string, error) {
	var out []string
	if b[0] != 0xf6 {
		out = []string{}
	}
	err := crdt.ViewArray(b, func(item []byte) error {
		s, err := crdt.ViewText(item)
		out = append(out, s)
		return err
	})
	return out, err
}

// viewPoints decodes an array of tally.Point.
func viewPoints(b []byte) ([]tally.Point, error) {
	var out []tally.Point
	if b[0] != 0xf6 {
		out = []tally.Point{}
	}
	err := crdt.ViewArray(b, func(item []byte) error {
		var p tally.Point
		err := crdt.ViewFields(item, func(k string, v []byte) error {
			var err error
			switch k {
			case "option":
				p.Option, err = crdt.ViewText(v)
			case "n":
				p.N, err = crdt.ViewInt(v)
			}
			return err
		})
		out = append(out, p)
		return err
	})
	return out, err
}

// scanDelegations calls fn with each stored delegation under a prefix of
// kDeleg (a council's), in key order, decoded by hand (crdt.ViewFields),
// or with the general decoder when that fails.
func scanDelegations(r *crdt.Reader, prefix string, fn func(DelegationView) error) error {
	return r.ScanValues(prefix, func(b []byte) error {
		dv, err := decodeDelegation(b)
		if err != nil {
			return fmt.Errorf("%w: a delegation view under %q: %v", crdt.ErrCorrupt, prefix, err)
		}
		return fn(dv)
	})
}

func decodeDelegation(b []byte) (DelegationView, error) {
	var dv DelegationView
	err := crdt.ViewFields(b, func(k string, v []byte) error {
		var err error
		switch k {
		case "id":
			dv.ID, err = crdt.ViewBytes(v)
		case "from":
			dv.Delegator, err = crdt.ViewBytes(v)
		case "v":
			dv.V, err = decodeVersion(v)
		case "d":
			err = crdt.ViewFields(v, func(k string, v []byte) error {
				var err error
				switch k {
				case "council":
					dv.D.Council, err = crdt.ViewText(v)
				case "topic":
					dv.D.Topic, err = crdt.ViewText(v)
				case "to":
					dv.D.To, err = crdt.ViewBytes(v)
				}
				return err
			})
		}
		return err
	})
	if err == nil {
		return dv, nil
	}
	dv = DelegationView{}
	return dv, crdt.UnmarshalView(b, &dv)
}
