package node

import (
	"time"

	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
)

// The demo society's governance: two councils created by a passed
// proposal, and proposals in every state (final passed and failed,
// closing, open, scheduled) over several voting methods, with a
// delegation, all written through the same API as the app's.

// Demo council names.
const (
	DemoWorkersCouncil   = "Workers' council"
	DemoConsumersCouncil = "Consumers' council"
)

// propose has by put a proposal (closing at day, hour of the story); it
// returns its ID.
func (w *demoWorld) propose(by string, req ProposalRequest, day, hour int) string {
	var id string
	req.Closes = w.clock.ms(day, hour)
	w.as(by, "propose "+req.Title, func(n *Node) error {
		req.Society = w.soc
		p, err := n.ProposalCreate(req)
		if p != nil {
			id = p.ID
		}
		return err
	})
	return id
}

// vote has by cast a ballot.
func (w *demoWorld) vote(by, id string, req VoteRequest) {
	w.as(by, "vote", func(n *Node) error {
		req.Society, req.ID = w.soc, id
		_, err := n.Vote(req)
		return err
	})
}

// closeProposal has by close a proposal after its close time and grace.
func (w *demoWorld) closeProposal(by, id string) {
	w.as(by, "close", func(n *Node) error {
		_, err := n.ProposalClose(ProposalIDRequest{Society: w.soc, ID: id})
		return err
	})
}

// joinCouncil has each member join an open council.
func (w *demoWorld) joinCouncil(council string, members ...string) {
	for _, m := range members {
		w.as(m, "join "+council, func(n *Node) error {
			return n.CouncilJoin(CouncilRequest{Society: w.soc, Council: council})
		})
	}
}

// ms is the Unix time in milliseconds of an hour of a day of the story.
func (c *demoClock) ms(day, hour int) uint64 {
	return uint64(c.start.Add(time.Duration(day)*24*time.Hour + time.Duration(hour)*time.Hour).UnixMilli())
}

// demoGov is the governance part of the story; its scenes run between
// the time bank's (script calls them in the order of the story's clock).
type demoGov struct {
	w                            *demoWorld
	councils, workers, consumers string
	party, tools, garden         string
}

// propose (day 5-6): a consent proposal to create a workers' and a
// consumers' council, with four consents.
func (g *demoGov) propose() {
	w, c := g.w, g.w.clock
	c.at(5, 14)
	g.councils = w.propose("Ann", ProposalRequest{Title: "Set up a workers' council and a consumers' council", Method: governance.MethodConsent,
		Text: "Workers decide how the street's shared work is organised; consumers what the shared shop and kitchen offer.",
		Actions: []governance.Action{
			{Kind: governance.ActCouncilCreate, Name: DemoWorkersCouncil, CKind: governance.KindWorkers, Membership: governance.RuleOpen},
			{Kind: governance.ActCouncilCreate, Name: DemoConsumersCouncil, CKind: governance.KindConsumers, Membership: governance.RuleOpen},
		}}, 7, 10)
	c.at(6, 9)
	for _, m := range []string{"Ann", "Ben", "Cleo", "Dev"} {
		w.vote(m, g.councils, VoteRequest{Choice: tally.Consent})
	}
	g.workers, g.consumers = g.councils+"/0", g.councils+"/1"
}

// closeAt has by close a proposal at an hour of a day of the story,
// after its close time and grace; it is final a grace later.
func (g *demoGov) closeAt(day, hour int, by, id string) {
	g.w.clock.at(day, hour)
	g.w.closeProposal(by, id)
}

// join (day 10-11): members join the councils, and Eli gives his vote in
// the society to Ann.
func (g *demoGov) join() {
	w, c := g.w, g.w.clock
	c.at(10, 13)
	w.joinCouncil(g.workers, "Ann", "Ben", "Cleo", "Dev", "Eli")
	w.joinCouncil(g.consumers, "Ann", "Dev", "Eli")
	c.at(11, 10)
	w.as("Eli", "delegate", func(n *Node) error {
		return n.Delegate(DelegateRequest{Society: w.soc, To: "Ann"})
	})
}

// partyVote (day 13-14): a yes/no that fails, Eli's vote carried by Ann.
func (g *demoGov) partyVote() {
	w, c := g.w, g.w.clock
	c.at(13, 10)
	g.party = w.propose("Ann", ProposalRequest{Title: "Hold the street party on Sundays", Method: governance.MethodYesNo,
		Rule: governance.Rule{Quorum: tally.Frac{Num: 1, Den: 2}, Threshold: tally.Frac{Num: 1, Den: 2}}}, 18, 10)
	c.at(14, 9)
	w.vote("Ann", g.party, VoteRequest{Choice: tally.Yes})
	w.vote("Ben", g.party, VoteRequest{Choice: tally.No})
	w.vote("Cleo", g.party, VoteRequest{Choice: tally.No})
	w.vote("Dev", g.party, VoteRequest{Choice: tally.No})
}

// toolsVote (day 16-17): an instant-runoff in the workers' council.
func (g *demoGov) toolsVote() {
	w, c := g.w, g.w.clock
	c.at(16, 14)
	g.tools = w.propose("Ben", ProposalRequest{Council: g.workers, Title: "Which tool does the tool library buy first?", Method: governance.MethodIRV,
		Options: []governance.Option{{Name: "Lawn mower"}, {Name: "Pressure washer"}, {Name: "Cordless drill"}, {Name: "Ladder"}}}, 24, 12)
	c.at(17, 9)
	// Three rounds: the pressure washer goes, then the ladder, whose vote
	// moves to the lawn mower, which then has a majority.
	for _, v := range []struct {
		by   string
		rank []string
	}{
		{"Ann", []string{"Ladder", "Lawn mower"}},
		{"Ben", []string{"Lawn mower", "Ladder"}},
		{"Cleo", []string{"Cordless drill", "Lawn mower"}},
		{"Dev", []string{"Cordless drill", "Pressure washer"}},
		{"Eli", []string{"Lawn mower", "Cordless drill"}},
	} {
		w.vote(v.by, g.tools, VoteRequest{Rank: v.rank})
	}
}

// gardenVote (day 24): a participatory budget by equal shares.
func (g *demoGov) gardenVote() {
	w, c := g.w, g.w.clock
	c.at(24, 9)
	g.garden = w.propose("Ann", ProposalRequest{Title: "Spend the garden fund", Method: governance.MethodBudgetMES,
		Text:    "The community account's donations for the garden: which projects do we fund?",
		Options: []governance.Option{{Name: "Compost bins", Cost: 30}, {Name: "Seeds", Cost: 20}, {Name: "Water butt", Cost: 40}},
		Rule:    governance.Rule{Budget: 60}}, 28, 9)
	w.vote("Ann", g.garden, VoteRequest{Approve: []string{"Compost bins", "Seeds"}})
	w.vote("Ben", g.garden, VoteRequest{Approve: []string{"Water butt", "Seeds"}})
	w.vote("Cleo", g.garden, VoteRequest{Approve: []string{"Compost bins"}})
	w.vote("Dev", g.garden, VoteRequest{Approve: []string{"Seeds", "Water butt"}})
}

// breadVote (day 32): a score vote in the consumers' council that closes
// on day 37 and is not closed: its result stays provisional.
func (g *demoGov) breadVote() {
	w := g.w
	w.clock.at(32, 10)
	bread := w.propose("Eli", ProposalRequest{Council: g.consumers, Title: "Rate the new Saturday breads", Method: governance.MethodScore,
		Options: []governance.Option{{Name: "Sourdough"}, {Name: "Rye"}, {Name: "Spelt"}}, Rule: governance.Rule{ScoreMax: 5}}, 37, 12)
	w.vote("Eli", bread, VoteRequest{Points: []tally.Point{{Option: "Sourdough", N: 5}, {Option: "Rye", N: 3}, {Option: "Spelt", N: 4}}})
	w.vote("Dev", bread, VoteRequest{Points: []tally.Point{{Option: "Sourdough", N: 4}, {Option: "Rye", N: 2}, {Option: "Spelt", N: 5}}})
	w.vote("Ann", bread, VoteRequest{Points: []tally.Point{{Option: "Sourdough", N: 5}, {Option: "Rye", N: 4}, {Option: "Spelt", N: 3}}})
}

// openVotes (day 37): proposals open a week past the story's end: a
// quadratic vote and a consent Ann has not voted on, and a dot vote in
// the workers' council.
func (g *demoGov) openVotes() {
	w := g.w
	w.clock.at(37, 9)
	trees := w.propose("Dev", ProposalRequest{Title: "Where should the new trees go?", Method: governance.MethodQuadratic,
		Options: []governance.Option{{Name: "Elm Street"}, {Name: "School yard"}, {Name: "Community garden"}},
		Rule:    governance.Rule{Credits: 25}}, 47, 12)
	w.vote("Ben", trees, VoteRequest{Points: []tally.Point{{Option: "Community garden", N: 3}, {Option: "School yard", N: 2}}})
	w.vote("Cleo", trees, VoteRequest{Points: []tally.Point{{Option: "School yard", N: 4}, {Option: "Elm Street", N: 2}}})
	shed := w.propose("Cleo", ProposalRequest{Title: "Open the tool shed on Sunday mornings", Method: governance.MethodConsent}, 47, 12)
	w.vote("Ben", shed, VoteRequest{Choice: tally.Consent})
	w.vote("Dev", shed, VoteRequest{Choice: tally.Object, Reason: "The drill wakes the night-shift workers; could it open at eleven?"})
	work := w.propose("Ben", ProposalRequest{Council: g.workers, Title: "What should the workers' council take on this month?",
		Method:  governance.MethodDots,
		Options: []governance.Option{{Name: "Repair café"}, {Name: "Shared van"}, {Name: "Apprenticeships"}}, Rule: governance.Rule{Dots: 5}}, 47, 12)
	w.vote("Cleo", work, VoteRequest{Points: []tally.Point{{Option: "Repair café", N: 3}, {Option: "Apprenticeships", N: 2}}})
}

// election (day 38): a single transferable vote that opens on day 45.
func (g *demoGov) election() {
	w := g.w
	w.clock.at(38, 11)
	w.propose("Ann", ProposalRequest{Title: "Elect the street committee", Method: governance.MethodSTV, Opens: w.clock.ms(45, 9),
		Options: []governance.Option{{Name: "Ann"}, {Name: "Ben"}, {Name: "Cleo"}, {Name: "Dev"}, {Name: "Eli"}},
		Rule:    governance.Rule{Seats: 2}}, 52, 9)
}
