package timebank

import (
	"bytes"
	"crypto/ed25519"
	"slices"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
)

func checkAccount(a []byte) error {
	if len(a) != ed25519.PublicKeySize && !bytes.Equal(a, membership.Community) {
		return refusal.New(ledger.ErrBadBody, "account key")
	}
	return nil
}

func checkTransfer(r *crdt.Reader, e *crdt.Entry, m *crdt.Meta) error {
	member := m.Member
	var t Transfer
	if err := ledger.DecodeBody(e.Rec, &t); err != nil {
		return err
	}
	e.Body = &t
	if t.Mode != ModeGive && t.Mode != ModePay {
		return refusal.New(ledger.ErrBadBody, "transfer mode %q", t.Mode)
	}
	if len(t.Legs) == 0 || len(t.Legs) > MaxLegs {
		return refusal.New(ledger.ErrBadBody, "a transfer has 1 to %d counterparties", MaxLegs)
	}
	if strings.TrimSpace(t.Skill) == "" {
		return refusal.New(ledger.ErrBadBody, "a transfer needs a skill")
	}
	if err := ledger.CheckText("skill", t.Skill, ledger.MaxSkillLen); err != nil {
		return err
	}
	if err := ledger.CheckText("note", t.Note, ledger.MaxNoteLen); err != nil {
		return err
	}
	founder, err := membership.FounderOf(r)
	if err != nil {
		return err
	}
	isFounder := bytes.Equal(member, founder)
	if t.Pool && (t.Mode != ModePay || !isFounder) {
		return refusal.New(ledger.ErrNotAllowed, "only the founder pays out of the community account, with a pay transfer")
	}
	for i, l := range t.Legs {
		if err := checkAccount(l.Member); err != nil {
			return err
		}
		if i > 0 && bytes.Compare(t.Legs[i-1].Member, l.Member) >= 0 {
			return refusal.New(ledger.ErrBadBody, "legs not sorted or repeated")
		}
		if l.Minutes == 0 || l.Minutes > MaxLegMinutes {
			return refusal.New(ledger.ErrBadBody, "a leg moves 1 to %d minutes", MaxLegMinutes)
		}
		if bytes.Equal(l.Member, member) {
			return refusal.New(ledger.ErrNotAllowed, "a transfer with oneself")
		}
		if bytes.Equal(l.Member, membership.Community) && (t.Pool || (isFounder && t.Mode == ModeGive)) {
			return refusal.New(ledger.ErrNotAllowed, "the founder cannot trade with the community account they act for")
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
		if err := ledger.DecodeBody(e.Rec, a); err != nil {
			return link, nil, err
		}
		e.Body = a
		return a.Transfer, a.Leg, nil
	}
	d := new(Dispute)
	if err := ledger.DecodeBody(e.Rec, d); err != nil {
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
			return refusal.New(ledger.ErrBadBody, "a rejection needs a reason")
		}
		if err := ledger.CheckText("reason", b.Reason, ledger.MaxReasonLen); err != nil {
			return err
		}
		if b.Review != nil {
			if !b.Accept {
				return refusal.New(ledger.ErrBadBody, "only a confirmation carries a review")
			}
			if err := ledger.CheckText("review note", b.Review.Note, ledger.MaxNoteLen); err != nil {
				return err
			}
		}
	case *Dispute:
		if strings.TrimSpace(b.Reason) == "" {
			return refusal.New(ledger.ErrBadBody, "a dispute needs a reason")
		}
		if err := ledger.CheckText("reason", b.Reason, ledger.MaxReasonLen); err != nil {
			return err
		}
	}
	tm, err := ledger.DepMeta(e, link.Cid)
	if err != nil {
		return err
	}
	if tm.Type != TypeTransfer {
		return refusal.New(ledger.ErrBadBody, "%s is not a transfer", link.Cid)
	}
	trec, err := r.Record(link.Cid)
	if err != nil {
		return err
	}
	var t Transfer
	if err := ledger.DecodeBody(trec, &t); err != nil {
		return err
	}
	i := slices.IndexFunc(t.Legs, func(l Leg) bool { return bytes.Equal(l.Member, leg) })
	if i < 0 {
		return refusal.New(ledger.ErrBadBody, "the transfer has no such counterparty")
	}
	founder, err := membership.FounderOf(r)
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
			return refusal.New(ledger.ErrBadBody, "a review rates a service, so only its receiver (answering a give) writes one")
		}
		if t.Mode == ModePay && bytes.Equal(leg, membership.Community) {
			return refusal.New(ledger.ErrNotAllowed, "a donation to the community account needs no answer")
		}
		if !bytes.Equal(member, legSide) {
			return refusal.New(ledger.ErrNotAllowed, "only the counterparty answers a transfer")
		}
		return nil
	}
	if !bytes.Equal(member, legSide) && !bytes.Equal(member, proposer) {
		return refusal.New(ledger.ErrNotAllowed, "only a party to a transfer disputes it")
	}
	return nil
}
