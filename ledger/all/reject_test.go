package all_test

import (
	"bytes"
	"crypto/ed25519"
	"errors"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/fxamacker/cbor/v2"
	"github.com/ipfs/go-cid"
)

// society builds a store holding a founder and one admitted member (Bob,
// device b) and returns the pieces the cases need.
type fixture struct {
	s       *sim
	st      *crdt.Store
	founder *simDevice
	bob     *simDevice
	invite  simInvite
}

func newFixture(t *testing.T) *fixture { return buildFixture(t) }

func buildFixture(t testing.TB) *fixture {
	t.Helper()
	s := newSim(42)
	s.genesis()
	f := &fixture{s: s, founder: s.founder}
	secret := newKey(s.rng)
	ic := s.emit(f.founder, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: s.now>>16 + 1e9, Uses: 2}, nil)
	f.invite = simInvite{cid: ic, secret: secret, author: f.founder}
	m := &simMember{key: newKey(s.rng)}
	b := s.newDevice(m)
	s.members = append(s.members, m)
	jc := s.emit(b, membership.TypeJoin, f.joinBody(m.key, b.key, secret), []cid.Cid{ic})
	ac := s.emit(f.founder, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: ic}}, []cid.Cid{jc, ic})
	m.admitted, m.admit = true, ac
	s.emit(b, membership.TypeProfile, membership.Profile{Name: str("Bob")}, nil)
	f.bob = b
	f.st = openStore(t)
	res, err := f.st.Ingest(s.soc, s.raws)
	if err != nil || len(res.Rejected) > 0 || len(res.Applied) != len(s.raws) {
		t.Fatalf("fixture: %+v %v", res, err)
	}
	return f
}

func (f *fixture) joinBody(member, device, secret ed25519.PrivateKey) membership.Join {
	dpub := device.Public().(ed25519.PublicKey)
	mpub := member.Public().(ed25519.PublicKey)
	return membership.Join{Invite: crdt.Link{Cid: f.invite.cid}, Cert: identity.Certify(member, dpub), Name: "x",
		Proof: ed25519.Sign(secret, membership.JoinMessage(crdt.Link{Cid: f.s.soc}, mpub, dpub))}
}

// raw signs a record of d at its next seq after letting mutate change it,
// without the shape checks of Record.Sign, so that bad records can be made.
func (f *fixture) raw(t *testing.T, d *simDevice, typ string, body any, deps []cid.Cid, mutate func(*crdt.Record)) []byte {
	t.Helper()
	b, err := crdt.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	f.s.now += 1 << 16
	rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: f.s.soc}, Author: d.key.Public().(ed25519.PublicKey),
		Seq: d.seq + 1, Time: crdt.HLC(f.s.now), Type: typ, Body: b, Deps: crdt.SortLinks(deps)}
	if d.seq > 0 {
		rec.Prev = &crdt.Link{Cid: d.head}
	}
	if mutate != nil {
		mutate(rec)
	}
	msg, err := rec.SigningBytes()
	if err != nil {
		t.Fatal(err)
	}
	rec.Sig = ed25519.Sign(d.key, msg)
	out, err := crdt.Marshal(rec)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func bobName(t *testing.T, st *crdt.Store, soc cid.Cid, bob *simDevice) string {
	t.Helper()
	var name string
	err := st.View(soc, func(r *crdt.Reader) error {
		mv, _, err := membership.Member(r, bob.member.key.Public().(ed25519.PublicKey))
		name = mv.Name
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return name
}

func TestBadRecordsRejectedAndNothingStored(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, f *fixture) []byte
		want error
	}{
		{"forged signature", func(t *testing.T, f *fixture) []byte {
			r := f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("Mallory")}, nil, nil)
			r[len(r)-1] ^= 1
			return r
		}, crdt.ErrBadSignature},
		{"mutated body", func(t *testing.T, f *fixture) []byte {
			r := f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("Bobby")}, nil, nil)
			i := bytes.Index(r, []byte("Bobby"))
			r[i] = 'X'
			return r
		}, crdt.ErrBadSignature},
		{"oversized body", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Bio: str(string(make([]byte, crdt.MaxBodySize)))}, nil, nil)
		}, crdt.ErrTooLarge},
		{"truncated", func(t *testing.T, f *fixture) []byte {
			r := f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("B")}, nil, nil)
			return r[:len(r)/2]
		}, crdt.ErrMalformed},
		{"non-canonical key order", func(t *testing.T, f *fixture) []byte {
			r := f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("B")}, nil, nil)
			var rec crdt.Record
			if err := crdt.Unmarshal(r, &rec); err != nil {
				t.Fatal(err)
			}
			em, _ := cbor.EncOptions{Sort: cbor.SortNone}.EncMode()
			out, err := em.Marshal(&rec)
			if err != nil {
				t.Fatal(err)
			}
			return out
		}, crdt.ErrNonCanonical},
		{"unknown version", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("B")}, nil, func(r *crdt.Record) { r.Version = 2 })
		}, crdt.ErrVersion},
		{"non-member chain", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, &simDevice{key: newKey(f.s.rng)}, membership.TypeProfile, membership.Profile{Name: str("spam")}, nil, nil)
		}, ledger.ErrNotMember},
		{"device without its member's anchor", func(t *testing.T, f *fixture) []byte {
			m := newKey(f.s.rng)
			d := &simDevice{key: newKey(f.s.rng)}
			return f.raw(t, d, membership.TypeDevice, membership.Device{Cert: identity.Certify(m, d.key.Public().(ed25519.PublicKey))}, nil, nil)
		}, ledger.ErrNotMember},
		{"join with a forged certificate", func(t *testing.T, f *fixture) []byte {
			d := &simDevice{key: newKey(f.s.rng)}
			j := f.joinBody(newKey(f.s.rng), d.key, f.invite.secret)
			j.Cert.Sig[0] ^= 1
			return f.raw(t, d, membership.TypeJoin, j, []cid.Cid{f.invite.cid}, nil)
		}, membership.ErrBadCert},
		{"join without the invite secret", func(t *testing.T, f *fixture) []byte {
			d := &simDevice{key: newKey(f.s.rng)}
			return f.raw(t, d, membership.TypeJoin, f.joinBody(newKey(f.s.rng), d.key, newKey(f.s.rng)), []cid.Cid{f.invite.cid}, nil)
		}, membership.ErrBadInvite},
		{"admit by someone else than the inviter", func(t *testing.T, f *fixture) []byte {
			m, d := newKey(f.s.rng), &simDevice{key: newKey(f.s.rng)}
			jraw := f.raw(t, d, membership.TypeJoin, f.joinBody(m, d.key, f.invite.secret), []cid.Cid{f.invite.cid}, nil)
			res, err := f.st.Ingest(f.s.soc, [][]byte{jraw})
			if err != nil || len(res.Applied) != 1 {
				t.Fatalf("join: %+v %v", res, err)
			}
			jc := res.Applied[0]
			return f.raw(t, f.bob, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: f.invite.cid}}, []cid.Cid{jc, f.invite.cid}, nil)
		}, ledger.ErrNotAllowed},
		{"unknown type", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, f.bob, "teleport", membership.Profile{Name: str("B")}, nil, nil)
		}, ledger.ErrUnknownType},
		{"malformed body", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, f.bob, membership.TypeProfile, map[string]any{"name": 7}, nil, nil)
		}, ledger.ErrBadBody},
		{"time not after prev", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("B")}, nil, func(r *crdt.Record) { r.Time = 1 })
		}, crdt.ErrBadClock},
		{"prev of another device", func(t *testing.T, f *fixture) []byte {
			return f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("B")}, nil, func(r *crdt.Record) { r.Prev = &crdt.Link{Cid: f.founder.head} })
		}, crdt.ErrBadChain},
		{"record of another society", func(t *testing.T, f *fixture) []byte {
			other := crdt.CIDOf([]byte("another society"))
			return f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("B")}, nil, func(r *crdt.Record) { r.Society = &crdt.Link{Cid: other} })
		}, crdt.ErrWrongSociety},
		{"revoked device that knows it", func(t *testing.T, f *fixture) []byte {
			rc := f.s.emit(f.founder, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: f.bob.key.Public().(ed25519.PublicKey), After: f.bob.seq}, nil)
			if res, err := f.st.Ingest(f.s.soc, f.s.raws[len(f.s.raws)-1:]); err != nil || len(res.Applied) != 1 || !res.Rebuilt {
				t.Fatalf("revoke: %+v %v", res, err)
			}
			return f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("Stolen")}, []cid.Cid{rc}, nil)
		}, ledger.ErrRevoked},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := newFixture(t)
			raw := tc.make(t, f)
			h0, n0, _ := f.st.State(f.s.soc)
			res, err := f.st.Ingest(f.s.soc, [][]byte{raw})
			if err != nil {
				t.Fatal(err)
			}
			if len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, tc.want) {
				t.Fatalf("got %+v, want rejection with %v", res, tc.want)
			}
			h1, n1, _ := f.st.State(f.s.soc)
			if h0 != h1 || n0 != n1 {
				t.Fatalf("state changed: %s/%d -> %s/%d", h0, n0, h1, n1)
			}
			if _, err := f.st.Record(crdt.CIDOf(raw)); !errors.Is(err, crdt.ErrNotFound) {
				t.Fatalf("rejected record is readable: %v", err)
			}
		})
	}
}

func TestReplayChangesNothing(t *testing.T) {
	f := newFixture(t)
	h0, n0, _ := f.st.State(f.s.soc)
	res, err := f.st.Ingest(f.s.soc, f.s.raws)
	if err != nil {
		t.Fatal(err)
	}
	if res.Duplicates != len(f.s.raws) || len(res.Applied) != 0 {
		t.Fatalf("replay: %+v", res)
	}
	h1, n1, _ := f.st.State(f.s.soc)
	if h0 != h1 || n0 != n1 {
		t.Fatal("replay changed the state")
	}
}

func TestRevokedDeviceConcurrentRecordTakesNoEffect(t *testing.T) {
	f := newFixture(t)
	// Bob's device writes a record the revoker has not seen.
	late := f.raw(t, f.bob, membership.TypeProfile, membership.Profile{Name: str("Thief")}, nil, nil)
	cut := f.bob.seq
	f.s.emit(f.founder, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: f.bob.key.Public().(ed25519.PublicKey), After: cut}, nil)
	revoke := f.s.raws[len(f.s.raws)-1]
	// Both orders end in the same state, with Bob's name unchanged.
	var hashes []crdt.StateHash
	for _, order := range [][][]byte{{late, revoke}, {revoke, late}} {
		st := openStore(t)
		if _, err := st.Ingest(f.s.soc, f.s.raws[:len(f.s.raws)-1]); err != nil {
			t.Fatal(err)
		}
		for _, r := range order {
			res, err := st.Ingest(f.s.soc, [][]byte{r})
			if err != nil || len(res.Applied) != 1 {
				t.Fatalf("%+v %v", res, err)
			}
		}
		if got := bobName(t, st, f.s.soc, f.bob); got != "Bob" {
			t.Fatalf("revoked device's record took effect: name %q", got)
		}
		h, _, _ := st.State(f.s.soc)
		hashes = append(hashes, h)
	}
	if hashes[0] != hashes[1] {
		t.Fatalf("orders disagree: %s vs %s", hashes[0], hashes[1])
	}
}
