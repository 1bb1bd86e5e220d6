package recsync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"errors"
	"math/rand/v2"
	"strings"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/p2p"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
)

// loopbackHost is a real host keyed by key, listening on 127.0.0.1 only.
func loopbackHost(t *testing.T, key ed25519.PrivateKey) host.Host {
	t.Helper()
	h, err := p2p.NewHost(p2p.Config{Key: key, Listen: []string{"/ip4/127.0.0.1/tcp/0"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { h.Close() })
	return h
}

// invitedSociety is a society held by a server, with an invite made after
// some history and more records after the invite.
type invitedSociety struct {
	g      *gen
	raws   [][]byte // every record, the invite included
	invite cid.Cid
	secret ed25519.PrivateKey
	before int // records up to and including the invite
}

func newInvitedSociety(seed uint64) *invitedSociety {
	g, raws := history(seed, 3, 40)
	secret := newKey(g.rng)
	raws = append(raws, g.sign(g.founder, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: g.now>>16 + 1e9, Uses: 1}, nil))
	s := &invitedSociety{g: g, invite: g.founder.head, secret: secret, before: len(raws)}
	for _, d := range g.members {
		raws = append(raws, g.profiles(d, 5, 0)...)
	}
	raws = append(raws, g.profiles(g.founder, 5, 0)...)
	s.raws = raws
	return s
}

// past returns the invite's causal past, in the order of raws.
func (s *invitedSociety) past(t *testing.T) [][]byte {
	t.Helper()
	st := openStore(t)
	ingest(t, st, s.g.soc, s.raws[:s.before])
	in := map[cid.Cid]bool{}
	if err := st.View(s.g.soc, func(r *crdt.Reader) error {
		return r.WalkBack([]cid.Cid{s.invite}, 0, func(c cid.Cid, _ *crdt.Record) error { in[c] = true; return nil })
	}); err != nil {
		t.Fatal(err)
	}
	var out [][]byte
	for _, raw := range s.raws[:s.before] {
		if in[crdt.CIDOf(raw)] {
			out = append(out, raw)
		}
	}
	return out
}

// proof signs the sync hello's invite proof for peer p.
func (s *invitedSociety) proof(secret ed25519.PrivateKey, p peer.ID) []byte {
	return ed25519.Sign(secret, membership.SyncInviteMessage(crdt.Link{Cid: s.g.soc}, []byte(p)))
}

// joinBy is the join record of the device key dev with the invite.
func (s *invitedSociety) joinBy(dev ed25519.PrivateKey) (*device, []byte) {
	d := &device{key: dev, member: newKey(s.g.rng)}
	dpub, mpub := dev.Public().(ed25519.PublicKey), d.member.Public().(ed25519.PublicKey)
	raw := s.g.sign(d, membership.TypeJoin, membership.Join{Invite: crdt.Link{Cid: s.invite}, Cert: identity.Certify(d.member, dpub), Name: "joiner",
		Proof: ed25519.Sign(s.secret, membership.JoinMessage(crdt.Link{Cid: s.g.soc}, mpub, dpub))}, []cid.Cid{s.invite})
	return d, raw
}

// serverOptions is a responder's access: members lists the member
// devices, and invite proofs are checked against the invite key.
func (s *invitedSociety) serverOptions(members ...peer.ID) Options {
	return Options{
		Member: func(soc cid.Cid, p peer.ID) bool {
			for _, m := range members {
				if m == p {
					return soc.Equals(s.g.soc)
				}
			}
			return false
		},
		Invited: func(soc cid.Cid, p peer.ID, invite cid.Cid, proof []byte) (func(*crdt.Record) bool, error) {
			if !invite.Equals(s.invite) || !ed25519.Verify(s.secret.Public().(ed25519.PublicKey), membership.SyncInviteMessage(crdt.Link{Cid: soc}, []byte(p)), proof) {
				return nil, errors.New("bad invite proof")
			}
			key, _ := p2p.DeviceKey(p)
			return func(r *crdt.Record) bool { return r.Type == membership.TypeJoin && bytes.Equal(r.Author, key) }, nil
		},
	}
}

// TestMembersOnlySync: a society is served in full to member devices only;
// a stranger gets the refusal of a society not held and no record, and an
// invited device gets the invite's causal past only. Real hosts on
// 127.0.0.1.
func TestMembersOnlySync(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 7))
	s := newInvitedSociety(51)
	past := len(s.past(t))
	if past >= s.before {
		t.Fatalf("the invite's causal past is all %d records before it: the test shows nothing", past)
	}
	wrongSecret := newKey(rng)
	nowhere := newInvitedSociety(99).g.soc // never stored anywhere
	cases := []struct {
		name    string
		member  bool
		invite  func(p peer.ID) *Invitation
		wantIn  int // records the client receives
		refused bool
	}{
		{name: "member device gets everything", member: true, wantIn: len(s.raws)},
		{name: "stranger is refused", refused: true},
		{name: "stranger with an invite proof gets the invite's causal past",
			invite: func(p peer.ID) *Invitation { return &Invitation{Invite: s.invite, Proof: s.proof(s.secret, p)} }, wantIn: past},
		{name: "proof by another key is refused", refused: true,
			invite: func(p peer.ID) *Invitation { return &Invitation{Invite: s.invite, Proof: s.proof(wrongSecret, p)} }},
		{name: "proof for another peer is refused", refused: true,
			invite: func(peer.ID) *Invitation {
				return &Invitation{Invite: s.invite, Proof: s.proof(s.secret, "someone else")}
			}},
		{name: "proof naming another record is refused", refused: true,
			invite: func(p peer.ID) *Invitation { return &Invitation{Invite: s.g.soc, Proof: s.proof(s.secret, p)} }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ckey := newKey(rng)
			sh, ch := loopbackHost(t, newKey(rng)), loopbackHost(t, ckey)
			var members []peer.ID
			if tc.member {
				members = append(members, ch.ID())
			}
			server := newNode(t, sh, nil, s.serverOptions(members...))
			ingest(t, server.st, s.g.soc, s.raws)
			client := newNode(t, ch, nil, Options{})
			if err := ch.Connect(context.Background(), peer.AddrInfo{ID: sh.ID(), Addrs: sh.Addrs()}); err != nil {
				t.Fatal(err)
			}
			var err error
			var stats Stats
			if tc.invite != nil {
				stats, err = client.svc.SyncInvited(context.Background(), sh.ID(), s.g.soc, *tc.invite(ch.ID()))
			} else {
				stats, err = client.svc.Sync(context.Background(), sh.ID(), s.g.soc)
			}
			if tc.refused {
				if !errors.Is(err, ErrUnknownSociety) || !errors.Is(err, ErrRefused) {
					t.Fatalf("got %v, want the refusal of a society not held", err)
				}
				if n := count(t, client.st, s.g.soc); n != 0 || stats.RecordsIn != 0 {
					t.Fatalf("a refused peer stored %d records (%d received)", n, stats.RecordsIn)
				}
				// The refusal reads as that of a society the server does
				// not hold: the stranger learns nothing of the society.
				_, unheld := client.svc.Sync(context.Background(), sh.ID(), nowhere)
				tail := func(err error) string { _, after, _ := strings.Cut(err.Error(), sh.ID().String()); return after }
				if unheld == nil || tail(err) == "" || tail(err) != tail(unheld) {
					t.Fatalf("refused with %q, but a society not held gets %q", tail(err), tail(unheld))
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if n := count(t, client.st, s.g.soc); stats.RecordsIn != tc.wantIn || n != uint64(tc.wantIn) {
				t.Fatalf("received %d records, stored %d, want %d (of %d; %d up to the invite)", stats.RecordsIn, n, tc.wantIn, len(s.raws), s.before)
			}
		})
	}
}

// TestInvitedPeerSendsOnlyItsJoin: an invited device can deliver its own
// join, and nothing else: records of others make it a bad peer and none of
// its batch is stored.
func TestInvitedPeerSendsOnlyItsJoin(t *testing.T) {
	rng := rand.New(rand.NewPCG(8, 8))
	cases := []struct {
		name   string
		holds  func(s *invitedSociety, t *testing.T) [][]byte // what the client holds besides its join
		gained uint64                                         // records the server gains
		bad    bool
	}{
		{name: "its join is accepted", holds: (*invitedSociety).past, gained: 1},
		{name: "others' records are refused", holds: func(s *invitedSociety, _ *testing.T) [][]byte { return s.raws }, bad: true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s := newInvitedSociety(52)
			ckey := newKey(rng)
			sh, ch := loopbackHost(t, newKey(rng)), loopbackHost(t, ckey)
			server := newNode(t, sh, nil, s.serverOptions())
			ingest(t, server.st, s.g.soc, s.raws)
			client := newNode(t, ch, nil, Options{})
			ingest(t, client.st, s.g.soc, tc.holds(s, t))
			_, join := s.joinBy(ckey)
			ingest(t, client.st, s.g.soc, [][]byte{join})
			if err := ch.Connect(context.Background(), peer.AddrInfo{ID: sh.ID(), Addrs: sh.Addrs()}); err != nil {
				t.Fatal(err)
			}
			before := count(t, server.st, s.g.soc)
			_, err := client.svc.SyncInvited(context.Background(), sh.ID(), s.g.soc, Invitation{Invite: s.invite, Proof: s.proof(s.secret, ch.ID())})
			waitOr(t, waitSessions(server.svc), "the server's handler returns")
			if tc.bad {
				if err == nil || server.badCount() != 1 || !errors.Is(server.bad[0], ErrBadPeer) {
					t.Fatalf("sync: %v; server's bad peers %v, want the client", err, server.bad)
				}
			} else if err != nil || server.badCount() != 0 {
				t.Fatalf("sync: %v; server's bad peers %v", err, server.bad)
			}
			if got := count(t, server.st, s.g.soc) - before; got != tc.gained {
				t.Fatalf("the server gained %d records, want %d", got, tc.gained)
			}
		})
	}
}

// TestNoSyncToStranger: a node that holds a society does not offer it to a
// peer that is no member device: Sync fails without sending it anything.
func TestNoSyncToStranger(t *testing.T) {
	rng := rand.New(rand.NewPCG(9, 9))
	s := newInvitedSociety(53)
	sh, ch := loopbackHost(t, newKey(rng)), loopbackHost(t, newKey(rng))
	holder := newNode(t, sh, nil, s.serverOptions())
	ingest(t, holder.st, s.g.soc, s.raws)
	stranger := newNode(t, ch, nil, Options{})
	if err := sh.Connect(context.Background(), peer.AddrInfo{ID: ch.ID(), Addrs: ch.Addrs()}); err != nil {
		t.Fatal(err)
	}
	stats, err := holder.svc.Sync(context.Background(), ch.ID(), s.g.soc)
	if !errors.Is(err, ErrUnknownSociety) || stats.BytesOut != 0 {
		t.Fatalf("got %v after %d bytes sent, want a refusal before any byte", err, stats.BytesOut)
	}
	if n := count(t, stranger.st, s.g.soc); n != 0 {
		t.Fatalf("the stranger stored %d records", n)
	}
}
