// Package timebank is the society's time bank: a ledger module (see
// ledger.Module) with the transfer, transfer-answer and transfer-dispute
// record types, the statements and balances they fold into, and the
// queries over them.
//
// Its files follow every module's rooms: types.go (record bodies, views and
// view keys), check.go (may a record be stored?), apply.go (what it does to
// the views), query.go (what front ends read), invariants.go (what always
// holds of its views) and module.go (the registration).
package timebank

import (
	"bytes"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger/membership"
)

// Record types of the time bank.
//
// A transfer is proposed by one party and answered by the other: the
// provider proposes "give" ("I gave Bob 90 minutes of gardening") and the
// receiver answers, or the receiver proposes "pay" and the provider answers.
// A transfer has one leg per counterparty, so one provider and several
// receivers (or the reverse) is one transfer: a group session. Each leg
// takes effect when its counterparty confirms it; only confirmed legs move
// minutes. Either party may dispute a confirmed leg; the leg is reversed
// when both parties have consented to reversing it.
const (
	TypeTransfer = "transfer"
	TypeAnswer   = "transfer-answer"
	TypeDispute  = "transfer-dispute"
)

// Transfer modes.
const (
	// ModeGive: the proposer provided the service; each leg's member
	// received it and pays.
	ModeGive = "give"
	// ModePay: the proposer received the service and pays; each leg's
	// member provided it.
	ModePay = "pay"
)

// Leg states.
const (
	StatePending   = "pending"
	StateConfirmed = "confirmed"
	StateRejected  = "rejected"
)

// Limits on transfers.
const (
	MaxLegs       = 50
	MaxLegMinutes = 100 * 60
)

// Leg is one counterparty of a transfer and the minutes it moves.
type Leg struct {
	Member  []byte `cbor:"m"`
	Minutes uint64 `cbor:"min"`
}

// Transfer proposes moving minutes between the proposer and each leg's
// member. Its CID is the transfer ID.
type Transfer struct {
	Mode string `cbor:"mode"`
	// Pool marks a payment out of the community account, made by the
	// founder (mode pay only).
	Pool  bool   `cbor:"pool"`
	Legs  []Leg  `cbor:"legs"`
	Skill string `cbor:"skill"`
	Note  string `cbor:"note"`
}

// TransferReview is the short review a confirmation may carry: the
// receiver of a service rating it when confirming a give.
type TransferReview struct {
	Satisfied bool   `cbor:"ok" json:"satisfied"`
	Note      string `cbor:"note" json:"note,omitempty"`
}

// Answer confirms or rejects one leg of a transfer; only the leg's member
// (the founder for the community account) may answer it. The earliest
// answer by (time, CID) decides the leg; later ones change nothing.
type Answer struct {
	Transfer crdt.Link       `cbor:"tx"`
	Leg      []byte          `cbor:"leg"`
	Accept   bool            `cbor:"accept"`
	Reason   string          `cbor:"reason"`
	Review   *TransferReview `cbor:"review,omitempty"`
}

// Dispute contests one leg of a transfer, by either of its parties. With
// Reverse set it consents to reversing the leg; a confirmed leg is reversed
// once both parties have consented.
type Dispute struct {
	Transfer crdt.Link `cbor:"tx"`
	Leg      []byte    `cbor:"leg"`
	Reason   string    `cbor:"reason"`
	Reverse  bool      `cbor:"reverse"`
}

// ErrLimit is returned when a transfer would take a balance past the
// society's credit limits.
var ErrLimit = refusal.Kind("ledger", "credit limit")

// View keys of the time bank. Accounts are length-prefixed so that the
// community account never shares a prefix with a member key.
const (
	kTransfer = "tx/"    // transfer CID -> TransferView
	kBalance  = "bal/"   // account -> BalanceView
	kLine     = "tl/"    // account, time, transfer CID, leg, kind -> StatementEntry
	kPending  = "pendl/" // answering account -> PendingList
	kParty    = "txby/"  // account, time, transfer CID -> nil
	kVoid     = "void/"  // CID -> VoidView: time-bank records that take no effect
	kindLine  = byte(0)  // a confirmed leg
	kindRev   = byte(1)  // its reversal
	maxCursor = 512
)

// PendingList is the legs an account has yet to answer, ordered by
// transfer CID and leg: one key per account, so that listing them costs
// one read whatever the account's history (a key per leg, deleted when
// answered, left Badger's tombstones in the way of every later scan).
type PendingList struct {
	Legs []PendingRef `cbor:"legs"`
}

// PendingRef names one leg waiting for an answer.
type PendingRef struct {
	Tx  []byte `cbor:"tx"`
	Leg uint16 `cbor:"leg"`
}

func (a PendingRef) cmp(b PendingRef) int {
	if c := bytes.Compare(a.Tx, b.Tx); c != 0 {
		return c
	}
	return int(a.Leg) - int(b.Leg)
}

// TransferView is a transfer and the state of its legs.
type TransferView struct {
	ID   []byte `cbor:"id"`
	Mode string `cbor:"mode"`
	Pool bool   `cbor:"pool"`
	// Proposer is the proposing member (the founder for a pool payment).
	Proposer []byte    `cbor:"by"`
	Skill    string    `cbor:"skill"`
	Note     string    `cbor:"note"`
	Time     crdt.HLC  `cbor:"time"`
	Legs     []LegView `cbor:"legs"`
}

// LegView is the state of one leg.
type LegView struct {
	Member  []byte `cbor:"m"`
	Minutes uint64 `cbor:"min"`
	State   string `cbor:"state"`
	// Answer is the CID of the deciding answer (the transfer itself for a
	// donation), AnswerTime its time.
	Answer     []byte          `cbor:"ans"`
	AnswerTime crdt.HLC        `cbor:"at"`
	Reason     string          `cbor:"reason"`
	Review     *TransferReview `cbor:"review,omitempty"`
	Disputes   []DisputeView   `cbor:"disputes"`
}

// DisputeView is one dispute of a leg.
type DisputeView struct {
	ID      []byte   `cbor:"id"`
	By      []byte   `cbor:"by"`
	Reason  string   `cbor:"reason"`
	Reverse bool     `cbor:"reverse"`
	Time    crdt.HLC `cbor:"time"`
}

// BalanceView is an account's balance and the number of statement lines.
type BalanceView struct {
	Minutes int64  `cbor:"min"`
	Lines   uint64 `cbor:"n"`
}

// StatementEntry is one line of an account's statement.
type StatementEntry struct {
	Time         crdt.HLC        `cbor:"t"`
	Transfer     []byte          `cbor:"tx"`
	Leg          uint16          `cbor:"leg"`
	Counterparty []byte          `cbor:"cp"`
	Minutes      int64           `cbor:"min"`
	Skill        string          `cbor:"skill"`
	Note         string          `cbor:"note"`
	Reversal     bool            `cbor:"rev"`
	Review       *TransferReview `cbor:"review,omitempty"`
}

// VoidView names a time-bank record that is stored but takes no effect
// because its device was cut (a fork, a revocation, a departure).
type VoidView struct {
	Type   string   `cbor:"type"`
	Author []byte   `cbor:"author"`
	Time   crdt.HLC `cbor:"time"`
}

// Sides returns the payer and the provider of leg i.
func (t *TransferView) Sides(i int) (payer, provider []byte) {
	from := t.Proposer
	if t.Pool {
		from = membership.Community
	}
	if t.Mode == ModeGive {
		return t.Legs[i].Member, from
	}
	return from, t.Legs[i].Member
}

// LegIndex returns the index of the leg of an account, or -1.
func (t *TransferView) LegIndex(acct []byte) int {
	return slices.IndexFunc(t.Legs, func(l LegView) bool { return bytes.Equal(l.Member, acct) })
}

// actor is the member who acts for an account.
func actor(acct, founder []byte) []byte {
	if bytes.Equal(acct, membership.Community) {
		return founder
	}
	return acct
}

// ReversedAt reports whether leg i is reversed (both parties consented) and
// when: the later of the two consents, and never before the confirmation.
func (t *TransferView) ReversedAt(i int, founder []byte) (crdt.HLC, bool) {
	l := t.Legs[i]
	if l.State != StateConfirmed {
		return 0, false
	}
	payer, provider := t.Sides(i)
	pa, pr := actor(payer, founder), actor(provider, founder)
	var tp, tr crdt.HLC
	var okp, okr bool
	for _, d := range l.Disputes { // sorted by time: the first consent counts
		if !d.Reverse {
			continue
		}
		if !okp && bytes.Equal(d.By, pa) {
			tp, okp = d.Time, true
		}
		if !okr && bytes.Equal(d.By, pr) {
			tr, okr = d.Time, true
		}
	}
	if !okp || !okr {
		return 0, false
	}
	return max(tp, tr, l.AnswerTime), true
}
