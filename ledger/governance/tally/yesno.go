package tally

// YesNoRule is the rule of a yes / no / abstain proposal, frozen when it is
// created. Participation (yes + no + abstain, over the electorate) must
// reach Quorum; support, yes / (yes + no), must exceed Threshold, or reach
// it when Inclusive. A simple majority is Threshold 1/2 (not inclusive):
// more than half of the votes cast, abstentions not counted. A two-thirds
// supermajority is 2/3 inclusive: at least two thirds of the votes cast.
type YesNoRule struct {
	Quorum    Frac `json:"quorum"`
	Threshold Frac `json:"threshold"`
	Inclusive bool `json:"inclusive,omitempty"`
}

// YesNoResult is the count of a yes / no / abstain proposal.
type YesNoResult struct {
	Yes, No, Abstain int64
	// Electorate is the total weight of the members who may vote.
	Electorate int64
	// QuorumMet says whether participation reached the quorum.
	QuorumMet bool
	// Passed says whether the quorum was met and the support was enough.
	Passed bool
}

// CountYesNo counts yes / no / abstain ballots against an electorate of the
// given total weight.
func CountYesNo(ballots []Ballot, electorate int64, r YesNoRule) YesNoResult {
	res := YesNoResult{Electorate: electorate}
	for _, b := range ballots {
		switch b.Choice {
		case Yes:
			res.Yes += b.Weight
		case No:
			res.No += b.Weight
		case Abstain:
			res.Abstain += b.Weight
		}
	}
	return yesNoFrom(res, r)
}

// yesNoFrom decides a yes/no count from its totals.
func yesNoFrom(res YesNoResult, r YesNoRule) YesNoResult {
	electorate := res.Electorate
	cast := res.Yes + res.No + res.Abstain
	res.QuorumMet = electorate > 0 && r.Quorum.cmpRatio(cast, electorate) >= 0
	if res.Yes+res.No == 0 {
		return res
	}
	c := r.Threshold.cmpRatio(res.Yes, res.Yes+res.No)
	res.Passed = res.QuorumMet && (c > 0 || (c == 0 && r.Inclusive))
	return res
}

// ConsentResult is the count of a consent proposal (as Loomio's consent
// process): it passes unless an objection stands at close. An objection is
// withdrawn by changing the ballot to consent.
type ConsentResult struct {
	Consents   int64
	Objections int64
	// Objectors lists the members whose objection stands, in ballot order.
	Objectors []string
	Passed    bool
}

// CountConsent counts a consent proposal; without ballots it does not
// pass.
func CountConsent(ballots []Ballot) ConsentResult {
	var res ConsentResult
	for _, b := range ballots {
		switch b.Choice {
		case Consent:
			res.Consents += b.Weight
		case Object:
			res.Objections += b.Weight
			res.Objectors = append(res.Objectors, b.Voter)
		}
	}
	res.Passed = len(res.Objectors) == 0 && len(ballots) > 0
	return res
}

// ConsensusResult is the count of a consensus proposal: agree, abstain,
// disagree or block (as Loomio's consensus poll). A standing block fails
// it; otherwise it passes when more agree than disagree.
type ConsensusResult struct {
	Agree, Abstain, Disagree, Blocks int64
	// Blockers lists the members whose block stands, in ballot order.
	Blockers []string
	Passed   bool
}

// CountConsensus counts a consensus proposal.
func CountConsensus(ballots []Ballot) ConsensusResult {
	var res ConsensusResult
	for _, b := range ballots {
		switch b.Choice {
		case Agree:
			res.Agree += b.Weight
		case Abstain:
			res.Abstain += b.Weight
		case Disagree:
			res.Disagree += b.Weight
		case Block:
			res.Blocks += b.Weight
			res.Blockers = append(res.Blockers, b.Voter)
		}
	}
	res.Passed = len(res.Blockers) == 0 && res.Agree > res.Disagree
	return res
}
