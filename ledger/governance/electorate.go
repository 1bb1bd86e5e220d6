package governance

import (
	"bytes"
	"fmt"
	"slices"
	"sync"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// This file is the only one that reads the membership module: when
// membership moves to its own package, only these calls change.

// isMember reports whether key is an active member of the society (for
// queries only: it is not causal).
func isMember(r *crdt.Reader, key []byte) (bool, error) { return membership.IsActive(r, key) }

// A proposal's electorate is decided from its causal past only: the
// records its deps name (directly or through council-roll records) that
// let a member in. For the root council those are admissions and the
// genesis (the founder); for another council, council joins and leaves,
// where a member's latest named record (by ledger.Version) decides.
// namedElectorate reads that list from the records alone (never from the
// views, which exclusions change), so Check may ask it; applyProposal
// writes it into the proposal's own view keys, which the count scans
// (electorView), dropping members who left or were removed (not causal,
// see electorate).

// maxRollDepth bounds how deep rolls naming rolls are followed.
const maxRollDepth = 4

// electorates keeps the last proposals' named electorates. A named
// electorate is a function of the proposal's CID (its deps are part of
// it, and theirs of them), so an entry never goes stale, in any store.
var electorates struct {
	sync.Mutex
	m     map[string][][]byte
	order []string
}

// maxElectorates bounds electorates.
const maxElectorates = 64

// namedElectorate lists, ordered by key, the members the stored proposal
// p names in its electorate.
func namedElectorate(r *crdt.Reader, p cid.Cid) ([][]byte, error) {
	k := p.KeyString()
	electorates.Lock()
	ms, ok := electorates.m[k]
	electorates.Unlock()
	if ok {
		return ms, nil
	}
	rec, err := r.Record(p)
	if err != nil {
		return nil, err
	}
	var pb Proposal
	if err := ledger.DecodeBody(rec, &pb); err != nil {
		return nil, err
	}
	council := pb.Council
	type elector struct {
		v  ledger.Version
		in bool
	}
	best := map[string]elector{}
	seen := map[string]bool{}
	var visit func(deps []crdt.Link, depth int) error
	visit = func(deps []crdt.Link, depth int) error {
		for _, d := range deps {
			if seen[d.KeyString()] {
				continue
			}
			seen[d.KeyString()] = true
			m, ok, err := r.Meta(d.Cid)
			if err != nil {
				return err
			}
			if !ok { // causal delivery stores every dep first
				return fmt.Errorf("%w: %s, named by proposal %s, is not stored", crdt.ErrCorrupt, d.Cid, p)
			}
			if m.Type == TypeRoll {
				if depth >= maxRollDepth {
					continue
				}
				rec, err := r.Record(d.Cid)
				if err != nil {
					return err
				}
				var rb Roll
				if ledger.DecodeBody(rec, &rb) != nil || rb.Council != council {
					continue // another council's roll names nothing here
				}
				if err := visit(rec.Deps, depth+1); err != nil {
					return err
				}
				continue
			}
			member, in, ok, err := namedRecord(r, d.Cid, m, council)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			ver := ledger.Version{Time: m.Time, Device: m.Author, Seq: m.Seq}
			if o, had := best[string(member)]; !had || o.v.Less(ver) {
				best[string(member)] = elector{v: ver, in: in}
			}
		}
		return nil
	}
	if err := visit(rec.Deps, 0); err != nil {
		return nil, err
	}
	ms = make([][]byte, 0, len(best))
	for k, el := range best {
		if el.in {
			ms = append(ms, []byte(k))
		}
	}
	slices.SortFunc(ms, bytes.Compare)
	electorates.Lock()
	defer electorates.Unlock()
	if electorates.m == nil {
		electorates.m = map[string][][]byte{}
	}
	if _, had := electorates.m[k]; !had {
		if len(electorates.order) >= maxElectorates {
			delete(electorates.m, electorates.order[0])
			electorates.order = electorates.order[1:]
		}
		electorates.m[k] = ms
		electorates.order = append(electorates.order, k)
	}
	return ms, nil
}

// electorView lists, ordered by key, the electorate a proposal that took
// effect names, as applyProposal wrote it.
func electorView(r *crdt.Reader, p []byte) ([][]byte, error) {
	pre := kElector + ledger.Account(p)
	var out [][]byte
	err := r.Scan(pre, func(k string, _ []byte) error {
		m, rest, ok := ledger.CutAccount(k[len(pre):])
		if !ok || rest != "" {
			return fmt.Errorf("%w: electorate key %q", crdt.ErrCorrupt, k)
		}
		out = append(out, []byte(m))
		return nil
	})
	return out, err
}

// namedRecord says which member a record named by a proposal of council
// lets in (in) or out, and ok false when it decides nothing there.
func namedRecord(r *crdt.Reader, c cid.Cid, m crdt.Meta, council string) (member []byte, in, ok bool, err error) {
	switch m.Type {
	case membership.TypeGenesis:
		return m.Member, true, council == Root && len(m.Member) > 0, nil
	case membership.TypeAdmit:
		return m.Subject, true, council == Root && len(m.Subject) > 0, nil
	case TypeCouncilJoin, TypeCouncilLeave:
		if council == Root {
			return nil, false, false, nil
		}
		rec, err := r.Record(c)
		if err != nil {
			return nil, false, false, err
		}
		var cm CouncilMembership
		if ledger.DecodeBody(rec, &cm) != nil || cm.Council != council {
			return nil, false, false, nil
		}
		return m.Member, m.Type == TypeCouncilJoin, len(m.Member) > 0, nil
	}
	return nil, false, false, nil
}

// namedElector reports whether the stored proposal p names member in its
// electorate (Check may ask it: it reads the proposal's causal past only).
func namedElector(r *crdt.Reader, p cid.Cid, member []byte) (bool, error) {
	ms, err := namedElectorate(r, p)
	if err != nil {
		return false, err
	}
	_, ok := slices.BinarySearchFunc(ms, member, bytes.Compare)
	return ok, nil
}

// Basis lists the records a proposal to council written now should name
// so that its electorate is the council's members as this reader holds
// them: each active member's admission (the genesis for the founder) for
// the root council; each member's latest join, when it is a join, for
// another council. The writer names them among the proposal's deps, in
// council-roll records when they do not fit (see Roll).
func Basis(r *crdt.Reader, council string) ([]cid.Cid, error) {
	var out []cid.Cid
	if council == Root {
		ms, err := roll(r)
		if err != nil {
			return nil, err
		}
		for _, mv := range ms {
			if mv.Status != membership.StatusActive {
				continue
			}
			c := r.Society()
			if len(mv.Admit) > 0 {
				if c, err = cid.Cast(mv.Admit); err != nil {
					return nil, fmt.Errorf("%w: admission link: %v", crdt.ErrCorrupt, err)
				}
			}
			out = append(out, c)
		}
		return out, nil
	}
	latest := map[string]MembershipView{}
	if err := scan(r, kMember+ledger.Account([]byte(council)), func(mv MembershipView) error {
		if o, ok := latest[string(mv.Member)]; !ok || o.V.Less(mv.V) {
			latest[string(mv.Member)] = mv
		}
		return nil
	}); err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(latest))
	for k, mv := range latest {
		if mv.Join && len(mv.ID) > 0 {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	for _, k := range keys {
		c, err := cid.Cast(latest[k].ID)
		if err != nil {
			return nil, fmt.Errorf("%w: council join link: %v", crdt.ErrCorrupt, err)
		}
		out = append(out, c)
	}
	return out, nil
}

// activeNames keeps the active members of ms and fills names (unless nil)
// with their display names.
func activeNames(r *crdt.Reader, ms [][]byte, names map[string]string) ([][]byte, error) {
	all, err := roll(r)
	if err != nil {
		return nil, err
	}
	out := ms[:0:0]
	// Both are ordered by key (ms usually is): walk them together, the
	// roll only forward.
	sorted := slices.IsSortedFunc(ms, bytes.Compare)
	j := 0
	for _, m := range ms {
		var ok bool
		if sorted {
			for j < len(all) && bytes.Compare(all[j].Key, m) < 0 {
				j++
			}
			ok = j < len(all) && bytes.Equal(all[j].Key, m)
		} else {
			j, ok = slices.BinarySearchFunc(all, m, func(e membership.Enrolled, k []byte) int { return bytes.Compare(e.Key, k) })
		}
		if ok && all[j].Status == membership.StatusActive {
			out = append(out, m)
			if names != nil {
				names[string(m)] = all[j].Name
			}
		}
	}
	return out, nil
}

// displayNames sets out[i] to the display name of member ms[i], for ms
// ordered by key and members of the roll (as activeNames keeps them).
func displayNames(r *crdt.Reader, ms [][]byte, out []string) error {
	all, err := roll(r)
	if err != nil {
		return err
	}
	j := 0
	for i, m := range ms {
		for j < len(all) && bytes.Compare(all[j].Key, m) < 0 {
			j++
		}
		if j < len(all) && bytes.Equal(all[j].Key, m) {
			out[i] = all[j].Name
		}
	}
	return nil
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
var recordTypes = []string{TypeProposal, TypeVote, TypeDelegate, TypeClose, TypeCouncilJoin, TypeCouncilLeave, TypeRoll}
