package governance

import (
	"slices"
	"sync"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// This file is the only one that reads the membership module: when
// membership moves to its own package, only these calls change.

// isMember reports whether key is an active member of the society (for
// queries only: it is not causal).
func isMember(r *crdt.Reader, key []byte) (bool, error) { return membership.IsActive(r, key) }

// admittedBy reports whether a member was admitted no later than time at.
// Check may ask it of a record's author: the author's admission is in the
// causal past of their chain, so every peer answers alike (whether the
// member is still active is not causal, and is left to the count).
func admittedBy(r *crdt.Reader, member []byte, at crdt.HLC) (bool, error) {
	mv, ok, err := membership.Member(r, member)
	if err != nil || !ok {
		return !ok, err // an admission without effect: the count leaves the voter out
	}
	return mv.Since <= at, nil
}

// rootElectorate lists the root council's electorate for a proposal
// written at time at, ordered by key: every active member admitted no
// later than the proposal; names maps each key to its display name.
func rootElectorate(r *crdt.Reader, at crdt.HLC, names map[string]string) ([][]byte, error) {
	ms, err := roll(r)
	if err != nil {
		return nil, err
	}
	var out [][]byte
	for _, mv := range ms {
		if mv.Status == membership.StatusActive && mv.Since <= at {
			out = append(out, mv.Key)
			names[string(mv.Key)] = mv.Name
		}
	}
	return out, nil
}

// rolls keeps the society's roll (membership.Roll) with the crdt.Mark it
// was read at, for the next electorates: only membership records change
// the member views, so the roll is kept while the records stored since
// are all governance records (and no device forked).
var rolls struct {
	sync.Mutex
	mark crdt.Mark
	roll []membership.Enrolled
}

// roll returns the society's roll, read-only, from rolls when it still
// holds.
func roll(r *crdt.Reader) ([]membership.Enrolled, error) {
	rolls.Lock()
	defer rolls.Unlock()
	if rolls.mark.Valid() {
		others := false
		cur, ok, err := follow(r, rolls.mark, func(_ cid.Cid, m crdt.Meta) error {
			others = others || !slices.Contains(recordTypes, m.Type)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if ok && !others {
			rolls.mark = cur
			return rolls.roll, nil
		}
	}
	mark, err := r.Mark()
	if err != nil {
		return nil, err
	}
	ms, err := membership.Roll(r)
	if err != nil {
		return nil, err
	}
	rolls.mark, rolls.roll = mark, ms
	return ms, nil
}

// recordTypes are governance's record types, none of which changes a
// member view.
var recordTypes = []string{TypeProposal, TypeVote, TypeDelegate, TypeClose, TypeCouncilJoin, TypeCouncilLeave}

// memberName is a member's display name, for results.
func memberName(r *crdt.Reader, key []byte) string {
	mv, ok, err := membership.Member(r, key)
	if err != nil || !ok {
		return ""
	}
	return mv.Name
}
