package all_test

import (
	"crypto/ed25519"
	"testing"

	"github.com/commons-society/commons/crdt"
	gov "github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// BenchmarkGovernanceCount counts a root yes/no proposal with 10,000
// members in a real store: 8,000 vote directly and 2,000 delegate
// (council-wide) to an earlier member. Each iteration is one Count: the
// decisions replay, the electorate, the votes and delegations read from
// the views, delegation and the tally.
//
//	go test -run '^$' -bench BenchmarkGovernanceCount -benchtime 20x ./ledger/all/
func BenchmarkGovernanceCount(b *testing.B) {
	const members, delegators = 10_000, 2_000
	f := buildFixture(b)
	s := f.s
	start := len(s.raws)
	var devs []*simDevice
	for i := range members {
		if i%1000 == 0 { // an invite is used at most 1,000 times
			secret := newKey(s.rng)
			ic := s.emit(f.founder, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: s.now>>16 + 1e9, Uses: 1000}, nil)
			f.invite = simInvite{cid: ic, secret: secret, author: f.founder}
		}
		ic := f.invite.cid
		m := &simMember{key: newKey(s.rng)}
		d := s.newDevice(m)
		jc := s.emit(d, membership.TypeJoin, f.joinBody(m.key, d.key, f.invite.secret), []cid.Cid{ic})
		m.admit = s.emit(f.founder, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: ic}}, []cid.Cid{jc, ic})
		m.admitted = true
		devs = append(devs, d)
	}
	for i := range delegators {
		to := devs[delegators+i]
		s.emit(devs[i], gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: memberKey(to.member)}, nil)
	}
	ms := crdt.HLC(s.now).Millis()
	p := s.emit(f.founder, gov.TypeProposal, gov.Proposal{Council: gov.Root, Title: "bench", Method: gov.MethodYesNo,
		Rule:  gov.Rule{Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 1, Den: 2}},
		Opens: ms, Closes: ms + 24*3600_000, Options: []gov.Option{}, Actions: []gov.Action{}}, nil)
	for i, d := range devs[delegators:] {
		choice := tally.Yes
		if i%3 == 0 {
			choice = tally.No
		}
		s.emit(d, gov.TypeVote, gov.Vote{Proposal: crdt.Link{Cid: p}, Choice: choice}, []cid.Cid{p})
	}
	for i := start; i < len(s.raws); i += 2000 {
		res, err := f.st.Ingest(s.soc, s.raws[i:min(i+2000, len(s.raws))])
		if err != nil || len(res.Rejected) > 0 {
			b.Fatalf("ingest: %v %+v", err, res.Rejected)
		}
	}
	now := crdt.HLC(s.now).Millis()
	var res *gov.Result
	b.ResetTimer()
	for b.Loop() {
		if err := f.st.View(s.soc, func(r *crdt.Reader) error {
			var err error
			res, err = gov.Count(r, p, now)
			return err
		}); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if res.Electorate < members || len(res.Ballots) != members || len(res.Carried) == 0 {
		b.Fatalf("electorate %d, %d ballots, %d carriers", res.Electorate, len(res.Ballots), len(res.Carried))
	}
}
