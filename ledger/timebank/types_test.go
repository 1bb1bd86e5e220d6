package timebank

import (
	"bytes"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger/membership"
)

// TestSidesAndReversal checks who pays and who provides on each leg of
// give and pay transfers (pool payments included), and that a confirmed
// leg is reversed only once both parties consented, at the later consent
// and never before the confirmation.
func TestSidesAndReversal(t *testing.T) {
	ann, bob, founder := bytes.Repeat([]byte{1}, 32), bytes.Repeat([]byte{2}, 32), bytes.Repeat([]byte{3}, 32)
	sides := []struct {
		name            string
		tv              TransferView
		payer, provider []byte
	}{
		{"give: the leg pays the proposer", TransferView{Mode: ModeGive, Proposer: ann, Legs: []LegView{{Member: bob}}}, bob, ann},
		{"pay: the proposer pays the leg", TransferView{Mode: ModePay, Proposer: ann, Legs: []LegView{{Member: bob}}}, ann, bob},
		{"pool: the community account pays", TransferView{Mode: ModePay, Pool: true, Proposer: founder, Legs: []LegView{{Member: bob}}}, membership.Community, bob},
	}
	for _, s := range sides {
		if p, q := s.tv.Sides(0); !bytes.Equal(p, s.payer) || !bytes.Equal(q, s.provider) {
			t.Errorf("%s: Sides = %x, %x", s.name, p, q)
		}
	}

	consent := func(by []byte, at crdt.HLC) DisputeView { return DisputeView{By: by, Reverse: true, Time: at} }
	reversals := []struct {
		name     string
		leg      LegView
		want     crdt.HLC
		reversed bool
	}{
		{"both consent", LegView{Member: bob, State: StateConfirmed, AnswerTime: 5, Disputes: []DisputeView{consent(ann, 7), consent(bob, 9)}}, 9, true},
		{"one consent", LegView{Member: bob, State: StateConfirmed, AnswerTime: 5, Disputes: []DisputeView{consent(ann, 7)}}, 0, false},
		{"a dispute without consent", LegView{Member: bob, State: StateConfirmed, AnswerTime: 5, Disputes: []DisputeView{consent(ann, 7), {By: bob, Time: 8}}}, 0, false},
		{"consents before the confirmation", LegView{Member: bob, State: StateConfirmed, AnswerTime: 12, Disputes: []DisputeView{consent(ann, 7), consent(bob, 9)}}, 12, true},
		{"pending leg", LegView{Member: bob, State: StatePending, Disputes: []DisputeView{consent(ann, 7), consent(bob, 9)}}, 0, false},
		{"a stranger's consent", LegView{Member: bob, State: StateConfirmed, AnswerTime: 5, Disputes: []DisputeView{consent(ann, 7), consent(founder, 9)}}, 0, false},
	}
	for _, r := range reversals {
		tv := TransferView{Mode: ModeGive, Proposer: ann, Legs: []LegView{r.leg}}
		if at, ok := tv.ReversedAt(0, founder); ok != r.reversed || at != r.want {
			t.Errorf("%s: ReversedAt = %d, %v; want %d, %v", r.name, at, ok, r.want, r.reversed)
		}
	}
}

func TestFormatMinutes(t *testing.T) {
	for n, want := range map[int64]string{0: "0 h", 45: "45 min", 60: "1 h", 90: "1 h 30 min", -90: "-1 h 30 min", -30: "-30 min", 6000: "100 h"} {
		if got := FormatMinutes(n); got != want {
			t.Errorf("FormatMinutes(%d) = %q, want %q", n, got, want)
		}
	}
}
