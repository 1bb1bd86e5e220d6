package governance

import (
	"testing"

	"github.com/commons-society/commons/ledger/governance/tally"
)

// TestNoBallotsNoWinner: for every voting method, a count with no ballots
// names no winner and passes nothing, while one ballot for the first
// option does (so the test sees a method that never names one).
func TestNoBallotsNoWinner(t *testing.T) {
	one := map[string]tally.Ballot{
		MethodYesNo:        {Choice: tally.Yes},
		MethodConsent:      {Choice: tally.Consent},
		MethodConsensus:    {Choice: tally.Agree},
		MethodApproval:     {Approve: []string{"a"}},
		MethodScore:        {Points: []tally.Point{{Option: "a", N: 3}}},
		MethodDots:         {Points: []tally.Point{{Option: "a", N: 2}}},
		MethodQuadratic:    {Points: []tally.Point{{Option: "a", N: 2}}},
		MethodIRV:          {Rank: []string{"a"}},
		MethodSTV:          {Rank: []string{"a"}},
		MethodSchulze:      {Rank: []string{"a"}},
		MethodBudgetMES:    {Approve: []string{"a"}},
		MethodBudgetGreedy: {Approve: []string{"a"}},
	}
	if len(one) != len(Methods) {
		t.Fatalf("the test covers %d methods of %d", len(one), len(Methods))
	}
	for _, method := range Methods {
		t.Run(method, func(t *testing.T) {
			p := Proposal{Method: method, Rule: Rule{Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 1, Den: 2}}}
			if !fixedChoices(method) {
				p.Options = []Option{{Name: "a"}, {Name: "b"}, {Name: "c"}}
				if isBudget(method) {
					p.Rule.Budget = 100
					for i := range p.Options {
						p.Options[i].Cost = 40
					}
				}
				if method == MethodSTV {
					p.Rule.Seats = 2
				}
			}
			for _, tc := range []struct {
				name    string
				ballots []tally.Ballot
				wins    bool
			}{
				{"no ballots", nil, false},
				{"one ballot", []tally.Ballot{withVoter(one[method])}, true},
			} {
				var res Result
				tallyInto(&res, p, tc.ballots, 1)
				if wins := res.Passed || len(res.Winners) > 0; wins != tc.wins {
					t.Errorf("%s: passed %v, winners %v; want a winner: %v", tc.name, res.Passed, res.Winners, tc.wins)
				}
			}
		})
	}
}

func withVoter(b tally.Ballot) tally.Ballot {
	b.Voter, b.Weight = "v", 1
	return b
}
