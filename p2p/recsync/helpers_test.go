package recsync

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/all"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
	"github.com/libp2p/go-libp2p/core/host"
	"github.com/libp2p/go-libp2p/core/peer"
	mocknet "github.com/libp2p/go-libp2p/p2p/net/mock"
)

// gen writes a valid society history the way ledger's sim tests do: a
// founder, members admitted through invites, then profile edits. Records
// of one device only depend on its own chain and on records made before,
// so histories cut at any point are causally closed.
type gen struct {
	rng     *rand.Rand
	now     uint64
	soc     cid.Cid
	founder *device
	members []*device
}

type device struct {
	key      ed25519.PrivateKey
	member   ed25519.PrivateKey
	seq      uint64
	head     cid.Cid
	admit    cid.Cid
	anchored bool
}

func newKey(rng *rand.Rand) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(rng.UintN(256))
	}
	return ed25519.NewKeyFromSeed(seed)
}

func str(s string) *string { return &s }

// newGen founds a society; Genesis returns its first record.
func newGen(seed uint64) (*gen, []byte) {
	g := &gen{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: 1_700_000_000_000 << 16}
	d := &device{key: newKey(g.rng), member: newKey(g.rng), anchored: true}
	g.founder = d
	body := membership.Genesis{Name: "Test Society", Settings: membership.DefaultSettings(),
		Cert: identity.Certify(d.member, d.key.Public().(ed25519.PublicKey)), Nonce: []byte{byte(seed)}, Founder: "founder"}
	raw := g.sign(d, membership.TypeGenesis, body, nil)
	g.soc = d.head
	return g, raw
}

// sign appends a record to d's chain.
func (g *gen) sign(d *device, typ string, body any, deps []cid.Cid) []byte {
	if !d.anchored && typ != membership.TypeJoin && d.admit.Defined() {
		deps = append(deps, d.admit)
		d.anchored = true
	}
	b, err := crdt.Marshal(body)
	if err != nil {
		panic(err)
	}
	g.now += 1 + uint64(g.rng.IntN(1<<16))
	rec := &crdt.Record{Version: crdt.FormatVersion, Seq: d.seq + 1, Time: crdt.HLC(g.now), Type: typ, Body: b, Deps: crdt.SortLinks(deps)}
	if g.soc.Defined() {
		rec.Society = &crdt.Link{Cid: g.soc}
	}
	if d.seq > 0 {
		rec.Prev = &crdt.Link{Cid: d.head}
	}
	raw, c, err := rec.Sign(d.key)
	if err != nil {
		panic(err)
	}
	d.seq++
	d.head = c
	return raw
}

// addMember has the founder invite and admit a new member: three records.
func (g *gen) addMember() (*device, [][]byte) {
	secret := newKey(g.rng)
	var out [][]byte
	out = append(out, g.sign(g.founder, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: g.now>>16 + 1e9, Uses: 1}, nil))
	ic := g.founder.head
	d := &device{key: newKey(g.rng), member: newKey(g.rng)}
	dpub := d.key.Public().(ed25519.PublicKey)
	mpub := d.member.Public().(ed25519.PublicKey)
	out = append(out, g.sign(d, membership.TypeJoin, membership.Join{Invite: crdt.Link{Cid: ic}, Cert: identity.Certify(d.member, dpub), Name: "member",
		Proof: ed25519.Sign(secret, membership.JoinMessage(crdt.Link{Cid: g.soc}, mpub, dpub))}, []cid.Cid{ic}))
	jc := d.head
	out = append(out, g.sign(g.founder, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: ic}}, []cid.Cid{jc, ic}))
	d.admit = g.founder.head
	g.members = append(g.members, d)
	return d, out
}

// profiles makes n profile edits by d; bio pads each with that many bytes.
func (g *gen) profiles(d *device, n, bio int) [][]byte {
	out := make([][]byte, 0, n)
	for range n {
		p := membership.Profile{Name: str([]string{"Ann", "Ben", "Cy", "Di"}[g.rng.IntN(4)])}
		if bio > 0 {
			p.Bio = str(strings.Repeat("b", bio))
		}
		out = append(out, g.sign(d, membership.TypeProfile, p, nil))
	}
	return out
}

// history makes a society of members plus genesis and admissions, then n
// records in all, spread over the members' profile edits.
func history(seed uint64, members, n int) (*gen, [][]byte) {
	g, raw := newGen(seed)
	raws := [][]byte{raw}
	for range members {
		_, rs := g.addMember()
		raws = append(raws, rs...)
	}
	for len(raws) < n {
		d := g.members[g.rng.IntN(len(g.members))]
		raws = append(raws, g.profiles(d, 1, 0)...)
	}
	return g, raws
}

func openStore(t testing.TB) *crdt.Store {
	t.Helper()
	st, err := crdt.Open(crdt.Config{Dir: t.TempDir()}, all.New())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// ingest stores raws, all of which must be applied.
func ingest(t testing.TB, st *crdt.Store, soc cid.Cid, raws [][]byte) {
	t.Helper()
	res, err := st.Ingest(soc, raws)
	if err != nil || len(res.Rejected) > 0 || res.Pending > 0 || len(res.Applied)+res.Duplicates != len(raws) {
		t.Fatalf("ingest: %d applied, %d duplicates, %d pending, rejected %v, err %v", len(res.Applied), res.Duplicates, res.Pending, res.Rejected, err)
	}
}

// newNet returns n linked and connected mocknet hosts.
func newNet(t testing.TB, n int) (mocknet.Mocknet, []host.Host) {
	t.Helper()
	mn := mocknet.New()
	t.Cleanup(func() { mn.Close() })
	hs := make([]host.Host, n)
	for i := range hs {
		h, err := mn.GenPeer()
		if err != nil {
			t.Fatal(err)
		}
		hs[i] = h
	}
	if err := mn.LinkAll(); err != nil {
		t.Fatal(err)
	}
	if err := mn.ConnectAllButSelf(); err != nil {
		t.Fatal(err)
	}
	return mn, hs
}

// node is a store with a sync service, recording what its callbacks saw.
type node struct {
	h   host.Host
	st  *crdt.Store
	svc *Service

	mu      sync.Mutex
	bad     []error
	badPeer []peer.ID
	applied int
	onBad   chan struct{} // closed at the first bad peer
	onApply func(total int)
}

// newNode starts a sync service on h over st (a new store when nil).
func newNode(t testing.TB, h host.Host, st *crdt.Store, opts Options) *node {
	t.Helper()
	if st == nil {
		st = openStore(t)
	}
	n := &node{h: h, st: st, onBad: make(chan struct{})}
	if opts.OnBadPeer == nil {
		opts.OnBadPeer = func(p peer.ID, _ cid.Cid, err error) {
			n.mu.Lock()
			defer n.mu.Unlock()
			if len(n.bad) == 0 {
				close(n.onBad)
			}
			n.bad = append(n.bad, err)
			n.badPeer = append(n.badPeer, p)
		}
	}
	opts.OnRecords = func(_ cid.Cid, res crdt.Result) {
		n.mu.Lock()
		n.applied += len(res.Applied)
		total, f := n.applied, n.onApply
		n.mu.Unlock()
		if f != nil {
			f(total)
		}
	}
	n.svc = New(h, n.st, opts)
	t.Cleanup(n.svc.Close)
	return n
}

func (n *node) badCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return len(n.bad)
}

func (n *node) appliedCount() int {
	n.mu.Lock()
	defer n.mu.Unlock()
	return n.applied
}

// count returns how many records of soc st holds.
func count(t testing.TB, st *crdt.Store, soc cid.Cid) uint64 {
	t.Helper()
	_, n, err := st.State(soc)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// sameState fails unless a and b hold the same version vector, state hash
// and record count of soc.
func sameState(t testing.TB, a, b *crdt.Store, soc cid.Cid) {
	t.Helper()
	va, err := a.VersionVector(soc)
	if err != nil {
		t.Fatal(err)
	}
	vb, err := b.VersionVector(soc)
	if err != nil {
		t.Fatal(err)
	}
	if len(va) != len(vb) {
		t.Fatalf("version vectors of %d and %d devices", len(va), len(vb))
	}
	for k, v := range va {
		if vb[k] != v {
			t.Fatalf("version vectors differ for device %x: %d vs %d", k[:4], v, vb[k])
		}
	}
	ha, na, err := a.State(soc)
	if err != nil {
		t.Fatal(err)
	}
	hb, nb, err := b.State(soc)
	if err != nil {
		t.Fatal(err)
	}
	if ha != hb || na != nb {
		t.Fatalf("states differ: %x (%d records) vs %x (%d records)", ha[:6], na, hb[:6], nb)
	}
}

// consistent fails unless st's records of soc form a state that a fresh
// store ingesting exactly those records reaches too, with chains that are
// contiguous (the version vector accounts for every record).
func consistent(t testing.TB, st *crdt.Store, soc cid.Cid) {
	t.Helper()
	var raws [][]byte
	if err := st.Records(soc, func(_ cid.Cid, raw []byte) error {
		raws = append(raws, bytes.Clone(raw))
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	vv, err := st.VersionVector(soc)
	if err != nil {
		t.Fatal(err)
	}
	var sum uint64
	for _, n := range vv {
		sum += n
	}
	if n := count(t, st, soc); n != uint64(len(raws)) || sum != n {
		t.Fatalf("state counts %d records, log holds %d, vector sums to %d", n, len(raws), sum)
	}
	fresh := openStore(t)
	if len(raws) > 0 {
		ingest(t, fresh, soc, raws)
	}
	sameState(t, st, fresh, soc)
}

// guard bounds every wait of the tests; nothing should come near it.
const guard = 10 * time.Second

// waitOr fails the test if ch is not closed within the guard time.
func waitOr(t testing.TB, ch <-chan struct{}, what string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), guard)
	defer cancel()
	select {
	case <-ch:
	case <-ctx.Done():
		t.Fatalf("%s: not within %v", what, guard)
	}
}
