package tally

import (
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
)

// runningCase is one method counted both ways: run keeps it ballot by
// ballot, result reads run, and want is the method's function.
type runningCase struct {
	name   string
	run    func() Running
	result func(Running) any
	want   func([]Ballot) any
}

func runningCases(opts []string, projects []Project, electorate int64) []runningCase {
	rule := YesNoRule{Quorum: Frac{1, 3}, Threshold: Frac{1, 2}}
	choices := func() Running { return NewChoices() }
	return []runningCase{
		{"yesno", choices, func(r Running) any { return r.(*Choices).YesNo(electorate, rule) },
			func(bs []Ballot) any { return CountYesNo(bs, electorate, rule) }},
		{"consent", choices, func(r Running) any { return r.(*Choices).Consent() },
			func(bs []Ballot) any { return CountConsent(bs) }},
		{"consensus", choices, func(r Running) any { return r.(*Choices).Consensus() },
			func(bs []Ballot) any { return CountConsensus(bs) }},
		{"approval", func() Running { return NewSums(opts, SumApprovals) }, func(r Running) any { return r.(*Sums).Points(2) },
			func(bs []Ballot) any { return Approval(opts, bs, 2) }},
		{"score", func() Running { return NewSums(opts, SumPoints) }, func(r Running) any { return r.(*Sums).Points(1) },
			func(bs []Ballot) any { return Score(opts, bs, 1) }},
		{"quadratic", func() Running { return NewSums(opts, SumQuadratic) }, func(r Running) any { return r.(*Sums).Points(1) },
			func(bs []Ballot) any { return Quadratic(opts, bs, 1) }},
		{"greedy", func() Running { return NewSums(opts, SumApprovals) }, func(r Running) any { return r.(*Sums).Greedy(projects, 30) },
			func(bs []Ballot) any { return GreedyBudget(projects, bs, 30) }},
		{"irv", func() Running { return NewRanks(opts) }, func(r Running) any { return r.(*Ranks).IRV() },
			func(bs []Ballot) any { return IRV(opts, bs) }},
		{"stv", func() Running { return NewRanks(opts) }, func(r Running) any { return r.(*Ranks).STV(2) },
			func(bs []Ballot) any { return STV(opts, bs, 2) }},
		{"schulze", func() Running { return NewPairwise(opts) }, func(r Running) any { return r.(*Pairwise).Schulze() },
			func(bs []Ballot) any { return Schulze(opts, bs) }},
		{"equal shares", func() Running { return NewGroups(projects) }, func(r Running) any { return r.(*Groups).EqualShares(30) },
			func(bs []Ballot) any { return EqualShares(projects, bs, 30) }},
	}
}

// randomBallot is a ballot of every shape at once, with now and then a
// duplicate or a name that is no option (which the functions skip).
func randomBallot(r *rand.Rand, opts []string) Ballot {
	pick := func() string {
		if r.IntN(20) == 0 {
			return "nobody"
		}
		return opts[r.IntN(len(opts))]
	}
	b := Ballot{Choice: []string{Yes, No, Abstain, Consent, Object, Agree, Disagree, Block, "maybe"}[r.IntN(9)]}
	for range r.IntN(4) {
		b.Approve = append(b.Approve, pick())
		b.Rank = append(b.Rank, pick())
		b.Points = append(b.Points, Point{Option: pick(), N: int64(r.IntN(7) - 3)})
	}
	return b
}

// TestRunningMatchesFunctions: a roll of 40 members changed 300 times at
// random (votes cast, changed and withdrawn, delegations given, moved and
// revoked, chains and cycles among them), each change applied through
// Live.Change to a Running count of every method, gives after each change
// the ballots, carried weights and result the functions give counting the
// whole roll again (Roll.Delegate, then the method).
func TestRunningMatchesFunctions(t *testing.T) {
	for _, n := range []int{5, 70} { // options: equal shares by bit mask, and by name
		opts := make([]string, n)
		projects := make([]Project, n)
		for i := range opts {
			opts[i] = fmt.Sprintf("o%d", i)
			projects[i] = Project{Option: opts[i], Cost: int64(3 + i%7)}
		}
		for _, tc := range runningCases(opts, projects, 40) {
			t.Run(fmt.Sprint(tc.name, "/", n, " options"), func(t *testing.T) {
				r := rand.New(rand.NewPCG(uint64(n), 3))
				const members = 40
				roll := &Roll{Voters: make([]string, members), Weight: make([]int64, members), Direct: make([]Ballot, members),
					Voted: make([]bool, members), To: make([]int, members)}
				for m := range members {
					roll.Voters[m] = fmt.Sprintf("m%02d", m)
					roll.Weight[m] = int64(r.IntN(4)) // weight 0 included
					roll.To[m] = -1
					if r.IntN(2) == 0 {
						roll.Direct[m], roll.Voted[m] = randomBallot(r, opts), true
					} else if r.IntN(2) == 0 {
						roll.To[m] = r.IntN(members)
					}
				}
				live := NewLive(roll)
				run := tc.run()
				live.Count(run)
				for step := range 300 {
					x := r.IntN(members)
					switch r.IntN(3) {
					case 0:
						live.Change(x, run, func() { roll.Direct[x], roll.Voted[x] = randomBallot(r, opts), true })
					case 1:
						live.Change(x, run, func() { roll.Direct[x], roll.Voted[x] = Ballot{}, false })
					default:
						to := r.IntN(members+1) - 1
						live.Change(x, run, func() { live.SetTo(x, to) })
					}
					dr, places := roll.Delegate()
					for _, pl := range places {
						if live.Source(pl.Voter) != pl.Source {
							t.Fatalf("step %d: member %d counts %d's ballot, want %d's", step, pl.Voter, live.Source(pl.Voter), pl.Source)
						}
					}
					counted := 0
					for m := range members {
						if live.Source(m) >= 0 {
							counted++
						}
					}
					if counted != len(places) {
						t.Fatalf("step %d: %d ballots counted, want %d", step, counted, len(places))
					}
					if got := live.Carried(); !reflect.DeepEqual(got, dr.Carried) {
						t.Fatalf("step %d: carried %v, want %v", step, got, dr.Carried)
					}
					if got, want := tc.result(run), tc.want(dr.Ballots); !reflect.DeepEqual(got, want) {
						t.Fatalf("step %d: kept %+v\ncounted %+v", step, got, want)
					}
				}
			})
		}
	}
}
