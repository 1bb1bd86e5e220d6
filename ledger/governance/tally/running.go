package tally

import (
	"slices"
	"strings"
)

// Running is a method's count kept up to date ballot by ballot, so that a
// new vote costs the ballots it changes rather than a count of every
// ballot. Add counts a ballot for the member at a position (its place in
// the electorate: results that list voters list them in position order);
// Remove takes back exactly what Add counted, for a ballot Add counted at
// that position. Each kind's result equals what the method's function
// returns for the ballots counted, in position order
// (TestRunningMatchesFunctions).
type Running interface {
	Add(pos int, b Ballot)
	Remove(pos int, b Ballot)
}

// Choices keeps a yes/no, consent or consensus count: the weight of each
// choice, the ballots counted, and the objectors and blockers.
type Choices struct {
	sum      [8]int64
	ballots  int
	object   []named // objectors, by position
	blockers []named
}

type named struct {
	pos  int
	name string
}

var choiceIndex = map[string]int{Yes: 0, No: 1, Abstain: 2, Consent: 3, Object: 4, Agree: 5, Disagree: 6, Block: 7}

// NewChoices returns an empty count of choices.
func NewChoices() *Choices { return &Choices{} }

// Add counts b for the member at pos.
func (c *Choices) Add(pos int, b Ballot) { c.add(pos, b, 1) }

// Remove takes back b, counted for the member at pos.
func (c *Choices) Remove(pos int, b Ballot) { c.add(pos, b, -1) }

func (c *Choices) add(pos int, b Ballot, sign int64) {
	c.ballots += int(sign)
	k, ok := choiceIndex[b.Choice]
	if !ok {
		return
	}
	c.sum[k] += sign * b.Weight
	switch b.Choice {
	case Object:
		c.object = setNamed(c.object, pos, b.Voter, sign > 0)
	case Block:
		c.blockers = setNamed(c.blockers, pos, b.Voter, sign > 0)
	}
}

// setNamed adds (or removes) the member at pos to a list ordered by
// position.
func setNamed(s []named, pos int, name string, add bool) []named {
	i, found := slices.BinarySearchFunc(s, pos, func(n named, p int) int { return n.pos - p })
	switch {
	case add && !found:
		return slices.Insert(s, i, named{pos, name})
	case add:
		s[i].name = name
	case found:
		return slices.Delete(s, i, i+1)
	}
	return s
}

func names(s []named) []string {
	var out []string
	for _, n := range s {
		out = append(out, n.name)
	}
	return out
}

// YesNo is CountYesNo of the ballots counted.
func (c *Choices) YesNo(electorate int64, r YesNoRule) YesNoResult {
	return yesNoFrom(YesNoResult{Yes: c.sum[0], No: c.sum[1], Abstain: c.sum[2], Electorate: electorate}, r)
}

// Consent is CountConsent of the ballots counted.
func (c *Choices) Consent() ConsentResult {
	res := ConsentResult{Consents: c.sum[3], Objections: c.sum[4], Objectors: names(c.object)}
	res.Passed = len(res.Objectors) == 0 && c.ballots > 0
	return res
}

// Consensus is CountConsensus of the ballots counted.
func (c *Choices) Consensus() ConsensusResult {
	res := ConsensusResult{Agree: c.sum[5], Abstain: c.sum[2], Disagree: c.sum[6], Blocks: c.sum[7], Blockers: names(c.blockers)}
	res.Passed = len(res.Blockers) == 0 && res.Agree > res.Disagree
	return res
}

// Sum is what a Sums count adds per option.
type Sum int

// What Sums add: the ballot's weight per approved option (approval,
// participatory budgets), its weight times the points given (score,
// dots), or the points alone (quadratic).
const (
	SumApprovals Sum = iota
	SumPoints
	SumQuadratic
)

// Sums keeps a per-option total: approvals, scores, dots or quadratic
// votes, and the number of ballots counted.
type Sums struct {
	opts    []string
	index   map[string]int
	kind    Sum
	votes   []int64 // by index of the option's name
	ballots int
}

// NewSums returns an empty count of the options.
func NewSums(opts []string, kind Sum) *Sums {
	s := &Sums{opts: opts, index: make(map[string]int, len(opts)), kind: kind, votes: make([]int64, len(opts))}
	for i, o := range opts {
		s.index[o] = i
	}
	return s
}

// Add counts b for the member at pos.
func (s *Sums) Add(pos int, b Ballot) { s.add(b, 1) }

// Remove takes back b, counted for the member at pos.
func (s *Sums) Remove(pos int, b Ballot) { s.add(b, -1) }

func (s *Sums) add(b Ballot, sign int64) {
	s.ballots += int(sign)
	if s.kind == SumApprovals {
		for _, o := range b.Approve {
			if i, ok := s.index[o]; ok {
				s.votes[i] += sign * b.Weight
			}
		}
		return
	}
	for _, p := range b.Points {
		if i, ok := s.index[p.Option]; ok {
			if s.kind == SumQuadratic {
				s.votes[i] += sign * p.N
			} else {
				s.votes[i] += sign * b.Weight * p.N
			}
		}
	}
}

// ranked orders the options by their totals, as ranked does.
func (s *Sums) ranked() []Count {
	out := make([]Count, len(s.opts))
	for i, o := range s.opts {
		out[i] = Count{Option: o, Votes: s.votes[s.index[o]]}
	}
	sortCounts(out)
	return out
}

// Points is Approval, Score or Quadratic (as the kind) of the ballots
// counted.
func (s *Sums) Points(seats int) PointsResult {
	r := s.ranked()
	if s.ballots == 0 {
		return PointsResult{Counts: r}
	}
	w, tied := top(r, seats)
	return PointsResult{Counts: r, Winners: w, Tied: tied}
}

// Greedy is GreedyBudget of the ballots counted (a count of approvals
// whose options are the projects').
func (s *Sums) Greedy(projects []Project, budget int64) BudgetResult {
	return greedyBudget(projects, s.ranked(), budget)
}

// Ranks keeps ranked ballots for instant-runoff and STV: each counted
// ballot's ranking by option position, by the member's position, so that
// a count runs its rounds without reading a name.
type Ranks struct {
	opts  []string
	index map[string]int
	ranks [][]int // by member position; nil when none is counted
	w     []int64
	in    []bool
	valid int64 // the weight of counted ballots ranking anything
}

// NewRanks returns an empty count of rankings of the options.
func NewRanks(opts []string) *Ranks {
	r := &Ranks{opts: opts, index: make(map[string]int, len(opts))}
	for i, o := range opts {
		r.index[o] = i
	}
	return r
}

// Add counts b for the member at pos.
func (r *Ranks) Add(pos int, b Ballot) {
	for pos >= len(r.in) {
		r.ranks, r.w, r.in = append(r.ranks, nil), append(r.w, 0), append(r.in, false)
	}
	rk := make([]int, len(b.Rank))
	for k, o := range b.Rank {
		j, ok := r.index[o]
		if !ok {
			j = -1
		}
		rk[k] = j
	}
	r.ranks[pos], r.w[pos], r.in[pos] = rk, b.Weight, true
	if len(b.Rank) > 0 {
		r.valid += b.Weight
	}
}

// Remove takes back b, counted for the member at pos.
func (r *Ranks) Remove(pos int, b Ballot) {
	r.ranks[pos], r.w[pos], r.in[pos] = nil, 0, false
	if len(b.Rank) > 0 {
		r.valid -= b.Weight
	}
}

// ranking is the state of a count of the ballots counted, in position
// order.
func (r *Ranks) ranking(scale int64) *ranking {
	n := 0
	for _, in := range r.in {
		if in {
			n++
		}
	}
	k := &ranking{opts: r.opts, index: r.index, ranks: make([][]int, 0, n), cont: make([]bool, len(r.opts)),
		pos: make([]int, n), val: make([]int64, 0, n), votes: make([]int64, len(r.opts))}
	for i := range r.opts {
		k.cont[i] = true
	}
	for p, in := range r.in {
		if in {
			k.ranks = append(k.ranks, r.ranks[p])
			k.val = append(k.val, r.w[p]*scale)
		}
	}
	return k
}

// IRV is IRV of the ballots counted.
func (r *Ranks) IRV() RankedResult { return r.ranking(1).irv() }

// STV is STV of the ballots counted.
func (r *Ranks) STV(seats int) RankedResult { return r.ranking(STVScale).stv(seats, r.valid) }

// Pairwise keeps the pairwise counts of ranked ballots for Schulze.
type Pairwise struct {
	opts    []string
	idx     map[string]int
	d       [][]int64
	counted int // ballots ranking an option
	rank    []int
	placed  []int
}

// NewPairwise returns an empty pairwise count of the options.
func NewPairwise(opts []string) *Pairwise {
	n := len(opts)
	pw := &Pairwise{opts: opts, idx: map[string]int{}, d: make([][]int64, n), rank: make([]int, n)}
	for i, o := range opts {
		pw.idx[o] = i
	}
	for i := range pw.d {
		pw.d[i] = make([]int64, n)
		pw.rank[i] = n
	}
	return pw
}

// Add counts b for the member at pos.
func (pw *Pairwise) Add(pos int, b Ballot) { pw.add(b, b.Weight, 1) }

// Remove takes back b, counted for the member at pos.
func (pw *Pairwise) Remove(pos int, b Ballot) { pw.add(b, -b.Weight, -1) }

// add adds w for each pair b orders. rank is each option's place on the
// ballot (its first), n when the ballot leaves it out: an option is
// preferred to another with a higher place. Only the options a ballot
// places are compared with every other, so a ballot placing k options
// costs k·n, not n².
func (pw *Pairwise) add(b Ballot, w int64, sign int) {
	n, rank, d := len(pw.opts), pw.rank, pw.d
	ranks := false
	for r, o := range b.Rank {
		if i, ok := pw.idx[o]; ok && rank[i] == n {
			rank[i] = r
			ranks = true
		}
	}
	if ranks {
		pw.counted += sign
	}
	placed := pw.placed[:0]
	for i := range n {
		if rank[i] != n {
			placed = append(placed, i)
		}
	}
	for _, i := range placed {
		for j := range n {
			if rank[i] < rank[j] {
				d[i][j] += w
			}
		}
		if rank[i] > n { // placed past n (a long ballot): below the options left out
			for j := range n {
				if rank[j] == n {
					d[j][i] += w
				}
			}
		}
	}
	for _, i := range placed {
		rank[i] = n
	}
	pw.placed = placed
}

// Schulze is Schulze of the ballots counted.
func (pw *Pairwise) Schulze() SchulzeResult {
	d := make([][]int64, len(pw.d))
	for i := range d {
		d[i] = slices.Clone(pw.d[i])
	}
	return schulze(pw.opts, d, pw.counted > 0)
}

// Groups keeps approval ballots for equal shares: the weight of each set
// of projects approved (a bit mask for at most 64 projects, else the
// sorted names), which is all the method reads of them.
type Groups struct {
	projects []Project
	index    map[string]int
	bits     map[uint64]int64
	byName   map[string]*nameGroup
}

// NewGroups returns an empty count of approvals of the projects.
func NewGroups(projects []Project) *Groups {
	g := &Groups{projects: projects, index: make(map[string]int, len(projects)), bits: map[uint64]int64{}, byName: map[string]*nameGroup{}}
	for i, p := range projects {
		g.index[p.Option] = i
	}
	return g
}

// Add counts b for the member at pos.
func (g *Groups) Add(pos int, b Ballot) { g.add(b.Approve, b.Weight, 1) }

// Remove takes back b, counted for the member at pos.
func (g *Groups) Remove(pos int, b Ballot) { g.add(b.Approve, b.Weight, -1) }

// add adds sign × weight to the group of the set approve, when the weight
// is positive: a ballot of no weight pays for nothing.
func (g *Groups) add(approve []string, weight, sign int64) {
	if weight <= 0 {
		return
	}
	w := sign * weight
	// A set of at most 64 projects is its bit mask; anything else (more
	// projects, a name that is none) its sorted names.
	var bits uint64
	byName := len(g.projects) > 64
	for _, o := range approve {
		i, ok := g.index[o]
		if !ok || byName {
			byName = true
			break
		}
		bits |= 1 << i
	}
	if !byName {
		if v := g.bits[bits] + w; v != 0 {
			g.bits[bits] = v
		} else {
			delete(g.bits, bits)
		}
		return
	}
	set := slices.Clone(approve)
	slices.Sort(set)
	set = slices.Compact(set)
	key := strings.Join(set, "\x00")
	ng := g.byName[key]
	if ng == nil {
		ng = &nameGroup{set: set}
		g.byName[key] = ng
	}
	if ng.w += w; ng.w == 0 {
		delete(g.byName, key)
	}
}

// nameGroup is a set of approvals named by their names, with its weight.
type nameGroup struct {
	set []string
	w   int64
}

// election prepares the groups for equal shares, in a fixed order (masks,
// then names, each ascending): the outcome does not depend on the order
// of the groups.
func (g *Groups) election() *election {
	e := &election{projects: g.projects, supp: make([][]int, len(g.projects))}
	masks := make([]uint64, 0, len(g.bits))
	for m := range g.bits {
		masks = append(masks, m)
	}
	slices.Sort(masks)
	for _, m := range masks {
		if w := g.bits[m]; w > 0 {
			for i := range g.projects {
				if m&(1<<i) != 0 {
					e.supp[i] = append(e.supp[i], len(e.w))
				}
			}
			e.w = append(e.w, w)
			e.total += w
		}
	}
	keys := make([]string, 0, len(g.byName))
	for k := range g.byName {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if ng := g.byName[k]; ng.w > 0 {
			w := ng.w
			for _, o := range ng.set {
				if i, ok := g.index[o]; ok {
					e.supp[i] = append(e.supp[i], len(e.w))
				}
			}
			e.w = append(e.w, w)
			e.total += w
		}
	}
	return e
}

// EqualShares is EqualShares of the ballots counted.
func (g *Groups) EqualShares(budget int64) BudgetResult { return g.election().equalShares(budget) }
