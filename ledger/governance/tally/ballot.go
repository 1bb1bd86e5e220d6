package tally

// Ballot is one counted ballot of a proposal, after delegation: the
// voter's own or the one a delegate cast for them. Which fields a method
// reads depends on the method:
//
//   - yes/no: Choice "yes", "no" or "abstain";
//   - consent: Choice "consent" or "object" (an objection carries a
//     reason in the record, not here);
//   - consensus: Choice "agree", "abstain", "disagree" or "block";
//   - approval and participatory budgeting: Approve;
//   - score, dot voting and quadratic voting: Points;
//   - instant-runoff, single transferable vote and Schulze: Rank, most
//     preferred first (options left out rank below every ranked one).
type Ballot struct {
	// Voter is the member the ballot counts for.
	Voter string `json:"voter"`
	// Weight is how many votes the ballot carries (1 by default; a
	// council may weigh by reputation). Quadratic voting ignores it: the
	// credits are the weight.
	Weight  int64    `json:"weight"`
	Choice  string   `json:"choice,omitempty"`
	Approve []string `json:"approve,omitempty"`
	Rank    []string `json:"rank,omitempty"`
	Points  []Point  `json:"points,omitempty"`
}

// Point is a number given to one option: a score, dots, or quadratic votes
// (negative quadratic votes count against).
type Point struct {
	Option string `json:"option"`
	N      int64  `json:"n"`
}

// Choices of yes/no, consent and consensus ballots.
const (
	Yes      = "yes"
	No       = "no"
	Abstain  = "abstain"
	Consent  = "consent"
	Object   = "object"
	Agree    = "agree"
	Disagree = "disagree"
	Block    = "block"
)

// QuadraticCost is what a quadratic ballot costs in voice credits: the sum
// of the squares of the votes given to each option (n votes cost n²).
func QuadraticCost(points []Point) int64 {
	var c int64
	for _, p := range points {
		c += p.N * p.N
	}
	return c
}
