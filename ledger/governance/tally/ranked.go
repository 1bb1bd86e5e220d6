package tally

import "slices"

// Round is one round of an instant-runoff or STV count.
type Round struct {
	// Counts are the continuing options' votes at the start of the round,
	// highest first (in STV, in units of 1/Scale of a vote).
	Counts []Count `json:"counts"`
	// Elected and Eliminated are what the round decided.
	Elected    []string `json:"elected,omitempty"`
	Eliminated string   `json:"eliminated,omitempty"`
	// Exhausted is the weight of ballots with no continuing option left.
	Exhausted int64 `json:"exhausted"`
}

// RankedResult is the count of an instant-runoff or STV vote.
type RankedResult struct {
	Winners []string `json:"winners"`
	Rounds  []Round  `json:"rounds"`
	// Quota is the STV (Droop) quota in units of 1/Scale of a vote; 0 for
	// instant-runoff, which needs a majority of the continuing votes.
	Quota int64 `json:"quota,omitempty"`
	// Scale is how many units make one vote in Counts (1 for
	// instant-runoff, STVScale for STV).
	Scale int64 `json:"scale"`
}

// STVScale is the fixed-point scale of STV vote values: transfer values are
// kept to six decimal places and truncated, as the Scottish STV rules do
// with five, so every peer computes the same transfers.
const STVScale = 1_000_000

// lowest returns the continuing option with the fewest votes; among equals
// the one listed last in the proposal, so that ties are broken the same way
// on every peer.
func lowest(r []Count) string {
	// r is sorted by votes with ties in option order: its last entry is
	// the lowest, and of equals the one listed last.
	return r[len(r)-1].Option
}

// ranking is the state of an instant-runoff or STV count: which options
// continue, each ballot's ranking as option positions (-1 for a name that
// is no option), where each ballot stands in it, and what each ballot is
// worth (its weight, times STVScale in STV). Options are handled by
// position so that a round costs no map look-up per ballot.
type ranking struct {
	opts  []string
	index map[string]int
	ranks [][]int
	cont  []bool
	pos   []int
	val   []int64
	votes []int64
}

func newRanking(opts []string, ballots []Ballot, scale int64) *ranking {
	k := &ranking{opts: opts, index: make(map[string]int, len(opts)), ranks: make([][]int, len(ballots)),
		cont: make([]bool, len(opts)), pos: make([]int, len(ballots)), val: make([]int64, len(ballots)), votes: make([]int64, len(opts))}
	for i, o := range opts {
		k.cont[i] = true
		k.index[o] = i
	}
	n := 0
	for _, b := range ballots {
		n += len(b.Rank)
	}
	flat := make([]int, 0, n) // one allocation for every ranking
	for i, b := range ballots {
		k.val[i] = b.Weight * scale
		from := len(flat)
		for _, o := range b.Rank {
			j, ok := k.index[o]
			if !ok {
				j = -1
			}
			flat = append(flat, j)
		}
		k.ranks[i] = flat[from:len(flat):len(flat)]
	}
	return k
}

// drop ends an option's count (elected or eliminated).
func (k *ranking) drop(option string) { k.cont[k.index[option]] = false }

// round counts every ballot for its most preferred continuing option: the
// continuing options with their votes (highest first), the votes counted
// and the value of the ballots with no continuing option left.
func (k *ranking) round() (r []Count, live, exhausted int64) {
	clear(k.votes)
	for i, rk := range k.ranks {
		p := k.pos[i]
		for p < len(rk) && (rk[p] < 0 || !k.cont[rk[p]]) {
			p++
		}
		k.pos[i] = p
		if p == len(rk) {
			exhausted += k.val[i]
			continue
		}
		k.votes[rk[p]] += k.val[i]
		live += k.val[i]
	}
	r = make([]Count, 0, len(k.opts))
	for i, o := range k.opts {
		if k.cont[i] {
			r = append(r, Count{Option: o, Votes: k.votes[i]})
		}
	}
	sortCounts(r)
	return r, live, exhausted
}

// IRV counts ranked ballots by instant-runoff for one winner: in each
// round every ballot counts for its most preferred continuing option; an
// option with more than half of the continuing votes wins; otherwise the
// option with the fewest votes is eliminated and its ballots move on.
// Without a ballot ranking an option, nothing wins.
func IRV(opts []string, ballots []Ballot) RankedResult {
	return newRanking(opts, ballots, 1).irv()
}

// irv runs instant-runoff on a ranking made at scale 1.
func (k *ranking) irv() RankedResult {
	res := RankedResult{Scale: 1}
	for {
		r, live, exhausted := k.round()
		round := Round{Counts: r, Exhausted: exhausted}
		if len(r) == 0 || live == 0 {
			res.Rounds = append(res.Rounds, round)
			return res
		}
		if 2*r[0].Votes > live || len(r) == 1 {
			round.Elected = []string{r[0].Option}
			res.Winners = round.Elected
			res.Rounds = append(res.Rounds, round)
			return res
		}
		round.Eliminated = lowest(r)
		k.drop(round.Eliminated)
		res.Rounds = append(res.Rounds, round)
	}
}

// STV counts ranked ballots by single transferable vote for several seats:
// the Droop quota, floor(valid / (seats + 1)) + 1 votes; an option reaching
// it is elected and its surplus moves on with every one of its ballots at
// the transfer value surplus / total (weighted inclusive Gregory, truncated
// to 1/STVScale); when none reaches it, the option with the fewest votes
// is eliminated and its ballots move on at their value. When as many
// options continue as seats remain, they are all elected. Without a
// ballot ranking an option, nothing is elected.
func STV(opts []string, ballots []Ballot, seats int) RankedResult {
	var valid int64
	for _, b := range ballots {
		if len(b.Rank) > 0 {
			valid += b.Weight
		}
	}
	return newRanking(opts, ballots, STVScale).stv(seats, valid)
}

// stv runs single transferable vote on a ranking made at STVScale, with
// valid the weight of the ballots ranking anything.
func (k *ranking) stv(seats int, valid int64) RankedResult {
	res := RankedResult{Scale: STVScale}
	res.Quota = (valid/int64(seats+1) + 1) * STVScale
	for len(res.Winners) < seats {
		r, live, exhausted := k.round()
		if len(r) == 0 {
			break
		}
		round := Round{Counts: r, Exhausted: exhausted}
		if live == 0 && len(res.Rounds) == 0 {
			res.Rounds = append(res.Rounds, round)
			break
		}
		switch {
		case len(r) <= seats-len(res.Winners):
			for _, c := range r {
				round.Elected = append(round.Elected, c.Option)
				k.drop(c.Option)
			}
		case r[0].Votes >= res.Quota:
			// Elect the highest; its surplus transfers before anyone else
			// is elected, so a transfer can carry another over the quota.
			e := r[0]
			round.Elected = []string{e.Option}
			k.drop(e.Option)
			surplus := e.Votes - res.Quota
			ei := k.index[e.Option]
			for i, rk := range k.ranks {
				if k.pos[i] < len(rk) && rk[k.pos[i]] == ei {
					k.val[i] = mulDiv(k.val[i], surplus, e.Votes)
				}
			}
		default:
			round.Eliminated = lowest(r)
			k.drop(round.Eliminated)
		}
		res.Winners = append(res.Winners, round.Elected...)
		res.Rounds = append(res.Rounds, round)
	}
	if len(res.Winners) > seats {
		res.Winners = res.Winners[:seats]
	}
	return res
}

// mulDiv returns floor(a*b/c) for non-negative a, b and positive c without
// overflowing.
func mulDiv(a, b, c int64) int64 {
	hi, lo := mul64(uint64(a), uint64(b))
	q, _ := div64(hi, lo, uint64(c))
	return int64(q)
}

// SchulzeResult is the count of a Schulze vote.
type SchulzeResult struct {
	// Ranking orders the options from the winner down; options that beat
	// each other equally keep the proposal's order.
	Ranking []string `json:"ranking"`
	// Winners are the options no other option beats by a strongest path.
	Winners []string `json:"winners"`
	// Pairwise[i][j] is the weight of ballots preferring option i to j,
	// and Paths[i][j] the strength of the strongest path from i to j, in
	// the proposal's option order.
	Pairwise [][]int64 `json:"pairwise"`
	Paths    [][]int64 `json:"paths"`
}

// Schulze counts ranked ballots by the Schulze method (as LiquidFeedback
// does for alternatives): pairwise preferences, then strongest paths by
// the widest-path Floyd–Warshall, winning votes as the link strength.
// Without a ballot ranking an option, nothing wins.
func Schulze(opts []string, ballots []Ballot) SchulzeResult {
	pw := NewPairwise(opts)
	for _, b := range ballots {
		pw.add(b, b.Weight, 1)
	}
	return schulze(opts, pw.d, pw.counted > 0)
}

// schulze finds the strongest paths and the ranking from the pairwise
// counts d (which the result keeps); counted says a ballot ranked an
// option.
func schulze(opts []string, d [][]int64, counted bool) SchulzeResult {
	n := len(opts)
	p := make([][]int64, n)
	for i := range p {
		p[i] = make([]int64, n)
	}
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if i != j && d[i][j] > d[j][i] {
				p[i][j] = d[i][j]
			}
		}
	}
	for k := 0; k < n; k++ {
		for i := 0; i < n; i++ {
			if i == k {
				continue
			}
			for j := 0; j < n; j++ {
				if j == i || j == k {
					continue
				}
				p[i][j] = max(p[i][j], min(p[i][k], p[k][j]))
			}
		}
	}
	wins := make([]int, n)
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			if p[i][j] > p[j][i] {
				wins[i]++
			}
		}
	}
	order := make([]int, n)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return wins[b] - wins[a] })
	res := SchulzeResult{Pairwise: d, Paths: p}
	for _, i := range order {
		res.Ranking = append(res.Ranking, opts[i])
		if counted && losses(p, i) == 0 {
			res.Winners = append(res.Winners, opts[i])
		}
	}
	return res
}

// losses counts the options that beat i by a strongest path.
func losses(p [][]int64, i int) int {
	l := 0
	for j := range p {
		if p[j][i] > p[i][j] {
			l++
		}
	}
	return l
}
