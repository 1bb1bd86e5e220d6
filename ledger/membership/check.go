package membership

import (
	"bytes"
	"crypto/ed25519"
	"fmt"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
)

// Errors for membership records the ledger rejects.
var (
	ErrBadCert   = refusal.Prefixed("ledger", "bad device certificate")
	ErrBadInvite = refusal.Prefixed("ledger", "invite does not allow this")
)

// FlagAnchored marks a record whose author's membership is in its causal
// past (the founder's genesis, or an admission of the author's member).
const FlagAnchored = 1

// Gate is the membership module's part in every record: who may write,
// and whose records still take effect.
type Gate struct{}

var _ ledger.Gate = Gate{}

// opens reports whether a record type is a device's first record.
func opens(typ string) bool { return typ == TypeGenesis || typ == TypeJoin || typ == TypeDevice }

// Check runs the checks every record shares: its chain position, that it
// does not knowingly follow its own revocation or removal, and that its
// author's membership is in its causal past (anchoring), around the
// record type's own check.
func (Gate) Check(r *crdt.Reader, e *crdt.Entry, check func(m *crdt.Meta) error) (crdt.Meta, error) {
	rec := e.Rec
	var m crdt.Meta
	if len(e.DepMetas) != len(rec.Deps) {
		return m, fmt.Errorf("%w: dependency metadata missing", crdt.ErrCorrupt)
	}
	if (rec.Society == nil) != (rec.Type == TypeGenesis) {
		return m, refusal.New(ledger.ErrBadBody, "only a genesis record has no society")
	}
	if opens(rec.Type) != (rec.Seq == 1) {
		if rec.Seq == 1 {
			return m, refusal.New(ledger.ErrNotMember, "a device's first record must be genesis, join or device")
		}
		return m, refusal.New(ledger.ErrBadBody, "%s must be a device's first record", rec.Type)
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
			return m, refusal.New(ledger.ErrRevoked, "it follows the device's own leave record")
		}
	}
	// A record that knowingly follows its own revocation or removal is
	// refused; records concurrent with one are stored and take no effect.
	for i, dep := range rec.Deps {
		dm := e.DepMetas[i]
		if (dm.Type == TypeDeviceRevoke && bytes.Equal(dm.Subject, rec.Author)) ||
			(m.Member != nil && (dm.Type == TypeRemove || dm.Type == TypeLeave) && bytes.Equal(dm.Subject, m.Member)) {
			return m, refusal.New(ledger.ErrRevoked, "it depends on %s", dep.Cid)
		}
	}
	if err := check(&m); err != nil {
		return m, err
	}
	// A genesis, or a device whose member is anchored, anchors itself.
	anchored = anchored || m.Flags&FlagAnchored != 0
	if !anchored && rec.Type != TypeJoin {
		// A joiner's first record after admission carries the admission.
		for _, dm := range e.DepMetas {
			if dm.Type == TypeAdmit && bytes.Equal(dm.Subject, m.Member) {
				anchored = true
				break
			}
		}
		if !anchored {
			return m, ledger.ErrNotMember
		}
	}
	if anchored {
		m.Flags |= FlagAnchored
	}
	return m, nil
}

func checkCert(cert interface {
	Verify() error
}, device []byte, certDevice []byte) error {
	if err := cert.Verify(); err != nil {
		return refusal.New(ErrBadCert, "%v", err)
	}
	if !bytes.Equal(device, certDevice) {
		return refusal.New(ErrBadCert, "certifies another device")
	}
	return nil
}

func checkCutoffs(cs []Cutoff) error {
	if len(cs) > MaxCutoffs {
		return refusal.New(ledger.ErrBadBody, "too many cutoffs")
	}
	for i, c := range cs {
		if len(c.Device) != ed25519.PublicKeySize {
			return refusal.New(ledger.ErrBadBody, "cutoff device key")
		}
		if i > 0 && bytes.Compare(cs[i-1].Device, c.Device) >= 0 {
			return refusal.New(ledger.ErrBadBody, "cutoffs not sorted")
		}
	}
	return nil
}

func checkGenesis(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	rec := e.Rec
	var g Genesis
	if err := ledger.DecodeBody(rec, &g); err != nil {
		return err
	}
	if err := checkCert(g.Cert, rec.Author, g.Cert.Device); err != nil {
		return err
	}
	if strings.TrimSpace(g.Name) == "" {
		return refusal.New(ledger.ErrBadBody, "society name is empty")
	}
	if err := ledger.CheckText("society name", g.Name, ledger.MaxNameLen); err != nil {
		return err
	}
	if err := ledger.CheckText("founder name", g.Founder, ledger.MaxNameLen); err != nil {
		return err
	}
	if err := g.Settings.Check(); err != nil {
		return err
	}
	m.Member = g.Cert.Member
	m.Flags |= FlagAnchored
	return nil
}

func checkJoin(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	rec := e.Rec
	var j Join
	if err := ledger.DecodeBody(rec, &j); err != nil {
		return err
	}
	if err := checkCert(j.Cert, rec.Author, j.Cert.Device); err != nil {
		return err
	}
	if err := ledger.CheckText("name", j.Name, ledger.MaxNameLen); err != nil {
		return err
	}
	im, err := ledger.DepMeta(e, j.Invite.Cid)
	if err != nil {
		return err
	}
	if im.Type != TypeInvite {
		return refusal.New(ErrBadInvite, "%s is not an invite", j.Invite.Cid)
	}
	irec, err := r.Record(j.Invite.Cid)
	if err != nil {
		return err
	}
	var inv Invite
	if err := ledger.DecodeBody(irec, &inv); err != nil {
		return err
	}
	if !ed25519.Verify(inv.Key, JoinMessage(crdt.Link{Cid: r.Society()}, j.Cert.Member, j.Cert.Device), j.Proof) {
		return refusal.New(ErrBadInvite, "the join does not prove the invite secret")
	}
	m.Member, m.Subject = j.Cert.Member, j.Cert.Member
	return nil
}

func checkDevice(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	rec := e.Rec
	var d Device
	if err := ledger.DecodeBody(rec, &d); err != nil {
		return err
	}
	if err := checkCert(d.Cert, rec.Author, d.Cert.Device); err != nil {
		return err
	}
	if err := ledger.CheckText("device name", d.Name, ledger.MaxNameLen); err != nil {
		return err
	}
	m.Member = d.Cert.Member
	for _, dm := range e.DepMetas {
		if dm.Flags&FlagAnchored != 0 && bytes.Equal(dm.Member, m.Member) {
			m.Flags |= FlagAnchored
		}
	}
	return nil
}

func checkAdmit(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	rec := e.Rec
	var a Admit
	if err := ledger.DecodeBody(rec, &a); err != nil {
		return err
	}
	jm, err := ledger.DepMeta(e, a.Join.Cid)
	if err != nil {
		return err
	}
	im, err := ledger.DepMeta(e, a.Invite.Cid)
	if err != nil {
		return err
	}
	if jm.Type != TypeJoin || im.Type != TypeInvite {
		return refusal.New(ledger.ErrBadBody, "admit must name a join and an invite")
	}
	if !bytes.Equal(im.Author, rec.Author) {
		return refusal.New(ledger.ErrNotAllowed, "only the inviting device may admit")
	}
	jrec, err := r.Record(a.Join.Cid)
	if err != nil {
		return err
	}
	var j Join
	if err := ledger.DecodeBody(jrec, &j); err != nil {
		return err
	}
	if !j.Invite.Equals(a.Invite.Cid) {
		return refusal.New(ErrBadInvite, "the join used another invite")
	}
	irec, err := r.Record(a.Invite.Cid)
	if err != nil {
		return err
	}
	var inv Invite
	if err := ledger.DecodeBody(irec, &inv); err != nil {
		return err
	}
	if rec.Time.Millis() > inv.Expires {
		return refusal.New(ErrBadInvite, "invite expired before admission")
	}
	m.Subject = jm.Member
	return nil
}

func checkInvite(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	var inv Invite
	if err := ledger.DecodeBody(e.Rec, &inv); err != nil {
		return err
	}
	if len(inv.Key) != ed25519.PublicKeySize || inv.Uses == 0 || inv.Uses > 1000 {
		return refusal.New(ledger.ErrBadBody, "invite key or uses")
	}
	return nil
}

func checkInviteRevoke(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	var ir InviteRevoke
	if err := ledger.DecodeBody(e.Rec, &ir); err != nil {
		return err
	}
	im, err := ledger.DepMeta(e, ir.Invite.Cid)
	if err != nil {
		return err
	}
	if im.Type != TypeInvite || !bytes.Equal(im.Author, e.Rec.Author) {
		return refusal.New(ledger.ErrNotAllowed, "only the inviting device may revoke an invite")
	}
	return nil
}

func checkDeviceRevoke(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	var dr DeviceRevoke
	if err := ledger.DecodeBody(e.Rec, &dr); err != nil {
		return err
	}
	if len(dr.Device) != ed25519.PublicKeySize {
		return refusal.New(ledger.ErrBadBody, "device key")
	}
	m.Subject = dr.Device
	return nil
}

func checkProfile(_ *crdt.Reader, e *crdt.Entry, _ *crdt.Meta) error {
	var p Profile
	if err := ledger.DecodeBody(e.Rec, &p); err != nil {
		return err
	}
	e.Body = &p
	if p.Name == nil && p.Bio == nil && p.Skills == nil {
		return refusal.New(ledger.ErrBadBody, "empty profile change")
	}
	if p.Name != nil {
		if err := ledger.CheckText("name", *p.Name, ledger.MaxNameLen); err != nil {
			return err
		}
	}
	if p.Bio != nil {
		if err := ledger.CheckText("bio", *p.Bio, MaxBioLen); err != nil {
			return err
		}
	}
	if p.Skills != nil {
		if len(*p.Skills) > MaxSkills {
			return refusal.New(ledger.ErrBadBody, "more than %d skills", MaxSkills)
		}
		for _, s := range *p.Skills {
			if err := ledger.CheckText("skill", s, ledger.MaxSkillLen); err != nil {
				return err
			}
		}
	}
	return nil
}

func checkLeave(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	var lv Leave
	if err := ledger.DecodeBody(e.Rec, &lv); err != nil {
		return err
	}
	if err := checkCutoffs(lv.Cutoffs); err != nil {
		return err
	}
	m.Subject = m.Member
	return nil
}

func checkSettings(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	var st Settings
	if err := ledger.DecodeBody(e.Rec, &st); err != nil {
		return err
	}
	if err := st.Check(); err != nil {
		return err
	}
	founder, err := FounderOf(r)
	if err != nil {
		return err
	}
	if !bytes.Equal(m.Member, founder) {
		return refusal.New(ledger.ErrNotAllowed, "only the founder changes the society's settings")
	}
	return nil
}

func checkRemove(_ *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	var rm Remove
	if err := ledger.DecodeBody(e.Rec, &rm); err != nil {
		return err
	}
	if len(rm.Member) != ed25519.PublicKeySize {
		return refusal.New(ledger.ErrBadBody, "member key")
	}
	m.Subject = rm.Member
	if err := checkCutoffs(rm.Cutoffs); err != nil {
		return err
	}
	return ledger.CheckText("reason", rm.Reason, ledger.MaxReasonLen)
}
