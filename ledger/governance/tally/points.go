package tally

// PointsResult is the count of an approval, score, dot or quadratic vote:
// every option with its total, highest first (ties in the proposal's
// option order), and the winners for the number of seats.
type PointsResult struct {
	Counts  []Count
	Winners []string
	// Tied says the last seat was tied with the next option and given by
	// option order.
	Tied bool
}

// Approval counts approval ballots: each approved option gets the ballot's
// weight.
func Approval(opts []string, ballots []Ballot, seats int) PointsResult {
	votes := map[string]int64{}
	for _, b := range ballots {
		for _, o := range b.Approve {
			votes[o] += b.Weight
		}
	}
	return pointsResult(opts, votes, seats, len(ballots))
}

// Score counts score (range) ballots and dot-voting ballots: each option
// gets the ballot's weight times the score or dots given to it.
func Score(opts []string, ballots []Ballot, seats int) PointsResult {
	votes := map[string]int64{}
	for _, b := range ballots {
		for _, p := range b.Points {
			votes[p.Option] += b.Weight * p.N
		}
	}
	return pointsResult(opts, votes, seats, len(ballots))
}

// Quadratic counts quadratic ballots: each option gets the votes given to
// it (negative votes count against). Weight is ignored: a voter's voice
// credits, spent at n² for n votes, are their weight.
func Quadratic(opts []string, ballots []Ballot, seats int) PointsResult {
	votes := map[string]int64{}
	for _, b := range ballots {
		for _, p := range b.Points {
			votes[p.Option] += p.N
		}
	}
	return pointsResult(opts, votes, seats, len(ballots))
}

// pointsResult ranks the options; without ballots nothing wins.
func pointsResult(opts []string, votes map[string]int64, seats, ballots int) PointsResult {
	r := ranked(opts, votes)
	if ballots == 0 {
		return PointsResult{Counts: r}
	}
	w, tied := top(r, seats)
	return PointsResult{Counts: r, Winners: w, Tied: tied}
}
