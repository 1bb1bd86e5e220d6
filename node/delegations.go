package node

import (
	"encoding/hex"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/ipfs/go-cid"
)

// What front ends show of governance beyond the records themselves: the
// delegations in effect, whether the local member may vote on a proposal,
// and what a decided proposal's actions did.

// DelegationsRequest asks for the delegations in effect in a council, or
// in every council when Council is empty.
type DelegationsRequest struct {
	Society string `json:"society,omitempty"`
	Council string `json:"council,omitempty"`
}

// DelegationInfo is a delegation in effect, with member IDs and names.
type DelegationInfo struct {
	Council     string `json:"council"`
	CouncilName string `json:"council_name"`
	// Topic is the topic delegated; empty for every topic.
	Topic    string `json:"topic,omitempty"`
	From     string `json:"from"`
	FromName string `json:"from_name"`
	To       string `json:"to"`
	ToName   string `json:"to_name"`
	// Since is when the delegation was written (RFC 3339, UTC).
	Since string `json:"since"`
	// ID is the delegation record's ID.
	ID string `json:"id"`
}

// DelegationsInfo are the local member's delegations in effect (Given)
// and those that give other members' votes to the local member
// (Received), as a proposal put now would count them.
type DelegationsInfo struct {
	Given    []DelegationInfo `json:"given"`
	Received []DelegationInfo `json:"received"`
}

// Delegations lists the delegations in effect that the local member gave
// or received, in one council or in every council.
func (n *Node) Delegations(req DelegationsRequest) (*DelegationsInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	want := strings.TrimSpace(req.Council)
	out := &DelegationsInfo{Given: []DelegationInfo{}, Received: []DelegationInfo{}}
	me := hex.EncodeToString(n.pub.Member)
	err = n.store.View(soc, func(r *crdt.Reader) error {
		now := n.nowMs()
		cs, err := governance.Councils(r, now)
		if err != nil {
			return err
		}
		if want != "" && !slices.ContainsFunc(cs, func(c governance.Council) bool { return c.ID == want && !c.Dissolved }) {
			return refusal.New(crdt.ErrNotFound, "no council %s here (unknown, not yet decided, or dissolved)", want)
		}
		for _, c := range cs {
			if c.Dissolved || want != "" && c.ID != want {
				continue
			}
			ds, err := governance.Delegations(r, c.ID, now)
			if err != nil {
				return err
			}
			for _, d := range ds {
				if d.From != me && d.To != me {
					continue
				}
				di := DelegationInfo{Council: c.ID, CouncilName: c.Name, Topic: d.Topic, From: memberIDs(d.From), FromName: d.FromName,
					To: memberIDs(d.To), ToName: d.ToName, Since: fmtHLC(crdt.MakeHLC(d.Since, 0)), ID: d.ID}
				if d.From == me {
					out.Given = append(out.Given, di)
				} else {
					out.Received = append(out.Received, di)
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// ActionInfo is one action a proposal carries and, once the proposal is
// final, what became of it.
type ActionInfo struct {
	Action governance.Action `json:"action"`
	// MemberID is the action's member (removed or paid), as a member ID.
	MemberID string `json:"member_id,omitempty"`
	// Outcome is "" until the proposal is final, then ActionDone or
	// ActionNotDone, with Why saying why not.
	Outcome string `json:"outcome,omitempty"`
	Why     string `json:"why,omitempty"`
}

// Outcomes of a final proposal's actions (ActionInfo.Outcome).
const (
	ActionDone    = "done"
	ActionNotDone = "not done"
)

// actionInfos lists a proposal's actions with what the decisions final
// by the counter's time did with them.
func actionInfos(c *governance.Counter, pv governance.ProposalView) []ActionInfo {
	out := []ActionInfo{}
	id, err := cid.Cast(pv.ID)
	if err != nil {
		return out
	}
	ds := c.Decisions(id)
	for i, a := range pv.Proposal.Actions {
		ai := ActionInfo{Action: a}
		if len(a.Member) > 0 {
			ai.MemberID = idOf(a.Member)
		}
		if i < len(ds) {
			ai.Outcome, ai.Why = ActionNotDone, ds[i].Why
			if ds[i].Done {
				ai.Outcome = ActionDone
			}
		}
		out = append(out, ai)
	}
	return out
}

// mine fills what a proposal is to the local member: whether the ledger
// counts them in its electorate, and whether their own ballot (not a
// delegate's) is counted. It reads res before its member keys become IDs.
func (n *Node) mine(c *governance.Counter, pv governance.ProposalView, res *governance.Result, info *ProposalInfo) error {
	if len(n.pub.Member) == 0 {
		return nil
	}
	may, err := c.MayVote(pv, n.pub.Member)
	if err != nil {
		return err
	}
	info.MayVote = may
	me := hex.EncodeToString(n.pub.Member)
	info.Voted = slices.ContainsFunc(res.Ballots, func(b governance.CountedBallot) bool {
		return b.Via == "" && b.Voter == me
	})
	return nil
}
