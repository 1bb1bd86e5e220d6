package node

import (
	"bytes"
	"crypto/ed25519"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// ErrNotFounder is returned for actions only the founder may take.
var ErrNotFounder = refusal.Prefixed("node", "only the society's founder may do this")

// RevokeInvite withdraws an invite this device made.
func (n *Node) RevokeInvite(req RevokeInviteRequest) error {
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	ic, err := cid.Decode(req.Invite)
	if err != nil {
		if code, cerr := ParseInviteCode(req.Invite); cerr == nil {
			ic = code.Invite
		} else {
			return refusal.Prefixed("node", "%q is neither an invite ID nor an invite code", req.Invite)
		}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	err = n.store.View(soc, func(r *crdt.Reader) error {
		iv, ok, err := membership.InviteState(r, ic)
		if err != nil {
			return err
		}
		if !ok {
			return refusal.New(crdt.ErrNotFound, "invite %s", ic)
		}
		if !bytes.Equal(iv.Author, n.pub.Device) {
			return refusal.New(ledger.ErrNotAllowed, "only the device that made an invite may revoke it")
		}
		if iv.Revoked {
			return refusal.Prefixed("node", "that invite is already revoked")
		}
		return nil
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, membership.TypeInviteRevoke, membership.InviteRevoke{Invite: crdt.Link{Cid: ic}}, []cid.Cid{ic})
	return err
}

// cutoffs lists the current heads of a member's devices, except skip.
func cutoffs(r *crdt.Reader, member, skip []byte) ([]membership.Cutoff, error) {
	devs, err := membership.DevicesOf(r, member)
	if err != nil {
		return nil, err
	}
	out := []membership.Cutoff{}
	for _, d := range devs {
		if bytes.Equal(d, skip) {
			continue
		}
		h, err := r.Head(d)
		if err != nil {
			return nil, err
		}
		out = append(out, membership.Cutoff{Device: d, Seq: h.Seq})
	}
	slices.SortFunc(out, func(a, b membership.Cutoff) int { return bytes.Compare(a.Device, b.Device) })
	if len(out) > membership.MaxCutoffs {
		out = out[:membership.MaxCutoffs]
	}
	return out, nil
}

// Leave ends the local member's membership; the records of the member's
// devices written after this (as far as this device knows them) take no
// effect.
func (n *Node) Leave(req SocietyRequest) error {
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var body membership.Leave
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		if bytes.Equal(sv.Founder, n.pub.Member) {
			return refusal.Prefixed("node", "the founder cannot leave (a council will take this over later)")
		}
		body.Cutoffs, err = cutoffs(r, n.pub.Member, n.pub.Device)
		return err
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, membership.TypeLeave, body, nil)
	return err
}

// Remove is the founder removing a member.
func (n *Node) Remove(req RemoveRequest) error {
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var body membership.Remove
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		if !bytes.Equal(sv.Founder, n.pub.Member) {
			return ErrNotFounder
		}
		if err := founderAlone(r, "removing a member", "--remove MEMBER_ID"); err != nil {
			return err
		}
		mv, err := membership.FindMember(r, req.Member, idOf)
		if err != nil {
			return err
		}
		if bytes.Equal(mv.Key, sv.Founder) {
			return refusal.Prefixed("node", "the founder cannot be removed")
		}
		body.Member, body.Reason = mv.Key, req.Reason
		body.Cutoffs, err = cutoffs(r, mv.Key, nil)
		return err
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, membership.TypeRemove, body, nil)
	return err
}

// RevokeDevice revokes one of the local member's devices (or, for the
// founder, any device): its records after the ones this device holds take
// no effect.
func (n *Node) RevokeDevice(req RevokeDeviceRequest) error {
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	pub, err := identity.PublicKeyFromID(req.Device)
	if err != nil {
		return refusal.Prefixed("node", "%q is not a device ID: %v", req.Device, err)
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var after uint64
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		dv, ok, err := membership.DeviceOf(r, pub)
		if err != nil {
			return err
		}
		if !ok {
			return refusal.New(crdt.ErrNotFound, "device %s", req.Device)
		}
		if !bytes.Equal(dv.Member, n.pub.Member) && !bytes.Equal(sv.Founder, n.pub.Member) {
			return refusal.New(ledger.ErrNotAllowed, "that device belongs to another member")
		}
		h, err := r.Head(pub)
		after = h.Seq
		return err
	})
	if err != nil {
		return err
	}
	_, err = n.author(soc, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: ed25519.PublicKey(pub), After: after}, nil)
	return err
}

// Members lists a society's members.
func (n *Node) Members(req SocietyRequest) ([]MemberInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	var out []MemberInfo
	err = n.store.View(soc, func(r *crdt.Reader) error {
		ms, err := membership.Members(r)
		if err != nil {
			return err
		}
		fx, err := n.effects(r)
		if err != nil {
			return err
		}
		for _, m := range ms {
			devs, err := membership.DevicesOf(r, m.Key)
			if err != nil {
				return err
			}
			mi := MemberInfo{ID: idOf(m.Key), Name: m.Name, Bio: m.Bio, Skills: m.Skills, Status: m.Status}
			if removed(fx, m.Key) {
				mi.Status = membership.StatusRemoved
			}
			for _, d := range devs {
				mi.Devices = append(mi.Devices, idOf(d))
				cut, err := membership.DeviceCut(r, d, m.Key)
				if err != nil {
					return err
				}
				if cut {
					mi.RevokedDevices = append(mi.RevokedDevices, idOf(d))
				}
			}
			out = append(out, mi)
		}
		return nil
	})
	return out, err
}
