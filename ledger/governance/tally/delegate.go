package tally

import "slices"

// DelegationResult is who voted, directly or through delegates.
type DelegationResult struct {
	// Ballots are the counted ballots, one per member of the electorate
	// who voted or whose delegation chain reached someone who did, in
	// electorate order; a delegated ballot is a copy of the delegate's
	// with the delegator's voter and weight.
	Ballots []Ballot
	// Carried is, for each member who voted directly, the weight of the
	// others' votes their ballot carried.
	Carried map[string]int64
	// Via names, for each delegated ballot's voter, the member whose
	// direct ballot it copies.
	Via map[string]string
}

// Delegate applies liquid delegation: a member of the electorate who did
// not vote follows their delegation (to, per member, already chosen for
// the proposal's topic by the caller) transitively until the chain reaches
// a member who voted directly, whose ballot then also counts for them with
// their own weight. A direct vote always overrides the voter's delegation.
// A chain that loops, leaves the electorate, or ends at a member who did
// not vote counts for nothing, so cycles are broken the same way on every
// peer whatever the order of the records.
func Delegate(electorate []string, weight map[string]int64, direct map[string]Ballot, to map[string]string) DelegationResult {
	res := DelegationResult{Ballots: make([]Ballot, 0, len(electorate)), Carried: map[string]int64{}, Via: map[string]string{}}
	in := make(map[string]bool, len(electorate))
	for _, m := range electorate {
		in[m] = true
	}
	var seen []string
	for _, m := range electorate {
		if b, ok := direct[m]; ok {
			b.Voter, b.Weight = m, weight[m]
			res.Ballots = append(res.Ballots, b)
			continue
		}
		seen = seen[:0]
		cur := m
		for {
			next, ok := to[cur]
			if !ok || !in[next] || next == m || slices.Contains(seen, next) {
				break
			}
			seen = append(seen, next)
			if b, ok := direct[next]; ok {
				b.Voter, b.Weight = m, weight[m]
				res.Ballots = append(res.Ballots, b)
				res.Carried[next] += weight[m]
				res.Via[m] = next
				break
			}
			cur = next
		}
	}
	return res
}
