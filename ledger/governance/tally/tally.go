package tally

import (
	"fmt"
	"math/big"
)

// Frac is a fraction num/den with den > 0, as a proposal states quorum and
// threshold (e.g. 2/3).
type Frac struct {
	Num, Den int64
}

// Valid reports whether f is a fraction in [0, 1].
func (f Frac) Valid() bool { return f.Den > 0 && f.Num >= 0 && f.Num <= f.Den }

func (f Frac) String() string { return fmt.Sprintf("%d/%d", f.Num, f.Den) }

// cmpRatio compares a/b with f (b > 0): -1, 0 or +1.
func (f Frac) cmpRatio(a, b int64) int {
	l := new(big.Int).Mul(big.NewInt(a), big.NewInt(f.Den))
	r := new(big.Int).Mul(big.NewInt(f.Num), big.NewInt(b))
	return l.Cmp(r)
}

// Count is an option with its tally.
type Count struct {
	Option string `json:"option"`
	Votes  int64  `json:"votes"`
}

// ranked orders counts by votes, highest first, ties by option order
// (the order of opts).
func ranked(opts []string, votes map[string]int64) []Count {
	out := make([]Count, len(opts))
	for i, o := range opts {
		out[i] = Count{Option: o, Votes: votes[o]}
	}
	sortCounts(out)
	return out
}

// sortCounts orders counts by votes, highest first, keeping the order of
// equal counts.
func sortCounts(out []Count) {
	// Insertion sort: stable, so equal counts keep the proposal's order.
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].Votes > out[j-1].Votes; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
}

// top returns the first k options of a ranking and whether the k-th place
// was tied with the next (broken by option order).
func top(r []Count, k int) ([]string, bool) {
	if k > len(r) {
		k = len(r)
	}
	w := make([]string, 0, k)
	for _, c := range r[:k] {
		w = append(w, c.Option)
	}
	tied := k > 0 && k < len(r) && r[k].Votes == r[k-1].Votes
	return w, tied
}
