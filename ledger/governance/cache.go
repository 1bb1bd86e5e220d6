package governance

import (
	"bytes"
	"slices"
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
}

var countCache = struct {
	sync.Mutex
	m    map[string]*cached // proposal ID (bytes) -> ballots
	tick uint64
}{m: map[string]*cached{}}

// ForgetCounts empties the count cache, so that the next counts read
// everything from the views (for benchmarks and tests).
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
		keys, err := st.electorate(r, pv, map[string]string{})
		if err != nil {
			return err
		}
		for _, k := range keys {
			electorate = append(electorate, hexKey(k))
		}
	}
	key := string(pv.ID)
	countCache.Lock()
	if c := countCache.m[key]; c != nil && (pv.Proposal.Council == Root || slices.Equal(c.box.roll.Voters, electorate)) {
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
	box.fill(res, pv.Proposal)
	if !mark.Valid() {
		return nil
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
	countCache.m[key] = &cached{mark: mark, box: box, used: countCache.tick}
	return nil
}

// update brings c's box up to the reader's state if only votes were stored
// since its mark, and reports whether it could.
func (c *cached) update(r *crdt.Reader, pv ProposalView) (bool, error) {
	var votes []VoteView
	others := false
	cur, ok, err := follow(r, c.mark, func(id cid.Cid, m crdt.Meta) error {
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
	c.mark = cur
	return true, nil
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

// readVotes reads a proposal's stored votes in key order (voter, then
// version) with what a count needs of them: the ballot, not the proposal
// link or the reason.
func readVotes(r *crdt.Reader, proposal []byte) ([]VoteView, error) {
	var out []VoteView
	err := scan(r, kVote+ledger.Account(proposal), func(x voteRow) error {
		out = append(out, VoteView{ID: x.ID, Voter: x.Voter, V: x.V,
			Vote: Vote{Choice: x.Vote.Choice, Approve: x.Vote.Approve, Rank: x.Vote.Rank, Points: x.Vote.Points}})
		return nil
	})
	return out, err
}
