package tally

import "maps"

// Live is a Roll with its delegation resolved (as Roll.Delegate resolves
// it), kept resolved through changes to one member at a time: a member's
// ballot or delegation changes the counted ballot of that member and of
// the members whose chain of delegations reaches them (Reach), and only
// those are resolved again (Resolve). A count of 10,000 members then
// costs a new vote what its delegators cost, not the whole roll.
type Live struct {
	// Roll is the roll resolved. Change a member's Direct and Voted, or
	// their delegation with SetTo, between Reach and Resolve.
	Roll *Roll
	src  []int   // per member, the position whose direct ballot counts for them, or -1
	from [][]int // per member, the members whose delegation names them
	seen []int   // scratch
	// mark[m] == epoch when Reach has taken m in its current call.
	mark  []uint32
	epoch uint32
	// carried is Roll.Delegate's Carried, and carriers how many
	// delegators each member carries.
	carried  map[string]int64
	carriers []int
	aff      []int // scratch
}

// NewLive resolves every member of r.
func NewLive(r *Roll) *Live {
	n := len(r.Voters)
	l := &Live{Roll: r, src: make([]int, n), from: make([][]int, n), mark: make([]uint32, n), carriers: make([]int, n)}
	carriers := 0
	for m := range n {
		if t := r.To[m]; t >= 0 {
			l.from[t] = append(l.from[t], m)
		}
		l.src[m], l.seen = r.source(m, l.seen)
		if s := l.src[m]; s >= 0 && s != m {
			if l.carriers[s] == 0 {
				carriers++
			}
			l.carriers[s]++
		}
	}
	l.carried = make(map[string]int64, carriers)
	for m, s := range l.src {
		if s >= 0 && s != m {
			l.carried[r.Voters[s]] += r.Weight[m]
		}
	}
	return l
}

// carry adds (sign 1) or takes back (-1) what member m's delegated ballot
// carries for its source.
func (l *Live) carry(m, sign int) {
	s := l.src[m]
	if s < 0 || s == m {
		return
	}
	v := l.Roll.Voters[s]
	l.carriers[s] += sign
	if l.carriers[s] == 0 {
		delete(l.carried, v)
		return
	}
	l.carried[v] += int64(sign) * l.Roll.Weight[m]
}

// Carried is Roll.Delegate's Carried, a copy.
func (l *Live) Carried() map[string]int64 { return maps.Clone(l.carried) }

// Ballot is the ballot counted for member m (whose Source is not -1): the
// direct ballot of their source with m's voter and weight.
func (l *Live) Ballot(m int) Ballot {
	b := l.Roll.Direct[l.src[m]]
	b.Voter, b.Weight = l.Roll.Voters[m], l.Roll.Weight[m]
	return b
}

// Count adds every counted ballot to run, in position order.
func (l *Live) Count(run Running) {
	for m, s := range l.src {
		if s >= 0 {
			run.Add(m, l.Ballot(m))
		}
	}
}

// Change makes change, which changes member x's direct ballot (Direct and
// Voted) or delegation (SetTo), keeps run (which counts the roll's
// ballots) up to date with it, and returns the members whose counted
// ballot it may have changed (valid until the next Change).
func (l *Live) Change(x int, run Running, change func()) []int {
	l.aff = l.Reach(x, l.aff[:0])
	for _, m := range l.aff {
		if l.src[m] >= 0 {
			run.Remove(m, l.Ballot(m))
			l.carry(m, -1)
		}
	}
	change()
	l.Resolve(l.aff)
	for _, m := range l.aff {
		if l.src[m] >= 0 {
			run.Add(m, l.Ballot(m))
			l.carry(m, 1)
		}
	}
	return l.aff
}

// Source is the position of the member whose direct ballot counts for
// member m, or -1 when none does.
func (l *Live) Source(m int) int { return l.src[m] }

// Reach appends to out member x and every member whose chain of
// delegations passes through x (before it reaches a member who voted):
// the members whose counted ballot a change of x's ballot or delegation
// can change. The set is the same before and after such a change, since a
// chain reaching x does not use x's own vote or delegation to get there.
func (l *Live) Reach(x int, out []int) []int {
	l.epoch++
	if l.epoch == 0 { // wrapped: forget every mark
		clear(l.mark)
		l.epoch = 1
	}
	start := len(out)
	out = append(out, x)
	l.mark[x] = l.epoch
	for k := start; k < len(out); k++ {
		for _, p := range l.from[out[k]] {
			// A member who voted stops their own chain.
			if l.Roll.Voted[p] || l.mark[p] == l.epoch {
				continue
			}
			l.mark[p] = l.epoch
			out = append(out, p)
		}
	}
	return out
}

// SetTo changes member x's delegation to the member at position to (-1
// for none).
func (l *Live) SetTo(x, to int) {
	r := l.Roll
	if old := r.To[x]; old >= 0 {
		f := l.from[old]
		for k, m := range f {
			if m == x {
				l.from[old] = append(f[:k], f[k+1:]...)
				break
			}
		}
	}
	r.To[x] = to
	if to >= 0 {
		l.from[to] = append(l.from[to], x)
	}
}

// Resolve resolves the members ms again.
func (l *Live) Resolve(ms []int) {
	for _, m := range ms {
		l.src[m], l.seen = l.Roll.source(m, l.seen)
	}
}
