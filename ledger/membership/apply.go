package membership

import (
	"bytes"
	"fmt"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
)

// Effect reports whether a stored record takes no effect (its device forked
// at or before it, was revoked before it, or its member left or was removed
// before it), and otherwise whether its author's member is active.
func (Gate) Effect(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (excluded, active bool, err error) {
	if excluded, err = isExcluded(v, e.Rec.Author, e.Rec.Seq, m.Member); err != nil || excluded {
		return excluded, false, err
	}
	active, err = memberActive(v, m.Member)
	return false, active, err
}

// memberActive reports whether a member is active, decoding its view by
// hand (decodeEnrolled), not in full with reflection as activeMember does:
// every record's Effect asks it.
func memberActive(r ledger.ViewReader, member []byte) (bool, error) {
	if member == nil {
		return false, nil
	}
	b, ok, err := r.View(kMember + string(member))
	if err != nil || !ok {
		return false, err
	}
	var e Enrolled
	if err := decodeEnrolled(b, &e); err != nil {
		return false, fmt.Errorf("%w: member view: %v", crdt.ErrCorrupt, err)
	}
	return e.Status == StatusActive, nil
}

// isExcluded reports whether a record takes no effect: its device forked at
// or before it, was revoked before it, or its member left or was removed
// before it.
func isExcluded(v *crdt.Views, author []byte, seq uint64, member []byte) (bool, error) {
	if !v.AnyForks() {
		if n, err := ledger.GetCount(v, cExcl); err != nil || n == 0 {
			return false, err
		}
	}
	if fs, ok, err := v.ForkSeq(author); err != nil {
		return false, err
	} else if ok && seq >= fs {
		return true, nil
	}
	var cut uint64
	if ok, err := ledger.Get(v, kCut+string(author), &cut); err != nil {
		return false, err
	} else if ok && seq > cut {
		return true, nil
	}
	if member != nil {
		var g GoneView
		if ok, err := ledger.Get(v, kGone+string(member), &g); err != nil {
			return false, err
		} else if ok {
			lim := uint64(0)
			for _, c := range g.Cutoffs {
				if bytes.Equal(c.Device, author) {
					lim = c.Seq
				}
			}
			if seq > lim {
				return true, nil
			}
		}
	}
	return false, nil
}

// excludeBy returns the Exclude of a revocation, leave or removal: it
// records the cutoffs the record sets. Only a fork of the author before
// the record disqualifies it, so the exclusions are a function of the
// stored records alone.
func excludeBy(set func(v *crdt.Views, e *crdt.Entry, m crdt.Meta, isFounder bool, founder []byte) (bool, error)) func(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (bool, error) {
	return func(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (bool, error) {
		rec := e.Rec
		if fs, ok, err := v.ForkSeq(rec.Author); err != nil {
			return false, err
		} else if ok && rec.Seq >= fs {
			return false, nil
		}
		var soc SocietyView
		if _, err := ledger.Get(v, kSociety, &soc); err != nil {
			return false, err
		}
		return set(v, e, m, bytes.Equal(m.Member, soc.Founder), soc.Founder)
	}
}

func excludeDevice(v *crdt.Views, e *crdt.Entry, m crdt.Meta, isFounder bool, _ []byte) (bool, error) {
	var dr DeviceRevoke
	if err := ledger.DecodeBody(e.Rec, &dr); err != nil {
		return false, err
	}
	target, err := deviceMember(v.Reader, dr.Device)
	if err != nil {
		return false, err
	}
	if !isFounder && !bytes.Equal(target, m.Member) {
		return false, nil
	}
	var cut uint64
	ok, err := ledger.Get(v, kCut+string(dr.Device), &cut)
	if err != nil {
		return false, err
	}
	if !ok || dr.After < cut {
		if !ok {
			if err := ledger.AddCount(v, cExcl, 1); err != nil {
				return false, err
			}
		}
		return true, ledger.Put(v, kCut+string(dr.Device), dr.After)
	}
	return false, nil
}

func excludeLeave(v *crdt.Views, e *crdt.Entry, m crdt.Meta, _ bool, _ []byte) (bool, error) {
	rec := e.Rec
	var lv Leave
	if err := ledger.DecodeBody(rec, &lv); err != nil {
		return false, err
	}
	cs := append(slices.Clone(lv.Cutoffs), Cutoff{Device: rec.Author, Seq: rec.Seq})
	return mergeGone(v, m.Member, StatusLeft, cs, rec.Time)
}

func excludeRemove(v *crdt.Views, e *crdt.Entry, _ crdt.Meta, isFounder bool, founder []byte) (bool, error) {
	var rm Remove
	if err := ledger.DecodeBody(e.Rec, &rm); err != nil {
		return false, err
	}
	if !isFounder || bytes.Equal(rm.Member, founder) {
		return false, nil
	}
	return mergeGone(v, rm.Member, StatusRemoved, rm.Cutoffs, e.Rec.Time)
}

// deviceMember returns the member a device acts for, from its chain.
func deviceMember(r *crdt.Reader, device []byte) ([]byte, error) {
	h, err := r.Head(device)
	if err != nil || h.Seq == 0 {
		return nil, err
	}
	m, _, err := r.Meta(h.CID)
	return m.Member, err
}

// mergeGone merges a departure: removal outranks leaving; each device keeps
// its lowest cutoff; a device listed in only one departure keeps none.
func mergeGone(v *crdt.Views, member []byte, status string, cs []Cutoff, t crdt.HLC) (bool, error) {
	cs = slices.Clone(cs)
	slices.SortFunc(cs, func(a, b Cutoff) int { return bytes.Compare(a.Device, b.Device) })
	var g GoneView
	ok, err := ledger.Get(v, kGone+string(member), &g)
	if err != nil {
		return false, err
	}
	if !ok {
		if err := ledger.AddCount(v, cExcl, 1); err != nil {
			return false, err
		}
		return true, ledger.Put(v, kGone+string(member), GoneView{Status: status, Cutoffs: cs, Time: t})
	}
	before, err := crdt.Marshal(g)
	if err != nil {
		return false, err
	}
	var merged []Cutoff
	for _, c := range cs {
		for _, o := range g.Cutoffs {
			if bytes.Equal(o.Device, c.Device) {
				merged = append(merged, Cutoff{Device: c.Device, Seq: min(c.Seq, o.Seq)})
			}
		}
	}
	if g.Status != StatusRemoved {
		g.Status = status
	}
	g.Cutoffs = merged
	g.Time = min(g.Time, t)
	after, err := crdt.Marshal(g)
	if err != nil {
		return false, err
	}
	return !bytes.Equal(before, after), ledger.Put(v, kGone+string(member), g)
}

// excludeGenesis writes the society view in a rebuild's first pass, so
// that the exclusions gathered there know the founder.
func excludeGenesis(v *crdt.Views, e *crdt.Entry, _ crdt.Meta) (bool, error) {
	var g Genesis
	if err := ledger.DecodeBody(e.Rec, &g); err != nil {
		return false, err
	}
	return false, ledger.Put(v, kSociety, SocietyView{Name: g.Name, Settings: g.Settings, Founder: g.Cert.Member, Created: e.Rec.Time,
		SettingsV: ledger.VersionOf(e.Rec)})
}

func applyGenesis(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	rec := e.Rec
	var g Genesis
	if err := ledger.DecodeBody(rec, &g); err != nil {
		return err
	}
	if err := ledger.Put(v, kMember+string(m.Member), MemberView{Key: m.Member, Status: StatusActive, Since: rec.Time, Name: g.Founder,
		NameV: ledger.VersionOf(rec), Skills: []string{}}); err != nil {
		return err
	}
	if err := ledger.Put(v, kDevice+string(rec.Author), DeviceView{Member: m.Member, Name: "founding device"}); err != nil {
		return err
	}
	return ledger.AddCount(v, cMembers, 1)
}

func applyJoin(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	rec := e.Rec
	var j Join
	if err := ledger.DecodeBody(rec, &j); err != nil {
		return err
	}
	if active, err := memberActive(v, m.Member); err != nil || active {
		return err
	}
	// One join waits per member: the earliest by (time, CID).
	var old JoinView
	if ok, err := ledger.Get(v, kJoin+string(m.Member), &old); err != nil {
		return err
	} else if ok && (old.Time < rec.Time || (old.Time == rec.Time && bytes.Compare(old.Join.Bytes(), e.CID.Bytes()) < 0)) {
		return nil
	}
	return ledger.Put(v, kJoin+string(m.Member), JoinView{Join: crdt.Link{Cid: e.CID}, Invite: j.Invite, Device: rec.Author, Name: j.Name, Time: rec.Time})
}

func applyInvite(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	rec := e.Rec
	var inv Invite
	if err := ledger.DecodeBody(rec, &inv); err != nil {
		return err
	}
	if err := v.Put(kAuthor+string(rec.Author)+string(e.CID.Bytes()), nil); err != nil {
		return err
	}
	return ledger.Put(v, kInvite+string(e.CID.Bytes()), InviteView{Author: rec.Author, Member: m.Member, Key: inv.Key, Expires: inv.Expires, Uses: inv.Uses, Created: rec.Time})
}

func applyInviteRevoke(v *crdt.Views, e *crdt.Entry, _ crdt.Meta) error {
	var ir InviteRevoke
	if err := ledger.DecodeBody(e.Rec, &ir); err != nil {
		return err
	}
	var iv InviteView
	ok, err := ledger.Get(v, kInvite+string(ir.Invite.Bytes()), &iv)
	if err != nil || !ok {
		return err
	}
	iv.Revoked = true
	return ledger.Put(v, kInvite+string(ir.Invite.Bytes()), iv)
}

func applyDevice(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	var d Device
	if err := ledger.DecodeBody(e.Rec, &d); err != nil {
		return err
	}
	return ledger.Put(v, kDevice+string(e.Rec.Author), DeviceView{Member: m.Member, Name: d.Name})
}

func applyProfile(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	p, ok := e.Body.(*Profile)
	if !ok {
		p = new(Profile)
		if err := ledger.DecodeBody(e.Rec, p); err != nil {
			return err
		}
	}
	mv, mvRaw, _, err := activeMemberRaw(v, m.Member)
	if err != nil {
		return err
	}
	ver := ledger.VersionOf(e.Rec)
	if p.Name != nil && mv.NameV.Less(ver) {
		mv.Name, mv.NameV = *p.Name, ver
	}
	if p.Bio != nil && mv.BioV.Less(ver) {
		mv.Bio, mv.BioV = *p.Bio, ver
	}
	if p.Skills != nil && mv.SkillV.Less(ver) {
		mv.Skills, mv.SkillV = normalizeSkills(*p.Skills), ver
	}
	nb, err := crdt.Marshal(mv)
	if err != nil {
		return err
	}
	return v.Replace(kMember+string(m.Member), mvRaw, true, nb)
}

// applyDeparture applies a leave or a removal whose exclusion Exclude
// recorded: the member is no longer counted, and their status follows.
func applyDeparture(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	rec := e.Rec
	target := m.Member
	status := StatusLeft
	if rec.Type == TypeRemove {
		var rm Remove
		if err := ledger.DecodeBody(rec, &rm); err != nil {
			return err
		}
		target, status = rm.Member, StatusRemoved
	}
	var g GoneView
	if ok, err := ledger.Get(v, kGone+string(target), &g); err != nil || !ok {
		return err
	}
	tv, tActive, err := activeMember(v, target)
	if err != nil {
		return err
	}
	if tActive {
		if err := ledger.AddCount(v, cMembers, -1); err != nil {
			return err
		}
	}
	if tv.Key != nil && (tActive || status == StatusRemoved) && tv.Status != g.Status {
		tv.Status = g.Status
		if err := ledger.Put(v, kMember+string(target), tv); err != nil {
			return err
		}
	}
	return nil
}

func applyNothing(*crdt.Views, *crdt.Entry, crdt.Meta) error { return nil }

func applySettings(v *crdt.Views, e *crdt.Entry, _ crdt.Meta) error {
	var sv SocietyView
	if _, err := ledger.Get(v, kSociety, &sv); err != nil {
		return err
	}
	ver := ledger.VersionOf(e.Rec)
	if !sv.SettingsV.Less(ver) {
		return nil
	}
	if err := ledger.DecodeBody(e.Rec, &sv.Settings); err != nil {
		return err
	}
	sv.SettingsV = ver
	return ledger.Put(v, kSociety, sv)
}

func normalizeSkills(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.ToLower(strings.TrimSpace(s))
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	slices.Sort(out)
	return out
}

// activeMemberRaw is activeMember that also returns the view's bytes.
func activeMemberRaw(r ledger.ViewReader, member []byte) (MemberView, []byte, bool, error) {
	var mv MemberView
	if member == nil {
		return mv, nil, false, nil
	}
	b, ok, err := r.View(kMember + string(member))
	if err != nil || !ok {
		return mv, nil, false, err
	}
	if err := crdt.Unmarshal(b, &mv); err != nil {
		return mv, nil, false, fmt.Errorf("%w: member view: %v", crdt.ErrCorrupt, err)
	}
	return mv, b, mv.Status == StatusActive, nil
}

// activeMember returns a member's view and whether the member is active.
func activeMember(r ledger.ViewReader, member []byte) (MemberView, bool, error) {
	mv, _, active, err := activeMemberRaw(r, member)
	return mv, active, err
}

func applyAdmit(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	var a Admit
	if err := ledger.DecodeBody(e.Rec, &a); err != nil {
		return err
	}
	var iv InviteView
	ok, err := ledger.Get(v, kInvite+string(a.Invite.Bytes()), &iv)
	if err != nil || !ok || iv.Revoked || iv.Used >= iv.Uses {
		return err
	}
	iv.Used++
	if err := ledger.Put(v, kInvite+string(a.Invite.Bytes()), iv); err != nil {
		return err
	}
	joiner := m.Subject
	jrec, err := v.Record(a.Join.Cid)
	if err != nil {
		return err
	}
	// A departed member's admission takes effect only for a join within
	// the departure's cutoffs (as the admission before it always is), so
	// that a rebuild, which gathers departures first, still admits the
	// member whose departure it then applies.
	var g GoneView
	if gone, err := ledger.Get(v, kGone+string(joiner), &g); err != nil {
		return err
	} else if gone && !slices.ContainsFunc(g.Cutoffs, func(c Cutoff) bool {
		return bytes.Equal(c.Device, jrec.Author) && c.Seq >= jrec.Seq
	}) {
		return nil
	}
	var j Join
	if err := ledger.DecodeBody(jrec, &j); err != nil {
		return err
	}
	mv, active, err := activeMember(v, joiner)
	if err != nil {
		return err
	}
	if !active && mv.Key != nil {
		return nil // already departed: no re-admission
	}
	if active {
		if e.Rec.Time < mv.Since {
			mv.Since, mv.Admit = e.Rec.Time, e.CID.Bytes()
		}
	} else {
		mv = MemberView{Key: joiner, Status: StatusActive, Since: e.Rec.Time, Admit: e.CID.Bytes(), Name: j.Name,
			NameV: ledger.VersionOf(jrec), Skills: []string{}}
		if err := ledger.AddCount(v, cMembers, 1); err != nil {
			return err
		}
	}
	if err := ledger.Put(v, kMember+string(joiner), mv); err != nil {
		return err
	}
	if err := ledger.Put(v, kDevice+string(jrec.Author), DeviceView{Member: joiner, Name: "joining device"}); err != nil {
		return err
	}
	return v.Delete(kJoin + string(joiner))
}
