package tally

import (
	"fmt"
	"math/rand/v2"
	"testing"
)

// benchSetup makes a proposal with 10,000 voters over 12 options, 2,000
// of whom delegate (in chains, some cycles) instead of voting.
func benchSetup() (opts []string, electorate []string, weight map[string]int64, direct map[string]Ballot, to map[string]string) {
	r := rand.New(rand.NewPCG(1, 2))
	for i := 0; i < 12; i++ {
		opts = append(opts, fmt.Sprintf("option-%02d", i))
	}
	weight = map[string]int64{}
	direct = map[string]Ballot{}
	to = map[string]string{}
	for i := 0; i < 10000; i++ {
		m := fmt.Sprintf("member-%05d", i)
		electorate = append(electorate, m)
		weight[m] = 1
		if i < 2000 {
			to[m] = fmt.Sprintf("member-%05d", r.IntN(10000))
			continue
		}
		perm := r.Perm(len(opts))
		var b Ballot
		b.Choice = []string{Yes, No, Abstain}[r.IntN(3)]
		for k, p := range perm[:1+r.IntN(len(opts)-1)] {
			b.Rank = append(b.Rank, opts[p])
			b.Approve = append(b.Approve, opts[p])
			b.Points = append(b.Points, Point{Option: opts[p], N: int64(5 - k%6)})
		}
		direct[m] = b
	}
	return
}

// BenchmarkTally measures each method on 10,000 voters and 2,000
// delegations, delegation included: go test -run '^$' -bench Tally ./ledger/governance/tally/
func BenchmarkTally(b *testing.B) {
	opts, electorate, weight, direct, to := benchSetup()
	var projects []Project
	for i, o := range opts {
		projects = append(projects, Project{Option: o, Cost: int64(600 + 120*i)})
	}
	methods := []struct {
		name string
		run  func([]Ballot)
	}{
		{"yesno", func(bs []Ballot) { CountYesNo(bs, 10000, YesNoRule{Quorum: Frac{1, 4}, Threshold: Frac{1, 2}}) }},
		{"approval", func(bs []Ballot) { Approval(opts, bs, 1) }},
		{"score", func(bs []Ballot) { Score(opts, bs, 1) }},
		{"quadratic", func(bs []Ballot) { Quadratic(opts, bs, 1) }},
		{"irv", func(bs []Ballot) { IRV(opts, bs) }},
		{"stv-3", func(bs []Ballot) { STV(opts, bs, 3) }},
		{"schulze", func(bs []Ballot) { Schulze(opts, bs) }},
		{"pb-greedy", func(bs []Ballot) { GreedyBudget(projects, bs, 4000) }},
		{"pb-equal-shares", func(bs []Ballot) { EqualShares(projects, bs, 4000) }},
	}
	for _, m := range methods {
		b.Run(m.name, func(b *testing.B) {
			for b.Loop() {
				d := Delegate(electorate, weight, direct, to)
				m.run(d.Ballots)
			}
		})
	}
}
