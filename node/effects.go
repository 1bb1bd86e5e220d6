package node

import (
	"bytes"
	"encoding/hex"
	"fmt"
	"math"
	"strconv"
	"sync"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/governance/tally"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// ErrCouncilDecides is returned when the founder asks for something that,
// in a society past its bootstrap, only a root-council decision does.
var ErrCouncilDecides = refusal.Prefixed("node", "the society now decides this together")

// effects returns what the decisions final now did: the settings in
// force, the members removed and the community account's payouts. Every
// balance, limit and member status the node shows goes through it, and
// every write (author) checks it, so it is kept (see fxCache). The
// effects returned are shared: callers must not change them.
func (n *Node) effects(r *crdt.Reader) (*governance.Effects, error) {
	now := n.nowMs()
	soc := r.Society().KeyString()
	fx, err := n.fx.get(r, soc, now)
	if err != nil || fx != nil {
		return fx, err
	}
	mark, err := r.Mark()
	if err != nil {
		return nil, err
	}
	fx, until, err := governance.EffectsUntil(r, now)
	if err != nil {
		return nil, err
	}
	n.fx.put(soc, mark, now, until, fx)
	return fx, nil
}

// fxCache keeps each society's effects with the crdt.Mark they were
// computed at and the span of time they hold for: from the time they were
// computed until the next decision becomes final (governance.EffectsUntil).
// The effects are a function of the records held and of the decisions
// final by now, so within that span they hold while the records stored
// since the mark are only of types that do not change them (keepsEffects);
// a write then costs no replay of the decisions.
type fxCache struct {
	mu sync.Mutex
	m  map[string]*fxEntry // society (cid key) -> effects
}

type fxEntry struct {
	mark        crdt.Mark
	from, until uint64 // Unix ms; until 0: no decision waits
	fx          *governance.Effects
}

// maxFxFollow is the most records the cache follows from its mark; after
// more (a sync) the effects are computed again.
const maxFxFollow = 1000

// get returns the effects kept for a society, brought up to the reader's
// state, or nil when they must be computed again.
func (c *fxCache) get(r *crdt.Reader, soc string, now uint64) (*governance.Effects, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[soc]
	if !ok || now < e.from || (e.until != 0 && now >= e.until) {
		return nil, nil
	}
	cur, err := r.Mark()
	if err != nil || !cur.Valid() || cur.Records < e.mark.Records || cur.Records-e.mark.Records > maxFxFollow || cur.Forks != e.mark.Forks {
		return nil, err
	}
	keeps := true
	cur, ok, err = r.Since(e.mark, func(_ cid.Cid, m crdt.Meta) error {
		keeps = keeps && keepsEffects(m.Type, e.fx.ReadsReputation())
		return nil
	})
	if err != nil || !ok || !keeps {
		return nil, err
	}
	e.mark = cur
	return e.fx, nil
}

// put keeps a society's effects computed at mark and now.
func (c *fxCache) put(soc string, mark crdt.Mark, now, until uint64, fx *governance.Effects) {
	if !mark.Valid() {
		return // inside a write or a rebuild: the views are changing
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.m == nil {
		c.m = map[string]*fxEntry{}
	}
	c.m[soc] = &fxEntry{mark: mark, from: now, until: until, fx: fx}
}

// keepsEffects reports whether a record of a type leaves the decisions'
// effects as they were: profiles, invites, directory listings, and
// time-bank and contribution records unless a council weighs votes by
// reputation (which they feed). Any other type (governance, membership,
// one added later) may change them.
func keepsEffects(typ string, reputation bool) bool {
	switch typ {
	case membership.TypeProfile, membership.TypeInvite, membership.TypeInviteRevoke,
		directory.TypeListing, directory.TypeListingClose:
		return true
	case timebank.TypeTransfer, timebank.TypeAnswer, timebank.TypeDispute, contrib.TypeContribution, contrib.TypeReview:
		return !reputation
	}
	return false
}

// balanceOf is an account's time-bank balance as the decisions leave it
// (decided).
func balanceOf(r *crdt.Reader, fx *governance.Effects, acct []byte) (int64, error) {
	b, err := timebank.Balance(r, acct)
	if err != nil {
		return 0, err
	}
	d, _, err := decided(r, fx, acct)
	return b.Minutes + d, err
}

// decided is what the decisions change in an account's folded balance:
// their payouts, less the legs a removed member's later acts moved (the
// voids, returned too, for statements to mark).
func decided(r *crdt.Reader, fx *governance.Effects, acct []byte) (int64, *voids, error) {
	vs, err := removedVoids(r, fx)
	if err != nil {
		return 0, nil, err
	}
	return fx.Paid(acct) + vs.delta[string(acct)], vs, nil
}

// voids are the confirmed time-bank legs that take no effect because a
// member a decision removed signed them once the removal was final: every
// leg of a transfer they proposed from then on, and every leg they
// confirmed from then on. The fold applied them (it does not know
// decisions, which depend on the time); every balance, limit and
// statement the node shows takes them out again, identically on every
// peer, as payouts are added (Effects.Paid).
type voids struct {
	legs  map[string]bool  // transfer CID bytes + leg index
	delta map[string]int64 // account -> minutes to add to its folded balance
}

func voidKey(tx []byte, leg int) string { return string(tx) + "/" + strconv.Itoa(leg) }

// removedVoids lists the voids (see voids). It reads the histories of the
// removed members only: nothing when no decision removed anyone.
func removedVoids(r *crdt.Reader, fx *governance.Effects) (*voids, error) {
	vs := &voids{legs: map[string]bool{}, delta: map[string]int64{}}
	removed := fx.RemovedMembers()
	if len(removed) == 0 {
		return vs, nil // the common case: no read at all
	}
	founder, err := membership.FounderOf(r)
	if err != nil {
		return nil, err
	}
	for _, m := range removed {
		at, _ := fx.Removed(m)
		txs, err := timebank.TransfersOf(r, m, math.MaxInt)
		if err != nil {
			return nil, err
		}
		for i := range txs {
			tv := &txs[i]
			proposed := bytes.Equal(tv.Proposer, m) && tv.Time.Millis() >= at
			for j, l := range tv.Legs {
				if l.State != timebank.StateConfirmed || vs.legs[voidKey(tv.ID, j)] {
					continue
				}
				if _, reversed := tv.ReversedAt(j, founder); reversed {
					continue
				}
				void := proposed
				if !void && bytes.Equal(l.Member, m) && l.AnswerTime.Millis() >= at {
					ac, err := cid.Cast(l.Answer)
					if err != nil {
						return nil, fmt.Errorf("%w: answer link: %v", crdt.ErrCorrupt, err)
					}
					am, ok, err := r.Meta(ac)
					if err != nil {
						return nil, err
					}
					void = ok && bytes.Equal(am.Member, m)
				}
				if !void {
					continue
				}
				vs.legs[voidKey(tv.ID, j)] = true
				payer, provider := tv.Sides(j)
				vs.delta[string(payer)] += int64(l.Minutes)
				vs.delta[string(provider)] -= int64(l.Minutes)
			}
		}
	}
	return vs, nil
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
	return refusal.New(ErrCouncilDecides,
		"with %d or more members, %s is a decision of the whole society: propose it with `commons-node proposal create --council root --method yesno %s` (or in the app's Governance screen)", governance.BootstrapMembers, what, action)
}

// removedError refuses an act involving a member a decision removed.
func removedError(fx *governance.Effects, member []byte, who string) error {
	if _, ok := fx.Removed(member); ok {
		return refusal.New(ledger.ErrNotAllowed, "%s was removed from the society by a decision", who)
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
			return refusal.Prefixed("node", "action %d: %v", len(p.Actions)+1, err)
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
				return refusal.Prefixed("node", "action %d: the community account cannot pay %s: %v", i+1, timebank.FormatMinutes(spend), err)
			}
		case governance.ActRemoveMember:
			ok, err := membership.IsActive(r, a.Member)
			if err != nil {
				return err
			}
			if _, gone := fx.Removed(a.Member); !ok || gone {
				return refusal.New(ledger.ErrNotAllowed, "action %d: %s is not an active member", i+1, idOf(a.Member))
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
		return refusal.New(ledger.ErrNotAllowed, "these votes cost %d voice credits (n votes cost n²), and you have %d of this month's %d left in this council", cost, left, budget)
	}
	return nil
}
