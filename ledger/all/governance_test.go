package all_test

import (
	"crypto/ed25519"
	"slices"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	gov "github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// govFixture is a society of three members (the founder, Bob, Carol) in a
// real store, with helpers to write governance records.
type govFixture struct{ *bankFixture }

func newGovFixture(t *testing.T) *govFixture { return &govFixture{newBankFixture(t)} }

// ms is the current sim time in Unix ms.
func (f *govFixture) ms() uint64 { return crdt.HLC(f.s.now).Millis() }

// advance moves the sim clock forward by d ms.
func (f *govFixture) advance(d uint64) { f.s.now += d << 16 }

// exact writes and stores a record of d with exactly deps (and d's
// admission, when d has not yet named it).
func (f *govFixture) exact(t *testing.T, d *simDevice, typ string, body any, deps ...cid.Cid) cid.Cid {
	t.Helper()
	if !d.anchored && d.member.admit.Defined() {
		deps = append(deps, d.member.admit)
		d.anchored = true
	}
	_, c := emitExact(f.s, d, typ, body, deps...)
	f.ingestLast(t, 1)
	return c
}

// propose stores a proposal of d opening now and closing in an hour.
func (f *govFixture) propose(t *testing.T, d *simDevice, p gov.Proposal, deps ...cid.Cid) cid.Cid {
	t.Helper()
	if p.Council == "" {
		p.Council = gov.Root
	}
	return f.proposeNaming(t, d, p, append(deps, f.basis(t, p.Council, deps)...)...)
}

// proposeNaming stores a proposal of d opening now and closing in an hour
// with exactly deps: its electorate is what they name.
func (f *govFixture) proposeNaming(t *testing.T, d *simDevice, p gov.Proposal, deps ...cid.Cid) cid.Cid {
	t.Helper()
	if p.Council == "" {
		p.Council = gov.Root
	}
	if p.Title == "" {
		p.Title = "Question"
	}
	if p.Closes == 0 {
		p.Opens, p.Closes = f.ms(), f.ms()+3600_000
	}
	return f.exact(t, d, gov.TypeProposal, p, deps...)
}

// basis is what a proposal to council names for its electorate, as the
// node does (gov.Basis), less what deps already hold.
func (f *govFixture) basis(t *testing.T, council string, deps []cid.Cid) []cid.Cid {
	t.Helper()
	var out []cid.Cid
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		var err error
		out, err = gov.Basis(r, council)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return slices.DeleteFunc(out, func(c cid.Cid) bool { return slices.ContainsFunc(deps, c.Equals) })
}

func (f *govFixture) vote(t *testing.T, d *simDevice, p cid.Cid, v gov.Vote) cid.Cid {
	t.Helper()
	v.Proposal = crdt.Link{Cid: p}
	return f.exact(t, d, gov.TypeVote, v, p)
}

// closeAfter moves past the proposal's close and grace and closes it from
// d, depending on deps.
func (f *govFixture) closeAfter(t *testing.T, d *simDevice, p cid.Cid, deps ...cid.Cid) cid.Cid {
	t.Helper()
	f.advance(3600_000 + gov.DefaultGraceMillis)
	return f.exact(t, d, gov.TypeClose, gov.Close{Proposal: crdt.Link{Cid: p}}, append(deps, p)...)
}

func (f *govFixture) count(t *testing.T, p cid.Cid, now uint64) *gov.Result {
	t.Helper()
	var res *gov.Result
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		var err error
		res, err = gov.Count(r, p, now)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return res
}

func opts(names ...string) []gov.Option {
	out := make([]gov.Option, len(names))
	for i, n := range names {
		out[i] = gov.Option{Name: n}
	}
	return out
}

func majority() gov.Rule {
	return gov.Rule{Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 1, Den: 2}}
}

// TestGovernanceMethods runs one proposal of every method through real
// records: three members vote, and the count is each method's result.
func TestGovernanceMethods(t *testing.T) {
	abc := opts("a", "b", "c")
	for _, tc := range []struct {
		name    string
		p       gov.Proposal
		ballots [3]gov.Vote // founder, Bob, Carol
		passed  bool
		winners []string
	}{
		{"yes/no passes with 2 of 3", gov.Proposal{Method: gov.MethodYesNo, Rule: majority()},
			[3]gov.Vote{{Choice: "yes"}, {Choice: "yes"}, {Choice: "no"}}, true, nil},
		{"yes/no two-thirds inclusive fails with 1 yes 1 no", gov.Proposal{Method: gov.MethodYesNo,
			Rule: gov.Rule{Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 2, Den: 3}, Inclusive: true}},
			[3]gov.Vote{{Choice: "yes"}, {Choice: "no"}, {Choice: "abstain"}}, false, nil},
		{"consent with a standing objection fails", gov.Proposal{Method: gov.MethodConsent},
			[3]gov.Vote{{Choice: "consent"}, {Choice: "object", Reason: "too soon"}, {Choice: "consent"}}, false, nil},
		{"consensus passes without a block", gov.Proposal{Method: gov.MethodConsensus},
			[3]gov.Vote{{Choice: "agree"}, {Choice: "agree"}, {Choice: "disagree"}}, true, nil},
		{"approval", gov.Proposal{Method: gov.MethodApproval, Options: abc},
			[3]gov.Vote{{Approve: []string{"a", "b"}}, {Approve: []string{"b"}}, {Approve: []string{"c", "b"}}}, false, []string{"b"}},
		{"score", gov.Proposal{Method: gov.MethodScore, Options: abc, Rule: gov.Rule{ScoreMax: 5}},
			[3]gov.Vote{{Points: []tally.Point{{Option: "a", N: 5}}}, {Points: []tally.Point{{Option: "b", N: 3}}}, {Points: []tally.Point{{Option: "b", N: 3}}}}, false, []string{"b"}},
		{"dots", gov.Proposal{Method: gov.MethodDots, Options: abc, Rule: gov.Rule{Dots: 3}},
			[3]gov.Vote{{Points: []tally.Point{{Option: "c", N: 3}}}, {Points: []tally.Point{{Option: "a", N: 2}, {Option: "c", N: 1}}}, {Points: []tally.Point{{Option: "a", N: 1}}}}, false, []string{"c"}},
		{"quadratic", gov.Proposal{Method: gov.MethodQuadratic, Options: abc, Rule: gov.Rule{Credits: 9}},
			[3]gov.Vote{{Points: []tally.Point{{Option: "a", N: 3}}}, {Points: []tally.Point{{Option: "b", N: 2}, {Option: "c", N: 2}}}, {Points: []tally.Point{{Option: "b", N: 2}}}}, false, []string{"b"}},
		{"instant-runoff: c's voter moves to b", gov.Proposal{Method: gov.MethodIRV, Options: abc},
			[3]gov.Vote{{Rank: []string{"a"}}, {Rank: []string{"b"}}, {Rank: []string{"c", "b"}}}, false, []string{"b"}},
		{"STV two seats", gov.Proposal{Method: gov.MethodSTV, Options: abc, Rule: gov.Rule{Seats: 2}},
			[3]gov.Vote{{Rank: []string{"a", "b"}}, {Rank: []string{"a", "c"}}, {Rank: []string{"c"}}}, false, []string{"a", "c"}},
		{"Schulze", gov.Proposal{Method: gov.MethodSchulze, Options: abc},
			[3]gov.Vote{{Rank: []string{"a", "b", "c"}}, {Rank: []string{"b", "a", "c"}}, {Rank: []string{"a", "c", "b"}}}, false, []string{"a"}},
		{"budget, equal shares", gov.Proposal{Method: gov.MethodBudgetMES, Options: []gov.Option{{Name: "a", Cost: 60}, {Name: "b", Cost: 30}, {Name: "c", Cost: 30}},
			Rule: gov.Rule{Budget: 90}},
			[3]gov.Vote{{Approve: []string{"a", "b"}}, {Approve: []string{"a", "c"}}, {Approve: []string{"c"}}}, false, nil},
		{"budget, greedy", gov.Proposal{Method: gov.MethodBudgetGreedy, Options: []gov.Option{{Name: "a", Cost: 60}, {Name: "b", Cost: 50}, {Name: "c", Cost: 30}},
			Rule: gov.Rule{Budget: 90}},
			[3]gov.Vote{{Approve: []string{"a", "b"}}, {Approve: []string{"a", "b"}}, {Approve: []string{"c", "a"}}}, false, []string{"a", "c"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newGovFixture(t)
			p := f.propose(t, f.founder, tc.p)
			var vs []cid.Cid
			for i, d := range []*simDevice{f.founder, f.bob, f.carol} {
				vs = append(vs, f.vote(t, d, p, tc.ballots[i]))
			}
			before := f.count(t, p, f.ms())
			if before.Status != gov.StatusOpen || !before.Provisional || len(before.Ballots) != 3 || before.Electorate != 3 {
				t.Fatalf("while open: status %s provisional %v, %d ballots of %d", before.Status, before.Provisional, len(before.Ballots), before.Electorate)
			}
			c := f.closeAfter(t, f.bob, p, vs...)
			res := f.count(t, p, f.ms()+gov.DefaultGraceMillis)
			if res.Status != gov.StatusFinal || res.Provisional || len(res.Closes) != 1 || res.Closes[0] != c.String() {
				t.Fatalf("after close: status %s, closes %v", res.Status, res.Closes)
			}
			if len(res.Ballots) != 3 {
				t.Fatalf("%d ballots counted, want 3", len(res.Ballots))
			}
			if res.Passed != tc.passed {
				t.Fatalf("passed %v, want %v (%+v)", res.Passed, tc.passed, res)
			}
			want := tc.winners
			if tc.p.Method == gov.MethodBudgetMES {
				// Equal shares: 90 split 30 each; a (60) has two supporters
				// with 60, funded at 30 each; c then has Carol's 30 alone.
				want = []string{"a", "c"}
			}
			if !slices.Equal(res.Winners, want) {
				t.Fatalf("winners %v, want %v", res.Winners, want)
			}
		})
	}
}

// TestGovernanceRefused: every malformed or forbidden governance record is
// rejected with a clear error and changes nothing.
func TestGovernanceRefused(t *testing.T) {
	f := newGovFixture(t)
	yn := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	rk := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodIRV, Options: opts("a", "b", "c")})
	sc := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodScore, Options: opts("a", "b"), Rule: gov.Rule{ScoreMax: 5}})
	dt := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodDots, Options: opts("a", "b"), Rule: gov.Rule{Dots: 3}})
	qv := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodQuadratic, Options: opts("a", "b"), Rule: gov.Rule{Credits: 9}})
	cs := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodConsent})
	now := f.ms()
	window := func(p gov.Proposal) gov.Proposal {
		if p.Title == "" {
			p.Title = "T"
		}
		if p.Council == "" {
			p.Council = gov.Root
		}
		if p.Closes == 0 {
			p.Opens, p.Closes = now, now+3600_000
		}
		return p
	}
	v := func(p cid.Cid, b gov.Vote) gov.Vote { b.Proposal = crdt.Link{Cid: p}; return b }
	bad, no := ledger.ErrBadBody, ledger.ErrNotAllowed
	for _, tc := range []struct {
		name string
		typ  string
		body any
		deps []cid.Cid
		want error
	}{
		{"proposal without title", gov.TypeProposal, window(gov.Proposal{Title: " ", Method: gov.MethodConsent}), nil, bad},
		{"unknown method", gov.TypeProposal, window(gov.Proposal{Method: "dictator"}), nil, bad},
		{"yes/no with options", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodYesNo, Rule: majority(), Options: opts("a", "b")}), nil, bad},
		{"yes/no without a threshold", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodYesNo}), nil, bad},
		{"one option", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodApproval, Options: opts("a")}), nil, bad},
		{"repeated option", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodApproval, Options: opts("a", "a")}), nil, bad},
		{"budget project without cost", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodBudgetMES, Options: opts("a", "b"), Rule: gov.Rule{Budget: 5}}), nil, bad},
		{"score without max", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodScore, Options: opts("a", "b")}), nil, bad},
		{"quadratic without credits", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodQuadratic, Options: opts("a", "b")}), nil, bad},
		{"as many seats as options", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodSTV, Options: opts("a", "b"), Rule: gov.Rule{Seats: 2}}), nil, bad},
		{"closes before it opens", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Opens: now + 10, Closes: now + 5}), nil, bad},
		{"close time passed", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Opens: now - 10, Closes: now - 5}), nil, bad},
		{"unknown council", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Council: "nonsense"}), nil, bad},
		{"council not in deps", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Council: gov.CouncilID(yn, 0)}), nil, bad},
		{"council of a proposal without that action", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Council: gov.CouncilID(yn, 0)}), []cid.Cid{yn}, bad},
		{"unknown action", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{{Kind: "coup"}}}), nil, bad},
		{"action on an approval", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodApproval, Options: opts("a", "b"),
			Actions: []gov.Action{{Kind: gov.ActCouncilCreate, Name: "x", CKind: gov.KindGeneral, Membership: gov.RuleOpen}}}), nil, bad},
		{"bad settings", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{{Kind: gov.ActSettings,
			Settings: &membership.Settings{MinBalance: 10, MaxBalance: 5, HalfLifeDays: 1}}}}), nil, bad},
		{"dissolve the root", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{{Kind: gov.ActCouncilDissolve, Council: gov.Root}}}), nil, no},
		{"elected council without seats", gov.TypeProposal, window(gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{{Kind: gov.ActCouncilCreate,
			Name: "x", CKind: gov.KindWorkers, Membership: gov.RuleElection}}}), nil, bad},
		{"vote without its proposal in deps", gov.TypeVote, v(yn, gov.Vote{Choice: "yes"}), nil, bad},
		{"vote on something that is not a proposal", gov.TypeVote, v(f.invite.cid, gov.Vote{Choice: "yes"}), []cid.Cid{f.invite.cid}, bad},
		{"yes/no ballot with a ranking", gov.TypeVote, v(yn, gov.Vote{Rank: []string{"a"}}), []cid.Cid{yn}, bad},
		{"unknown choice", gov.TypeVote, v(yn, gov.Vote{Choice: "maybe"}), []cid.Cid{yn}, bad},
		{"objection without reason", gov.TypeVote, v(cs, gov.Vote{Choice: "object"}), []cid.Cid{cs}, bad},
		{"ranking repeats an option", gov.TypeVote, v(rk, gov.Vote{Rank: []string{"a", "b", "a"}}), []cid.Cid{rk}, bad},
		{"ranking names an unknown option", gov.TypeVote, v(rk, gov.Vote{Rank: []string{"a", "z"}}), []cid.Cid{rk}, bad},
		{"empty ranking", gov.TypeVote, v(rk, gov.Vote{Rank: []string{}}), []cid.Cid{rk}, bad},
		{"score out of range", gov.TypeVote, v(sc, gov.Vote{Points: []tally.Point{{Option: "a", N: 6}}}), []cid.Cid{sc}, bad},
		{"dots over budget", gov.TypeVote, v(dt, gov.Vote{Points: []tally.Point{{Option: "a", N: 2}, {Option: "b", N: 2}}}), []cid.Cid{dt}, bad},
		{"quadratic over budget", gov.TypeVote, v(qv, gov.Vote{Points: []tally.Point{{Option: "a", N: 2}, {Option: "b", N: 3}}}), []cid.Cid{qv}, bad},
		{"delegate to oneself", gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: f.key(f.bob)}, nil, no},
		{"delegate to a bad key", gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: []byte{1}}, nil, bad},
		{"close before the grace", gov.TypeClose, gov.Close{Proposal: crdt.Link{Cid: yn}}, []cid.Cid{yn}, no},
		{"join the root council", gov.TypeCouncilJoin, gov.CouncilMembership{Council: gov.Root}, nil, no},
		{"join an unknown council", gov.TypeCouncilJoin, gov.CouncilMembership{Council: gov.CouncilID(yn, 0)}, []cid.Cid{yn}, bad},
	} {
		t.Run(tc.name, func(t *testing.T) { f.refused(t, f.bob, tc.typ, tc.body, tc.want, tc.deps...) })
	}
	// A vote after the close time is refused.
	f.advance(3600_000 + 1)
	f.refused(t, f.bob, gov.TypeVote, v(yn, gov.Vote{Choice: "yes"}), no, yn)
}

func ballotOf(res *gov.Result, voter []byte) (gov.CountedBallot, bool) {
	for _, b := range res.Ballots {
		if b.Voter == hexID(voter) {
			return b, true
		}
	}
	return gov.CountedBallot{}, false
}

// TestVoteChangesAndDelegation: the latest vote counts; a delegation
// carries the delegator's vote, a topic delegation overrides the
// council-wide one, a direct vote overrides both, a revocation ends it.
func TestVoteChangesAndDelegation(t *testing.T) {
	f := newGovFixture(t)
	founder, bob, carol := f.key(f.founder), f.key(f.bob), f.key(f.carol)
	// Carol delegates everything to Bob, and "parks" to the founder.
	f.exact(t, f.carol, gov.TypeDelegate, gov.Delegation{Council: gov.Root, To: bob})
	f.exact(t, f.carol, gov.TypeDelegate, gov.Delegation{Council: gov.Root, Topic: "parks", To: founder})
	plain := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	parks := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority(), Topic: "parks"})
	for _, p := range []cid.Cid{plain, parks} {
		f.vote(t, f.bob, p, gov.Vote{Choice: "yes"})
		f.vote(t, f.bob, p, gov.Vote{Choice: "no"}) // changes his mind
		f.vote(t, f.founder, p, gov.Vote{Choice: "yes"})
	}
	for _, tc := range []struct {
		p       cid.Cid
		via     []byte
		yes, no int64
		carrier []byte
	}{{plain, bob, 1, 2, bob}, {parks, founder, 2, 1, founder}} {
		res := f.count(t, tc.p, f.ms())
		cb, ok := ballotOf(res, carol)
		if !ok || cb.Via != hexID(tc.via) {
			t.Fatalf("Carol's ballot %+v (found %v), want via %x", cb, ok, tc.via)
		}
		if res.YesNo.Yes != tc.yes || res.YesNo.No != tc.no || res.Carried[hexID(tc.carrier)] != 1 {
			t.Fatalf("yes %d no %d carried %v, want %d/%d", res.YesNo.Yes, res.YesNo.No, res.Carried, tc.yes, tc.no)
		}
	}
	// Carol votes herself on plain: her own vote overrides the delegation.
	f.vote(t, f.carol, plain, gov.Vote{Choice: "yes"})
	if res := f.count(t, plain, f.ms()); res.YesNo.Yes != 2 || res.YesNo.No != 1 {
		t.Fatalf("after Carol's own vote: yes %d no %d", res.YesNo.Yes, res.YesNo.No)
	}
	// Revoking the topic delegation falls back to the council-wide one.
	f.exact(t, f.carol, gov.TypeDelegate, gov.Delegation{Council: gov.Root, Topic: "parks"})
	if cb, _ := ballotOf(f.count(t, parks, f.ms()), carol); cb.Via != hexID(bob) {
		t.Fatalf("after revoking the topic delegation Carol follows %q, want Bob", cb.Via)
	}
}

// TestCloseDecidesCountedVotes: a vote no counted close saw is left out; a
// second close within the grace adds what it saw; a close after the grace
// does not; the status moves open → closing → final.
func TestCloseDecidesCountedVotes(t *testing.T) {
	f := newGovFixture(t)
	p := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	fv := f.vote(t, f.founder, p, gov.Vote{Choice: "yes"})
	bv := f.vote(t, f.bob, p, gov.Vote{Choice: "no"})
	cv := f.vote(t, f.carol, p, gov.Vote{Choice: "no"})
	closes := f.ms() + 3600_000
	if res := f.count(t, p, closes+1); res.Status != gov.StatusClosing || !res.Provisional || len(res.Ballots) != 3 {
		t.Fatalf("before any close: status %s, %d ballots", res.Status, len(res.Ballots))
	}
	// The founder closes having seen only her own vote and Bob's.
	c1 := f.closeAfter(t, f.founder, p, fv, bv)
	final := f.ms() + gov.DefaultGraceMillis
	res := f.count(t, p, final-1)
	if res.Status != gov.StatusClosing || len(res.Ballots) != 2 {
		t.Fatalf("one close, within grace: status %s, %d ballots", res.Status, len(res.Ballots))
	}
	// Carol closes within the grace, having seen her vote: it counts.
	f.advance(1000)
	f.exact(t, f.carol, gov.TypeClose, gov.Close{Proposal: crdt.Link{Cid: p}}, p, cv)
	res = f.count(t, p, final)
	if res.Status != gov.StatusFinal || len(res.Ballots) != 3 || res.YesNo.No != 2 || res.Passed {
		t.Fatalf("two closes, final: status %s, %d ballots, %+v", res.Status, len(res.Ballots), res.YesNo)
	}
	if res.Closes[0] != c1.String() || len(res.Closes) != 2 {
		t.Fatalf("counted closes %v", res.Closes)
	}
	// A close after the grace does not count (Bob's, which saw nothing new
	// anyway, is outside the window).
	f.advance(gov.DefaultGraceMillis)
	f.exact(t, f.bob, gov.TypeClose, gov.Close{Proposal: crdt.Link{Cid: p}}, p)
	if res := f.count(t, p, f.ms()); len(res.Closes) != 2 {
		t.Fatalf("a late close counted: %v", res.Closes)
	}
}

// TestDecisionsAct: a passed consent proposal creates a council and changes
// the settings once final; members join the open council; a proposal of
// the new council counts only its members.
func TestDecisionsAct(t *testing.T) {
	f := newGovFixture(t)
	newSettings := membership.Settings{MinBalance: -600, MaxBalance: 600, HalfLifeDays: 90}
	p := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{
		{Kind: gov.ActCouncilCreate, Name: "Bakery", CKind: gov.KindWorkers, Membership: gov.RuleOpen},
		{Kind: gov.ActSettings, Settings: &newSettings},
	}})
	v1 := f.vote(t, f.founder, p, gov.Vote{Choice: "consent"})
	v2 := f.vote(t, f.bob, p, gov.Vote{Choice: "consent"})
	f.closeAfter(t, f.carol, p, v1, v2)
	bakery := gov.CouncilID(p, 0)
	var before, after []gov.Council
	var st membership.Settings
	final := f.ms() + gov.DefaultGraceMillis
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		var err error
		if before, err = gov.Councils(r, final-1); err != nil {
			return err
		}
		if after, err = gov.Councils(r, final); err != nil {
			return err
		}
		st, err = gov.EffectiveSettings(r, final)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if len(before) != 1 || len(after) != 2 || after[1].ID != bakery || after[1].Name != "Bakery" || after[1].Parent != gov.Root {
		t.Fatalf("councils before final %+v, after %+v", before, after)
	}
	if st != newSettings {
		t.Fatalf("settings %+v, want %+v", st, newSettings)
	}
	f.advance(gov.DefaultGraceMillis)
	f.exact(t, f.bob, gov.TypeCouncilJoin, gov.CouncilMembership{Council: bakery}, p)
	f.exact(t, f.carol, gov.TypeCouncilJoin, gov.CouncilMembership{Council: bakery}, p)
	f.exact(t, f.carol, gov.TypeCouncilLeave, gov.CouncilMembership{Council: bakery}, p)
	q := f.propose(t, f.bob, gov.Proposal{Council: bakery, Method: gov.MethodConsent}, p)
	f.vote(t, f.bob, q, gov.Vote{Choice: "consent"})
	if res := f.count(t, q, f.ms()); res.Electorate != 1 || len(res.Ballots) != 1 {
		t.Fatalf("bakery proposal: electorate %d, %d ballots, want 1 and 1", res.Electorate, len(res.Ballots))
	}
}

// TestCausalElectorate: a proposal's electorate is what its causal past
// names (admissions for the root council, directly or through council
// rolls; the latest named join or leave for another council), never what
// the clock says: a member admitted or joined before the proposal by the
// clock but not named may not vote and is not counted.
func TestCausalElectorate(t *testing.T) {
	f := newGovFixture(t)
	soc, bobIn, carolIn := f.s.soc, f.bob.member.admit, f.carol.member.admit
	yes := gov.Vote{Choice: "yes"}
	v := func(p cid.Cid) gov.Vote { b := yes; b.Proposal = crdt.Link{Cid: p}; return b }

	// Carol was admitted before, but the proposal does not name her.
	p1 := f.proposeNaming(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()}, soc, bobIn)
	f.refused(t, f.carol, gov.TypeVote, v(p1), ledger.ErrNotAllowed, p1)
	f.vote(t, f.bob, p1, yes)
	if res := f.count(t, p1, f.ms()); res.Electorate != 2 || len(res.Ballots) != 1 {
		t.Fatalf("p1: electorate %d, %d ballots; want 2 and 1", res.Electorate, len(res.Ballots))
	}

	// Through a roll, and a roll of rolls: the founder and Carol only.
	r1 := f.exact(t, f.bob, gov.TypeRoll, gov.Roll{Council: gov.Root}, carolIn)
	r2 := f.exact(t, f.bob, gov.TypeRoll, gov.Roll{Council: gov.Root}, r1, soc)
	p2 := f.proposeNaming(t, f.bob, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()}, r2)
	f.vote(t, f.carol, p2, yes)
	f.refused(t, f.bob, gov.TypeVote, v(p2), ledger.ErrNotAllowed, p2)
	if res := f.count(t, p2, f.ms()); res.Electorate != 2 || len(res.Ballots) != 1 {
		t.Fatalf("p2: electorate %d, %d ballots; want 2 and 1", res.Electorate, len(res.Ballots))
	}
	f.refused(t, f.bob, gov.TypeRoll, gov.Roll{Council: gov.Root}, ledger.ErrBadBody)

	// A council: Bob and Carol join, Carol leaves; what a proposal names
	// decides, whatever the clock.
	mk := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{
		{Kind: gov.ActCouncilCreate, Name: "Bakery", CKind: gov.KindWorkers, Membership: gov.RuleOpen}}})
	f.vote(t, f.founder, mk, gov.Vote{Choice: "consent"})
	f.closeAfter(t, f.carol, mk)
	f.advance(gov.DefaultGraceMillis)
	bakery := gov.CouncilID(mk, 0)
	bj := f.exact(t, f.bob, gov.TypeCouncilJoin, gov.CouncilMembership{Council: bakery}, mk)
	cj := f.exact(t, f.carol, gov.TypeCouncilJoin, gov.CouncilMembership{Council: bakery}, mk)
	onlyBob := f.proposeNaming(t, f.founder, gov.Proposal{Council: bakery, Method: gov.MethodConsent}, mk, bj)
	both := f.proposeNaming(t, f.founder, gov.Proposal{Council: bakery, Method: gov.MethodConsent}, mk, bj, cj)
	cl := f.exact(t, f.carol, gov.TypeCouncilLeave, gov.CouncilMembership{Council: bakery}, mk)
	left := f.proposeNaming(t, f.founder, gov.Proposal{Council: bakery, Method: gov.MethodConsent}, mk, bj, cj, cl)
	auto := f.propose(t, f.founder, gov.Proposal{Council: bakery, Method: gov.MethodConsent}, mk)
	for _, tc := range []struct {
		name string
		p    cid.Cid
		want int
	}{{"names Bob only", onlyBob, 1}, {"names both joins", both, 2}, {"names Carol's leave", left, 1}, {"names what the store holds", auto, 1}} {
		if res := f.count(t, tc.p, f.ms()); res.Electorate != tc.want {
			t.Errorf("%s: electorate %d, want %d", tc.name, res.Electorate, tc.want)
		}
	}
	// The named electorate is read again from the records alone.
	gov.ForgetCounts()
	if res := f.count(t, both, f.ms()); res.Electorate != 2 {
		t.Fatalf("after forgetting: electorate %d, want 2", res.Electorate)
	}
}

// TestElectorateThroughRolls: a root proposal in a society too large for
// its deps names the admissions through council-roll records, and every
// member named that way may vote and is counted.
func TestElectorateThroughRolls(t *testing.T) {
	f := newGovFixture(t)
	s := f.s
	start := len(s.raws)
	var devs []*simDevice
	secret := newKey(s.rng)
	ic := s.emit(f.founder, membership.TypeInvite, membership.Invite{Key: secret.Public().(ed25519.PublicKey), Expires: s.now>>16 + 1e9, Uses: 1000}, nil)
	f.invite = simInvite{cid: ic, secret: secret, author: f.founder}
	for range 300 {
		m := &simMember{key: newKey(s.rng)}
		d := s.newDevice(m)
		s.members = append(s.members, m)
		jc := s.emit(d, membership.TypeJoin, f.joinBody(m.key, d.key, secret), []cid.Cid{ic})
		m.admit = s.emit(f.founder, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: ic}}, []cid.Cid{jc, ic})
		m.admitted = true
		devs = append(devs, d)
	}
	deps := s.electorateDeps(f.founder)
	rolls := len(s.raws) - start - 601
	p := s.emit(f.founder, gov.TypeProposal, gov.Proposal{Council: gov.Root, Title: "Big", Method: gov.MethodYesNo, Rule: majority(),
		Opens: f.ms(), Closes: f.ms() + 3600_000}, deps)
	for _, d := range devs {
		s.emit(d, gov.TypeVote, gov.Vote{Proposal: crdt.Link{Cid: p}, Choice: "yes"}, []cid.Cid{p})
	}
	res, err := f.st.Ingest(s.soc, s.raws[start:])
	if err != nil || len(res.Rejected) > 0 {
		t.Fatalf("ingest: %v; %d of %d refused", err, len(res.Rejected), len(s.raws)-start)
	}
	if rolls < 5 {
		t.Fatalf("%d rolls written, want at least 5", rolls)
	}
	if r := f.count(t, p, f.ms()); r.Electorate != 303 || len(r.Ballots) != 300 {
		t.Fatalf("electorate %d, %d ballots; want 303 and 300", r.Electorate, len(r.Ballots))
	}
}

// TestDecisionsRemoveAndSpend: a passed proposal that removes a member and
// pays another out of the community account acts once final, and not
// before: the removed member drops out of later electorates, the payout
// moves both balances, and the treasury lists it with its proposal.
func TestDecisionsRemoveAndSpend(t *testing.T) {
	f := newGovFixture(t)
	carol, bob := mkey(f.carol), mkey(f.bob)
	p := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority(), Actions: []gov.Action{
		{Kind: gov.ActRemoveMember, Member: carol},
		{Kind: gov.ActSpend, Member: bob, Amount: 120},
	}})
	v1 := f.vote(t, f.founder, p, gov.Vote{Choice: "yes"})
	v2 := f.vote(t, f.bob, p, gov.Vote{Choice: "yes"})
	f.closeAfter(t, f.founder, p, v1, v2)
	final := f.ms() + gov.DefaultGraceMillis
	type seen struct {
		removed       bool
		bob, pool     int64
		out, lines    int
		from          string
		treasuryProp  string
		laterElectors int
	}
	look := func(now uint64) seen {
		t.Helper()
		var s seen
		if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
			fx, err := gov.EffectsAt(r, now)
			if err != nil {
				return err
			}
			_, s.removed = fx.Removed(carol)
			s.bob, s.pool = fx.Paid(bob), fx.Paid(membership.Community)
			tr, err := gov.TreasuryAt(r, now)
			if err != nil {
				return err
			}
			s.out, s.lines = int(tr.Out), len(tr.Lines)
			if len(tr.Lines) > 0 {
				s.treasuryProp = tr.Lines[len(tr.Lines)-1].Proposal
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := look(final - 1); s.removed || s.bob != 0 || s.pool != 0 || s.lines != 0 {
		t.Fatalf("before final: %+v", s)
	}
	s := look(final)
	if !s.removed || s.bob != 120 || s.pool != -120 || s.out != 120 || s.lines != 1 || s.treasuryProp != p.String() {
		t.Fatalf("once final: %+v", s)
	}
	f.advance(gov.DefaultGraceMillis)
	q := f.propose(t, f.bob, gov.Proposal{Method: gov.MethodConsent})
	if res := f.count(t, q, f.ms()); res.Electorate != 2 {
		t.Fatalf("after the removal, the root electorate is %d, want 2", res.Electorate)
	}
}

// TestFounderSettingsAfterBootstrap: the founder's settings record counts
// while the society is smaller than gov.BootstrapMembers, and not once it
// has grown; a decision's settings count after it.
func TestFounderSettingsAfterBootstrap(t *testing.T) {
	f := newGovFixture(t) // founder, Bob and Carol: past the bootstrap
	var genesis, early membership.Settings
	read := func() (membership.Settings, bool) {
		t.Helper()
		var st membership.Settings
		var small bool
		if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
			var err error
			if st, err = gov.EffectiveSettings(r, f.ms()); err != nil {
				return err
			}
			small, err = gov.InBootstrap(r)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return st, small
	}
	genesis, small := read()
	if small {
		t.Fatal("three members: still in the bootstrap")
	}
	early = genesis
	early.HalfLifeDays = 30
	f.advance(1000)
	f.exact(t, f.founder, membership.TypeSettings, early)
	if st, _ := read(); st != genesis {
		t.Fatalf("the founder's settings after the bootstrap took effect: %+v, want the genesis %+v", st, genesis)
	}
	decided := genesis
	decided.HalfLifeDays = 45
	p := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{{Kind: gov.ActSettings, Settings: &decided}}})
	v := f.vote(t, f.bob, p, gov.Vote{Choice: "consent"})
	f.closeAfter(t, f.bob, p, v)
	f.advance(gov.DefaultGraceMillis)
	if st, _ := read(); st != decided {
		t.Fatalf("settings %+v, want the decision's %+v", st, decided)
	}
}

// TestQuadraticCreditsPerPeriod: a member's voice credits are shared by
// the council's quadratic proposals opening in the same month; the vote
// that takes them past the budget (100 by default) counts for nothing, on
// that proposal, and CreditsLeft tells the front end what remains. A
// proposal of the next month starts afresh.
func TestQuadraticCreditsPerPeriod(t *testing.T) {
	f := newGovFixture(t)
	quad := func(opens uint64) cid.Cid {
		return f.propose(t, f.founder, gov.Proposal{Method: gov.MethodQuadratic, Options: []gov.Option{{Name: "a"}, {Name: "b"}},
			Opens: opens, Closes: opens + 3600_000, Rule: gov.Rule{Credits: 100}})
	}
	pts := func(n int64) gov.Vote { return gov.Vote{Points: []tally.Point{{Option: "a", N: n}}} }
	now := f.ms()
	q1, q2 := quad(now), quad(now)
	f.vote(t, f.bob, q1, pts(8))         // 64 credits
	over := f.vote(t, f.bob, q2, pts(7)) // 49 more: 113, over the budget
	f.vote(t, f.carol, q2, pts(6))       // Carol's own 36
	f.vote(t, f.bob, q1, pts(4))         // Bob lowers q1 to 16: later, so q2's vote stays void
	r2 := f.count(t, q2, f.ms())
	if len(r2.Overspent) != 1 || r2.Overspent[0] != over.String() || len(r2.Ballots) != 1 || votesFor(r2, "a") != 6 {
		t.Fatalf("q2: overspent %v, %d ballots, %+v", r2.Overspent, len(r2.Ballots), r2.Points)
	}
	if r1 := f.count(t, q1, f.ms()); len(r1.Overspent) != 0 || votesFor(r1, "a") != 4 {
		t.Fatalf("q1: overspent %v, %+v", r1.Overspent, r1.Points)
	}
	var left, budget int64
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		pv, _, err := gov.ProposalByID(r, q2)
		if err != nil {
			return err
		}
		left, budget, err = gov.CreditsLeft(r, pv, mkey(f.bob), f.ms())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if budget != gov.DefaultCredits || left != gov.DefaultCredits-16 {
		t.Fatalf("Bob's credits left on q2: %d of %d, want %d", left, budget, gov.DefaultCredits-16)
	}
	// Next month: a fresh budget.
	next := now + 32*24*3600_000
	f.advance(next - f.ms())
	q3 := quad(next)
	f.vote(t, f.bob, q3, pts(10)) // 100 credits
	if r3 := f.count(t, q3, f.ms()); len(r3.Overspent) != 0 || votesFor(r3, "a") != 10 {
		t.Fatalf("next month: overspent %v, %+v", r3.Overspent, r3.Points)
	}
}

// TestReputationWeight: after a decision weighing root votes by reputation
// with a cap of 3, Bob's vote (30 hours of services confirmed by their
// receivers: 1 + 3) weighs the cap, 3, and Carol's (no work) 1; proposals
// opened before the decision still count one member, one vote.
func TestReputationWeight(t *testing.T) {
	f := newGovFixture(t)
	for _, d := range []*simDevice{f.carol, f.founder} {
		tx := f.do(t, f.bob, timebank.TypeTransfer, give(mkey(d), 15*60))
		f.do(t, d, timebank.TypeAnswer, confirm(tx, mkey(d)), tx)
	}
	before := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority(),
		Opens: f.ms(), Closes: f.ms() + 10*24*3600_000})
	p := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodConsent, Actions: []gov.Action{
		{Kind: gov.ActCouncilWeight, Weight: gov.WeightReputation, Cap: 3}}})
	v := f.vote(t, f.bob, p, gov.Vote{Choice: "consent"})
	f.closeAfter(t, f.bob, p, v)
	f.advance(gov.DefaultGraceMillis)
	q := f.propose(t, f.founder, gov.Proposal{Method: gov.MethodYesNo, Rule: majority()})
	for _, x := range []cid.Cid{q, before} {
		f.vote(t, f.bob, x, gov.Vote{Choice: "yes"})
		f.vote(t, f.carol, x, gov.Vote{Choice: "no"})
	}
	if res := f.count(t, q, f.ms()); res.YesNo.Yes != 3 || res.YesNo.No != 1 {
		t.Fatalf("weighed by reputation: %+v", res.YesNo)
	}
	if res := f.count(t, before, f.ms()); res.YesNo.Yes != 1 || res.YesNo.No != 1 {
		t.Fatalf("opened before the decision: %+v", res.YesNo)
	}
}

// votesFor is an option's votes in a points result.
func votesFor(res *gov.Result, option string) int64 {
	for _, c := range res.Points.Counts {
		if c.Option == option {
			return c.Votes
		}
	}
	return 0
}
