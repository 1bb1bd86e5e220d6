package governance

import (
	"fmt"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// body returns the record's body as Check decoded it, or decodes it again
// (in a rebuild, Check does not run).
func body[T any](e *crdt.Entry) (*T, error) {
	if b, ok := e.Body.(*T); ok {
		return b, nil
	}
	v := new(T)
	if err := ledger.DecodeBody(e.Rec, v); err != nil {
		return nil, err
	}
	return v, nil
}

// versionKey is a key part that sorts a member's records by their chain
// order as ledger.Version does (time, then device, then seq).
func versionKey(v ledger.Version) string {
	return ledger.BE64(uint64(v.Time)) + ledger.Account(v.Device) + ledger.BE64(v.Seq)
}

func applyProposal(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	p, err := body[Proposal](e)
	if err != nil {
		return err
	}
	id := e.CID.Bytes()
	if err := ledger.Put(v, kProposal+ledger.Account(id), ProposalView{ID: id, Author: m.Member, Time: e.Rec.Time, Proposal: *p}); err != nil {
		return err
	}
	// The electorate the proposal names, for the count to scan.
	ms, err := namedElectorate(v.Reader, e.CID)
	if err != nil {
		return err
	}
	pre := kElector + ledger.Account(id)
	for _, k := range ms {
		if err := ledger.Put(v, pre+ledger.Account(k), true); err != nil {
			return err
		}
	}
	return nil
}

// applyRoll writes nothing: a roll matters only through the proposals
// that name it (namedElectorate).
func applyRoll(*crdt.Views, *crdt.Entry, crdt.Meta) error { return nil }

func applyVote(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	b, err := body[Vote](e)
	if err != nil {
		return err
	}
	ver := ledger.VersionOf(e.Rec)
	k := kVote + ledger.Account(b.Proposal.Bytes()) + ledger.Account(m.Member) + versionKey(ver)
	return ledger.Put(v, k, VoteView{ID: e.CID.Bytes(), Voter: m.Member, V: ver, Vote: *b})
}

func applyDelegate(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	d, err := body[Delegation](e)
	if err != nil {
		return err
	}
	ver := ledger.VersionOf(e.Rec)
	k := kDeleg + ledger.Account([]byte(d.Council)) + ledger.Account(m.Member) + versionKey(ver)
	return ledger.Put(v, k, DelegationView{ID: e.CID.Bytes(), Delegator: m.Member, V: ver, D: *d})
}

func applyClose(v *crdt.Views, e *crdt.Entry, _ crdt.Meta) error {
	c, err := body[Close](e)
	if err != nil {
		return err
	}
	id := e.CID.Bytes()
	return ledger.Put(v, kClose+ledger.Account(c.Proposal.Bytes())+ledger.Account(id), CloseView{ID: id, Time: e.Rec.Time})
}

func applyCouncilMembership(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	c, err := body[CouncilMembership](e)
	if err != nil {
		return err
	}
	ver := ledger.VersionOf(e.Rec)
	k := kMember + ledger.Account([]byte(c.Council)) + ledger.Account(m.Member) + versionKey(ver)
	return ledger.Put(v, k, MembershipView{ID: e.CID.Bytes(), Member: m.Member, Join: e.Rec.Type == TypeCouncilJoin, V: ver})
}

// scan decodes each view under prefix into a T and calls fn with it.
func scan[T any](r *crdt.Reader, prefix string, fn func(T) error) error {
	return r.Scan(prefix, func(k string, b []byte) error {
		var v T
		if err := crdt.UnmarshalView(b, &v); err != nil {
			return fmt.Errorf("%w: governance view %q: %v", crdt.ErrCorrupt, k, err)
		}
		return fn(v)
	})
}
