package node

import (
	"encoding/hex"
	"errors"
	"fmt"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
)

// ErrCouncilDecides is returned when the founder asks for something that,
// in a society past its bootstrap, only a root-council decision does.
var ErrCouncilDecides = errors.New("node: the society now decides this together")

// effects returns what the decisions final now did: the settings in
// force, the members removed and the community account's payouts. Every
// balance, limit and member status the node shows goes through it.
func (n *Node) effects(r *crdt.Reader) (*governance.Effects, error) {
	return governance.EffectsAt(r, n.nowMs())
}

// balanceOf is an account's time-bank balance with the decisions' payouts.
func balanceOf(r *crdt.Reader, fx *governance.Effects, acct []byte) (int64, error) {
	b, err := timebank.Balance(r, acct)
	return b.Minutes + fx.Paid(acct), err
}

// checkLimit is timebank.CheckLimit with the settings in force and the
// decisions' payouts.
func checkLimit(r *crdt.Reader, fx *governance.Effects, acct []byte, delta int64) error {
	b, err := balanceOf(r, fx, acct)
	if err != nil {
		return err
	}
	return timebank.LimitError(acct, b, delta, fx.Settings)
}

// founderAlone refuses the founder's lone powers (what) once the society
// has governance.BootstrapMembers active members: from then on they are
// root-council decisions.
func founderAlone(r *crdt.Reader, what, action string) error {
	ok, err := governance.InBootstrap(r)
	if err != nil || ok {
		return err
	}
	return fmt.Errorf("%w: with %d or more members, %s is a decision of the whole society: propose it with "+
		"`commons-node proposal create --council root --method yesno %s` (or in the app's Governance screen)",
		ErrCouncilDecides, governance.BootstrapMembers, what, action)
}

// removedError refuses an act involving a member a decision removed.
func removedError(fx *governance.Effects, member []byte, who string) error {
	if _, ok := fx.Removed(member); ok {
		return fmt.Errorf("%w: %s was removed from the society by a decision", ledger.ErrNotAllowed, who)
	}
	return nil
}

// removed reports whether a decision removed a member.
func removed(fx *governance.Effects, member []byte) bool {
	_, ok := fx.Removed(member)
	return ok
}

// TreasuryInfo is the community account with member IDs and names.
type TreasuryInfo struct {
	governance.Treasury
	// Names maps the member IDs of the lines to their names.
	Names map[string]string `json:"names"`
}

// Treasury shows the community account as the records held and the
// decisions final now make it: balance, inflows and outflows, each spend
// with the proposal that decided it.
func (n *Node) Treasury(req SocietyRequest) (*TreasuryInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := &TreasuryInfo{Names: map[string]string{}}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		t, err := governance.TreasuryAt(r, n.nowMs())
		if err != nil {
			return err
		}
		out.Treasury = *t
		ns := newNames(r)
		for i := range out.Lines {
			l := &out.Lines[i]
			k, err := hex.DecodeString(l.Member)
			if err != nil {
				return fmt.Errorf("%w: treasury member key", crdt.ErrCorrupt)
			}
			l.Member = acctID(k)
			if out.Names[l.Member], err = ns.of(k); err != nil {
				return err
			}
		}
		if out.Lines == nil {
			out.Lines = []governance.TreasuryLine{}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// proposalEffects completes and checks a proposal's actions against the
// society as it stands: a settings request becomes a settings action (the
// settings in force with the fields given changed), spends must fit in
// the community account now, and removals name active members.
func (n *Node) proposalEffects(r *crdt.Reader, req ProposalRequest, p *governance.Proposal) error {
	fx, err := n.effects(r)
	if err != nil {
		return err
	}
	if s := req.Settings; s != nil {
		st := fx.Settings
		if s.MinBalanceMinutes != nil {
			st.MinBalance = *s.MinBalanceMinutes
		}
		if s.MaxBalanceMinutes != nil {
			st.MaxBalance = *s.MaxBalanceMinutes
		}
		if s.HalfLifeDays != nil {
			st.HalfLifeDays = *s.HalfLifeDays
		}
		if err := checkSettings(st); err != nil {
			return fmt.Errorf("node: action %d: %w", len(p.Actions)+1, err)
		}
		p.Actions = append(p.Actions, governance.Action{Kind: governance.ActSettings, Settings: &st})
	}
	// Errors name the action ("action N:", counted from 1) as
	// ValidateProposal does, so that a front end shows them by it.
	var spend int64
	for i, a := range p.Actions {
		switch a.Kind {
		case governance.ActSpend:
			spend += a.Amount
			if err := checkLimit(r, fx, membership.Community, -spend); err != nil {
				return fmt.Errorf("node: action %d: the community account cannot pay %s: %w", i+1, timebank.FormatMinutes(spend), err)
			}
		case governance.ActRemoveMember:
			ok, err := membership.IsActive(r, a.Member)
			if err != nil {
				return err
			}
			if _, gone := fx.Removed(a.Member); !ok || gone {
				return fmt.Errorf("%w: action %d: %s is not an active member", ledger.ErrNotAllowed, i+1, idOf(a.Member))
			}
		}
	}
	return nil
}

// creditsLeft refuses a quadratic ballot costing more voice credits than
// the member has left in the council for the period.
func creditsLeft(r *crdt.Reader, pv governance.ProposalView, v governance.Vote, member []byte, now uint64) error {
	if pv.Proposal.Method != governance.MethodQuadratic {
		return nil
	}
	left, budget, err := governance.CreditsLeft(r, pv, member, now)
	if err != nil {
		return err
	}
	if cost := tally.QuadraticCost(v.Points); cost > left {
		return fmt.Errorf("%w: these votes cost %d voice credits (n votes cost n²), and you have %d of this month's %d left in this council",
			ledger.ErrNotAllowed, cost, left, budget)
	}
	return nil
}
