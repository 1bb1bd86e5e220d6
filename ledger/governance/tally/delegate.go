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
	n := len(electorate)
	r := Roll{Voters: electorate, Weight: make([]int64, n), Direct: make([]Ballot, n), Voted: make([]bool, n), To: make([]int, n)}
	pos := make(map[string]int, n)
	for i, m := range electorate {
		pos[m] = i
	}
	for i, m := range electorate {
		r.Weight[i] = weight[m]
		r.Direct[i], r.Voted[i] = direct[m]
		r.To[i] = -1
		if t, ok := to[m]; ok {
			if j, in := pos[t]; in {
				r.To[i] = j
			}
		}
	}
	res, places := r.Delegate()
	res.Via = map[string]string{}
	for _, pl := range places {
		if pl.Source != pl.Voter {
			res.Via[r.Voters[pl.Voter]] = r.Voters[pl.Source]
		}
	}
	return res
}

// Roll is an electorate by position, for counting it often: the members
// (in electorate order), their weights, their own ballots and their
// delegations.
type Roll struct {
	Voters []string
	Weight []int64
	// Direct is each member's own ballot, when Voted.
	Direct []Ballot
	Voted  []bool
	// To is the position of the member each one delegates to, or -1 (no
	// delegation, or one to someone outside the electorate).
	To []int
}

// Place locates a counted ballot in a Roll: the position of the member it
// counts for, and of the member whose direct ballot it is.
type Place struct{ Voter, Source int }

// Delegate applies liquid delegation to the roll, as the function Delegate
// does, and places each counted ballot (the places say whom each ballot
// came through: the result's Via is left empty).
func (r *Roll) Delegate() (DelegationResult, []Place) {
	res := DelegationResult{Ballots: make([]Ballot, 0, len(r.Voters)), Carried: map[string]int64{}}
	places := make([]Place, 0, len(r.Voters))
	var seen []int
	for m := range r.Voters {
		var src int
		src, seen = r.source(m, seen)
		if src < 0 {
			continue
		}
		b := r.Direct[src]
		b.Voter, b.Weight = r.Voters[m], r.Weight[m]
		res.Ballots = append(res.Ballots, b)
		places = append(places, Place{m, src})
		if src != m {
			res.Carried[r.Voters[src]] += r.Weight[m]
		}
	}
	return res, places
}

// source returns the position of the member whose direct ballot counts
// for member m: m when m voted, else the first member along m's chain of
// delegations who voted, or -1 when the chain loops, leaves the
// electorate or ends at a member who did not vote. seen is scratch space,
// returned for reuse.
func (r *Roll) source(m int, seen []int) (int, []int) {
	if r.Voted[m] {
		return m, seen
	}
	seen = seen[:0]
	for cur := m; ; {
		next := r.To[cur]
		if next < 0 || next == m || slices.Contains(seen, next) {
			return -1, seen
		}
		seen = append(seen, next)
		if r.Voted[next] {
			return next, seen
		}
		cur = next
	}
}
