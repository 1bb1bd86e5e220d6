package node

import (
	"errors"
	"path/filepath"
	"slices"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// found creates a society of the first peer named; every other peer joins
// with its own invite and is admitted; all end holding the same records.
func found(t testing.TB, names ...string) (string, []*peer) {
	t.Helper()
	ps := make([]*peer, len(names))
	for i, name := range names {
		ps[i] = newPeer(t, name, Options{})
	}
	s, err := ps[0].CreateSociety("Garden")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps[1:] {
		admit(t, ps[0], p, s.ID)
	}
	for _, p := range ps[1:] {
		p.pull(t, ps[0], s.ID)
	}
	sameState(t, s.ID, ps...)
	return s.ID, ps
}

// admit has joiner join soc with a new invite of the founder's and get
// admitted.
func admit(t testing.TB, founder, joiner *peer, soc string) {
	t.Helper()
	inv, err := founder.Invite(InviteRequest{Society: soc})
	if err != nil {
		t.Fatal(err)
	}
	joiner.pull(t, founder, soc)
	if _, err := joiner.Join(inv.Code); err != nil {
		t.Fatalf("%s: Join: %v", joiner.name, err)
	}
	if res := founder.pull(t, joiner, soc); res.Admitted != 1 {
		t.Fatalf("%s admitted %d joins of %s, want 1", founder.name, res.Admitted, joiner.name)
	}
	joiner.pull(t, founder, soc)
}

// syncAll gives every peer the union of their records: the first pulls
// from each other one, then each other one pulls from the first.
func syncAll(t testing.TB, soc string, ps ...*peer) {
	t.Helper()
	for _, p := range ps[1:] {
		ps[0].pull(t, p, soc)
	}
	for _, p := range ps[1:] {
		p.pull(t, ps[0], soc)
	}
}

// sameState fails unless the peers hold the same records and state hash.
func sameState(t testing.TB, soc string, ps ...*peer) SocietyStatus {
	t.Helper()
	first := ps[0].society(t, soc)
	for _, p := range ps[1:] {
		s := p.society(t, soc)
		if s.StateHash != first.StateHash || s.Records != first.Records || s.Members != first.Members {
			t.Fatalf("diverged: %s %+v, %s %+v", ps[0].name, first, p.name, s)
		}
	}
	return first
}

// info returns p's listing of member m, if listed.
func (p *peer) info(t testing.TB, soc string, m *peer) (MemberInfo, bool) {
	t.Helper()
	ms, err := p.Members(SocietyRequest{Society: soc})
	if err != nil {
		t.Fatalf("%s: Members: %v", p.name, err)
	}
	for _, x := range ms {
		if x.ID == m.id.MemberID() {
			return x, true
		}
	}
	return MemberInfo{}, false
}

// mustInfo is info that fails when m is not listed.
func (p *peer) mustInfo(t testing.TB, soc string, m *peer) MemberInfo {
	t.Helper()
	mi, ok := p.info(t, soc, m)
	if !ok {
		t.Fatalf("%s does not list %s", p.name, m.name)
	}
	return mi
}

// restore restores p's member from its recovery phrase into a new home
// with a new device, and opens its node.
func restore(t testing.TB, p *peer, name string) *peer {
	t.Helper()
	phrase, err := p.id.RecoveryPhrase()
	if err != nil {
		t.Fatal(err)
	}
	home := filepath.Join(t.TempDir(), "home")
	id, err := Init(home, p.name, phrase, []byte("pass-"+name))
	if err != nil {
		t.Fatalf("Init %s from the phrase: %v", name, err)
	}
	if id.MemberID() != p.id.MemberID() || id.DeviceID() == p.id.DeviceID() {
		t.Fatalf("restored member %s device %s; original member %s device %s", id.MemberID(), id.DeviceID(), p.id.MemberID(), p.id.DeviceID())
	}
	n, err := Open(home, id, Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { n.Close() })
	return &peer{Node: n, name: name, home: home, id: id}
}

func TestRevokeInvite(t *testing.T) {
	for _, by := range []string{"invite ID", "invite code"} {
		t.Run(by, func(t *testing.T) {
			alice, bob := newPeer(t, "Alice", Options{}), newPeer(t, "Bob", Options{})
			s, err := alice.CreateSociety("Garden")
			if err != nil {
				t.Fatal(err)
			}
			soc := s.ID
			inv, err := alice.Invite(InviteRequest{Uses: 3})
			if err != nil {
				t.Fatal(err)
			}
			arg := inv.Invite
			if by == "invite code" {
				arg = inv.Code
			}
			if err := alice.RevokeInvite(RevokeInviteRequest{Invite: arg}); err != nil {
				t.Fatalf("RevokeInvite(%s): %v", by, err)
			}
			ic, err := ParseInviteCode(inv.Code)
			if err != nil {
				t.Fatal(err)
			}
			err = alice.Store().View(ic.Society, func(r *crdt.Reader) error {
				iv, ok, err := membership.InviteState(r, ic.Invite)
				if err == nil && (!ok || !iv.Revoked) {
					t.Errorf("invite state after revocation: %+v (found %v)", iv, ok)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if err := alice.RevokeInvite(RevokeInviteRequest{Invite: arg}); err == nil {
				t.Error("revoking the invite twice succeeded")
			}

			// Bob joins with the revoked code: his join is stored, never
			// admitted.
			bob.pull(t, alice, soc)
			if _, err := bob.Join(inv.Code); err != nil {
				t.Fatal(err)
			}
			res := alice.pull(t, bob, soc)
			if res.Stored != 1 || res.Admitted != 0 {
				t.Fatalf("Alice's import of Bob's join = %+v, want 1 stored, none admitted", res)
			}
			err = alice.Store().View(ic.Society, func(r *crdt.Reader) error {
				js, err := membership.PendingJoins(r)
				if err == nil && len(js) != 1 {
					t.Errorf("pending joins %+v, want Bob's", js)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if mi, ok := alice.info(t, soc, bob); ok {
				t.Fatalf("Alice lists Bob: %+v", mi)
			}
			bob.pull(t, alice, soc)
			if st := sameState(t, soc, alice, bob); st.Members != 1 || bob.society(t, soc).Me != "waiting" {
				t.Fatalf("after the exchange: %+v, Bob %+v", st, bob.society(t, soc))
			}

			// Who may revoke what.
			other, err := alice.Invite(InviteRequest{})
			if err != nil {
				t.Fatal(err)
			}
			bob.pull(t, alice, soc)
			before := alice.society(t, soc)
			errs := []struct {
				name string
				p    *peer
				arg  string
				want error // nil: any error
			}{
				{"someone else's invite by ID", bob, other.Invite, ledger.ErrNotAllowed},
				{"someone else's invite by code", bob, other.Code, ledger.ErrNotAllowed},
				{"unknown invite", alice, soc, crdt.ErrNotFound},
				{"unknown code", alice, InviteCode{Society: ic.Society, Invite: crdt.CIDOf([]byte("no such invite")), Secret: ic.Secret}.String(), crdt.ErrNotFound},
				{"neither ID nor code", alice, "nonsense", nil},
			}
			for _, tc := range errs {
				err := tc.p.RevokeInvite(RevokeInviteRequest{Invite: tc.arg})
				if err == nil || (tc.want != nil && !errors.Is(err, tc.want)) {
					t.Errorf("%s: %v, want %v", tc.name, err, tc.want)
				}
			}
			if after := alice.society(t, soc); after != before {
				t.Fatalf("failed revocations changed Alice's state: %+v -> %+v", before, after)
			}
		})
	}
}

func TestLeave(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	if err := alice.Leave(SocietyRequest{}); err == nil {
		t.Fatal("the founder left")
	}
	if err := bob.SetProfile(ProfileRequest{Bio: ptr("gardener")}); err != nil {
		t.Fatal(err)
	}
	alice.pull(t, bob, soc)
	if err := bob.Leave(SocietyRequest{Society: soc}); err != nil {
		t.Fatal(err)
	}
	if s := bob.society(t, soc); s.Me != "left" || s.Members != 1 {
		t.Fatalf("Bob after leaving: %+v", s)
	}
	syncAll(t, soc, alice, bob)
	st := sameState(t, soc, alice, bob)
	if st.Members != 1 {
		t.Fatalf("members after Bob left: %+v", st)
	}
	for _, p := range []*peer{alice, bob} {
		if mi := p.mustInfo(t, soc, bob); mi.Status != membership.StatusLeft || mi.Name != "Bob" || mi.Bio != "gardener" {
			t.Errorf("%s lists Bob as %+v", p.name, mi)
		}
		if mi := p.mustInfo(t, soc, alice); mi.Status != membership.StatusActive {
			t.Errorf("%s lists Alice as %+v", p.name, mi)
		}
	}
	if err := bob.SetProfile(ProfileRequest{Name: ptr("Rob")}); !errors.Is(err, ledger.ErrNotMember) {
		t.Fatalf("SetProfile after leaving: %v, want ErrNotMember", err)
	}
	if err := bob.Leave(SocietyRequest{}); err == nil {
		t.Fatal("Bob left twice")
	}
	if _, err := bob.Invite(InviteRequest{}); !errors.Is(err, ledger.ErrNotMember) {
		t.Fatalf("Invite after leaving: %v, want ErrNotMember", err)
	}
	if s := bob.society(t, soc); s.StateHash != st.StateHash || s.Records != st.Records {
		t.Fatalf("refused writes changed Bob's state: %+v -> %+v", st, s)
	}
	// The founder's records still take effect.
	if err := alice.SetProfile(ProfileRequest{Name: ptr("Alicia")}); err != nil {
		t.Fatal(err)
	}
	bob.pull(t, alice, soc)
	sameState(t, soc, alice, bob)
	if mi := bob.mustInfo(t, soc, alice); mi.Name != "Alicia" {
		t.Fatalf("Bob lists Alice as %+v", mi)
	}
	// Bob, restored on a new device, asks to join again: no re-admission.
	inv, err := alice.Invite(InviteRequest{})
	if err != nil {
		t.Fatal(err)
	}
	bob2 := restore(t, bob, "Bob2")
	bob2.pull(t, alice, soc)
	if _, err := bob2.Join(inv.Code); err != nil {
		t.Fatal(err)
	}
	if res := alice.pull(t, bob2, soc); res.Stored != 1 || res.Admitted != 0 {
		t.Fatalf("Alice's import of Bob's second join = %+v, want it stored and not admitted", res)
	}
	syncAll(t, soc, alice, bob, bob2)
	if st := sameState(t, soc, alice, bob, bob2); st.Members != 1 {
		t.Fatalf("after the second join: %+v", st)
	}
	if mi := alice.mustInfo(t, soc, bob); mi.Status != membership.StatusLeft {
		t.Fatalf("Alice lists Bob as %+v after his second join", mi)
	}
}

func TestRemove(t *testing.T) {
	tests := []struct {
		name  string
		who   func(carol *peer) string // how Alice names Carol
		carol func(carol *peer) error  // what Carol does that Alice has not seen
	}{
		{"by name, unseen profile", func(*peer) string { return "carol" },
			func(c *peer) error { return c.SetProfile(ProfileRequest{Name: ptr("Caz"), Bio: ptr("spam")}) }},
		{"by ID, unseen profile", func(c *peer) string { return c.id.MemberID() },
			func(c *peer) error { return c.SetProfile(ProfileRequest{Name: ptr("Caz"), Bio: ptr("spam")}) }},
		{"by name, concurrent leave", func(*peer) string { return "Carol" },
			func(c *peer) error { return c.Leave(SocietyRequest{}) }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			soc, ps := found(t, "Alice", "Carol")
			alice, carol := ps[0], ps[1]
			if err := carol.Remove(RemoveRequest{Member: "Alice"}); !errors.Is(err, ErrNotFounder) {
				t.Fatalf("Remove by a member: %v, want ErrNotFounder", err)
			}
			if err := alice.Remove(RemoveRequest{Member: "Alice"}); err == nil {
				t.Fatal("the founder removed herself")
			}
			if err := alice.Remove(RemoveRequest{Member: "Dave"}); !errors.Is(err, crdt.ErrNotFound) {
				t.Fatalf("Remove of an unknown member: %v, want ErrNotFound", err)
			}
			if err := tc.carol(carol); err != nil {
				t.Fatal(err)
			}
			if err := alice.Remove(RemoveRequest{Member: tc.who(carol), Reason: "spam"}); err != nil {
				t.Fatalf("Remove: %v", err)
			}
			if err := alice.Remove(RemoveRequest{Member: tc.who(carol)}); !errors.Is(err, crdt.ErrNotFound) {
				t.Fatalf("second Remove: %v, want ErrNotFound", err)
			}
			// Each side receives the other's news after making its own.
			syncAll(t, soc, alice, carol)
			st := sameState(t, soc, alice, carol)
			if st.Members != 1 {
				t.Fatalf("members after removal: %+v", st)
			}
			for _, p := range []*peer{alice, carol} {
				if mi := p.mustInfo(t, soc, carol); mi.Status != membership.StatusRemoved || mi.Name != "Carol" || mi.Bio != "" {
					t.Errorf("%s lists Carol as %+v", p.name, mi)
				}
			}
			if s := carol.society(t, soc); s.Me != membership.StatusRemoved {
				t.Fatalf("Carol's standing: %+v", s)
			}
			if err := carol.SetProfile(ProfileRequest{Name: ptr("Caz")}); !errors.Is(err, ledger.ErrNotMember) {
				t.Fatalf("SetProfile after removal: %v, want ErrNotMember", err)
			}
		})
	}
}

func TestRestoredDevice(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	bob2 := restore(t, bob, "Bob2")

	// Without the society's records, the new device cannot write.
	if err := bob2.SetProfile(ProfileRequest{Name: ptr("Robert")}); !errors.Is(err, ErrNoSociety) {
		t.Fatalf("SetProfile without records: %v, want ErrNoSociety", err)
	}
	bob2.pull(t, alice, soc)
	if s := bob2.society(t, soc); s.Me != "member" {
		t.Fatalf("restored device's standing: %+v", s)
	}
	before := bob2.society(t, soc).Records
	if err := bob2.SetProfile(ProfileRequest{Name: ptr("Robert")}); err != nil {
		t.Fatalf("SetProfile on the restored device: %v", err)
	}
	if got := bob2.society(t, soc).Records; got != before+2 {
		t.Fatalf("restored device wrote %d records, want 2 (device, profile)", got-before)
	}
	if h, err := bob2.Store().Head(mustCID(t, soc), bob2.id.DevicePublic()); err != nil || h.Seq != 2 {
		t.Fatalf("restored device's head %+v, %v; want seq 2", h, err)
	}
	syncAll(t, soc, alice, bob2, bob)
	sameState(t, soc, alice, bob, bob2)
	for _, p := range []*peer{alice, bob, bob2} {
		mi := p.mustInfo(t, soc, bob)
		want := []string{bob.id.DeviceID(), bob2.id.DeviceID()}
		slices.Sort(want)
		got := slices.Clone(mi.Devices)
		slices.Sort(got)
		if mi.Name != "Robert" || mi.Status != membership.StatusActive || !slices.Equal(got, want) {
			t.Fatalf("%s lists Bob as %+v, want name Robert and devices %v", p.name, mi, want)
		}
	}

	// A non-founder may not revoke another member's device.
	before2 := bob2.society(t, soc)
	if err := bob2.RevokeDevice(RevokeDeviceRequest{Device: alice.id.DeviceID()}); !errors.Is(err, ledger.ErrNotAllowed) {
		t.Fatalf("Bob revoking Alice's device: %v, want ErrNotAllowed", err)
	}
	if err := bob2.RevokeDevice(RevokeDeviceRequest{Device: alice.id.MemberID() + "x"}); err == nil {
		t.Fatal("revoking a bad device ID succeeded")
	}
	if err := bob2.RevokeDevice(RevokeDeviceRequest{Device: newPeer(t, "Eve", Options{}).id.DeviceID()}); !errors.Is(err, crdt.ErrNotFound) {
		t.Fatalf("revoking an unknown device: %v, want ErrNotFound", err)
	}
	if after := bob2.society(t, soc); after != before2 {
		t.Fatalf("refused revocations changed the state: %+v -> %+v", before2, after)
	}

	// The new device revokes the old one, which writes concurrently.
	if err := bob2.RevokeDevice(RevokeDeviceRequest{Device: bob.id.DeviceID()}); err != nil {
		t.Fatalf("RevokeDevice: %v", err)
	}
	if err := bob.SetProfile(ProfileRequest{Name: ptr("Mallory"), Bio: ptr("stolen phone")}); err != nil {
		t.Fatalf("the old device's concurrent write: %v", err)
	}
	syncAll(t, soc, alice, bob, bob2)
	st := sameState(t, soc, alice, bob, bob2)
	if st.Members != 2 {
		t.Fatalf("members: %+v", st)
	}
	for _, p := range []*peer{alice, bob, bob2} {
		mi := p.mustInfo(t, soc, bob)
		if mi.Name != "Robert" || mi.Bio != "" || mi.Status != membership.StatusActive {
			t.Errorf("%s lists Bob as %+v after the revocation", p.name, mi)
		}
		if len(mi.Devices) != 2 || len(mi.RevokedDevices) != 1 || mi.RevokedDevices[0] != bob.id.DeviceID() {
			t.Errorf("%s lists Bob's devices as %v, revoked %v", p.name, mi.Devices, mi.RevokedDevices)
		}
	}
	if err := bob.SetProfile(ProfileRequest{Name: ptr("Mallory")}); !errors.Is(err, ledger.ErrRevoked) {
		t.Fatalf("SetProfile on the revoked device: %v, want ErrRevoked", err)
	}
	// The new device still writes.
	if err := bob2.SetProfile(ProfileRequest{Bio: ptr("new phone")}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, alice, bob, bob2)
	sameState(t, soc, alice, bob, bob2)
	if mi := alice.mustInfo(t, soc, bob); mi.Bio != "new phone" {
		t.Fatalf("Alice lists Bob as %+v", mi)
	}
}

// TestRestoredFounder: a founder restored on a new device anchors the new
// device on the genesis, and the founder may revoke any member's device.
func TestRestoredFounder(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	alice2 := restore(t, alice, "Alice2")
	alice2.pull(t, alice, soc)
	if s := alice2.society(t, soc); s.Me != "founder" {
		t.Fatalf("restored founder's standing: %+v", s)
	}
	if _, err := alice2.Invite(InviteRequest{}); err != nil {
		t.Fatalf("Invite on the restored founder's device: %v", err)
	}
	if err := alice2.RevokeDevice(RevokeDeviceRequest{Device: bob.id.DeviceID()}); err != nil {
		t.Fatalf("the founder revoking Bob's device: %v", err)
	}
	syncAll(t, soc, alice, alice2, bob)
	sameState(t, soc, alice, alice2, bob)
	if mi := alice.mustInfo(t, soc, alice); len(mi.Devices) != 2 {
		t.Fatalf("Alice lists herself as %+v, want 2 devices", mi)
	}
	if err := bob.SetProfile(ProfileRequest{Name: ptr("Rob")}); !errors.Is(err, ledger.ErrRevoked) {
		t.Fatalf("SetProfile on Bob's revoked device: %v, want ErrRevoked", err)
	}
}

func mustCID(t testing.TB, s string) cid.Cid {
	t.Helper()
	c, err := cid.Decode(s)
	if err != nil {
		t.Fatal(err)
	}
	return c
}
