package node

import (
	"bytes"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// The time bank: proposing, answering and disputing transfers of minutes,
// and reading balances and statements. The ledger folds the records; this
// file validates requests on the local device (clear errors, credit limits)
// before it writes anything.

// CommunityAccount names the society's community account wherever a
// member is named (transfers, balances, statements).
const CommunityAccount = "community"

// ErrAnswered is returned when answering a leg that is already answered.
var ErrAnswered = refusal.Prefixed("node", "this transfer is already answered")

// TransferRequest proposes a transfer of minutes between the local member
// and one or more counterparties (a group session is one transfer).
type TransferRequest struct {
	Society string `json:"society,omitempty"`
	// Mode is timebank.ModeGive (the local member provided the service and
	// each counterparty pays) or timebank.ModePay (the local member pays each
	// counterparty).
	Mode string `json:"mode"`
	// To names the counterparties: member IDs, unambiguous display names,
	// or CommunityAccount.
	To []string `json:"to"`
	// Minutes moves with each counterparty.
	Minutes int64  `json:"minutes"`
	Skill   string `json:"skill"`
	Note    string `json:"note,omitempty"`
	// Pool is the founder paying out of the community account (mode pay).
	Pool bool `json:"pool,omitempty"`
}

// AnswerRequest confirms or rejects the local member's leg of a transfer.
type AnswerRequest struct {
	Society string `json:"society,omitempty"`
	ID      string `json:"id"`
	Accept  bool   `json:"accept"`
	// Reason is required for a rejection.
	Reason string `json:"reason,omitempty"`
	// Review may go with a confirmation.
	Review *timebank.TransferReview `json:"review,omitempty"`
	// Community answers the community account's leg (founder only). By
	// default the local member's own leg is answered, or the community's
	// when the founder has no leg of their own.
	Community bool `json:"community,omitempty"`
}

// DisputeRequest contests a leg of a transfer the local member is party to.
type DisputeRequest struct {
	Society string `json:"society,omitempty"`
	ID      string `json:"id"`
	Reason  string `json:"reason"`
	// Reverse consents to reversing the leg; it is reversed once both
	// parties consented.
	Reverse bool `json:"reverse,omitempty"`
	// With names the counterparty of the leg (member or CommunityAccount);
	// needed only when the local member is party to several legs.
	With string `json:"with,omitempty"`
}

// TransferIDRequest names a transfer.
type TransferIDRequest struct {
	Society string `json:"society,omitempty"`
	ID      string `json:"id"`
}

// TransfersRequest lists recent transfers the local member is party to.
type TransfersRequest struct {
	Society string `json:"society,omitempty"`
	// Limit caps the list (default 20).
	Limit int `json:"limit,omitempty"`
}

// BalanceRequest asks for an account's balance.
type BalanceRequest struct {
	Society string `json:"society,omitempty"`
	// Member is a member ID or name, CommunityAccount, or empty for the
	// local member.
	Member string `json:"member,omitempty"`
}

// StatementRequest asks for an account's statement.
type StatementRequest struct {
	Society string `json:"society,omitempty"`
	// Member is as in BalanceRequest.
	Member string `json:"member,omitempty"`
	// All returns the whole statement, oldest first; otherwise a page of
	// up to Limit lines (default 50), newest first, from Cursor (a
	// previous page's Next; empty for the newest).
	All    bool   `json:"all,omitempty"`
	Limit  int    `json:"limit,omitempty"`
	Cursor string `json:"cursor,omitempty"`
}

// TransferInfo describes a transfer and its legs.
type TransferInfo struct {
	ID   string `json:"id"`
	Mode string `json:"mode"`
	Pool bool   `json:"pool,omitempty"`
	// Proposer is the proposing member's ID.
	Proposer     string    `json:"proposer"`
	ProposerName string    `json:"proposer_name"`
	Skill        string    `json:"skill"`
	Note         string    `json:"note,omitempty"`
	Time         string    `json:"time"`
	Legs         []LegInfo `json:"legs"`
}

// LegInfo is one counterparty of a transfer.
type LegInfo struct {
	// Member is the counterparty's ID, or CommunityAccount.
	Member  string `json:"member"`
	Name    string `json:"name"`
	Minutes int64  `json:"minutes"`
	// Payer and Provider are the two sides of the leg (IDs or
	// CommunityAccount).
	Payer    string                   `json:"payer"`
	Provider string                   `json:"provider"`
	State    string                   `json:"state"`
	Reason   string                   `json:"reason,omitempty"`
	Review   *timebank.TransferReview `json:"review,omitempty"`
	Reversed bool                     `json:"reversed,omitempty"`
	Disputes []DisputeInfo            `json:"disputes,omitempty"`
}

// DisputeInfo is one dispute of a leg.
type DisputeInfo struct {
	ID      string `json:"id"`
	By      string `json:"by"`
	ByName  string `json:"by_name"`
	Reason  string `json:"reason"`
	Reverse bool   `json:"reverse,omitempty"`
	Time    string `json:"time"`
}

// PendingInfo is a transfer waiting for the local member's answer.
type PendingInfo struct {
	TransferInfo
	// Account is whose leg waits: the local member's ID, or
	// CommunityAccount for the founder.
	Account string `json:"account"`
	// Minutes is what confirming moves for Account: positive when it
	// receives minutes, negative when it pays.
	Minutes int64 `json:"minutes"`
}

// BalanceInfo is an account's balance.
type BalanceInfo struct {
	// Member is the account's member ID, or CommunityAccount.
	Member  string `json:"member"`
	Name    string `json:"name"`
	Minutes int64  `json:"minutes"`
	// Display is Minutes in hours and minutes ("-1 h 30 min").
	Display string `json:"display"`
	// Lines counts the statement lines.
	Lines uint64 `json:"lines"`
	// MinMinutes and MaxMinutes are the account's limits; MaxMinutes is
	// absent when there is no ceiling (the community account).
	MinMinutes int64  `json:"min_minutes"`
	MaxMinutes *int64 `json:"max_minutes,omitempty"`
}

// StatementInfo is an account's statement, or a page of it.
type StatementInfo struct {
	Member  string `json:"member"`
	Name    string `json:"name"`
	Balance int64  `json:"balance"`
	// Oldest is true when Lines run oldest first (the whole statement),
	// false for a page, newest first.
	Oldest bool                `json:"oldest_first"`
	Lines  []StatementLineInfo `json:"lines"`
	// Next continues a page with older lines; empty at the end.
	Next string `json:"next,omitempty"`
	// Payouts are the spends from the community account that decisions
	// made to this account (every one, for the community account): they
	// are in Balance but are no time-bank transfer, so not in Lines.
	Payouts []governance.Payout `json:"payouts,omitempty"`
}

// StatementLineInfo is one statement line.
type StatementLineInfo struct {
	// Time is RFC 3339, to the millisecond, in UTC.
	Time             string                   `json:"time"`
	Transfer         string                   `json:"transfer"`
	Counterparty     string                   `json:"counterparty"`
	CounterpartyName string                   `json:"counterparty_name"`
	Skill            string                   `json:"skill"`
	Note             string                   `json:"note,omitempty"`
	Minutes          int64                    `json:"minutes"`
	Balance          int64                    `json:"balance"`
	Flagged          bool                     `json:"flagged"`
	Reversal         bool                     `json:"reversal"`
	Review           *timebank.TransferReview `json:"review,omitempty"`
	// Void is set on a line a member a decision removed made after the
	// removal: it takes no effect, and Balance leaves it out (the running
	// balances are the ledger's, which still count it).
	Void bool `json:"void,omitempty"`
}

// timeFormat is RFC 3339 with milliseconds.
const timeFormat = "2006-01-02T15:04:05.000Z07:00"

func fmtHLC(h crdt.HLC) string { return h.Time().Format(timeFormat) }

// acctID names an account: a member ID, or CommunityAccount.
func acctID(a []byte) string {
	if bytes.Equal(a, membership.Community) {
		return CommunityAccount
	}
	return idOf(a)
}

// names looks up and caches account names in one read.
type names struct {
	r     *crdt.Reader
	cache map[string]string
}

func newNames(r *crdt.Reader) *names { return &names{r: r, cache: map[string]string{}} }

func (ns *names) of(a []byte) (string, error) {
	if bytes.Equal(a, membership.Community) {
		return CommunityAccount, nil
	}
	if n, ok := ns.cache[string(a)]; ok {
		return n, nil
	}
	mv, _, err := membership.Member(ns.r, a)
	if err != nil {
		return "", err
	}
	ns.cache[string(a)] = mv.Name
	return mv.Name, nil
}

// findAccount resolves an active member (ID or unambiguous name) or the
// community account, for a transfer.
func findAccount(r *crdt.Reader, s string) ([]byte, error) {
	s = strings.TrimSpace(s)
	if strings.EqualFold(s, CommunityAccount) {
		return membership.Community, nil
	}
	if s == "" {
		return nil, refusal.Prefixed("node", "an empty member name")
	}
	mv, err := membership.FindMember(r, s, idOf)
	if err != nil {
		return nil, err
	}
	return mv.Key, nil
}

// lookupAccount is findAccount that also accepts the ID of a member who is
// no longer active, for reading balances and statements.
func lookupAccount(r *crdt.Reader, s string) ([]byte, error) {
	key, err := findAccount(r, s)
	if err == nil || !errors.Is(err, crdt.ErrNotFound) {
		return key, err
	}
	pub, perr := identity.PublicKeyFromID(strings.TrimSpace(s))
	if perr != nil {
		return nil, err
	}
	if _, ok, merr := membership.Member(r, pub); merr != nil {
		return nil, merr
	} else if !ok {
		return nil, err
	}
	return pub, nil
}

// transferID decodes a transfer ID.
func transferID(s string) (cid.Cid, error) {
	c, err := cid.Decode(strings.TrimSpace(s))
	if err != nil {
		return cid.Undef, refusal.Prefixed("node", "%q is not a transfer ID", s)
	}
	return c, nil
}

// getTransfer reads a transfer, or says it is unknown.
func getTransfer(r *crdt.Reader, id cid.Cid) (timebank.TransferView, error) {
	tv, ok, err := timebank.TransferByID(r, id)
	if err != nil {
		return tv, err
	}
	if !ok {
		return tv, refusal.New(crdt.ErrNotFound, "no transfer %s here (unknown, not yet received, or void)", id)
	}
	return tv, nil
}

func transferInfo(ns *names, tv *timebank.TransferView, founder []byte) (TransferInfo, error) {
	c, err := cid.Cast(tv.ID)
	if err != nil {
		return TransferInfo{}, fmt.Errorf("%w: transfer ID: %v", crdt.ErrCorrupt, err)
	}
	pn, err := ns.of(tv.Proposer)
	if err != nil {
		return TransferInfo{}, err
	}
	ti := TransferInfo{ID: c.String(), Mode: tv.Mode, Pool: tv.Pool, Proposer: idOf(tv.Proposer), ProposerName: pn,
		Skill: tv.Skill, Note: tv.Note, Time: fmtHLC(tv.Time), Legs: make([]LegInfo, len(tv.Legs))}
	for i, l := range tv.Legs {
		name, err := ns.of(l.Member)
		if err != nil {
			return ti, err
		}
		payer, provider := tv.Sides(i)
		_, reversed := tv.ReversedAt(i, founder)
		li := LegInfo{Member: acctID(l.Member), Name: name, Minutes: int64(l.Minutes), Payer: acctID(payer),
			Provider: acctID(provider), State: l.State, Reason: l.Reason, Review: l.Review, Reversed: reversed}
		for _, d := range l.Disputes {
			dc, err := cid.Cast(d.ID)
			if err != nil {
				return ti, fmt.Errorf("%w: dispute ID: %v", crdt.ErrCorrupt, err)
			}
			bn, err := ns.of(d.By)
			if err != nil {
				return ti, err
			}
			li.Disputes = append(li.Disputes, DisputeInfo{ID: dc.String(), By: idOf(d.By), ByName: bn, Reason: d.Reason,
				Reverse: d.Reverse, Time: fmtHLC(d.Time)})
		}
		ti.Legs[i] = li
	}
	return ti, nil
}

// actorOf is the member who acts for an account.
func actorOf(acct, founder []byte) []byte {
	if bytes.Equal(acct, membership.Community) {
		return founder
	}
	return acct
}

// legDelta is what leg i moves for acct once confirmed: plus for its
// provider, minus for its payer.
func legDelta(tv *timebank.TransferView, i int, acct []byte) int64 {
	payer, _ := tv.Sides(i)
	if bytes.Equal(acct, payer) {
		return -int64(tv.Legs[i].Minutes)
	}
	return int64(tv.Legs[i].Minutes)
}

// checkTextLen refuses text the ledger would refuse, with a clear message.
func checkTextLen(what, s string, max int) error {
	if !utf8.ValidString(s) || utf8.RuneCountInString(s) > max {
		return refusal.Prefixed("node", "the %s is longer than %d characters", what, max)
	}
	return nil
}

// ProposeTransfer proposes a transfer and returns it; each leg waits for
// its counterparty's answer (a donation to the community account takes
// effect at once).
func (n *Node) ProposeTransfer(req TransferRequest) (*TransferInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	if req.Mode != timebank.ModeGive && req.Mode != timebank.ModePay {
		return nil, refusal.Prefixed("node", "a transfer is a %q or a %q", timebank.ModeGive, timebank.ModePay)
	}
	if req.Pool && req.Mode != timebank.ModePay {
		return nil, refusal.Prefixed("node", "the community account only pays (a pay transfer out of the pool)")
	}
	if len(req.To) == 0 {
		return nil, refusal.Prefixed("node", "name at least one counterparty")
	}
	if len(req.To) > timebank.MaxLegs {
		return nil, refusal.Prefixed("node", "a transfer has at most %d counterparties", timebank.MaxLegs)
	}
	if req.Minutes < 1 || req.Minutes > timebank.MaxLegMinutes {
		return nil, refusal.Prefixed("node", "a transfer moves 1 minute to %s with each counterparty, not %d minutes",
			timebank.FormatMinutes(timebank.MaxLegMinutes), req.Minutes)
	}
	skill := strings.TrimSpace(req.Skill)
	if skill == "" {
		return nil, refusal.Prefixed("node", "a transfer needs a skill")
	}
	if err := checkTextLen("skill", skill, ledger.MaxSkillLen); err != nil {
		return nil, err
	}
	if err := checkTextLen("note", req.Note, ledger.MaxNoteLen); err != nil {
		return nil, err
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	me := []byte(n.pub.Member)
	n.mu.Lock()
	defer n.mu.Unlock()
	body := timebank.Transfer{Mode: req.Mode, Pool: req.Pool, Skill: skill, Note: req.Note}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		founder := bytes.Equal(sv.Founder, me)
		if req.Pool && !founder {
			return fmt.Errorf("%w (paying out of the community account)", ErrNotFounder)
		}
		if req.Pool {
			if err := founderAlone(r, "paying out of the community account", "--spend MEMBER_ID=MINUTES"); err != nil {
				return err
			}
		}
		fx, err := n.effects(r)
		if err != nil {
			return err
		}
		for _, s := range req.To {
			key, err := findAccount(r, s)
			if err != nil {
				return err
			}
			if err := removedError(fx, key, fmt.Sprintf("%q", s)); err != nil {
				return err
			}
			switch {
			case bytes.Equal(key, me):
				return refusal.New(ledger.ErrNotAllowed, "a transfer with yourself")
			case bytes.Equal(key, membership.Community) && req.Pool:
				return refusal.New(ledger.ErrNotAllowed, "the community account cannot pay itself")
			case bytes.Equal(key, membership.Community) && founder && req.Mode == timebank.ModeGive:
				return refusal.New(ledger.ErrNotAllowed, "the founder answers for the community account, so cannot give to it")
			}
			if slices.ContainsFunc(body.Legs, func(l timebank.Leg) bool { return bytes.Equal(l.Member, key) }) {
				return refusal.Prefixed("node", "%q is named twice", s)
			}
			body.Legs = append(body.Legs, timebank.Leg{Member: key, Minutes: uint64(req.Minutes)})
		}
		slices.SortFunc(body.Legs, func(a, b timebank.Leg) int { return bytes.Compare(a.Member, b.Member) })
		total := req.Minutes * int64(len(body.Legs))
		switch {
		case req.Pool:
			if err := checkLimit(r, fx, membership.Community, -total); err != nil {
				return refusal.Prefixed("node", "the community account cannot pay %s: %v", timebank.FormatMinutes(total), err)
			}
		case req.Mode == timebank.ModePay:
			if err := checkLimit(r, fx, me, -total); err != nil {
				return refusal.Prefixed("node", "you cannot pay %s: %v", timebank.FormatMinutes(total), err)
			}
		default:
			if err := checkLimit(r, fx, me, total); err != nil {
				return refusal.Prefixed("node", "you cannot receive %s: %v", timebank.FormatMinutes(total), err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	c, err := n.author(soc, timebank.TypeTransfer, body, nil)
	if err != nil {
		return nil, err
	}
	return n.transferInfo(soc, c)
}

// transferInfo reads a transfer for the answer of an API call.
func (n *Node) transferInfo(soc, id cid.Cid) (*TransferInfo, error) {
	var out TransferInfo
	err := n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		tv, err := getTransfer(r, id)
		if err != nil {
			return err
		}
		out, err = transferInfo(newNames(r), &tv, sv.Founder)
		return err
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// answerLeg picks the leg the local member answers.
func answerLeg(tv *timebank.TransferView, me, founder []byte, community bool) (int, error) {
	isFounder := bytes.Equal(me, founder)
	ci := tv.LegIndex(membership.Community)
	answerable := ci >= 0 && tv.Mode == timebank.ModeGive
	if community {
		switch {
		case !isFounder:
			return -1, fmt.Errorf("%w (answering for the community account)", ErrNotFounder)
		case ci < 0:
			return -1, refusal.Prefixed("node", "the community account is not party to this transfer")
		case !answerable:
			return -1, refusal.Prefixed("node", "a donation to the community account needs no answer")
		}
		return ci, nil
	}
	if i := tv.LegIndex(me); i >= 0 {
		return i, nil
	}
	if isFounder && answerable {
		return ci, nil
	}
	if bytes.Equal(tv.Proposer, me) {
		return -1, refusal.New(ledger.ErrNotAllowed, "you proposed this transfer; its counterparty answers it")
	}
	return -1, refusal.New(ledger.ErrNotAllowed, "this transfer is not yours to answer")
}

// AnswerTransfer confirms or rejects the local member's leg of a transfer
// (or, for the founder, the community account's). A confirmation that
// would take the answering account past the society's limits is refused.
func (n *Node) AnswerTransfer(req AnswerRequest) (*TransferInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	if !req.Accept && strings.TrimSpace(req.Reason) == "" {
		return nil, refusal.Prefixed("node", "a rejection needs a reason")
	}
	if req.Accept && req.Reason != "" {
		return nil, refusal.Prefixed("node", "only a rejection carries a reason (a confirmation may carry a review)")
	}
	if !req.Accept && req.Review != nil {
		return nil, refusal.Prefixed("node", "only a confirmation carries a review")
	}
	if err := checkTextLen("reason", req.Reason, ledger.MaxReasonLen); err != nil {
		return nil, err
	}
	if req.Review != nil {
		if err := checkTextLen("review note", req.Review.Note, ledger.MaxNoteLen); err != nil {
			return nil, err
		}
	}
	return n.onTransfer(req.Society, req.ID, timebank.TypeAnswer, func(r *crdt.Reader, sv membership.SocietyView, tv *timebank.TransferView, id cid.Cid, me []byte) (any, error) {
		i, err := answerLeg(tv, me, sv.Founder, req.Community)
		if err != nil {
			return nil, err
		}
		l := tv.Legs[i]
		if l.State != timebank.StatePending {
			community := bytes.Equal(l.Member, membership.Community)
			switch {
			case community && l.State == timebank.StateConfirmed:
				return nil, refusal.New(ErrAnswered, "the community account confirmed it")
			case community:
				return nil, refusal.New(ErrAnswered, "the community account rejected it")
			case l.State == timebank.StateConfirmed:
				return nil, refusal.New(ErrAnswered, "you confirmed it")
			}
			return nil, refusal.New(ErrAnswered, "you rejected it")
		}
		if req.Review != nil && tv.Mode != timebank.ModeGive {
			return nil, refusal.Prefixed("node", "only the receiver of a service reviews it: this transfer is a payment you receive")
		}
		if req.Accept {
			fx, err := n.effects(r)
			if err != nil {
				return nil, err
			}
			if err := checkLimit(r, fx, l.Member, legDelta(tv, i, l.Member)); err != nil {
				if bytes.Equal(l.Member, membership.Community) {
					return nil, refusal.Prefixed("node", "the community account cannot confirm this transfer: %v", err)
				}
				return nil, refusal.Prefixed("node", "you cannot confirm this transfer: %v", err)
			}
		}
		return timebank.Answer{Transfer: crdt.Link{Cid: id}, Leg: l.Member, Accept: req.Accept, Reason: req.Reason, Review: req.Review}, nil
	})
}

// onTransfer writes a record of type typ about a transfer the local member
// is party to: decide, reading the store, returns the record's body or
// why it may not be written.
func (n *Node) onTransfer(society, transfer, typ string, decide func(r *crdt.Reader, sv membership.SocietyView, tv *timebank.TransferView, id cid.Cid, me []byte) (any, error)) (*TransferInfo, error) {
	id, err := transferID(transfer)
	if err != nil {
		return nil, err
	}
	soc, err := n.society(society)
	if err != nil {
		return nil, err
	}
	me := []byte(n.pub.Member)
	n.mu.Lock()
	defer n.mu.Unlock()
	var body any
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		tv, err := getTransfer(r, id)
		if err != nil {
			return err
		}
		body, err = decide(r, sv, &tv, id, me)
		return err
	})
	if err != nil {
		return nil, err
	}
	if _, err := n.author(soc, typ, body, []cid.Cid{id}); err != nil {
		return nil, err
	}
	return n.transferInfo(soc, id)
}

// disputeLeg picks the leg the local member disputes: one they are party
// to, whose counterparty is with (any when with is nil).
func disputeLeg(tv *timebank.TransferView, me, founder, with []byte) (int, error) {
	var found []int
	for i, l := range tv.Legs {
		payer, provider := tv.Sides(i)
		var cp []byte
		switch {
		case bytes.Equal(actorOf(l.Member, founder), me):
			cp = payer
			if bytes.Equal(payer, l.Member) {
				cp = provider
			}
		case bytes.Equal(actorOf(payer, founder), me) || bytes.Equal(actorOf(provider, founder), me):
			cp = l.Member
		default:
			continue
		}
		if with == nil || bytes.Equal(cp, with) {
			found = append(found, i)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) > 1:
		return -1, refusal.Prefixed("node", "you are party to several legs of this transfer: say which counterparty (--with MEMBER)")
	case with != nil:
		return -1, refusal.New(ledger.ErrNotAllowed, "you have no leg with %s in this transfer", acctID(with))
	}
	return -1, refusal.New(ledger.ErrNotAllowed, "you are not a party to this transfer")
}

// DisputeTransfer contests a leg of a transfer the local member is party
// to; with Reverse it consents to reversing a confirmed leg.
func (n *Node) DisputeTransfer(req DisputeRequest) (*TransferInfo, error) {
	if n.id == nil {
		return nil, ErrLocked
	}
	if strings.TrimSpace(req.Reason) == "" {
		return nil, refusal.Prefixed("node", "a dispute needs a reason")
	}
	if err := checkTextLen("reason", req.Reason, ledger.MaxReasonLen); err != nil {
		return nil, err
	}
	return n.onTransfer(req.Society, req.ID, timebank.TypeDispute, func(r *crdt.Reader, sv membership.SocietyView, tv *timebank.TransferView, id cid.Cid, me []byte) (any, error) {
		var with []byte
		if req.With != "" {
			var err error
			if with, err = lookupAccount(r, req.With); err != nil {
				return nil, err
			}
		}
		i, err := disputeLeg(tv, me, sv.Founder, with)
		if err != nil {
			return nil, err
		}
		l := tv.Legs[i]
		if req.Reverse {
			if l.State != timebank.StateConfirmed {
				return nil, refusal.Prefixed("node", "only a confirmed transfer can be reversed; this one is %s", l.State)
			}
			if _, done := tv.ReversedAt(i, sv.Founder); done {
				return nil, refusal.Prefixed("node", "this transfer is already reversed")
			}
			if slices.ContainsFunc(l.Disputes, func(d timebank.DisputeView) bool { return d.Reverse && bytes.Equal(d.By, me) }) {
				return nil, refusal.Prefixed("node", "you already consented to reversing this transfer; the other party must consent too")
			}
		}
		return timebank.Dispute{Transfer: crdt.Link{Cid: id}, Leg: l.Member, Reason: req.Reason, Reverse: req.Reverse}, nil
	})
}

// PendingTransfers lists the transfers waiting for the local member's
// answer (and, for the founder, the community account's), oldest first.
func (n *Node) PendingTransfers(req SocietyRequest) ([]PendingInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	me := []byte(n.pub.Member)
	out := []PendingInfo{}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		accts := [][]byte{me}
		if bytes.Equal(sv.Founder, me) {
			accts = append(accts, membership.Community)
		}
		ps, err := timebank.Pending(r, accts...)
		if err != nil {
			return err
		}
		ns := newNames(r)
		for _, p := range ps {
			ti, err := transferInfo(ns, &p.Transfer, sv.Founder)
			if err != nil {
				return err
			}
			acct := p.Transfer.Legs[p.Leg].Member
			out = append(out, PendingInfo{TransferInfo: ti, Account: acctID(acct), Minutes: legDelta(&p.Transfer, p.Leg, acct)})
		}
		return nil
	})
	return out, err
}

// Transfer describes one transfer.
func (n *Node) Transfer(req TransferIDRequest) (*TransferInfo, error) {
	id, err := transferID(req.ID)
	if err != nil {
		return nil, err
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	return n.transferInfo(soc, id)
}

// Transfers lists recent transfers the local member is party to, newest
// first, whatever their state.
func (n *Node) Transfers(req TransfersRequest) ([]TransferInfo, error) {
	if req.Limit <= 0 {
		req.Limit = 20
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := []TransferInfo{}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		ts, err := timebank.TransfersOf(r, n.pub.Member, req.Limit)
		if err != nil {
			return err
		}
		ns := newNames(r)
		for i := range ts {
			ti, err := transferInfo(ns, &ts[i], sv.Founder)
			if err != nil {
				return err
			}
			out = append(out, ti)
		}
		return nil
	})
	return out, err
}

// account resolves the account of a balance or statement request.
func (n *Node) account(r *crdt.Reader, s string) ([]byte, error) {
	if strings.TrimSpace(s) == "" {
		return n.pub.Member, nil
	}
	return lookupAccount(r, s)
}

// Balance returns an account's balance: the local member's by default.
func (n *Node) Balance(req BalanceRequest) (*BalanceInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	var out BalanceInfo
	err = n.store.View(soc, func(r *crdt.Reader) error {
		acct, err := n.account(r, req.Member)
		if err != nil {
			return err
		}
		b, err := timebank.Balance(r, acct)
		if err != nil {
			return err
		}
		fx, err := n.effects(r)
		if err != nil {
			return err
		}
		name, err := newNames(r).of(acct)
		if err != nil {
			return err
		}
		lo, hi, capped := fx.Settings.Limits(acct)
		d, _, err := decided(r, fx, acct)
		if err != nil {
			return err
		}
		mins := b.Minutes + d
		out = BalanceInfo{Member: acctID(acct), Name: name, Minutes: mins, Display: timebank.FormatMinutes(mins),
			Lines: b.Lines, MinMinutes: lo}
		if capped {
			out.MaxMinutes = &hi
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Statement returns an account's statement (the local member's by
// default): the whole of it oldest first, or a page newest first.
func (n *Node) Statement(req StatementRequest) (*StatementInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := StatementInfo{Oldest: req.All, Lines: []StatementLineInfo{}}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		acct, err := n.account(r, req.Member)
		if err != nil {
			return err
		}
		ns := newNames(r)
		if out.Name, err = ns.of(acct); err != nil {
			return err
		}
		out.Member = acctID(acct)
		fx, err := n.effects(r)
		if err != nil {
			return err
		}
		for _, p := range fx.Payouts() {
			if bytes.Equal(acct, membership.Community) || bytes.Equal(acct, p.Member) {
				p.MemberID = acctID(p.Member)
				out.Payouts = append(out.Payouts, p)
			}
		}
		d, vs, err := decided(r, fx, acct)
		if err != nil {
			return err
		}
		defer func() { out.Balance += d }()
		var lines []timebank.StatementLine
		if req.All {
			if lines, err = timebank.StatementAll(r, acct); err != nil {
				return err
			}
			b, err := timebank.Balance(r, acct)
			if err != nil {
				return err
			}
			out.Balance = b.Minutes
		} else {
			p, err := timebank.Statement(r, acct, req.Limit, req.Cursor)
			if err != nil {
				return err
			}
			lines, out.Next, out.Balance = p.Lines, p.Next, p.Balance.Minutes
		}
		for _, l := range lines {
			c, err := cid.Cast(l.Transfer)
			if err != nil {
				return fmt.Errorf("%w: statement transfer ID: %v", crdt.ErrCorrupt, err)
			}
			cpName, err := ns.of(l.Counterparty)
			if err != nil {
				return err
			}
			out.Lines = append(out.Lines, StatementLineInfo{Time: fmtHLC(l.Time), Transfer: c.String(),
				Counterparty: acctID(l.Counterparty), CounterpartyName: cpName, Skill: l.Skill, Note: l.Note,
				Minutes: l.Minutes, Balance: l.Balance, Flagged: l.Flagged, Reversal: l.Reversal, Review: l.Review,
				Void: vs.legs[voidKey(l.Transfer, int(l.Leg))]})
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &out, nil
}
