package timebank

import (
	"bytes"
	"encoding/binary"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
)

// noteVoid records a time-bank record that takes no effect because its
// device was cut, so every peer lists the same such records.
func noteVoid(v *crdt.Views, e *crdt.Entry) error {
	return ledger.Put(v, kVoid+string(e.CID.Bytes()), VoidView{Type: e.Rec.Type, Author: e.Rec.Author, Time: e.Rec.Time})
}

func applyTimeBank(v *crdt.Views, e *crdt.Entry, m crdt.Meta) error {
	founder, err := membership.FounderOf(v)
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
		if err := ledger.DecodeBody(e.Rec, t); err != nil {
			return err
		}
	}
	id := e.CID.Bytes()
	tv := TransferView{ID: id, Mode: t.Mode, Pool: t.Pool, Proposer: m.Member, Skill: strings.ToLower(strings.TrimSpace(t.Skill)),
		Note: t.Note, Time: e.Rec.Time, Legs: make([]LegView, len(t.Legs))}
	from := m.Member
	if t.Pool {
		from = membership.Community
	}
	if err := v.Put(partyKey(from, e.Rec.Time, id), nil); err != nil {
		return err
	}
	for i, l := range t.Legs {
		lv := LegView{Member: l.Member, Minutes: l.Minutes, State: StatePending, Disputes: []DisputeView{}}
		if t.Mode == ModePay && bytes.Equal(l.Member, membership.Community) {
			lv.State, lv.Answer, lv.AnswerTime = StateConfirmed, id, e.Rec.Time
		} else if err := setPending(v, l.Member, PendingRef{Tx: id, Leg: uint16(i)}, true); err != nil {
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
	return ledger.Put(v, kTransfer+string(id), tv)
}

func applyLegChange(v *crdt.Views, e *crdt.Entry, m crdt.Meta, founder []byte) error {
	link, leg, err := answerParts(e)
	if err != nil {
		return err
	}
	k := kTransfer + string(link.Bytes())
	var tv TransferView
	if ok, err := ledger.Get(v, k, &tv); err != nil || !ok {
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
			if err := setPending(v, leg, PendingRef{Tx: tv.ID, Leg: uint16(i)}, false); err != nil {
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
	return ledger.Put(v, k, tv)
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
		if err := ledger.Put(v, n.key, n.e); err != nil {
			return err
		}
		if err := addBalance(v, n.acct, n.e.Minutes, 1); err != nil {
			return err
		}
	}
	return nil
}

func addBalance(v *crdt.Views, acct []byte, minutes int64, lines int64) error {
	k := kBalance + ledger.Account(acct)
	var b BalanceView
	if _, err := ledger.Get(v, k, &b); err != nil {
		return err
	}
	b.Minutes += minutes
	b.Lines = uint64(int64(b.Lines) + lines)
	if b.Lines == 0 && b.Minutes == 0 {
		return v.Delete(k)
	}
	return ledger.Put(v, k, b)
}

func lineKey(acct []byte, t crdt.HLC, tx []byte, leg int, kind byte) string {
	return kLine + ledger.Account(acct) + ledger.BE64(uint64(t)) + string(tx) + string(binary.BigEndian.AppendUint16(nil, uint16(leg))) + string([]byte{kind})
}

// setPending adds a leg to (in) or drops it from an account's
// PendingList.
func setPending(v *crdt.Views, acct []byte, ref PendingRef, in bool) error {
	k := kPending + ledger.Account(acct)
	var pl PendingList
	if _, err := ledger.Get(v, k, &pl); err != nil {
		return err
	}
	i, found := slices.BinarySearchFunc(pl.Legs, ref, PendingRef.cmp)
	switch {
	case in && !found:
		pl.Legs = slices.Insert(pl.Legs, i, ref)
	case !in && found:
		pl.Legs = slices.Delete(pl.Legs, i, i+1)
	default:
		return nil
	}
	if len(pl.Legs) == 0 {
		return v.Delete(k)
	}
	return ledger.Put(v, k, pl)
}

func partyKey(acct []byte, t crdt.HLC, tx []byte) string {
	return kParty + ledger.Account(acct) + ledger.BE64(uint64(t)) + string(tx)
}
