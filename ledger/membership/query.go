package membership

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/ipfs/go-cid"
)

// Society returns the society's name, settings and founder.
func Society(r *crdt.Reader) (SocietyView, error) {
	var s SocietyView
	ok, err := ledger.Get(r, kSociety, &s)
	if err == nil && !ok {
		err = fmt.Errorf("%w: society %s", crdt.ErrNotFound, r.Society())
	}
	return s, err
}

// Member returns a member's view; ok is false for an unknown member.
func Member(r *crdt.Reader, member []byte) (MemberView, bool, error) {
	var mv MemberView
	ok, err := ledger.Get(r, kMember+string(member), &mv)
	return mv, ok, err
}

// IsActive reports whether a member is currently admitted.
func IsActive(r *crdt.Reader, member []byte) (bool, error) {
	return memberActive(r, member)
}

// Members returns every member the society knows, active or not, ordered
// by key.
func Members(r *crdt.Reader) ([]MemberView, error) {
	return list[MemberView](r, kMember, "member", crdt.Unmarshal)
}

// list decodes every view under prefix, in key order.
func list[T any](r *crdt.Reader, prefix, what string, decode func([]byte, any) error) ([]T, error) {
	var out []T
	err := r.ScanValues(prefix, func(v []byte) error {
		var x T
		if err := decode(v, &x); err != nil {
			return fmt.Errorf("%w: %s view: %v", crdt.ErrCorrupt, what, err)
		}
		out = append(out, x)
		return nil
	})
	return out, err
}

// Enrolled is the part of a member's view an electorate needs.
type Enrolled struct {
	Key    []byte   `cbor:"key"`
	Status string   `cbor:"status"`
	Since  crdt.HLC `cbor:"since"`
	// Admit is the admission's CID (absent for the founder).
	Admit []byte `cbor:"admit,omitempty"`
	Name  string `cbor:"name"`
}

// Roll lists every member the society knows, active or not, ordered by
// key, with only what an electorate needs: cheaper than Members, as it
// decodes nothing else of the member views.
func Roll(r *crdt.Reader) ([]Enrolled, error) {
	return list[Enrolled](r, kMember, "member", decodeEnrolled)
}

// decodeEnrolled decodes the Enrolled fields of a member view by hand
// (crdt.ViewFields: a roll of thousands of members is read at every
// count), or with the general decoder when that fails.
func decodeEnrolled(b []byte, out any) error {
	e, ok := out.(*Enrolled)
	if !ok {
		return crdt.UnmarshalView(b, out)
	}
	var x Enrolled
	err := crdt.ViewFields(b, func(k string, v []byte) error {
		var err error
		switch k {
		case "key":
			x.Key, err = crdt.ViewBytes(v)
		case "status":
			x.Status, err = crdt.ViewText(v)
		case "since":
			var t uint64
			t, err = crdt.ViewUint(v)
			x.Since = crdt.HLC(t)
		case "admit":
			x.Admit, err = crdt.ViewBytes(v)
		case "name":
			x.Name, err = crdt.ViewText(v)
		}
		return err
	})
	if err != nil {
		return crdt.UnmarshalView(b, out)
	}
	*e = x
	return nil
}

// MemberCount returns the number of active members.
func MemberCount(r *crdt.Reader) (uint64, error) { return ledger.GetCount(r, cMembers) }

// DeviceOf returns the member a device acts for, if the device is known.
func DeviceOf(r *crdt.Reader, device []byte) (DeviceView, bool, error) {
	var dv DeviceView
	ok, err := ledger.Get(r, kDevice+string(device), &dv)
	return dv, ok, err
}

// PendingJoins returns the joins still waiting for admission.
func PendingJoins(r *crdt.Reader) ([]JoinView, error) {
	return list[JoinView](r, kJoin, "join", crdt.Unmarshal)
}

// InviteState returns an invite's state.
func InviteState(r *crdt.Reader, invite cid.Cid) (InviteView, bool, error) {
	var iv InviteView
	ok, err := ledger.Get(r, kInvite+string(invite.Bytes()), &iv)
	return iv, ok, err
}

// InvitesBy lists the invites a device made, with their CIDs.
func InvitesBy(r *crdt.Reader, device []byte) (map[cid.Cid]InviteView, error) {
	out := map[cid.Cid]InviteView{}
	p := kAuthor + string(device)
	var cids []cid.Cid
	if err := r.Scan(p, func(k string, _ []byte) error {
		c, err := cid.Cast([]byte(strings.TrimPrefix(k, p)))
		if err != nil {
			return fmt.Errorf("%w: invite index: %v", crdt.ErrCorrupt, err)
		}
		cids = append(cids, c)
		return nil
	}); err != nil {
		return nil, err
	}
	for _, c := range cids {
		iv, ok, err := InviteState(r, c)
		if err != nil {
			return nil, err
		}
		if ok {
			out[c] = iv
		}
	}
	return out, nil
}

// FindMember resolves a member ID string or an unambiguous display name
// (case-insensitive) among active members.
func FindMember(r *crdt.Reader, query string, idOf func([]byte) string) (MemberView, error) {
	ms, err := Members(r)
	if err != nil {
		return MemberView{}, err
	}
	var hits []MemberView
	for _, m := range ms {
		if m.Status != StatusActive {
			continue
		}
		if idOf(m.Key) == query {
			return m, nil
		}
		if strings.EqualFold(m.Name, query) {
			hits = append(hits, m)
		}
	}
	switch len(hits) {
	case 0:
		return MemberView{}, noMemberError(query)
	case 1:
		return hits[0], nil
	}
	names := make([]string, 0, len(hits))
	for _, h := range hits {
		names = append(names, idOf(h.Key))
	}
	slices.Sort(names)
	return MemberView{}, fmt.Errorf("ledger: %q is ambiguous: %s", query, strings.Join(names, ", "))
}

// DevicesOf returns the device keys known to act for a member, in key order.
func DevicesOf(r *crdt.Reader, member []byte) ([][]byte, error) {
	var out [][]byte
	err := r.Scan(kDevice, func(k string, v []byte) error {
		var dv DeviceView
		if err := crdt.Unmarshal(v, &dv); err != nil {
			return fmt.Errorf("%w: device view: %v", crdt.ErrCorrupt, err)
		}
		if string(dv.Member) == string(member) {
			out = append(out, []byte(strings.TrimPrefix(k, kDevice)))
		}
		return nil
	})
	return out, err
}

// CanWrite reports why a device may not write to the society any more:
// ledger.ErrNotMember when its member is not active, ledger.ErrRevoked when the device is
// cut (revoked, forked, or its member gone); nil when it may.
func CanWrite(r *crdt.Reader, device, member []byte) error {
	active, err := IsActive(r, member)
	if err != nil {
		return err
	}
	if !active {
		return ledger.ErrNotMember
	}
	h, err := r.Head(device)
	if err != nil {
		return err
	}
	if fs, ok, err := r.ForkSeq(device); err != nil {
		return err
	} else if ok && h.Seq+1 >= fs {
		return fmt.Errorf("%w: this device forked its chain", ledger.ErrRevoked)
	}
	var cut uint64
	if ok, err := ledger.Get(r, kCut+string(device), &cut); err != nil {
		return err
	} else if ok && h.Seq+1 > cut {
		return ledger.ErrRevoked
	}
	return nil
}

// PastCut refuses (with an error wrapping ledger.ErrRevoked) a record of a
// device written after the device's last record that takes effect by the
// revocations, departures and removals held: the record can never take
// effect. It is a crdt.Admit for records from peers that need not be
// trusted, not a Check: whether the cut is held depends on what arrived
// first. Forks are not counted: a fork is found only once both branches
// are held.
func PastCut(r *crdt.Reader, e *crdt.Entry) error {
	if n, err := ledger.GetCount(r, cExcl); err != nil || n == 0 {
		return err
	}
	author, seq := e.Rec.Author, e.Rec.Seq
	var cut uint64
	if ok, err := ledger.Get(r, kCut+string(author), &cut); err != nil {
		return err
	} else if ok && seq > cut {
		return fmt.Errorf("%w: record %d of a device revoked after its record %d", ledger.ErrRevoked, seq, cut)
	}
	member, err := deviceMember(r, author)
	if err != nil || member == nil {
		return err
	}
	var g GoneView
	if ok, err := ledger.Get(r, kGone+string(member), &g); err != nil || !ok {
		return err
	}
	lim := uint64(0)
	for _, c := range g.Cutoffs {
		if bytes.Equal(c.Device, author) {
			lim = c.Seq
		}
	}
	if seq > lim {
		return fmt.Errorf("%w: record %d of a device whose member is gone (%s) after its record %d", ledger.ErrRevoked, seq, g.Status, lim)
	}
	return nil
}

// DeviceCut reports whether a device's records stop taking effect at some
// point: it was revoked, it forked, or its member left or was removed.
func DeviceCut(r *crdt.Reader, device, member []byte) (bool, error) {
	if _, ok, err := r.ForkSeq(device); err != nil || ok {
		return ok, err
	}
	var cut uint64
	if ok, err := ledger.Get(r, kCut+string(device), &cut); err != nil || ok {
		return ok, err
	}
	var g GoneView
	ok, err := ledger.Get(r, kGone+string(member), &g)
	return ok, err
}

// FounderOf returns the society's founder.
func FounderOf(r ledger.ViewReader) ([]byte, error) {
	var s SocietyView
	ok, err := ledger.Get(r, kSociety, &s)
	if err == nil && !ok {
		err = fmt.Errorf("%w: society view missing", crdt.ErrCorrupt)
	}
	return s.Founder, err
}

// noMemberError says that no active member answers to a name or ID; it
// matches crdt.ErrNotFound.
type noMemberError string

// Error says what was looked for, in the user's terms.
func (e noMemberError) Error() string {
	return fmt.Sprintf("no member %q in this society (give a member's display name or member ID)", string(e))
}

// Is makes the error match crdt.ErrNotFound.
func (e noMemberError) Is(target error) bool { return target == crdt.ErrNotFound }
