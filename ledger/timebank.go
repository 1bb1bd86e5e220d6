package ledger

import (
	"bytes"
	"crypto/ed25519"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
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

// Community is the account key of the society's pool. Members donate to it
// with a "pay" transfer whose leg is Community (no answer needed); the
// founder pays out of it with a "pay" transfer marked Pool, and answers for
// it when a member proposes a "give" to it.
var Community = []byte("community")

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
var ErrLimit = errors.New("ledger: credit limit")

// View keys of the time bank. Accounts are length-prefixed so that the
// community account never shares a prefix with a member key.
const (
	kTransfer = "tx/"   // transfer CID -> TransferView
	kBalance  = "bal/"  // account -> BalanceView
	kLine     = "tl/"   // account, time, transfer CID, leg, kind -> StatementEntry
	kPending  = "pend/" // answering account, transfer CID, leg -> nil
	kParty    = "txby/" // account, time, transfer CID -> nil
	kVoid     = "void/" // CID -> VoidView: time-bank records that take no effect
	kindLine  = byte(0) // a confirmed leg
	kindRev   = byte(1) // its reversal
	maxCursor = 512
)

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
		from = Community
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
	if bytes.Equal(acct, Community) {
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

func FounderOf(r ViewReader) ([]byte, error) {
	var s SocietyView
	ok, err := Get(r, kSociety, &s)
	if err == nil && !ok {
		err = fmt.Errorf("%w: society view missing", crdt.ErrCorrupt)
	}
	return s.Founder, err
}

func checkAccount(a []byte) error {
	if len(a) != ed25519.PublicKeySize && !bytes.Equal(a, Community) {
		return fmt.Errorf("%w: account key", ErrBadBody)
	}
	return nil
}

func checkTransfer(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	member := m.Member
	var t Transfer
	if err := DecodeBody(e.Rec, &t); err != nil {
		return err
	}
	e.Body = &t
	if t.Mode != ModeGive && t.Mode != ModePay {
		return fmt.Errorf("%w: transfer mode %q", ErrBadBody, t.Mode)
	}
	if len(t.Legs) == 0 || len(t.Legs) > MaxLegs {
		return fmt.Errorf("%w: a transfer has 1 to %d counterparties", ErrBadBody, MaxLegs)
	}
	if strings.TrimSpace(t.Skill) == "" {
		return fmt.Errorf("%w: a transfer needs a skill", ErrBadBody)
	}
	if err := CheckText("skill", t.Skill, MaxSkillLen); err != nil {
		return err
	}
	if err := CheckText("note", t.Note, MaxNoteLen); err != nil {
		return err
	}
	founder, err := FounderOf(r)
	if err != nil {
		return err
	}
	isFounder := bytes.Equal(member, founder)
	if t.Pool && (t.Mode != ModePay || !isFounder) {
		return fmt.Errorf("%w: only the founder pays out of the community account, with a pay transfer", ErrNotAllowed)
	}
	for i, l := range t.Legs {
		if err := checkAccount(l.Member); err != nil {
			return err
		}
		if i > 0 && bytes.Compare(t.Legs[i-1].Member, l.Member) >= 0 {
			return fmt.Errorf("%w: legs not sorted or repeated", ErrBadBody)
		}
		if l.Minutes == 0 || l.Minutes > MaxLegMinutes {
			return fmt.Errorf("%w: a leg moves 1 to %d minutes", ErrBadBody, MaxLegMinutes)
		}
		if bytes.Equal(l.Member, member) {
			return fmt.Errorf("%w: a transfer with oneself", ErrNotAllowed)
		}
		if bytes.Equal(l.Member, Community) && (t.Pool || (isFounder && t.Mode == ModeGive)) {
			return fmt.Errorf("%w: the founder cannot trade with the community account they act for", ErrNotAllowed)
		}
	}
	return nil
}

// answerParts returns the transfer link, leg and reason of an answer or a
// dispute, decoding it once.
func answerParts(e *crdt.Entry) (link crdt.Link, leg []byte, err error) {
	switch b := e.Body.(type) {
	case *Answer:
		return b.Transfer, b.Leg, nil
	case *Dispute:
		return b.Transfer, b.Leg, nil
	}
	if e.Rec.Type == TypeAnswer {
		a := new(Answer)
		if err := DecodeBody(e.Rec, a); err != nil {
			return link, nil, err
		}
		e.Body = a
		return a.Transfer, a.Leg, nil
	}
	d := new(Dispute)
	if err := DecodeBody(e.Rec, d); err != nil {
		return link, nil, err
	}
	e.Body = d
	return d.Transfer, d.Leg, nil
}

func checkAnswerOrDispute(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	member := m.Member
	link, leg, err := answerParts(e)
	if err != nil {
		return err
	}
	switch b := e.Body.(type) {
	case *Answer:
		if !b.Accept && strings.TrimSpace(b.Reason) == "" {
			return fmt.Errorf("%w: a rejection needs a reason", ErrBadBody)
		}
		if err := CheckText("reason", b.Reason, MaxReasonLen); err != nil {
			return err
		}
		if b.Review != nil {
			if !b.Accept {
				return fmt.Errorf("%w: only a confirmation carries a review", ErrBadBody)
			}
			if err := CheckText("review note", b.Review.Note, MaxNoteLen); err != nil {
				return err
			}
		}
	case *Dispute:
		if strings.TrimSpace(b.Reason) == "" {
			return fmt.Errorf("%w: a dispute needs a reason", ErrBadBody)
		}
		if err := CheckText("reason", b.Reason, MaxReasonLen); err != nil {
			return err
		}
	}
	tm, err := DepMeta(e, link.Cid)
	if err != nil {
		return err
	}
	if tm.Type != TypeTransfer {
		return fmt.Errorf("%w: %s is not a transfer", ErrBadBody, link.Cid)
	}
	trec, err := r.Record(link.Cid)
	if err != nil {
		return err
	}
	var t Transfer
	if err := DecodeBody(trec, &t); err != nil {
		return err
	}
	i := slices.IndexFunc(t.Legs, func(l Leg) bool { return bytes.Equal(l.Member, leg) })
	if i < 0 {
		return fmt.Errorf("%w: the transfer has no such counterparty", ErrBadBody)
	}
	founder, err := FounderOf(r)
	if err != nil {
		return err
	}
	legSide := actor(leg, founder)
	proposer := tm.Member
	if t.Pool {
		proposer = founder
	}
	if e.Rec.Type == TypeAnswer {
		if a := e.Body.(*Answer); a.Review != nil && t.Mode != ModeGive {
			return fmt.Errorf("%w: a review rates a service, so only its receiver (answering a give) writes one", ErrBadBody)
		}
		if t.Mode == ModePay && bytes.Equal(leg, Community) {
			return fmt.Errorf("%w: a donation to the community account needs no answer", ErrNotAllowed)
		}
		if !bytes.Equal(member, legSide) {
			return fmt.Errorf("%w: only the counterparty answers a transfer", ErrNotAllowed)
		}
		return nil
	}
	if !bytes.Equal(member, legSide) && !bytes.Equal(member, proposer) {
		return fmt.Errorf("%w: only a party to a transfer disputes it", ErrNotAllowed)
	}
	return nil
}

// noteVoid records a time-bank record that takes no effect because its
// device was cut, so every peer lists the same such records.
func noteVoid(v *crdt.Views, e *crdt.Entry) error {
	return Put(v, kVoid+string(e.CID.Bytes()), VoidView{Type: e.Rec.Type, Author: e.Rec.Author, Time: e.Rec.Time})
}

func applyTimeBank(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	founder, err := FounderOf(v)
	if err != nil {
		return err
	}
	if e.Rec.Type == TypeTransfer {
		return applyTransfer(v, e, m, founder)
	}
	return applyLegChange(v, e, m, founder)
}

func applyTransfer(v *crdt.Views, e *crdt.Entry, m crdt.Meta, founder []byte) error {
	t, ok := e.Body.(*Transfer)
	if !ok {
		t = new(Transfer)
		if err := DecodeBody(e.Rec, t); err != nil {
			return err
		}
	}
	id := e.CID.Bytes()
	tv := TransferView{ID: id, Mode: t.Mode, Pool: t.Pool, Proposer: m.Member, Skill: strings.ToLower(strings.TrimSpace(t.Skill)),
		Note: t.Note, Time: e.Rec.Time, Legs: make([]LegView, len(t.Legs))}
	from := m.Member
	if t.Pool {
		from = Community
	}
	if err := v.Put(partyKey(from, e.Rec.Time, id), nil); err != nil {
		return err
	}
	for i, l := range t.Legs {
		lv := LegView{Member: l.Member, Minutes: l.Minutes, State: StatePending, Disputes: []DisputeView{}}
		if t.Mode == ModePay && bytes.Equal(l.Member, Community) {
			lv.State, lv.Answer, lv.AnswerTime = StateConfirmed, id, e.Rec.Time
		} else if err := v.Put(pendingKey(l.Member, id, i), nil); err != nil {
			return err
		}
		tv.Legs[i] = lv
		if err := v.Put(partyKey(l.Member, e.Rec.Time, id), nil); err != nil {
			return err
		}
	}
	for i := range tv.Legs {
		if err := applyLines(v, nil, legLines(&tv, i, founder)); err != nil {
			return err
		}
	}
	return Put(v, kTransfer+string(id), tv)
}

func applyLegChange(v *crdt.Views, e *crdt.Entry, m crdt.Meta, founder []byte) error {
	link, leg, err := answerParts(e)
	if err != nil {
		return err
	}
	k := kTransfer + string(link.Bytes())
	var tv TransferView
	if ok, err := Get(v, k, &tv); err != nil || !ok {
		return err // the transfer took no effect
	}
	i := tv.LegIndex(leg)
	if i < 0 {
		return nil
	}
	before := legLines(&tv, i, founder)
	l := &tv.Legs[i]
	id := e.CID.Bytes()
	switch b := e.Body.(type) {
	case *Answer:
		if l.Answer != nil && !earlier(e.Rec.Time, id, l.AnswerTime, l.Answer) {
			return nil // a later answer changes nothing
		}
		if l.State == StatePending {
			if err := v.Delete(pendingKey(leg, tv.ID, i)); err != nil {
				return err
			}
		}
		l.State, l.Answer, l.AnswerTime, l.Reason, l.Review = StateRejected, id, e.Rec.Time, b.Reason, nil
		if b.Accept {
			l.State, l.Review = StateConfirmed, b.Review
		}
	case *Dispute:
		d := DisputeView{ID: id, By: m.Member, Reason: b.Reason, Reverse: b.Reverse, Time: e.Rec.Time}
		at, found := slices.BinarySearchFunc(l.Disputes, d, func(a, b DisputeView) int {
			if a.Time != b.Time {
				if a.Time < b.Time {
					return -1
				}
				return 1
			}
			return bytes.Compare(a.ID, b.ID)
		})
		if found {
			return nil
		}
		l.Disputes = slices.Insert(l.Disputes, at, d)
	}
	if err := applyLines(v, before, legLines(&tv, i, founder)); err != nil {
		return err
	}
	return Put(v, k, tv)
}

// earlier orders answers by (time, CID).
func earlier(t crdt.HLC, id []byte, u crdt.HLC, uid []byte) bool {
	if t != u {
		return t < u
	}
	return bytes.Compare(id, uid) < 0
}

type line struct {
	acct []byte
	key  string
	e    StatementEntry
}

// legLines returns the statement lines a leg currently makes: none unless
// it is confirmed; a debit and a credit; and their reversal.
func legLines(t *TransferView, i int, founder []byte) []line {
	l := t.Legs[i]
	if l.State != StateConfirmed {
		return nil
	}
	payer, provider := t.Sides(i)
	n := int64(l.Minutes)
	mk := func(acct, cp []byte, minutes int64, at crdt.HLC, rev bool) line {
		e := StatementEntry{Time: at, Transfer: t.ID, Leg: uint16(i), Counterparty: cp, Minutes: minutes,
			Skill: t.Skill, Note: t.Note, Reversal: rev}
		if !rev && bytes.Equal(acct, provider) {
			e.Review = l.Review
		}
		kind := kindLine
		if rev {
			kind = kindRev
		}
		return line{acct: acct, key: lineKey(acct, at, t.ID, i, kind), e: e}
	}
	out := []line{mk(payer, provider, -n, l.AnswerTime, false), mk(provider, payer, n, l.AnswerTime, false)}
	if at, ok := t.ReversedAt(i, founder); ok {
		out = append(out, mk(payer, provider, n, at, true), mk(provider, payer, -n, at, true))
	}
	return out
}

// applyLines replaces a leg's statement lines, keeping the balances equal to
// the sum of each account's lines.
func applyLines(v *crdt.Views, before, after []line) error {
	same := func(a, b line) bool {
		return a.key == b.key && a.e.Minutes == b.e.Minutes && a.e.Review == b.e.Review
	}
	for _, o := range before {
		if slices.ContainsFunc(after, func(n line) bool { return same(o, n) }) {
			continue
		}
		if err := v.Delete(o.key); err != nil {
			return err
		}
		if err := addBalance(v, o.acct, -o.e.Minutes, -1); err != nil {
			return err
		}
	}
	for _, n := range after {
		if slices.ContainsFunc(before, func(o line) bool { return same(o, n) }) {
			continue
		}
		if err := Put(v, n.key, n.e); err != nil {
			return err
		}
		if err := addBalance(v, n.acct, n.e.Minutes, 1); err != nil {
			return err
		}
	}
	return nil
}

func addBalance(v *crdt.Views, acct []byte, minutes int64, lines int64) error {
	k := kBalance + Account(acct)
	var b BalanceView
	if _, err := Get(v, k, &b); err != nil {
		return err
	}
	b.Minutes += minutes
	b.Lines = uint64(int64(b.Lines) + lines)
	if b.Lines == 0 && b.Minutes == 0 {
		return v.Delete(k)
	}
	return Put(v, k, b)
}

func lineKey(acct []byte, t crdt.HLC, tx []byte, leg int, kind byte) string {
	return kLine + Account(acct) + BE64(uint64(t)) + string(tx) + string(binary.BigEndian.AppendUint16(nil, uint16(leg))) + string([]byte{kind})
}

func pendingKey(acct, tx []byte, leg int) string {
	return kPending + Account(acct) + string(tx) + string(binary.BigEndian.AppendUint16(nil, uint16(leg)))
}

func partyKey(acct []byte, t crdt.HLC, tx []byte) string {
	return kParty + Account(acct) + BE64(uint64(t)) + string(tx)
}
