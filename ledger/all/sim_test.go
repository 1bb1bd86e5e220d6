package all_test

import (
	"crypto/ed25519"
	"math/rand/v2"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// sim generates a random but causally valid society history: members
// joining through invites, second devices, profile edits, invite
// revocations, device revocations, leaving, removal, forks, and invalid
// records mixed in. Every record's time is after all earlier records, and
// deps name only earlier valid records, so any delivery order that puts
// parents first is causally valid.
type sim struct {
	rng     *rand.Rand
	now     uint64
	soc     cid.Cid
	raws    [][]byte
	cids    []cid.Cid
	bad     map[cid.Cid]bool // records every peer must reject
	parents map[cid.Cid][]cid.Cid
	members []*simMember
	devices []*simDevice
	invites []simInvite
	joins   []simJoin
	founder *simDevice
	forks   int
	// against maps revocation, leave and removal records to whom they hit,
	// so that no record names one that hits its own author.
	against map[cid.Cid]*simDevice
	agMem   map[cid.Cid]*simMember
	// listings are directory entries made so far, with their members.
	listings []simListing
	// calm leaves out revocations, leaving, removal, forks and invalid
	// records: the everyday traffic the ingest benchmark measures.
	calm bool
	// bank turns most profile edits into time-bank traffic: transfers,
	// answers (some repeated), disputes and reversals.
	bank      bool
	transfers []simTransfer
	// gov turns most profile edits into governance traffic: proposals of
	// every method, votes and vote changes, delegations and revocations,
	// council joins, closes and invalid ballots (see governance_test.go).
	gov bool
	// arng is the random source of governance actions (see actRng).
	arng        *rand.Rand
	props       []simProposal
	delegations int
	// maxDevices caps the devices (20 when zero).
	maxDevices int
}

type simTransfer struct {
	cid      cid.Cid
	proposer *simMember
	pool     bool
	mode     string
	legs     []timebank.Leg
}

type simMember struct {
	key      ed25519.PrivateKey
	devices  []*simDevice
	admit    cid.Cid
	admitted bool
	gone     bool
	left     bool
}

type simDevice struct {
	key      ed25519.PrivateKey
	member   *simMember
	seq      uint64
	head     cid.Cid
	anchored bool
	waiting  bool // joined, not yet known to be admitted
}

type simListing struct {
	cid    cid.Cid
	member *simMember
}

type simInvite struct {
	cid    cid.Cid
	secret ed25519.PrivateKey
	author *simDevice
}

type simJoin struct {
	cid    cid.Cid
	invite simInvite
	device *simDevice
}

func newKey(rng *rand.Rand) ed25519.PrivateKey {
	seed := make([]byte, ed25519.SeedSize)
	for i := range seed {
		seed[i] = byte(rng.UintN(256))
	}
	return ed25519.NewKeyFromSeed(seed)
}

func newSim(seed uint64) *sim {
	return &sim{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15)), now: 1_700_000_000_000 << 16,
		bad: map[cid.Cid]bool{}, parents: map[cid.Cid][]cid.Cid{}, against: map[cid.Cid]*simDevice{}, agMem: map[cid.Cid]*simMember{}}
}

// sign builds and signs a record of device d without changing its chain.
func (s *sim) sign(d *simDevice, typ string, body any, deps []cid.Cid, seq uint64, prev cid.Cid) ([]byte, cid.Cid) {
	b, err := crdt.Marshal(body)
	if err != nil {
		panic(err)
	}
	s.now += 1 + uint64(s.rng.IntN(1<<16))
	rec := &crdt.Record{Version: crdt.FormatVersion, Seq: seq, Time: crdt.HLC(s.now), Type: typ, Body: b, Deps: crdt.SortLinks(deps)}
	if s.soc.Defined() {
		rec.Society = &crdt.Link{Cid: s.soc}
	}
	if prev.Defined() {
		rec.Prev = &crdt.Link{Cid: prev}
	}
	raw, c, err := rec.Sign(d.key)
	if err != nil {
		panic(err)
	}
	return raw, c
}

// emit appends a record to d's chain.
func (s *sim) emit(d *simDevice, typ string, body any, deps []cid.Cid) cid.Cid {
	if d.member != nil && d.member.admitted && !d.anchored && typ != membership.TypeJoin && d.seq > 0 {
		deps = append(deps, d.member.admit)
		d.anchored = true
	}
	deps = append(deps, s.randomDeps(d)...)
	raw, c := s.sign(d, typ, body, deps, d.seq+1, d.head)
	d.seq++
	d.head = c
	s.add(raw, c, d, deps)
	return c
}

func (s *sim) add(raw []byte, c cid.Cid, d *simDevice, deps []cid.Cid) {
	s.raws = append(s.raws, raw)
	s.cids = append(s.cids, c)
	ps := slices.Clone(deps)
	if d != nil && d.seq > 1 {
		r, _, err := crdt.Decode(raw)
		if err == nil && r.Prev != nil {
			ps = append(ps, r.Prev.Cid)
		}
	}
	s.parents[c] = ps
}

func (s *sim) randomDeps(d *simDevice) []cid.Cid {
	var out []cid.Cid
	for i := s.rng.IntN(3); i > 0 && len(s.cids) > 0; i-- {
		c := s.cids[s.rng.IntN(len(s.cids))]
		if !s.bad[c] && s.against[c] != d && (s.agMem[c] == nil || s.agMem[c] != d.member) {
			out = append(out, c)
		}
	}
	return out
}

func (s *sim) newDevice(m *simMember) *simDevice {
	d := &simDevice{key: newKey(s.rng), member: m}
	m.devices = append(m.devices, d)
	s.devices = append(s.devices, d)
	return d
}

func (s *sim) genesis() {
	m := &simMember{key: newKey(s.rng), admitted: true}
	d := s.newDevice(m)
	d.anchored = true
	s.members = append(s.members, m)
	s.founder = d
	g := membership.Genesis{Name: "Sim Society", Settings: membership.DefaultSettings(),
		Cert: identity.Certify(m.key, d.key.Public().(ed25519.PublicKey)), Nonce: []byte{1}, Founder: "founder"}
	b, _ := crdt.Marshal(g)
	s.now += 1 << 16
	rec := &crdt.Record{Version: crdt.FormatVersion, Seq: 1, Time: crdt.HLC(s.now), Type: membership.TypeGenesis, Body: b}
	raw, c, err := rec.Sign(d.key)
	if err != nil {
		panic(err)
	}
	s.soc = c
	d.seq, d.head = 1, c
	s.add(raw, c, d, nil)
}

func (s *sim) active() []*simDevice {
	var out []*simDevice
	for _, d := range s.devices {
		if d.member.admitted && !d.waiting && !d.member.left {
			out = append(out, d)
		}
	}
	return out
}

func (s *sim) pick(ds []*simDevice) *simDevice { return ds[s.rng.IntN(len(ds))] }

func str(v string) *string { return &v }

// step makes one random move.
func (s *sim) step() {
	act := s.active()
	p := s.rng.IntN(100)
	if s.calm && p >= 22 && p < 32 {
		p = 99
	}
	if s.bank && p >= 22 && p < 32 && s.rng.IntN(25) != 0 {
		p = 99 // fewer exclusions, so that most transfers take effect
	}
	switch {
	case p >= 32 && p < 85 && s.bank:
		s.bankStep(act)
	case p >= 32 && p < 85 && s.gov:
		s.govStep(act)
	case p < 8 && len(s.devices) < s.deviceCap(): // invite + join
		inviter := s.pick(act)
		secret := newKey(s.rng)
		ic := s.emit(inviter, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: s.now>>16 + 1_000_000_000, Uses: uint64(1 + s.rng.IntN(2))}, nil)
		inv := simInvite{cid: ic, secret: secret, author: inviter}
		s.invites = append(s.invites, inv)
		m := &simMember{key: newKey(s.rng)}
		d := s.newDevice(m)
		d.waiting = true
		s.members = append(s.members, m)
		dpub := d.key.Public().(ed25519.PublicKey)
		j := membership.Join{Invite: crdt.Link{Cid: ic}, Cert: identity.Certify(m.key, dpub), Name: "member",
			Proof: ed25519.Sign(secret, membership.JoinMessage(crdt.Link{Cid: s.soc}, m.key.Public().(ed25519.PublicKey), dpub))}
		jc := s.emit(d, membership.TypeJoin, j, []cid.Cid{ic})
		s.joins = append(s.joins, simJoin{cid: jc, invite: inv, device: d})
	case p < 16 && len(s.joins) > 0: // admit
		i := s.rng.IntN(len(s.joins))
		j := s.joins[i]
		s.joins = append(s.joins[:i], s.joins[i+1:]...)
		if j.invite.author.member.left {
			return
		}
		ac := s.emit(j.invite.author, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: j.cid}, Invite: crdt.Link{Cid: j.invite.cid}}, []cid.Cid{j.cid, j.invite.cid})
		m := j.device.member
		if !m.admitted {
			m.admitted, m.admit = true, ac
		}
		j.device.waiting = false
	case p < 20 && len(s.devices) < s.deviceCap(): // a second device
		d0 := s.pick(act)
		if !d0.anchored {
			return
		}
		m := d0.member
		d := s.newDevice(m)
		d.anchored = true
		s.emit(d, membership.TypeDevice, membership.Device{Cert: identity.Certify(m.key, d.key.Public().(ed25519.PublicKey)), Name: "phone"}, []cid.Cid{d0.head})
	case p < 22 && len(s.invites) > 0: // revoke an invite
		inv := s.invites[s.rng.IntN(len(s.invites))]
		if inv.author.member.admitted && !inv.author.waiting && !inv.author.member.left {
			s.emit(inv.author, membership.TypeInviteRevoke, membership.InviteRevoke{Invite: crdt.Link{Cid: inv.cid}}, []cid.Cid{inv.cid})
		}
	case p == 23: // revoke a device of one's own member, or by the founder
		by := s.pick(act)
		target := s.pick(by.member.devices)
		if s.rng.IntN(2) == 0 {
			by = s.founder
			target = s.pick(s.devices)
		}
		if s.bank && target == s.founder {
			return // keep the founder's admissions in effect
		}
		after := target.seq
		if after > 0 {
			after = uint64(s.rng.IntN(int(after) + 1))
		}
		c := s.emit(by, membership.TypeDeviceRevoke, membership.DeviceRevoke{Device: target.key.Public().(ed25519.PublicKey), After: after}, nil)
		s.against[c] = target
	case p == 24: // leave
		d := s.pick(act)
		if d.member == s.founder.member {
			return
		}
		c := s.emit(d, membership.TypeLeave, membership.Leave{Cutoffs: []membership.Cutoff{}}, nil)
		s.agMem[c] = d.member
		d.member.gone, d.member.left = true, true
	case p == 25: // removal by the founder
		d := s.pick(act)
		if d.member == s.founder.member {
			return
		}
		var cs []membership.Cutoff
		for _, x := range d.member.devices {
			cs = append(cs, membership.Cutoff{Device: x.key.Public().(ed25519.PublicKey), Seq: x.seq})
		}
		slices.SortFunc(cs, func(a, b membership.Cutoff) int { return slices.Compare(a.Device, b.Device) })
		c := s.emit(s.founder, membership.TypeRemove, membership.Remove{Member: d.member.key.Public().(ed25519.PublicKey), Cutoffs: cs, Reason: "sim"}, nil)
		s.agMem[c] = d.member
		d.member.gone = true
	case p == 26 && s.forks < 3: // fork: two records at the same seq
		d := s.pick(act)
		if d.seq == 0 || !d.anchored || (s.bank && d == s.founder) {
			return
		}
		seq, prev := d.seq, d.head
		raw, c := s.sign(d, membership.TypeProfile, membership.Profile{Bio: str("fork")}, nil, seq+1, prev)
		d.seq++
		s.add(raw, c, d, nil)
		d.seq--
		s.forks++
		s.emit(d, membership.TypeProfile, membership.Profile{Bio: str("other branch")}, nil)
	case p < 32: // invalid records
		s.invalid()
	case p >= 90 && p < 95: // directory: a listing, or closing one of one's own
		d := s.pick(act)
		if !d.anchored {
			return
		}
		var own []simListing
		for _, l := range s.listings {
			if l.member == d.member {
				own = append(own, l)
			}
		}
		if len(own) > 0 && s.rng.IntN(3) == 0 {
			l := own[s.rng.IntN(len(own))]
			s.emit(d, directory.TypeListingClose, directory.ListingClose{Listing: crdt.Link{Cid: l.cid}}, []cid.Cid{l.cid})
			return
		}
		kind := []string{directory.KindOffer, directory.KindRequest}[s.rng.IntN(2)]
		c := s.emit(d, directory.TypeListing, directory.Listing{Kind: kind, Skill: []string{"gardening", "Plumbing", "childcare"}[s.rng.IntN(3)], Description: "help"}, nil)
		s.listings = append(s.listings, simListing{cid: c, member: d.member})
	default: // profile edits
		d := s.pick(act)
		if d.member.gone && s.rng.IntN(2) == 0 {
			return
		}
		var pr membership.Profile
		switch s.rng.IntN(3) {
		case 0:
			pr.Name = str([]string{"Ann", "Ben", "Cy", "Di"}[s.rng.IntN(4)])
		case 1:
			pr.Bio = str("bio")
		default:
			sk := []string{"gardening", "Plumbing", "childcare"}[:1+s.rng.IntN(3)]
			pr.Skills = &sk
		}
		s.emit(d, membership.TypeProfile, pr, nil)
	}
}

// invalid adds a record every peer must reject.
func (s *sim) invalid() {
	d := s.pick(s.active())
	var raw []byte
	var c cid.Cid
	switch s.rng.IntN(4) {
	case 0: // forged signature
		raw, _ = s.sign(d, membership.TypeProfile, membership.Profile{Bio: str("x")}, nil, d.seq+1, d.head)
		raw = slices.Clone(raw)
		raw[len(raw)-3] ^= 0x40
		c = crdt.CIDOf(raw)
	case 1: // a stranger's chain
		x := &simDevice{key: newKey(s.rng)}
		raw, c = s.sign(x, membership.TypeProfile, membership.Profile{Bio: str("spam")}, nil, 1, cid.Undef)
	case 2: // a device record with no anchor for its member
		m := &simMember{key: newKey(s.rng)}
		x := &simDevice{key: newKey(s.rng), member: m}
		raw, c = s.sign(x, membership.TypeDevice, membership.Device{Cert: identity.Certify(m.key, x.key.Public().(ed25519.PublicKey))}, nil, 1, cid.Undef)
	default: // a malformed body
		raw, c = s.sign(d, membership.TypeProfile, map[string]any{"name": 42}, nil, d.seq+1, d.head)
	}
	s.raws = append(s.raws, raw)
	s.cids = append(s.cids, c)
	s.bad[c] = true
}

// run generates at least n records.
func (s *sim) run(n int) {
	s.genesis()
	for len(s.raws) < n {
		s.step()
	}
}
