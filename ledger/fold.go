package ledger

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/commons-society/commons/crdt"
	"github.com/ipfs/go-cid"
)

// Errors for records the ledger rejects.
var (
	ErrNotMember   = errors.New("ledger: author is not an admitted member")
	ErrBadBody     = errors.New("ledger: malformed record body")
	ErrBadCert     = errors.New("ledger: bad device certificate")
	ErrBadInvite   = errors.New("ledger: invite does not allow this")
	ErrUnknownType = errors.New("ledger: unknown record type")
	ErrNotAllowed  = errors.New("ledger: not allowed")
	ErrRevoked     = errors.New("ledger: the author's device was revoked, or its member left or was removed, before this record")
)

// FlagAnchored marks a record whose author's membership is in its causal
// past (the founder's genesis, or an admission of the author's member).
const FlagAnchored = 1

// Ledger is the crdt.Applier of the society domain. It holds no state: all
// state is in the views.
type Ledger struct{}

// New returns the ledger applier.
func New() *Ledger { return &Ledger{} }

var _ crdt.Applier = (*Ledger)(nil)

func decodeBody(rec *crdt.Record, v any) error {
	if err := crdt.Unmarshal(rec.Body, v); err != nil {
		return fmt.Errorf("%w: %s: %v", ErrBadBody, rec.Type, err)
	}
	return nil
}

func checkCert(cert interface {
	Verify() error
}, device []byte, certDevice []byte) error {
	if err := cert.Verify(); err != nil {
		return fmt.Errorf("%w: %v", ErrBadCert, err)
	}
	if !bytes.Equal(device, certDevice) {
		return fmt.Errorf("%w: certifies another device", ErrBadCert)
	}
	return nil
}

func checkText(field, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return fmt.Errorf("%w: %s longer than %d characters or not UTF-8", ErrBadBody, field, max)
	}
	return nil
}

func checkCutoffs(cs []Cutoff) error {
	if len(cs) > MaxCutoffs {
		return fmt.Errorf("%w: too many cutoffs", ErrBadBody)
	}
	for i, c := range cs {
		if len(c.Device) != ed25519.PublicKeySize {
			return fmt.Errorf("%w: cutoff device key", ErrBadBody)
		}
		if i > 0 && bytes.Compare(cs[i-1].Device, c.Device) >= 0 {
			return fmt.Errorf("%w: cutoffs not sorted", ErrBadBody)
		}
	}
	return nil
}

// depMeta finds a dependency of the record by CID.
func depMeta(e *crdt.Entry, c cid.Cid) (crdt.Meta, error) {
	for i, d := range e.Rec.Deps {
		if d.Equals(c) && i < len(e.DepMetas) {
			return e.DepMetas[i], nil
		}
	}
	return crdt.Meta{}, fmt.Errorf("%w: %s is not among the record's deps", ErrBadBody, c)
}

// Check decides whether a record may be stored, from the record and its
// causal predecessors only.
func (l *Ledger) Check(r *crdt.Reader, e *crdt.Entry) (crdt.Meta, error) {
	rec := e.Rec
	var m crdt.Meta
	if len(e.DepMetas) != len(rec.Deps) {
		return m, fmt.Errorf("%w: dependency metadata missing", crdt.ErrCorrupt)
	}
	if (rec.Society == nil) != (rec.Type == TypeGenesis) {
		return m, fmt.Errorf("%w: only a genesis record has no society", ErrBadBody)
	}
	opens := rec.Type == TypeGenesis || rec.Type == TypeJoin || rec.Type == TypeDevice
	if opens != (rec.Seq == 1) {
		if rec.Seq == 1 {
			return m, fmt.Errorf("%w: a device's first record must be genesis, join or device", ErrNotMember)
		}
		return m, fmt.Errorf("%w: %s must be a device's first record", ErrBadBody, rec.Type)
	}
	anchored := false
	if rec.Seq > 1 {
		if e.PrevMeta == nil {
			return m, fmt.Errorf("%w: prev metadata missing", crdt.ErrCorrupt)
		}
		pm := e.PrevMeta
		m.Member = pm.Member
		anchored = pm.Flags&FlagAnchored != 0
		if pm.Type == TypeLeave {
			return m, fmt.Errorf("%w: it follows the device's own leave record", ErrRevoked)
		}
	}
	// A record that knowingly follows its own revocation or removal is
	// refused; records concurrent with one are stored and take no effect.
	for i, dep := range rec.Deps {
		dm := e.DepMetas[i]
		if (dm.Type == TypeDeviceRevoke && bytes.Equal(dm.Subject, rec.Author)) ||
			(m.Member != nil && (dm.Type == TypeRemove || dm.Type == TypeLeave) && bytes.Equal(dm.Subject, m.Member)) {
			return m, fmt.Errorf("%w: it depends on %s", ErrRevoked, dep.Cid)
		}
	}
	switch rec.Type {
	case TypeGenesis:
		var g Genesis
		if err := decodeBody(rec, &g); err != nil {
			return m, err
		}
		if err := checkCert(g.Cert, rec.Author, g.Cert.Device); err != nil {
			return m, err
		}
		if strings.TrimSpace(g.Name) == "" {
			return m, fmt.Errorf("%w: society name is empty", ErrBadBody)
		}
		if err := checkText("society name", g.Name, MaxNameLen); err != nil {
			return m, err
		}
		if err := checkText("founder name", g.Founder, MaxNameLen); err != nil {
			return m, err
		}
		if err := g.Settings.Check(); err != nil {
			return m, err
		}
		m.Member, anchored = g.Cert.Member, true
	case TypeJoin:
		var j Join
		if err := decodeBody(rec, &j); err != nil {
			return m, err
		}
		if err := checkCert(j.Cert, rec.Author, j.Cert.Device); err != nil {
			return m, err
		}
		if err := checkText("name", j.Name, MaxNameLen); err != nil {
			return m, err
		}
		im, err := depMeta(e, j.Invite.Cid)
		if err != nil {
			return m, err
		}
		if im.Type != TypeInvite {
			return m, fmt.Errorf("%w: %s is not an invite", ErrBadInvite, j.Invite.Cid)
		}
		irec, err := r.Record(j.Invite.Cid)
		if err != nil {
			return m, err
		}
		var inv Invite
		if err := decodeBody(irec, &inv); err != nil {
			return m, err
		}
		if !ed25519.Verify(inv.Key, JoinMessage(crdt.Link{Cid: r.Society()}, j.Cert.Member, j.Cert.Device), j.Proof) {
			return m, fmt.Errorf("%w: the join does not prove the invite secret", ErrBadInvite)
		}
		m.Member, m.Subject = j.Cert.Member, j.Cert.Member
	case TypeDevice:
		var d Device
		if err := decodeBody(rec, &d); err != nil {
			return m, err
		}
		if err := checkCert(d.Cert, rec.Author, d.Cert.Device); err != nil {
			return m, err
		}
		if err := checkText("device name", d.Name, MaxNameLen); err != nil {
			return m, err
		}
		m.Member = d.Cert.Member
		for _, dm := range e.DepMetas {
			if dm.Flags&FlagAnchored != 0 && bytes.Equal(dm.Member, m.Member) {
				anchored = true
			}
		}
	case TypeAdmit:
		var a Admit
		if err := decodeBody(rec, &a); err != nil {
			return m, err
		}
		jm, err := depMeta(e, a.Join.Cid)
		if err != nil {
			return m, err
		}
		im, err := depMeta(e, a.Invite.Cid)
		if err != nil {
			return m, err
		}
		if jm.Type != TypeJoin || im.Type != TypeInvite {
			return m, fmt.Errorf("%w: admit must name a join and an invite", ErrBadBody)
		}
		if !bytes.Equal(im.Author, rec.Author) {
			return m, fmt.Errorf("%w: only the inviting device may admit", ErrNotAllowed)
		}
		jrec, err := r.Record(a.Join.Cid)
		if err != nil {
			return m, err
		}
		var j Join
		if err := decodeBody(jrec, &j); err != nil {
			return m, err
		}
		if !j.Invite.Equals(a.Invite.Cid) {
			return m, fmt.Errorf("%w: the join used another invite", ErrBadInvite)
		}
		irec, err := r.Record(a.Invite.Cid)
		if err != nil {
			return m, err
		}
		var inv Invite
		if err := decodeBody(irec, &inv); err != nil {
			return m, err
		}
		if rec.Time.Millis() > inv.Expires {
			return m, fmt.Errorf("%w: invite expired before admission", ErrBadInvite)
		}
		m.Subject = jm.Member
	case TypeInvite:
		var inv Invite
		if err := decodeBody(rec, &inv); err != nil {
			return m, err
		}
		if len(inv.Key) != ed25519.PublicKeySize || inv.Uses == 0 || inv.Uses > 1000 {
			return m, fmt.Errorf("%w: invite key or uses", ErrBadBody)
		}
	case TypeInviteRevoke:
		var ir InviteRevoke
		if err := decodeBody(rec, &ir); err != nil {
			return m, err
		}
		im, err := depMeta(e, ir.Invite.Cid)
		if err != nil {
			return m, err
		}
		if im.Type != TypeInvite || !bytes.Equal(im.Author, rec.Author) {
			return m, fmt.Errorf("%w: only the inviting device may revoke an invite", ErrNotAllowed)
		}
	case TypeDeviceRevoke:
		var dr DeviceRevoke
		if err := decodeBody(rec, &dr); err != nil {
			return m, err
		}
		if len(dr.Device) != ed25519.PublicKeySize {
			return m, fmt.Errorf("%w: device key", ErrBadBody)
		}
		m.Subject = dr.Device
	case TypeProfile:
		var p Profile
		if err := decodeBody(rec, &p); err != nil {
			return m, err
		}
		e.Body = &p
		if p.Name == nil && p.Bio == nil && p.Skills == nil {
			return m, fmt.Errorf("%w: empty profile change", ErrBadBody)
		}
		if p.Name != nil {
			if err := checkText("name", *p.Name, MaxNameLen); err != nil {
				return m, err
			}
		}
		if p.Bio != nil {
			if err := checkText("bio", *p.Bio, MaxBioLen); err != nil {
				return m, err
			}
		}
		if p.Skills != nil {
			if len(*p.Skills) > MaxSkills {
				return m, fmt.Errorf("%w: more than %d skills", ErrBadBody, MaxSkills)
			}
			for _, s := range *p.Skills {
				if err := checkText("skill", s, MaxSkillLen); err != nil {
					return m, err
				}
			}
		}
	case TypeLeave:
		var lv Leave
		if err := decodeBody(rec, &lv); err != nil {
			return m, err
		}
		if err := checkCutoffs(lv.Cutoffs); err != nil {
			return m, err
		}
		m.Subject = m.Member
	case TypeListing:
		if err := checkListing(e); err != nil {
			return m, err
		}
	case TypeListingClose:
		if err := checkListingClose(e, m.Member); err != nil {
			return m, err
		}
	case TypeTransfer:
		if err := checkTransfer(r, e, m.Member); err != nil {
			return m, err
		}
	case TypeAnswer, TypeDispute:
		if err := checkAnswerOrDispute(r, e, m.Member); err != nil {
			return m, err
		}
	case TypeSettings:
		var st Settings
		if err := decodeBody(rec, &st); err != nil {
			return m, err
		}
		if err := st.Check(); err != nil {
			return m, err
		}
		founder, err := founderOf(r)
		if err != nil {
			return m, err
		}
		if !bytes.Equal(m.Member, founder) {
			return m, fmt.Errorf("%w: only the founder changes the society's settings", ErrNotAllowed)
		}
	case TypeContribution:
		if err := checkContribution(e); err != nil {
			return m, err
		}
	case TypeReview:
		if err := checkReview(r, e, m.Member); err != nil {
			return m, err
		}
	case TypeRemove:
		var rm Remove
		if err := decodeBody(rec, &rm); err != nil {
			return m, err
		}
		if len(rm.Member) != ed25519.PublicKeySize {
			return m, fmt.Errorf("%w: member key", ErrBadBody)
		}
		m.Subject = rm.Member
		if err := checkCutoffs(rm.Cutoffs); err != nil {
			return m, err
		}
		if err := checkText("reason", rm.Reason, MaxReasonLen); err != nil {
			return m, err
		}
	default:
		return m, fmt.Errorf("%w: %q", ErrUnknownType, rec.Type)
	}
	if !anchored && rec.Type != TypeJoin {
		// A joiner's first record after admission carries the admission.
		for _, dm := range e.DepMetas {
			if dm.Type == TypeAdmit && bytes.Equal(dm.Subject, m.Member) {
				anchored = true
				break
			}
		}
		if !anchored {
			return m, ErrNotMember
		}
	}
	if anchored {
		m.Flags |= FlagAnchored
	}
	return m, nil
}

// excluded reports whether a record takes no effect: its device forked at
// or before it, was revoked before it, or its member left or was removed
// before it.
func excluded(v *crdt.Views, author []byte, seq uint64, member []byte) (bool, error) {
	if !v.AnyForks() {
		if n, err := getCount(v, cExcl); err != nil || n == 0 {
			return false, err
		}
	}
	if fs, ok, err := v.ForkSeq(author); err != nil {
		return false, err
	} else if ok && seq >= fs {
		return true, nil
	}
	var cut uint64
	if ok, err := get(v, kCut+string(author), &cut); err != nil {
		return false, err
	} else if ok && seq > cut {
		return true, nil
	}
	if member != nil {
		var g GoneView
		if ok, err := get(v, kGone+string(member), &g); err != nil {
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

// Exclude is the first pass of a rebuild: it gathers exclusions.
func (l *Ledger) Exclude(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	switch e.Rec.Type {
	case TypeGenesis:
		return l.applyGenesisSociety(v, e)
	case TypeDeviceRevoke, TypeLeave, TypeRemove:
		_, err := l.applyExclusion(v, e, m)
		return err
	}
	return nil
}

// applyExclusion records the cutoffs a revocation, leave or removal sets.
// Only a fork of the author before the record disqualifies it, so the
// exclusions are a function of the stored records alone.
func (l *Ledger) applyExclusion(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (bool, error) {
	rec := e.Rec
	if fs, ok, err := v.ForkSeq(rec.Author); err != nil {
		return false, err
	} else if ok && rec.Seq >= fs {
		return false, nil
	}
	var soc SocietyView
	if _, err := get(v, kSociety, &soc); err != nil {
		return false, err
	}
	isFounder := bytes.Equal(m.Member, soc.Founder)
	switch rec.Type {
	case TypeDeviceRevoke:
		var dr DeviceRevoke
		if err := decodeBody(rec, &dr); err != nil {
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
		ok, err := get(v, kCut+string(dr.Device), &cut)
		if err != nil {
			return false, err
		}
		if !ok || dr.After < cut {
			if !ok {
				if err := addCount(v, cExcl, 1); err != nil {
					return false, err
				}
			}
			return true, put(v, kCut+string(dr.Device), dr.After)
		}
		return false, nil
	case TypeLeave:
		var lv Leave
		if err := decodeBody(rec, &lv); err != nil {
			return false, err
		}
		cs := append(slices.Clone(lv.Cutoffs), Cutoff{Device: rec.Author, Seq: rec.Seq})
		return mergeGone(v, m.Member, StatusLeft, cs, rec.Time)
	case TypeRemove:
		var rm Remove
		if err := decodeBody(rec, &rm); err != nil {
			return false, err
		}
		if !isFounder || bytes.Equal(rm.Member, soc.Founder) {
			return false, nil
		}
		return mergeGone(v, rm.Member, StatusRemoved, rm.Cutoffs, rec.Time)
	}
	return false, nil
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
	ok, err := get(v, kGone+string(member), &g)
	if err != nil {
		return false, err
	}
	if !ok {
		if err := addCount(v, cExcl, 1); err != nil {
			return false, err
		}
		return true, put(v, kGone+string(member), GoneView{Status: status, Cutoffs: cs, Time: t})
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
	return !bytes.Equal(before, after), put(v, kGone+string(member), g)
}

func (l *Ledger) applyGenesisSociety(v *crdt.Views, e *crdt.Entry) error {
	var g Genesis
	if err := decodeBody(e.Rec, &g); err != nil {
		return err
	}
	return put(v, kSociety, SocietyView{Name: g.Name, Settings: g.Settings, Founder: g.Cert.Member, Created: e.Rec.Time,
		SettingsV: Version{Time: e.Rec.Time, Device: e.Rec.Author, Seq: e.Rec.Seq}})
}

// Apply folds a stored record into the views.
func (l *Ledger) Apply(v *crdt.Views, e *crdt.Entry, m crdt.Meta) (bool, error) {
	rec := e.Rec
	changed := false
	switch rec.Type {
	case TypeDeviceRevoke, TypeLeave, TypeRemove:
		var err error
		if changed, err = l.applyExclusion(v, e, m); err != nil {
			return false, err
		}
	}
	ex, err := excluded(v, rec.Author, rec.Seq, m.Member)
	if err != nil {
		return changed, err
	}
	if ex {
		return changed, noteVoid(v, e)
	}
	mv, mvRaw, active, err := activeMemberRaw(v, m.Member)
	if err != nil {
		return false, err
	}
	ver := Version{Time: rec.Time, Device: rec.Author, Seq: rec.Seq}
	switch rec.Type {
	case TypeGenesis:
		var g Genesis
		if err := decodeBody(rec, &g); err != nil {
			return false, err
		}
		if err := l.applyGenesisSociety(v, e); err != nil {
			return false, err
		}
		if err := put(v, kMember+string(m.Member), MemberView{Key: m.Member, Status: StatusActive, Since: rec.Time, Name: g.Founder, NameV: ver, Skills: []string{}}); err != nil {
			return false, err
		}
		if err := put(v, kDevice+string(rec.Author), DeviceView{Member: m.Member, Name: "founding device"}); err != nil {
			return false, err
		}
		return false, addCount(v, cMembers, 1)
	case TypeJoin:
		var j Join
		if err := decodeBody(rec, &j); err != nil {
			return false, err
		}
		if active {
			return false, nil
		}
		// One join waits per member: the earliest by (time, CID).
		var old JoinView
		if ok, err := get(v, kJoin+string(m.Member), &old); err != nil {
			return false, err
		} else if ok && (old.Time < rec.Time || (old.Time == rec.Time && bytes.Compare(old.Join.Bytes(), e.CID.Bytes()) < 0)) {
			return false, nil
		}
		return false, put(v, kJoin+string(m.Member), JoinView{Join: crdt.Link{Cid: e.CID}, Invite: j.Invite, Device: rec.Author, Name: j.Name, Time: rec.Time})
	case TypeAdmit:
		return false, l.applyAdmit(v, e, m)
	case TypeInvite:
		if !active {
			return false, nil
		}
		var inv Invite
		if err := decodeBody(rec, &inv); err != nil {
			return false, err
		}
		if err := v.Put(kAuthor+string(rec.Author)+string(e.CID.Bytes()), nil); err != nil {
			return false, err
		}
		return false, put(v, kInvite+string(e.CID.Bytes()), InviteView{Author: rec.Author, Member: m.Member, Key: inv.Key, Expires: inv.Expires, Uses: inv.Uses, Created: rec.Time})
	case TypeInviteRevoke:
		var ir InviteRevoke
		if err := decodeBody(rec, &ir); err != nil {
			return false, err
		}
		var iv InviteView
		ok, err := get(v, kInvite+string(ir.Invite.Bytes()), &iv)
		if err != nil || !ok {
			return false, err
		}
		iv.Revoked = true
		return false, put(v, kInvite+string(ir.Invite.Bytes()), iv)
	case TypeDevice:
		if !active {
			return false, nil
		}
		var d Device
		if err := decodeBody(rec, &d); err != nil {
			return false, err
		}
		return false, put(v, kDevice+string(rec.Author), DeviceView{Member: m.Member, Name: d.Name})
	case TypeProfile:
		if !active {
			return false, nil
		}
		p, ok := e.Body.(*Profile)
		if !ok {
			p = new(Profile)
			if err := decodeBody(rec, p); err != nil {
				return false, err
			}
		}
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
			return false, err
		}
		return false, v.Replace(kMember+string(m.Member), mvRaw, true, nb)
	case TypeLeave, TypeRemove:
		target := m.Member
		status := StatusLeft
		if rec.Type == TypeRemove {
			var rm Remove
			if err := decodeBody(rec, &rm); err != nil {
				return false, err
			}
			target, status = rm.Member, StatusRemoved
		}
		var g GoneView
		if ok, err := get(v, kGone+string(target), &g); err != nil || !ok {
			return changed, err
		}
		tv, tActive, err := activeMember(v, target)
		if err != nil {
			return changed, err
		}
		if tActive {
			if err := addCount(v, cMembers, -1); err != nil {
				return changed, err
			}
		}
		if tv.Key != nil && (tActive || status == StatusRemoved) && tv.Status != g.Status {
			tv.Status = g.Status
			if err := put(v, kMember+string(target), tv); err != nil {
				return changed, err
			}
		}
		return changed, nil
	case TypeDeviceRevoke:
		return changed, nil
	case TypeListing:
		if !active {
			return false, nil
		}
		return false, applyListing(v, e, m)
	case TypeListingClose:
		if !active {
			return false, nil
		}
		return false, applyListingClose(v, e)
	case TypeTransfer, TypeAnswer, TypeDispute:
		if !active {
			return false, nil
		}
		return false, applyTimeBank(v, e, m)
	case TypeSettings:
		if !active {
			return false, nil
		}
		var sv SocietyView
		if _, err := get(v, kSociety, &sv); err != nil {
			return false, err
		}
		if !sv.SettingsV.Less(ver) {
			return false, nil
		}
		if err := decodeBody(rec, &sv.Settings); err != nil {
			return false, err
		}
		sv.SettingsV = ver
		return false, put(v, kSociety, sv)
	case TypeContribution:
		if !active {
			return false, nil
		}
		return false, applyContribution(v, e, m)
	case TypeReview:
		if !active {
			return false, nil
		}
		return false, applyReview(v, e, m)
	}
	return false, fmt.Errorf("%w: %q", ErrUnknownType, rec.Type)
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
func activeMemberRaw(r viewReader, member []byte) (MemberView, []byte, bool, error) {
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
func activeMember(r viewReader, member []byte) (MemberView, bool, error) {
	mv, _, active, err := activeMemberRaw(r, member)
	return mv, active, err
}

func (l *Ledger) applyAdmit(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	var a Admit
	if err := decodeBody(e.Rec, &a); err != nil {
		return err
	}
	var iv InviteView
	ok, err := get(v, kInvite+string(a.Invite.Bytes()), &iv)
	if err != nil || !ok || iv.Revoked || iv.Used >= iv.Uses {
		return err
	}
	iv.Used++
	if err := put(v, kInvite+string(a.Invite.Bytes()), iv); err != nil {
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
	if gone, err := get(v, kGone+string(joiner), &g); err != nil {
		return err
	} else if gone && !slices.ContainsFunc(g.Cutoffs, func(c Cutoff) bool {
		return bytes.Equal(c.Device, jrec.Author) && c.Seq >= jrec.Seq
	}) {
		return nil
	}
	var j Join
	if err := decodeBody(jrec, &j); err != nil {
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
			NameV: Version{Time: jrec.Time, Device: jrec.Author, Seq: jrec.Seq}, Skills: []string{}}
		if err := addCount(v, cMembers, 1); err != nil {
			return err
		}
	}
	if err := put(v, kMember+string(joiner), mv); err != nil {
		return err
	}
	if err := put(v, kDevice+string(jrec.Author), DeviceView{Member: joiner, Name: "joining device"}); err != nil {
		return err
	}
	return v.Delete(kJoin + string(joiner))
}
