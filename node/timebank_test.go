package node

import (
	"errors"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/timebank"
)

// bankWorld is a society of Alice (the founder), Bob, Carol and Dave, and
// the balances every peer should show.
type bankWorld struct {
	soc  string
	ps   map[string]*peer
	all  []*peer
	want map[string]int64 // by name, and CommunityAccount
}

func newBankWorld(t testing.TB) *bankWorld {
	t.Helper()
	names := []string{"Alice", "Bob", "Carol", "Dave"}
	soc, ps := found(t, names...)
	w := &bankWorld{soc: soc, ps: map[string]*peer{}, all: ps, want: map[string]int64{CommunityAccount: 0}}
	for i, n := range names {
		w.ps[n] = ps[i]
		w.want[n] = 0
	}
	return w
}

// id is the account ID of a name (CommunityAccount stays as it is).
func (w *bankWorld) id(name string) string {
	if name == CommunityAccount {
		return CommunityAccount
	}
	return w.ps[name].id.MemberID()
}

func (w *bankWorld) sync(t testing.TB) {
	t.Helper()
	syncAll(t, w.soc, w.all...)
	sameState(t, w.soc, w.all...)
}

// state is a peer's state hash and record count of the society.
func (w *bankWorld) state(t testing.TB, p *peer) string {
	t.Helper()
	h, n, err := p.Store().State(mustCID(t, w.soc))
	if err != nil {
		t.Fatal(err)
	}
	return fmt.Sprintf("%s/%d", h, n)
}

// propose has by propose a transfer and syncs every peer; it returns the
// transfer ID.
func (w *bankWorld) propose(t testing.TB, by string, req TransferRequest) string {
	t.Helper()
	req.Society = w.soc
	if req.Skill == "" {
		req.Skill = "gardening"
	}
	ti, err := w.ps[by].ProposeTransfer(req)
	if err != nil {
		t.Fatalf("%s proposes %+v: %v", by, req, err)
	}
	if !strings.HasPrefix(ti.ID, "bafy") || ti.Proposer != w.id(by) || ti.Mode != req.Mode {
		t.Fatalf("%s proposes: %+v", by, ti)
	}
	w.sync(t)
	return ti.ID
}

// answer has by answer a transfer and syncs every peer.
func (w *bankWorld) answer(t testing.TB, by string, req AnswerRequest) *TransferInfo {
	t.Helper()
	req.Society = w.soc
	ti, err := w.ps[by].AnswerTransfer(req)
	if err != nil {
		t.Fatalf("%s answers %+v: %v", by, req, err)
	}
	w.sync(t)
	return ti
}

// dispute has by dispute a transfer and syncs every peer.
func (w *bankWorld) dispute(t testing.TB, by string, req DisputeRequest) *TransferInfo {
	t.Helper()
	req.Society = w.soc
	ti, err := w.ps[by].DisputeTransfer(req)
	if err != nil {
		t.Fatalf("%s disputes %+v: %v", by, req, err)
	}
	w.sync(t)
	return ti
}

// refuse runs a request of by that must fail with want (any error when
// want is nil) and must write nothing.
func (w *bankWorld) refuse(t testing.TB, by string, want error, fn func(p *peer) error) error {
	t.Helper()
	p := w.ps[by]
	before := w.state(t, p)
	err := fn(p)
	if err == nil || (want != nil && !errors.Is(err, want)) {
		t.Fatalf("%s: got error %v, want %v", by, err, want)
	}
	if after := w.state(t, p); after != before {
		t.Fatalf("%s: a refused request changed the state (%v)", by, err)
	}
	return err
}

// checkBalances fails unless every peer shows the wanted balances, which
// sum to zero.
func (w *bankWorld) checkBalances(t testing.TB) {
	t.Helper()
	var sum int64
	for acct, want := range w.want {
		sum += want
		for _, p := range w.all {
			b, err := p.Balance(BalanceRequest{Society: w.soc, Member: w.id(acct)})
			if err != nil {
				t.Fatalf("%s: Balance of %s: %v", p.name, acct, err)
			}
			if b.Minutes != want || b.Member != w.id(acct) || b.Display != timebank.FormatMinutes(want) {
				t.Fatalf("%s sees %s's balance %+v, want %d minutes", p.name, acct, b, want)
			}
		}
	}
	if sum != 0 {
		t.Fatalf("the wanted balances sum to %d", sum)
	}
	for _, p := range w.all {
		err := p.Store().View(mustCID(t, w.soc), func(r *crdt.Reader) error {
			total, err := timebank.TotalBalance(r)
			if err == nil && total != 0 {
				t.Errorf("%s: the balances sum to %d", p.name, total)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}

// legOf returns the leg of an account in a transfer.
func legOf(t testing.TB, ti *TransferInfo, acct string) LegInfo {
	t.Helper()
	for _, l := range ti.Legs {
		if l.Member == acct {
			return l
		}
	}
	t.Fatalf("transfer %s has no leg of %s: %+v", ti.ID, acct, ti.Legs)
	return LegInfo{}
}

// TestTimeBank runs the time bank's flows in one society, step by step;
// after each step every peer holds the same records and shows the same
// balances, which sum to zero.
func TestTimeBank(t *testing.T) {
	w := newBankWorld(t)
	give := func(to ...string) TransferRequest { return TransferRequest{Mode: timebank.ModeGive, To: to} }
	pay := func(to ...string) TransferRequest { return TransferRequest{Mode: timebank.ModePay, To: to} }
	with := func(r TransferRequest, minutes int64) TransferRequest { r.Minutes = minutes; return r }

	steps := []struct {
		name  string
		run   func(t *testing.T)
		delta map[string]int64
	}{
		{"give then confirm", func(t *testing.T) {
			id := w.propose(t, "Alice", with(give("Bob"), 90))
			ps, err := w.ps["Bob"].PendingTransfers(SocietyRequest{Society: w.soc})
			if err != nil || len(ps) != 1 || ps[0].ID != id || ps[0].Minutes != -90 || ps[0].Account != w.id("Bob") {
				t.Fatalf("Bob's pending: %+v, %v", ps, err)
			}
			if ps, _ := w.ps["Alice"].PendingTransfers(SocietyRequest{Society: w.soc}); len(ps) != 0 {
				t.Fatalf("Alice's pending: %+v", ps)
			}
			ti := w.answer(t, "Bob", AnswerRequest{ID: id, Accept: true, Review: &timebank.TransferReview{Satisfied: true, Note: "tidy hedges"}})
			if l := legOf(t, ti, w.id("Bob")); l.State != timebank.StateConfirmed || l.Payer != w.id("Bob") || l.Provider != w.id("Alice") ||
				l.Review == nil || !l.Review.Satisfied || l.Name != "Bob" {
				t.Fatalf("confirmed leg: %+v", l)
			}
			if ps, _ := w.ps["Bob"].PendingTransfers(SocietyRequest{Society: w.soc}); len(ps) != 0 {
				t.Fatalf("Bob's pending after confirming: %+v", ps)
			}
		}, map[string]int64{"Alice": 90, "Bob": -90}},

		{"pay then confirm", func(t *testing.T) {
			id := w.propose(t, "Bob", with(pay("carol"), 30)) // by name, any case
			ps, _ := w.ps["Carol"].PendingTransfers(SocietyRequest{Society: w.soc})
			if len(ps) != 1 || ps[0].ID != id || ps[0].Minutes != 30 {
				t.Fatalf("Carol's pending: %+v", ps)
			}
			w.answer(t, "Carol", AnswerRequest{ID: id, Accept: true})
		}, map[string]int64{"Bob": -30, "Carol": 30}},

		{"reject with reason", func(t *testing.T) {
			id := w.propose(t, "Carol", with(give("Dave"), 60))
			w.refuse(t, "Dave", nil, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: false, Reason: "  "})
				return err
			})
			ti := w.answer(t, "Dave", AnswerRequest{ID: id, Accept: false, Reason: "that was someone else"})
			if l := legOf(t, ti, w.id("Dave")); l.State != timebank.StateRejected || l.Reason != "that was someone else" {
				t.Fatalf("rejected leg: %+v", l)
			}
			w.refuse(t, "Dave", ErrAnswered, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: true})
				return err
			})
		}, nil},

		{"double confirm refused", func(t *testing.T) {
			id := w.propose(t, "Alice", with(give("Bob"), 10))
			w.answer(t, "Bob", AnswerRequest{ID: id, Accept: true})
			err := w.refuse(t, "Bob", ErrAnswered, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: true})
				return err
			})
			if !strings.Contains(err.Error(), "confirmed") {
				t.Fatalf("double confirm: %v", err)
			}
			w.refuse(t, "Bob", ErrAnswered, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Reason: "changed my mind"})
				return err
			})
		}, map[string]int64{"Alice": 10, "Bob": -10}},

		{"not mine to answer", func(t *testing.T) {
			id := w.propose(t, "Alice", with(give("Bob"), 15))
			for _, by := range []string{"Carol", "Alice"} { // a stranger, the proposer
				w.refuse(t, by, ledger.ErrNotAllowed, func(p *peer) error {
					_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: true})
					return err
				})
			}
			w.refuse(t, "Carol", ErrNotFounder, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: true, Community: true})
				return err
			})
			// An ID that is not a transfer, and one that is not an ID.
			w.refuse(t, "Bob", crdt.ErrNotFound, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: w.soc, Accept: true})
				return err
			})
			w.refuse(t, "Bob", nil, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: "nope", Accept: true})
				return err
			})
			w.answer(t, "Bob", AnswerRequest{ID: id, Reason: "not yet done"})
		}, nil},

		{"limits", func(t *testing.T) {
			// Dave pays past the minimum (-20 h): refused before writing.
			err := w.refuse(t, "Dave", timebank.ErrLimit, func(p *peer) error {
				_, err := p.ProposeTransfer(TransferRequest{Society: w.soc, Mode: timebank.ModePay, To: []string{"Carol"}, Minutes: 21 * 60, Skill: "x"})
				return err
			})
			if !strings.Contains(err.Error(), "-21 h") || !strings.Contains(err.Error(), "-20 h") {
				t.Fatalf("the limit error does not say the balances in hours: %v", err)
			}
			// Alice gives past her maximum (100 h): refused.
			w.refuse(t, "Alice", timebank.ErrLimit, func(p *peer) error {
				_, err := p.ProposeTransfer(TransferRequest{Society: w.soc, Mode: timebank.ModeGive, To: []string{"Bob"}, Minutes: 100 * 60, Skill: "x"})
				return err
			})
			// A group payment counts every leg.
			w.refuse(t, "Dave", timebank.ErrLimit, func(p *peer) error {
				_, err := p.ProposeTransfer(TransferRequest{Society: w.soc, Mode: timebank.ModePay, To: []string{"Carol", "Bob"}, Minutes: 11 * 60, Skill: "x"})
				return err
			})
			// Alice may give Dave 21 h, but Dave cannot confirm it.
			id := w.propose(t, "Alice", with(give("Dave"), 21*60))
			w.refuse(t, "Dave", timebank.ErrLimit, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: true})
				return err
			})
			w.answer(t, "Dave", AnswerRequest{ID: id, Reason: "too much for me"})
		}, nil},

		{"group session", func(t *testing.T) {
			id := w.propose(t, "Carol", with(give("Alice", "Bob", "Dave"), 60))
			ti, err := w.ps["Dave"].Transfer(TransferIDRequest{Society: w.soc, ID: id})
			if err != nil || len(ti.Legs) != 3 {
				t.Fatalf("group transfer: %+v, %v", ti, err)
			}
			for i, by := range []string{"Dave", "Alice", "Bob"} {
				w.answer(t, by, AnswerRequest{ID: id, Accept: true})
				ti, _ := w.ps["Carol"].Transfer(TransferIDRequest{Society: w.soc, ID: id})
				confirmed := 0
				for _, l := range ti.Legs {
					if l.State == timebank.StateConfirmed {
						confirmed++
					}
				}
				if confirmed != i+1 {
					t.Fatalf("after %s confirmed: %d legs confirmed", by, confirmed)
				}
				if b, _ := w.ps["Carol"].Balance(BalanceRequest{Society: w.soc}); b.Minutes != w.want["Carol"]+int64(60*(i+1)) {
					t.Fatalf("Carol's balance after %d confirmations: %+v", i+1, b)
				}
			}
		}, map[string]int64{"Carol": 180, "Alice": -60, "Bob": -60, "Dave": -60}},

		{"dispute and reverse", func(t *testing.T) {
			id := w.propose(t, "Alice", with(give("Bob"), 45))
			w.refuse(t, "Bob", nil, func(p *peer) error { // not confirmed yet
				_, err := p.DisputeTransfer(DisputeRequest{Society: w.soc, ID: id, Reason: "x", Reverse: true})
				return err
			})
			w.answer(t, "Bob", AnswerRequest{ID: id, Accept: true})
			w.refuse(t, "Bob", nil, func(p *peer) error { // no reason
				_, err := p.DisputeTransfer(DisputeRequest{Society: w.soc, ID: id, Reverse: true})
				return err
			})
			w.refuse(t, "Carol", ledger.ErrNotAllowed, func(p *peer) error {
				_, err := p.DisputeTransfer(DisputeRequest{Society: w.soc, ID: id, Reason: "x"})
				return err
			})
			ti := w.dispute(t, "Bob", DisputeRequest{ID: id, Reason: "typed 45 for 15", Reverse: true})
			if l := legOf(t, ti, w.id("Bob")); l.Reversed || len(l.Disputes) != 1 || l.Disputes[0].ByName != "Bob" {
				t.Fatalf("after one consent: %+v", l)
			}
			w.refuse(t, "Bob", nil, func(p *peer) error {
				_, err := p.DisputeTransfer(DisputeRequest{Society: w.soc, ID: id, Reason: "again", Reverse: true})
				return err
			})
			if b, _ := w.ps["Bob"].Balance(BalanceRequest{Society: w.soc}); b.Minutes != w.want["Bob"]-45 {
				t.Fatalf("one consent moved Bob's balance: %+v", b)
			}
			ti = w.dispute(t, "Alice", DisputeRequest{ID: id, Reason: "agreed", Reverse: true, With: "Bob"})
			if l := legOf(t, ti, w.id("Bob")); !l.Reversed || len(l.Disputes) != 2 {
				t.Fatalf("after both consents: %+v", l)
			}
		}, nil},

		{"donation and pool", func(t *testing.T) {
			id := w.propose(t, "Bob", with(pay(CommunityAccount), 30))
			ti, _ := w.ps["Alice"].Transfer(TransferIDRequest{Society: w.soc, ID: id})
			if l := legOf(t, ti, CommunityAccount); l.State != timebank.StateConfirmed || l.Name != CommunityAccount {
				t.Fatalf("donation leg: %+v", l)
			}
			if ps, _ := w.ps["Alice"].PendingTransfers(SocietyRequest{Society: w.soc}); len(ps) != 0 {
				t.Fatalf("a donation waits for an answer: %+v", ps)
			}
			w.refuse(t, "Alice", nil, func(p *peer) error {
				_, err := p.AnswerTransfer(AnswerRequest{Society: w.soc, ID: id, Accept: true, Community: true})
				return err
			})
			// Only the founder pays out of the pool, and not past its floor.
			w.refuse(t, "Carol", ErrNotFounder, func(p *peer) error {
				_, err := p.ProposeTransfer(TransferRequest{Society: w.soc, Mode: timebank.ModePay, Pool: true, To: []string{"Dave"}, Minutes: 10, Skill: "x"})
				return err
			})
			// With four members, paying out is a decision of them all
			// (TestFounderBootstrap and TestDecisionsAct cover both).
			w.refuse(t, "Alice", ErrCouncilDecides, func(p *peer) error {
				_, err := p.ProposeTransfer(TransferRequest{Society: w.soc, Mode: timebank.ModePay, Pool: true, To: []string{"Dave"}, Minutes: 20, Skill: "x"})
				return err
			})
			// Dave gives the community an hour's work; the founder answers.
			in := w.propose(t, "Dave", with(give(CommunityAccount), 5))
			ps, _ := w.ps["Alice"].PendingTransfers(SocietyRequest{Society: w.soc})
			if len(ps) != 1 || ps[0].ID != in || ps[0].Account != CommunityAccount || ps[0].Minutes != -5 {
				t.Fatalf("the founder's pending: %+v", ps)
			}
			w.answer(t, "Alice", AnswerRequest{ID: in, Accept: true})
		}, map[string]int64{"Bob": -30, CommunityAccount: 30 - 5, "Dave": 5}},
	}
	for _, s := range steps {
		t.Run(s.name, func(t *testing.T) {
			s.run(t)
			for acct, d := range s.delta {
				w.want[acct] += d
			}
			w.sync(t)
			w.checkBalances(t)
		})
		if t.Failed() {
			return
		}
	}

	// Every peer lists the same statement for each account; its running
	// balances add up, and its pages, newest first, are the same lines.
	for acct := range w.want {
		var first []StatementLineInfo
		for _, p := range w.all {
			st, err := p.Statement(StatementRequest{Society: w.soc, Member: w.id(acct), All: true})
			if err != nil {
				t.Fatal(err)
			}
			var run int64
			for _, l := range st.Lines {
				run += l.Minutes
				if l.Balance != run || l.Flagged {
					t.Fatalf("%s's statement of %s: line %+v, running balance %d", p.name, acct, l, run)
				}
			}
			if run != w.want[acct] || st.Balance != run || !st.Oldest {
				t.Fatalf("%s's statement of %s ends at %d (balance %d), want %d", p.name, acct, run, st.Balance, w.want[acct])
			}
			if first == nil {
				first = st.Lines
			} else if !reflect.DeepEqual(first, st.Lines) {
				t.Fatalf("%s's statement of %s differs", p.name, acct)
			}
			var paged []StatementLineInfo
			cursor := ""
			for {
				pg, err := p.Statement(StatementRequest{Society: w.soc, Member: w.id(acct), Limit: 2, Cursor: cursor})
				if err != nil {
					t.Fatal(err)
				}
				paged = append(paged, pg.Lines...)
				if cursor = pg.Next; cursor == "" {
					break
				}
			}
			slices.Reverse(paged)
			if !reflect.DeepEqual(paged, st.Lines) {
				t.Fatalf("%s's pages of %s's statement:\n%+v\nwhole:\n%+v", p.name, acct, paged, st.Lines)
			}
		}
	}
	// Bob's statement: the first line is Alice's 90 minutes, reviewed;
	// the reversal shows as two lines.
	st, err := w.ps["Bob"].Statement(StatementRequest{Society: w.soc, All: true})
	if err != nil {
		t.Fatal(err)
	}
	if l := st.Lines[0]; l.Counterparty != w.id("Alice") || l.CounterpartyName != "Alice" || l.Minutes != -90 || l.Balance != -90 ||
		l.Skill != "gardening" || l.Reversal || !strings.HasSuffix(l.Time, "Z") {
		t.Fatalf("Bob's first line: %+v", l)
	}
	var reversals int
	for _, l := range st.Lines {
		if l.Reversal {
			reversals++
			if l.Minutes != 45 {
				t.Fatalf("Bob's reversal line: %+v", l)
			}
		}
	}
	if reversals != 1 {
		t.Fatalf("Bob's statement has %d reversal lines", reversals)
	}
	// Bob's recent transfers, newest first: the donation is the last one.
	ts, err := w.ps["Bob"].Transfers(TransfersRequest{Society: w.soc, Limit: 3})
	if err != nil || len(ts) != 3 || legOf(t, &ts[0], CommunityAccount).Minutes != 30 {
		t.Fatalf("Bob's transfers: %+v, %v", ts, err)
	}
}

// TestTransferValidation: bad proposals are refused with a clear error
// and write nothing.
func TestTransferValidation(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob", "Bob")
	alice, bob := ps[0], ps[1]
	req := func(mod func(*TransferRequest)) TransferRequest {
		r := TransferRequest{Society: soc, Mode: timebank.ModeGive, To: []string{bob.id.MemberID()}, Minutes: 30, Skill: "cooking"}
		mod(&r)
		return r
	}
	cases := []struct {
		name string
		p    *peer
		req  TransferRequest
		err  error  // errors.Is, when not nil
		want string // in the message
	}{
		{"unknown member", alice, req(func(r *TransferRequest) { r.To = []string{"Zed"} }), crdt.ErrNotFound, `no member "Zed"`},
		{"ambiguous name", alice, req(func(r *TransferRequest) { r.To = []string{"bob"} }), nil, "ambiguous"},
		{"no counterparty", alice, req(func(r *TransferRequest) { r.To = nil }), nil, "counterparty"},
		{"zero minutes", alice, req(func(r *TransferRequest) { r.Minutes = 0 }), nil, "1 minute to 100 h"},
		{"negative minutes", alice, req(func(r *TransferRequest) { r.Minutes = -5 }), nil, "1 minute to 100 h"},
		{"too many minutes", alice, req(func(r *TransferRequest) { r.Minutes = timebank.MaxLegMinutes + 1 }), nil, "1 minute to 100 h"},
		{"empty skill", alice, req(func(r *TransferRequest) { r.Skill = "  " }), nil, "skill"},
		{"long skill", alice, req(func(r *TransferRequest) { r.Skill = strings.Repeat("x", ledger.MaxSkillLen+1) }), nil, "skill"},
		{"long note", alice, req(func(r *TransferRequest) { r.Note = strings.Repeat("x", ledger.MaxNoteLen+1) }), nil, "note"},
		{"oneself", alice, req(func(r *TransferRequest) { r.To = []string{"Alice"} }), ledger.ErrNotAllowed, "yourself"},
		{"named twice", alice, req(func(r *TransferRequest) { r.To = []string{bob.id.MemberID(), bob.id.MemberID()} }), nil, "twice"},
		{"bad mode", alice, req(func(r *TransferRequest) { r.Mode = "lend" }), nil, "give"},
		{"pool give", alice, req(func(r *TransferRequest) { r.Pool = true }), nil, "community account"},
		{"pool by a member", bob, req(func(r *TransferRequest) { r.Mode, r.Pool, r.To = timebank.ModePay, true, []string{"Alice"} }), ErrNotFounder, "founder"},
		{"pool past the bootstrap", alice, req(func(r *TransferRequest) { r.Mode, r.Pool, r.To = timebank.ModePay, true, []string{"Bob"} }), ErrCouncilDecides, "proposal create"},
		{"founder gives to the pool", alice, req(func(r *TransferRequest) { r.To = []string{CommunityAccount} }), ledger.ErrNotAllowed, "founder"},
		{"unknown society", alice, req(func(r *TransferRequest) { r.Society = "bafynope" }), ErrNoSociety, ""},
	}
	before := sameState(t, soc, alice, bob)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			_, err := tc.p.ProposeTransfer(tc.req)
			if err == nil || (tc.err != nil && !errors.Is(err, tc.err)) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v, want %v with %q", err, tc.err, tc.want)
			}
		})
	}
	if after := sameState(t, soc, alice, bob); after != before {
		t.Fatalf("refused proposals changed the state: %+v -> %+v", before, after)
	}
	// Reads of unknown things are errors too.
	if _, err := alice.Transfer(TransferIDRequest{Society: soc, ID: soc}); !errors.Is(err, crdt.ErrNotFound) {
		t.Fatalf("Transfer of a non-transfer: %v", err)
	}
	if _, err := alice.Balance(BalanceRequest{Society: soc, Member: "Zed"}); !errors.Is(err, crdt.ErrNotFound) {
		t.Fatalf("Balance of an unknown member: %v", err)
	}
	if _, err := alice.Statement(StatementRequest{Society: soc, Cursor: "zz"}); err == nil {
		t.Fatal("Statement with a bad cursor")
	}
	// A balance names its limits; the community account has no ceiling.
	b, err := alice.Balance(BalanceRequest{Society: soc})
	if err != nil || b.Minutes != 0 || b.Name != "Alice" || b.MinMinutes != -20*60 || b.MaxMinutes == nil || *b.MaxMinutes != 100*60 {
		t.Fatalf("Alice's balance: %+v, %v", b, err)
	}
	b, err = alice.Balance(BalanceRequest{Society: soc, Member: "Community"})
	if err != nil || b.Member != CommunityAccount || b.MinMinutes != 0 || b.MaxMinutes != nil {
		t.Fatalf("the community account's balance: %+v, %v", b, err)
	}
}

// TestTimeBankControlSocket: the time bank's calls give the same answers
// over the control socket as in process.
func TestTimeBankControlSocket(t *testing.T) {
	soc, ps := found(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	var api API = serveControl(t, Paths{Home: alice.home}, alice)

	ti, err := api.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModePay, To: []string{"Bob"}, Minutes: 75, Skill: "Baking", Note: "bread"})
	if err != nil || ti.Skill != "baking" || ti.Note != "bread" || len(ti.Legs) != 1 || ti.Legs[0].State != timebank.StatePending {
		t.Fatalf("ProposeTransfer over the socket: %+v, %v", ti, err)
	}
	bob.pull(t, alice, soc)
	if _, err := bob.AnswerTransfer(AnswerRequest{Society: soc, ID: ti.ID, Accept: true}); err != nil {
		t.Fatal(err)
	}
	alice.pull(t, bob, soc)
	if _, err := api.AnswerTransfer(AnswerRequest{Society: soc, ID: ti.ID, Accept: true}); err == nil || !strings.Contains(err.Error(), "you proposed this transfer") {
		t.Fatalf("AnswerTransfer by the proposer over the socket: %v", err)
	}
	if _, err := api.DisputeTransfer(DisputeRequest{Society: soc, ID: ti.ID, Reason: "burnt"}); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		remote func() (any, error)
		local  func() (any, error)
	}{
		{"Transfer", func() (any, error) { return api.Transfer(TransferIDRequest{Society: soc, ID: ti.ID}) },
			func() (any, error) { return alice.Transfer(TransferIDRequest{Society: soc, ID: ti.ID}) }},
		{"Transfers", func() (any, error) { return api.Transfers(TransfersRequest{Society: soc}) },
			func() (any, error) { return alice.Transfers(TransfersRequest{Society: soc}) }},
		{"PendingTransfers", func() (any, error) { return api.PendingTransfers(SocietyRequest{Society: soc}) },
			func() (any, error) { return alice.PendingTransfers(SocietyRequest{Society: soc}) }},
		{"Balance", func() (any, error) { return api.Balance(BalanceRequest{Society: soc, Member: "Bob"}) },
			func() (any, error) { return alice.Balance(BalanceRequest{Society: soc, Member: "Bob"}) }},
		{"Statement", func() (any, error) { return api.Statement(StatementRequest{Society: soc, All: true}) },
			func() (any, error) { return alice.Statement(StatementRequest{Society: soc, All: true}) }},
	} {
		got, err := c.remote()
		if err != nil {
			t.Fatalf("%s over the socket: %v", c.name, err)
		}
		want, err := c.local()
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%s over the socket:\n got %+v\nwant %+v", c.name, got, want)
		}
	}
	b, _ := api.Balance(BalanceRequest{Society: soc})
	st, _ := api.Statement(StatementRequest{Society: soc})
	if b.Minutes != -75 || len(st.Lines) != 1 || st.Lines[0].Minutes != -75 || st.Lines[0].CounterpartyName != "Bob" {
		t.Fatalf("over the socket: balance %+v, statement %+v", b, st)
	}
}
