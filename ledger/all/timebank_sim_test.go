package all_test

import (
	"bytes"
	"crypto/ed25519"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

func (s *sim) deviceCap() int {
	if s.maxDevices > 0 {
		return s.maxDevices
	}
	return 20
}

func memberKey(m *simMember) []byte { return m.key.Public().(ed25519.PublicKey) }

// deviceOf returns a device of m that may write, or nil.
func (s *sim) deviceOf(m *simMember, act []*simDevice) *simDevice {
	var ds []*simDevice
	for _, d := range act {
		if d.member == m {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return nil
	}
	return s.pick(ds)
}

// actorOf is the member who acts for an account: the founder for the
// community account.
func (s *sim) actorOf(acct []byte) *simMember {
	if bytes.Equal(acct, membership.Community) {
		return s.founder.member
	}
	for _, m := range s.members {
		if bytes.Equal(memberKey(m), acct) {
			return m
		}
	}
	return nil
}

// bankStep makes one random time-bank move: a transfer (give, pay, group,
// donation, pool payment), an answer (sometimes a second one for the same
// leg), a dispute (sometimes consenting to a reversal), or a time-bank
// record every peer must reject.
func (s *sim) bankStep(all []*simDevice) {
	var act []*simDevice
	for _, d := range all {
		if !d.member.gone && d.anchored {
			act = append(act, d)
		}
	}
	if len(act) == 0 {
		return
	}
	d := s.pick(act)
	p := s.rng.IntN(100)
	switch {
	case p < 2 && d == s.founder: // the founder changes the credit limits
		lim := int64(5+s.rng.IntN(40)) * 60
		s.emit(d, membership.TypeSettings, membership.Settings{MinBalance: -lim, MaxBalance: 5 * lim, HalfLifeDays: 365}, nil)
	case p < 40 || len(s.transfers) == 0:
		s.simTransfer(d)
	case p < 78:
		t := s.transfers[s.rng.IntN(len(s.transfers))]
		l := t.legs[s.rng.IntN(len(t.legs))]
		if t.mode == timebank.ModePay && bytes.Equal(l.Member, membership.Community) {
			return
		}
		a := s.deviceOf(s.actorOf(l.Member), act)
		if a == nil {
			return
		}
		ans := timebank.Answer{Transfer: crdt.Link{Cid: t.cid}, Leg: l.Member, Accept: s.rng.IntN(4) != 0}
		if !ans.Accept {
			ans.Reason = "that did not happen"
		} else if t.mode == timebank.ModeGive && s.rng.IntN(3) == 0 {
			ans.Review = &timebank.TransferReview{Satisfied: s.rng.IntN(4) != 0, Note: "thanks"}
		}
		s.emit(a, timebank.TypeAnswer, ans, []cid.Cid{t.cid})
	case p < 92:
		t := s.transfers[s.rng.IntN(len(s.transfers))]
		l := t.legs[s.rng.IntN(len(t.legs))]
		by := s.actorOf(l.Member)
		if s.rng.IntN(2) == 0 {
			by = t.proposer
		}
		a := s.deviceOf(by, act)
		if a == nil {
			return
		}
		s.emit(a, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: t.cid}, Leg: l.Member, Reason: "hours were wrong", Reverse: s.rng.IntN(3) != 0}, []cid.Cid{t.cid})
	default:
		s.badBank(d)
	}
}

func (s *sim) simTransfer(d *simDevice) {
	mode := []string{timebank.ModeGive, timebank.ModePay}[s.rng.IntN(2)]
	pool := d.member == s.founder.member && mode == timebank.ModePay && s.rng.IntN(4) == 0
	var legs []timebank.Leg
	for n := 1 + s.rng.IntN(3); n > 0; n-- {
		m := s.members[s.rng.IntN(len(s.members))]
		if m == d.member || slices.ContainsFunc(legs, func(l timebank.Leg) bool { return bytes.Equal(l.Member, memberKey(m)) }) {
			continue
		}
		legs = append(legs, timebank.Leg{Member: memberKey(m), Minutes: uint64(15 + 15*s.rng.IntN(40))})
	}
	founderGive := d.member == s.founder.member && mode == timebank.ModeGive
	if !pool && !founderGive && s.rng.IntN(8) == 0 {
		legs = append(legs, timebank.Leg{Member: membership.Community, Minutes: uint64(30 + s.rng.IntN(120))})
	}
	if len(legs) == 0 {
		return
	}
	slices.SortFunc(legs, func(a, b timebank.Leg) int { return bytes.Compare(a.Member, b.Member) })
	c := s.emit(d, timebank.TypeTransfer, timebank.Transfer{Mode: mode, Pool: pool, Legs: legs,
		Skill: []string{"gardening", "Plumbing", "childcare"}[s.rng.IntN(3)], Note: "sim"}, nil)
	s.transfers = append(s.transfers, simTransfer{cid: c, proposer: d.member, pool: pool, mode: mode, legs: legs})
}

// badBank adds a time-bank record every peer must reject, without
// advancing d's chain.
func (s *sim) badBank(d *simDevice) {
	var typ string
	var body any
	var deps []cid.Cid
	switch s.rng.IntN(4) {
	case 0: // a transfer with oneself
		typ, body = timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModeGive, Legs: []timebank.Leg{{Member: memberKey(d.member), Minutes: 60}}, Skill: "x"}
	case 1: // zero minutes
		typ, body = timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModePay, Legs: []timebank.Leg{{Member: membership.Community, Minutes: 0}}, Skill: "x"}
	case 2: // answering a leg that is not one's own
		t := s.transfers[s.rng.IntN(len(s.transfers))]
		l := t.legs[0]
		if s.actorOf(l.Member) == d.member || (t.mode == timebank.ModePay && bytes.Equal(l.Member, membership.Community)) {
			return
		}
		typ, body, deps = timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: t.cid}, Leg: l.Member, Accept: true}, []cid.Cid{t.cid}
	default: // a rejection without a reason
		t := s.transfers[s.rng.IntN(len(s.transfers))]
		typ, body, deps = timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: t.cid}, Leg: t.legs[0].Member}, []cid.Cid{t.cid}
	}
	raw, c := s.sign(d, typ, body, deps, d.seq+1, d.head)
	s.raws = append(s.raws, raw)
	s.cids = append(s.cids, c)
	s.bad[c] = true
}
