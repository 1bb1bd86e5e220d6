package all_test

import (
	"encoding/json"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/commons-society/commons/crdt"
	gov "github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/ipfs/go-cid"
)

// simProposal is a proposal the sim wrote, with its votes so far.
type simProposal struct {
	cid   cid.Cid
	p     gov.Proposal
	time  crdt.HLC
	votes []cid.Cid
	// named are the members whose admission the proposal names: its
	// electorate.
	named map[*simMember]bool
}

// timeOf returns the time of a record the sim wrote.
func (s *sim) timeOf(c cid.Cid) crdt.HLC {
	i := slices.IndexFunc(s.cids, c.Equals)
	r, _, err := crdt.Decode(s.raws[i])
	if err != nil {
		panic(err)
	}
	return r.Time
}

func (s *sim) randomProposal() gov.Proposal {
	p := gov.Proposal{Council: gov.Root, Title: "sim", Method: gov.Methods[s.rng.IntN(len(gov.Methods))]}
	ms := crdt.HLC(s.now).Millis()
	p.Opens, p.Closes = ms, ms+100
	p.Rule.GraceMillis = 50
	if s.rng.IntN(2) == 0 {
		p.Topic = "parks"
	}
	if s.actRng().IntN(3) == 0 {
		p.Method = gov.MethodConsent // more decisions that act
	}
	switch p.Method {
	case gov.MethodYesNo:
		p.Rule.Quorum, p.Rule.Threshold = tally.Frac{Num: 1, Den: 4}, tally.Frac{Num: 1, Den: 2}
		if s.rng.IntN(2) == 0 {
			p.Actions = []gov.Action{{Kind: gov.ActCouncilCreate, Name: "c", CKind: gov.KindConsumers, Membership: gov.RuleOpen}}
		}
		p.Actions = append(p.Actions, s.randomActions()...)
	case gov.MethodConsent, gov.MethodConsensus:
		p.Actions = s.randomActions()
	default:
		n := 2 + s.rng.IntN(4)
		for i := range n {
			o := gov.Option{Name: string(rune('a' + i))}
			if p.Method == gov.MethodBudgetMES || p.Method == gov.MethodBudgetGreedy {
				o.Cost = int64(1 + s.rng.IntN(50))
				p.Rule.Budget = 60
			}
			p.Options = append(p.Options, o)
		}
		switch p.Method {
		case gov.MethodScore:
			p.Rule.ScoreMax = 5
		case gov.MethodDots:
			p.Rule.Dots = 4
		case gov.MethodQuadratic:
			p.Rule.Credits = 10
		}
		if p.Method == gov.MethodSTV || p.Method == gov.MethodApproval {
			p.Rule.Seats = int64(1 + s.rng.IntN(n-1))
		}
	}
	return p
}

// actRng is the random source of actions and of fewer objections, apart
// from the sim's so that the rest of the traffic stays as it was.
func (s *sim) actRng() *rand.Rand {
	if s.arng == nil {
		s.arng = rand.New(rand.NewPCG(3, 5))
	}
	return s.arng
}

// randomActions are one or two actions acting on the other modules or the
// root council's rules: a removal, a spend, a settings change, voice
// credits or reputation weight.
func (s *sim) randomActions() []gov.Action {
	var out []gov.Action
	rng := s.actRng()
	for range 1 + rng.IntN(2) {
		m := memberKey(s.members[rng.IntN(len(s.members))])
		switch rng.IntN(5) {
		case 0:
			out = append(out, gov.Action{Kind: gov.ActRemoveMember, Member: m})
		case 1:
			out = append(out, gov.Action{Kind: gov.ActSpend, Member: m, Amount: int64(1 + rng.IntN(90))})
		case 2:
			st := membership.DefaultSettings()
			st.HalfLifeDays = uint64(1 + rng.IntN(400))
			out = append(out, gov.Action{Kind: gov.ActSettings, Settings: &st})
		case 3:
			out = append(out, gov.Action{Kind: gov.ActCouncilCredits, Credits: int64(5 + rng.IntN(20))})
		case 4:
			out = append(out, gov.Action{Kind: gov.ActCouncilWeight, Weight: gov.WeightReputation, Cap: int64(1 + rng.IntN(4))})
		}
	}
	return out
}

// randomBallot is a valid ballot of p; over spends the quadratic budget.
func (s *sim) randomBallot(p gov.Proposal) gov.Vote {
	pick := func(xs ...string) string { return xs[s.rng.IntN(len(xs))] }
	var v gov.Vote
	names := make([]string, len(p.Options))
	for i, o := range p.Options {
		names[i] = o.Name
	}
	s.rng.Shuffle(len(names), func(i, j int) { names[i], names[j] = names[j], names[i] })
	switch p.Method {
	case gov.MethodYesNo:
		v.Choice = pick("yes", "no", "abstain")
	case gov.MethodConsent:
		v.Choice = pick("consent", "consent", "object")
		if v.Choice == "object" && s.actRng().IntN(4) != 0 {
			v.Choice = "consent" // objections rarer, so that some actions pass
		}
	case gov.MethodConsensus:
		v.Choice = pick("agree", "agree", "disagree", "abstain", "block")
		if v.Choice == "block" && s.actRng().IntN(4) != 0 {
			v.Choice = "agree"
		}
	case gov.MethodApproval, gov.MethodBudgetMES, gov.MethodBudgetGreedy:
		v.Approve = names[:s.rng.IntN(len(names)+1)]
	case gov.MethodIRV, gov.MethodSTV, gov.MethodSchulze:
		v.Rank = names[:1+s.rng.IntN(len(names))]
	case gov.MethodScore:
		for _, n := range names[:1+s.rng.IntN(len(names))] {
			v.Points = append(v.Points, tally.Point{Option: n, N: int64(s.rng.IntN(6))})
		}
	case gov.MethodDots:
		v.Points = []tally.Point{{Option: names[0], N: int64(1 + s.rng.IntN(2))}, {Option: names[1], N: int64(s.rng.IntN(3))}}
	case gov.MethodQuadratic:
		v.Points = []tally.Point{{Option: names[0], N: int64(s.rng.IntN(5) - 2)}, {Option: names[1], N: int64(s.rng.IntN(3))}}
	}
	if v.Choice == "object" || v.Choice == "block" {
		v.Reason = "because"
	}
	return v
}

// electorateDeps is what d's proposal to the root council names for its
// electorate: the genesis and every admitted member's admission, in
// council-roll records when they do not fit among its deps, as the
// node writes them.
func (s *sim) electorateDeps(d *simDevice) []cid.Cid {
	deps := []cid.Cid{s.soc}
	for _, m := range s.members {
		if m.admitted && m.admit.Defined() {
			deps = append(deps, m.admit)
		}
	}
	const per = crdt.MaxDeps - 3 // emit may add an anchor and two random deps
	for len(deps) > per {
		var rolls []cid.Cid
		for chunk := range slices.Chunk(deps, per) {
			rolls = append(rolls, s.emit(d, gov.TypeRoll, gov.Roll{Council: gov.Root}, chunk))
		}
		deps = rolls
	}
	return deps
}

// govStep writes one governance record (or an invalid one).
func (s *sim) govStep(act []*simDevice) {
	d := s.pick(act)
	ms := crdt.HLC(s.now).Millis()
	var open, due []*simProposal
	for i := range s.props {
		sp := &s.props[i]
		if sp.p.Closes >= ms+2 { // a little margin: signing moves the clock
			open = append(open, sp)
		} else if ms > sp.p.Closes+sp.p.Rule.GraceMillis {
			due = append(due, sp)
		}
	}
	switch k := s.rng.IntN(20); {
	case k < 1 || len(open) == 0:
		p := s.randomProposal()
		// The proposal names the admissions its writer knows of, as the
		// node does, but now and then misses one (a member whose admission
		// had not reached the writer): that member may not vote on it.
		named := map[*simMember]bool{}
		var deps []cid.Cid
		for i, m := range s.members {
			if m != s.founder.member && (!m.admitted || !m.admit.Defined()) {
				continue
			}
			if len(s.props)%5 == 2 && len(s.members) > 1 && i == 1+len(s.props)%(len(s.members)-1) {
				continue
			}
			named[m] = true
			if m == s.founder.member {
				deps = append(deps, s.soc)
			} else {
				deps = append(deps, m.admit)
			}
		}
		if len(s.props)%5 == 1 { // as the node does when they do not fit
			deps = []cid.Cid{s.emit(d, gov.TypeRoll, gov.Roll{Council: gov.Root}, deps)}
		}
		c := s.emit(d, gov.TypeProposal, p, deps)
		s.props = append(s.props, simProposal{cid: c, p: p, time: s.timeOf(c), named: named})
	case k < 11:
		sp := open[s.rng.IntN(len(open))]
		if !sp.named[d.member] {
			return
		}
		v := s.randomBallot(sp.p)
		v.Proposal = crdt.Link{Cid: sp.cid}
		sp.votes = append(sp.votes, s.emit(d, gov.TypeVote, v, []cid.Cid{sp.cid}))
	case k < 15:
		to := s.pick(act).member
		if to == d.member {
			return
		}
		dl := gov.Delegation{Council: gov.Root, To: memberKey(to)}
		if s.rng.IntN(2) == 0 {
			dl.Topic = "parks"
		}
		if s.rng.IntN(4) == 0 {
			dl.To = nil
		}
		s.emit(d, gov.TypeDelegate, dl, nil)
		s.delegations++
	case k < 16: // join a council some proposal would create
		for _, sp := range s.props {
			if len(sp.p.Actions) > 0 && sp.p.Actions[0].Kind == gov.ActCouncilCreate {
				s.emit(d, gov.TypeCouncilJoin, gov.CouncilMembership{Council: gov.CouncilID(sp.cid, 0)}, []cid.Cid{sp.cid})
				return
			}
		}
	case k < 19 && len(due) > 0:
		sp := due[s.rng.IntN(len(due))]
		deps := []cid.Cid{sp.cid}
		for _, v := range sp.votes {
			if s.rng.IntN(3) != 0 {
				deps = append(deps, v)
			}
		}
		s.emit(d, gov.TypeClose, gov.Close{Proposal: crdt.Link{Cid: sp.cid}}, deps)
	case k < 20 && len(open) > 0: // a ballot every peer must refuse
		sp := open[s.rng.IntN(len(open))]
		v := gov.Vote{Proposal: crdt.Link{Cid: sp.cid}, Choice: "perhaps"}
		raw, c := s.sign(d, gov.TypeVote, v, []cid.Cid{sp.cid}, d.seq+1, d.head)
		s.raws = append(s.raws, raw)
		s.cids = append(s.cids, c)
		s.bad[c] = true
	}
}

// govOutcome is every proposal's count, the councils and the decisions, as
// JSON, at a time after every proposal is final.
func govOutcome(t *testing.T, st *crdt.Store, s *sim) string {
	t.Helper()
	now := crdt.HLC(s.now).Millis() + 1_000_000
	var out []any
	if err := st.View(s.soc, func(r *crdt.Reader) error {
		for _, sp := range s.props {
			if _, ok, err := gov.ProposalByID(r, sp.cid); err != nil || !ok {
				out = append(out, "absent")
				continue
			}
			res, err := gov.Recount(r, sp.cid, now)
			if err != nil {
				return err
			}
			out = append(out, res)
		}
		cs, err := gov.Councils(r, now)
		if err != nil {
			return err
		}
		ds, err := gov.Decisions(r, now)
		if err != nil {
			return err
		}
		tr, err := gov.TreasuryAt(r, now)
		if err != nil {
			return err
		}
		fx, err := gov.EffectsAt(r, now)
		if err != nil {
			return err
		}
		var removed []bool
		for _, m := range s.members {
			_, gone := fx.Removed(memberKey(m))
			removed = append(removed, gone)
		}
		out = append(out, cs, ds, tr, fx.Settings, fx.SettingsFrom, fx.Payouts(), removed)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(out)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// TestGovernanceConvergence: a random society with governance traffic from
// 20 devices (proposals of every method, votes and vote changes,
// delegations and revocations, closes, forks, revocations, invalid
// ballots) gives the same state hash and the same results, councils and
// decisions in every delivery order and after a rebuild.
func TestGovernanceConvergence(t *testing.T) {
	s := newSim(11)
	s.gov = true
	s.run(2000)
	rng := rand.New(rand.NewPCG(11, 7))
	var want crdt.StateHash
	var wantOut string
	orders := deliveryOrders(s, rng)
	for i, o := range orders {
		st := openStore(t)
		rej := deliver(t, st, s, o.order, rng)
		for c, err := range rej {
			if !s.bad[c] && i == 0 {
				t.Fatalf("a valid record was refused: %v", err)
			}
		}
		for c := range s.bad {
			if _, err := st.Record(c); err == nil {
				t.Fatalf("%s: invalid record %s was stored", o.name, c)
			}
		}
		h, _, err := st.State(s.soc)
		if err != nil {
			t.Fatal(err)
		}
		got := govOutcome(t, st, s)
		if i == 0 {
			want, wantOut = h, got
			var votes, final int
			for _, sp := range s.props {
				votes += len(sp.votes)
			}
			final = len(s.props)
			t.Logf("%d records, %d proposals, %d votes, %d devices, state %s", len(s.raws), final, votes, len(s.devices), h)
			var outcome []json.RawMessage
			if err := json.Unmarshal([]byte(got), &outcome); err != nil {
				t.Fatal(err)
			}
			var finals, delegated, decided int
			for _, raw := range outcome[:len(s.props)] {
				var res gov.Result
				if json.Unmarshal(raw, &res) != nil {
					continue
				}
				if res.Status == gov.StatusFinal {
					finals++
				}
				if len(res.Winners) > 0 || res.Passed {
					decided++
				}
				for _, b := range res.Ballots {
					if b.Via != "" {
						delegated++
					}
				}
			}
			acted := map[string]int{}
			var ds []gov.Decision
			if err := json.Unmarshal(outcome[len(s.props)+1], &ds); err != nil {
				t.Fatal(err)
			}
			for _, d := range ds {
				if d.Done {
					acted[d.Action.Kind]++
				}
			}
			t.Logf("%d delegation records", s.delegations)
			t.Logf("%d final, %d with a winner or passed, %d delegated ballots; actions done: %v", finals, decided, delegated, acted)
			if len(acted) < 3 {
				t.Fatalf("too few kinds of actions carried out: %v", acted)
			}
			if len(s.props) < 20 || votes < 100 || finals < 10 || delegated == 0 || decided < 10 {
				t.Fatalf("too little governance traffic: %d proposals, %d votes, %d final, %d delegated, %d decided",
					len(s.props), votes, finals, delegated, decided)
			}
			continue
		}
		if h != want {
			t.Fatalf("%s: state %s, want %s", o.name, h, want)
		}
		if got != wantOut {
			t.Fatalf("%s: governance results differ", o.name)
		}
		if err := st.Rebuild(s.soc); err != nil {
			t.Fatal(err)
		}
		if h2, _, _ := st.State(s.soc); h2 != want || govOutcome(t, st, s) != wantOut {
			t.Fatalf("%s: rebuilt state or results differ", o.name)
		}
	}
}
