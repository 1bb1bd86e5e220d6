package tally

import (
	"cmp"
	"slices"
)

// Project is a participatory-budgeting option with its cost (in minutes of
// the community account).
type Project struct {
	Option string `json:"option"`
	Cost   int64  `json:"cost"`
}

// Funding is one funded project and how it was chosen.
type Funding struct {
	Project string `json:"project"`
	Cost    int64  `json:"cost"`
	// Supporters is the weight of the ballots approving it.
	Supporters int64 `json:"supporters"`
	// Phase is "equal shares" (paid by its supporters' shares), or
	// "greedy" (by approvals, with what was left).
	Phase string `json:"phase"`
}

// BudgetResult is the count of a participatory budget.
type BudgetResult struct {
	Budget    int64     `json:"budget"`
	Spent     int64     `json:"spent"`
	Funded    []Funding `json:"funded"`
	Approvals []Count   `json:"approvals"`
}

// Phases of a funding.
const (
	PhaseEqualShares = "equal shares"
	PhaseGreedy      = "greedy"
)

func approvals(projects []Project, ballots []Ballot) (map[string]int64, []Count) {
	votes := map[string]int64{}
	opts := make([]string, len(projects))
	for i, p := range projects {
		opts[i] = p.Option
	}
	for _, b := range ballots {
		for _, o := range b.Approve {
			votes[o] += b.Weight
		}
	}
	return votes, ranked(opts, votes)
}

// GreedyBudget funds projects by approvals, most approved first (ties in
// the proposal's order), each one that still fits in the budget.
func GreedyBudget(projects []Project, ballots []Ballot, budget int64) BudgetResult {
	_, order := approvals(projects, ballots)
	return greedyBudget(projects, order, budget)
}

// greedyBudget funds projects greedily by their approvals, most approved
// first (order).
func greedyBudget(projects []Project, order []Count, budget int64) BudgetResult {
	res := BudgetResult{Budget: budget, Approvals: order}
	greedyFill(&res, projects, order, nil)
	return res
}

func greedyFill(res *BudgetResult, projects []Project, order []Count, funded map[string]bool) {
	cost := map[string]int64{}
	for _, p := range projects {
		cost[p.Option] = p.Cost
	}
	for _, c := range order {
		if funded[c.Option] || c.Votes == 0 || res.Spent+cost[c.Option] > res.Budget {
			continue
		}
		res.Spent += cost[c.Option]
		res.Funded = append(res.Funded, Funding{Project: c.Option, Cost: cost[c.Option], Supporters: c.Votes, Phase: PhaseGreedy})
	}
}

// EqualShares funds projects by the Method of Equal Shares (Peters,
// Pierczyński and Skowron) with approval ballots and cost utilities: the
// budget is split among the voters in proportion to their weight; a
// project can be funded when its supporters' shares cover its cost, paid
// as equally as their remaining shares allow; of those, the project whose
// largest payment per unit of cost is smallest is funded first. Then the
// usual completion: the per-voter shares are raised in steps of a
// twentieth of the budget (up to twice the budget) while the outcome still
// fits the real budget, and what is left is filled greedily by approvals.
//
// Money is counted in integer units of 1/(total weight × 1000) of a
// minute, and a payment is rounded up to a unit, so every peer computes the
// same outcome.
func EqualShares(projects []Project, ballots []Ballot, budget int64) BudgetResult {
	return newElection(projects, ballots).equalShares(budget)
}

// equalShares runs the Method of Equal Shares with its completion.
func (e *election) equalShares(budget int64) BudgetResult {
	projects := e.projects
	votes, order := e.approvals()
	res := BudgetResult{Budget: budget, Approvals: order}
	best := e.run(budget)
	step := (budget + 19) / 20
	for k := int64(1); k <= 20 && step > 0 && len(best) < len(projects); k++ {
		out := e.run(budget + k*step)
		if spent(out) > budget {
			break
		}
		best = out
	}
	funded := map[string]bool{}
	for _, f := range best {
		f.Supporters = votes[f.Project]
		res.Funded = append(res.Funded, f)
		res.Spent += f.Cost
		funded[f.Project] = true
	}
	greedyFill(&res, projects, order, funded)
	return res
}

func spent(fs []Funding) int64 {
	var s int64
	for _, f := range fs {
		s += f.Cost
	}
	return s
}

// election is a participatory budget prepared for equal shares: voters who
// approve the same projects form one group (their shares stay equal), and
// groups whose shares are equal share a class, so that finding a payment
// sorts the few distinct shares rather than every voter.
type election struct {
	projects []Project
	w        []int64 // weight per group
	supp     [][]int // groups supporting each project
	total    int64
}

func newElection(projects []Project, ballots []Ballot) *election {
	g := NewGroups(projects)
	for _, b := range ballots {
		g.add(b.Approve, b.Weight, 1)
	}
	return g.election()
}

// approvals is approvals(projects, ballots) from the groups: each
// project's approvals are the weights of the groups supporting it, which
// is one pass over the groups instead of one over every ballot.
func (e *election) approvals() (map[string]int64, []Count) {
	votes := make(map[string]int64, len(e.projects))
	opts := make([]string, len(e.projects))
	for i, p := range e.projects {
		opts[i] = p.Option
		var n int64
		for _, g := range e.supp[i] {
			n += e.w[g]
		}
		if n != 0 {
			votes[p.Option] = n
		}
	}
	return votes, ranked(opts, votes)
}

// run runs the Method of Equal Shares with a (virtual) budget and returns
// the projects it funds, in the order funded.
func (e *election) run(budget int64) []Funding {
	if e.total == 0 || budget <= 0 {
		return nil
	}
	const d = 1000
	// Money per unit of weight, in units of 1/(total·d) minute.
	share := []int64{budget * d} // per class
	class := make([]int, len(e.w))
	funded := make([]bool, len(e.projects))
	var out []Funding
	var acc []int64
	var live []int
	for {
		bestP, bestQ := -1, int64(0)
		for p, pr := range e.projects {
			if funded[p] || pr.Cost <= 0 {
				continue
			}
			acc = slices.Grow(acc[:0], len(share))[:len(share)]
			clear(acc)
			for _, g := range e.supp[p] {
				acc[class[g]] += e.w[g]
			}
			live = live[:0]
			for c, w := range acc {
				if w > 0 {
					live = append(live, c)
				}
			}
			q, ok := payment(share, acc, live, pr.Cost*e.total*d)
			if !ok {
				continue
			}
			if bestP < 0 || cmpMul(uint64(q), uint64(e.projects[bestP].Cost), uint64(bestQ), uint64(pr.Cost)) < 0 {
				bestP, bestQ = p, q
			}
		}
		if bestP < 0 {
			return out
		}
		funded[bestP] = true
		moved := map[int]int{}
		for _, g := range e.supp[bestP] {
			c := class[g]
			n, ok := moved[c]
			if !ok {
				n = len(share)
				share = append(share, share[c]-min(share[c], bestQ))
				moved[c] = n
			}
			class[g] = n
		}
		out = append(out, Funding{Project: e.projects[bestP].Option, Cost: e.projects[bestP].Cost, Phase: PhaseEqualShares})
	}
}

// payment returns the smallest payment q per unit of weight (rounded up)
// such that the supporters, in the classes live holding weight acc, each
// paying min(share, q), cover cost; false when their shares do not
// suffice.
func payment(share, acc []int64, live []int, cost int64) (int64, bool) {
	var avail, weight int64
	for _, c := range live {
		avail += acc[c] * share[c]
		weight += acc[c]
	}
	if avail < cost || weight == 0 {
		return 0, false
	}
	slices.SortFunc(live, func(a, b int) int { return cmp.Compare(share[a], share[b]) })
	var paid int64
	for _, c := range live {
		q := (cost - paid + weight - 1) / weight
		if q <= share[c] {
			return q, true
		}
		paid += acc[c] * share[c]
		weight -= acc[c]
	}
	return 0, false
}
