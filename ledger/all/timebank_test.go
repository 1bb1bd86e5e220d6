package all_test

import (
	"bytes"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// bankFixture is the reject_test fixture (founder and Bob) plus Carol.
type bankFixture struct {
	*fixture
	carol *simDevice
}

func newBankFixture(t *testing.T) *bankFixture {
	t.Helper()
	f := newFixture(t)
	s := f.s
	m := &simMember{key: newKey(s.rng)}
	c := s.newDevice(m)
	s.members = append(s.members, m)
	jc := s.emit(c, membership.TypeJoin, f.joinBody(m.key, c.key, f.invite.secret), []cid.Cid{f.invite.cid})
	ac := s.emit(f.founder, membership.TypeAdmit, membership.Admit{Join: crdt.Link{Cid: jc}, Invite: crdt.Link{Cid: f.invite.cid}}, []cid.Cid{jc, f.invite.cid})
	m.admitted, m.admit = true, ac
	bf := &bankFixture{fixture: f, carol: c}
	bf.ingestLast(t, 2)
	return bf
}

func (f *bankFixture) ingestLast(t *testing.T, n int) crdt.Result {
	t.Helper()
	res, err := f.st.Ingest(f.s.soc, f.s.raws[len(f.s.raws)-n:])
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) > 0 || len(res.Applied) != n {
		t.Fatalf("ingest: %+v", res)
	}
	return res
}

// do emits a valid record of d and stores it.
func (f *bankFixture) do(t *testing.T, d *simDevice, typ string, body any, deps ...cid.Cid) cid.Cid {
	t.Helper()
	c := f.s.emit(d, typ, body, deps)
	f.ingestLast(t, 1)
	return c
}

// refused signs a record of d (without advancing its chain) and expects
// the store to reject it with want, storing nothing.
func (f *bankFixture) refused(t *testing.T, d *simDevice, typ string, body any, want error, deps ...cid.Cid) {
	t.Helper()
	h0, n0, _ := f.st.State(f.s.soc)
	res, err := f.st.Ingest(f.s.soc, [][]byte{f.raw(t, d, typ, body, deps, nil)})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Rejected) != 1 || !errors.Is(res.Rejected[0].Err, want) {
		t.Fatalf("%s %+v: got %+v, want rejection with %v", typ, body, res, want)
	}
	if h1, n1, _ := f.st.State(f.s.soc); h1 != h0 || n1 != n0 {
		t.Fatalf("%s %+v: a rejected record changed the state", typ, body)
	}
}

func (f *bankFixture) balance(t *testing.T, acct []byte) int64 {
	t.Helper()
	var b timebank.BalanceView
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		var err error
		b, err = timebank.Balance(r, acct)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return b.Minutes
}

func (f *bankFixture) key(d *simDevice) []byte { return memberKey(d.member) }

// balances returns the founder's, Bob's, Carol's and the community's
// balances, and checks that all balances sum to zero.
func (f *bankFixture) balances(t *testing.T) [4]int64 {
	t.Helper()
	var sum int64
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		var err error
		sum, err = timebank.TotalBalance(r)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if sum != 0 {
		t.Fatalf("balances sum to %d", sum)
	}
	return [4]int64{f.balance(t, f.key(f.founder)), f.balance(t, f.key(f.bob)), f.balance(t, f.key(f.carol)), f.balance(t, membership.Community)}
}

func (f *bankFixture) transfer(t *testing.T, id cid.Cid) timebank.TransferView {
	t.Helper()
	var tv timebank.TransferView
	if err := f.st.View(f.s.soc, func(r *crdt.Reader) error {
		var ok bool
		var err error
		tv, ok, err = timebank.TransferByID(r, id)
		if err == nil && !ok {
			err = fmt.Errorf("transfer %s unknown", id)
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tv
}

func give(to []byte, minutes uint64) timebank.Transfer {
	return timebank.Transfer{Mode: timebank.ModeGive, Legs: []timebank.Leg{{Member: to, Minutes: minutes}}, Skill: "Gardening", Note: "hedges"}
}

func pay(to []byte, minutes uint64) timebank.Transfer {
	t := give(to, minutes)
	t.Mode = timebank.ModePay
	return t
}

func confirm(tx cid.Cid, leg []byte) timebank.Answer {
	return timebank.Answer{Transfer: crdt.Link{Cid: tx}, Leg: leg, Accept: true}
}

func TestTransferGiveAndPay(t *testing.T) {
	f := newBankFixture(t)
	fo, bob, carol := f.key(f.founder), f.key(f.bob), f.key(f.carol)

	// The founder gave Bob 90 minutes; nothing moves until Bob confirms.
	tx := f.do(t, f.founder, timebank.TypeTransfer, give(bob, 90))
	if got := f.balances(t); got != [4]int64{} {
		t.Fatalf("balances before confirmation: %v", got)
	}
	var pend []timebank.PendingLeg
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) { pend, err = timebank.Pending(r, bob); return })
	if len(pend) != 1 || !bytes.Equal(pend[0].Transfer.ID, tx.Bytes()) {
		t.Fatalf("Bob's pending: %+v", pend)
	}
	f.do(t, f.bob, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: tx}, Leg: bob, Accept: true,
		Review: &timebank.TransferReview{Satisfied: true, Note: "lovely hedges"}}, tx)
	if got := f.balances(t); got != [4]int64{90, -90, 0, 0} {
		t.Fatalf("after Bob confirms: %v", got)
	}
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) { pend, err = timebank.Pending(r, bob); return })
	if len(pend) != 0 {
		t.Fatalf("still pending after confirmation: %+v", pend)
	}

	// Confirming twice (a second answer, even a rejection) changes nothing.
	f.do(t, f.bob, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: tx}, Leg: bob, Reason: "changed my mind"}, tx)
	if got := f.balances(t); got != [4]int64{90, -90, 0, 0} {
		t.Fatalf("after a second answer: %v", got)
	}
	// Replaying a record changes nothing.
	h0, n0, _ := f.st.State(f.s.soc)
	if _, err := f.st.Ingest(f.s.soc, f.s.raws[len(f.s.raws)-3:]); err != nil {
		t.Fatal(err)
	}
	if h, n, _ := f.st.State(f.s.soc); h != h0 || n != n0 {
		t.Fatal("a replay changed the state")
	}

	// Carol pays Bob 30 minutes; Bob confirms as the provider.
	tx2 := f.do(t, f.carol, timebank.TypeTransfer, pay(bob, 30))
	f.do(t, f.bob, timebank.TypeAnswer, confirm(tx2, bob), tx2)
	if got := f.balances(t); got != [4]int64{90, -60, -30, 0} {
		t.Fatalf("after Carol pays Bob: %v", got)
	}
	// A rejection moves nothing and keeps its reason.
	tx3 := f.do(t, f.carol, timebank.TypeTransfer, give(fo, 45))
	f.do(t, f.founder, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: tx3}, Leg: fo, Reason: "not me"}, tx3)
	if got := f.balances(t); got != [4]int64{90, -60, -30, 0} {
		t.Fatalf("after a rejection: %v", got)
	}
	if tv := f.transfer(t, tx3); tv.Legs[0].State != timebank.StateRejected || tv.Legs[0].Reason != "not me" {
		t.Fatalf("rejected leg: %+v", tv.Legs[0])
	}
	// Bob's statement: newest first, running balances, the review on the
	// provider's line.
	var all []timebank.StatementLine
	var page timebank.StatementPage
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) {
		if all, err = timebank.StatementAll(r, bob); err != nil {
			return err
		}
		page, err = timebank.Statement(r, fo, 10, "")
		return err
	})
	if len(all) != 2 || all[0].Minutes != -90 || all[0].Balance != -90 || all[1].Minutes != 30 || all[1].Balance != -60 {
		t.Fatalf("Bob's statement: %+v", all)
	}
	if len(page.Lines) != 1 || page.Lines[0].Review == nil || !page.Lines[0].Review.Satisfied || page.Balance.Minutes != 90 {
		t.Fatalf("founder's statement: %+v", page)
	}
	_ = carol
}

func TestTransferRefused(t *testing.T) {
	f := newBankFixture(t)
	fo, bob, carol := f.key(f.founder), f.key(f.bob), f.key(f.carol)
	tx := f.do(t, f.founder, timebank.TypeTransfer, give(bob, 60))
	don := f.do(t, f.bob, timebank.TypeTransfer, pay(membership.Community, 10))
	ptx := f.do(t, f.bob, timebank.TypeTransfer, pay(carol, 10))
	two := timebank.Transfer{Mode: timebank.ModeGive, Legs: []timebank.Leg{{Member: bob, Minutes: 10}, {Member: carol, Minutes: 10}}, Skill: "x"}
	if bytes.Compare(bob, carol) > 0 {
		two.Legs[0], two.Legs[1] = two.Legs[1], two.Legs[0]
	}
	unsorted := two
	unsorted.Legs = []timebank.Leg{two.Legs[1], two.Legs[0]}
	cases := []struct {
		name string
		d    *simDevice
		typ  string
		body any
		deps []cid.Cid
		want error
	}{
		{"confirming someone else's transfer", f.carol, timebank.TypeAnswer, confirm(tx, bob), []cid.Cid{tx}, ledger.ErrNotAllowed},
		{"the proposer confirming", f.founder, timebank.TypeAnswer, confirm(tx, bob), []cid.Cid{tx}, ledger.ErrNotAllowed},
		{"answer without the transfer in deps", f.bob, timebank.TypeAnswer, confirm(tx, bob), nil, ledger.ErrBadBody},
		{"answer for a leg the transfer lacks", f.carol, timebank.TypeAnswer, confirm(tx, carol), []cid.Cid{tx}, ledger.ErrBadBody},
		{"a review of a payment by its receiver", f.carol, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: ptx}, Leg: carol, Accept: true, Review: &timebank.TransferReview{Satisfied: true}}, []cid.Cid{ptx}, ledger.ErrBadBody},
		{"rejection without a reason", f.bob, timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: tx}, Leg: bob}, []cid.Cid{tx}, ledger.ErrBadBody},
		{"dispute by an outsider", f.carol, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: tx}, Leg: bob, Reason: "x"}, []cid.Cid{tx}, ledger.ErrNotAllowed},
		{"dispute without a reason", f.bob, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: tx}, Leg: bob}, []cid.Cid{tx}, ledger.ErrBadBody},
		{"transfer with oneself", f.bob, timebank.TypeTransfer, give(bob, 60), nil, ledger.ErrNotAllowed},
		{"zero minutes", f.bob, timebank.TypeTransfer, give(fo, 0), nil, ledger.ErrBadBody},
		{"over 100 hours in one leg", f.bob, timebank.TypeTransfer, give(fo, timebank.MaxLegMinutes+1), nil, ledger.ErrBadBody},
		{"unknown mode", f.bob, timebank.TypeTransfer, timebank.Transfer{Mode: "steal", Legs: []timebank.Leg{{Member: fo, Minutes: 1}}, Skill: "x"}, nil, ledger.ErrBadBody},
		{"no skill", f.bob, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModeGive, Legs: []timebank.Leg{{Member: fo, Minutes: 1}}}, nil, ledger.ErrBadBody},
		{"legs not sorted", f.founder, timebank.TypeTransfer, unsorted, nil, ledger.ErrBadBody},
		{"bad account key", f.bob, timebank.TypeTransfer, give([]byte("short"), 5), nil, ledger.ErrBadBody},
		{"a pool payment by a member", f.bob, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModePay, Pool: true, Legs: []timebank.Leg{{Member: fo, Minutes: 5}}, Skill: "x"}, nil, ledger.ErrNotAllowed},
		{"answering a donation", f.founder, timebank.TypeAnswer, confirm(don, membership.Community), []cid.Cid{don}, ledger.ErrNotAllowed},
		{"the founder trading with the pool", f.founder, timebank.TypeTransfer, give(membership.Community, 5), nil, ledger.ErrNotAllowed},
	}
	h0, _, _ := f.st.State(f.s.soc)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f.refused(t, tc.d, tc.typ, tc.body, tc.want, tc.deps...)
		})
	}
	if h, _, _ := f.st.State(f.s.soc); h != h0 {
		t.Fatal("refused records changed the state")
	}
}

func TestGroupSessionDisputeAndCommunity(t *testing.T) {
	f := newBankFixture(t)
	fo, bob, carol := f.key(f.founder), f.key(f.bob), f.key(f.carol)
	legs := []timebank.Leg{{Member: bob, Minutes: 60}, {Member: carol, Minutes: 60}}
	slices.SortFunc(legs, func(a, b timebank.Leg) int { return bytes.Compare(a.Member, b.Member) })
	// One workshop by the founder for Bob and Carol: each confirms their leg.
	tx := f.do(t, f.founder, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModeGive, Legs: legs, Skill: "bread baking"})
	f.do(t, f.bob, timebank.TypeAnswer, confirm(tx, bob), tx)
	if got := f.balances(t); got != [4]int64{60, -60, 0, 0} {
		t.Fatalf("one leg confirmed: %v", got)
	}
	f.do(t, f.carol, timebank.TypeAnswer, confirm(tx, carol), tx)
	if got := f.balances(t); got != [4]int64{120, -60, -60, 0} {
		t.Fatalf("both legs confirmed: %v", got)
	}
	// Bob disputes and asks for a reversal; nothing moves until the founder
	// consents too.
	f.do(t, f.bob, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: tx}, Leg: bob, Reason: "I was ill and missed it", Reverse: true}, tx)
	if got := f.balances(t); got != [4]int64{120, -60, -60, 0} {
		t.Fatalf("one-sided reversal moved minutes: %v", got)
	}
	if tv := f.transfer(t, tx); len(tv.Legs[tv.LegIndex(bob)].Disputes) != 1 {
		t.Fatalf("dispute not visible: %+v", tv)
	}
	f.do(t, f.founder, timebank.TypeDispute, timebank.Dispute{Transfer: crdt.Link{Cid: tx}, Leg: bob, Reason: "agreed", Reverse: true}, tx)
	if got := f.balances(t); got != [4]int64{60, 0, -60, 0} {
		t.Fatalf("after both consent to reversing Bob's leg: %v", got)
	}
	var lines []timebank.StatementLine
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) { lines, err = timebank.StatementAll(r, bob); return })
	if len(lines) != 2 || !lines[1].Reversal || lines[1].Minutes != 60 || lines[1].Balance != 0 {
		t.Fatalf("Bob's statement after the reversal: %+v", lines)
	}

	// Bob donates 30 minutes to the community account: no answer needed.
	f.do(t, f.bob, timebank.TypeTransfer, pay(membership.Community, 30))
	if got := f.balances(t); got != [4]int64{60, -30, -60, 30} {
		t.Fatalf("after a donation: %v", got)
	}
	// The founder pays Carol 20 minutes out of the pool; Carol confirms.
	ptx := f.do(t, f.founder, timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModePay, Pool: true, Legs: []timebank.Leg{{Member: carol, Minutes: 20}}, Skill: "cleaning"})
	f.do(t, f.carol, timebank.TypeAnswer, confirm(ptx, carol), ptx)
	if got := f.balances(t); got != [4]int64{60, -30, -40, 10} {
		t.Fatalf("after a pool payment: %v", got)
	}
	// Carol gave the community an hour; the founder answers for it.
	ctx := f.do(t, f.carol, timebank.TypeTransfer, give(membership.Community, 60))
	var pend []timebank.PendingLeg
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) { pend, err = timebank.Pending(r, fo, membership.Community); return })
	if len(pend) != 1 {
		t.Fatalf("founder's pending, community included: %+v", pend)
	}
	f.refused(t, f.bob, timebank.TypeAnswer, confirm(ctx, membership.Community), ledger.ErrNotAllowed, ctx)
	f.do(t, f.founder, timebank.TypeAnswer, confirm(ctx, membership.Community), ctx)
	if got := f.balances(t); got != [4]int64{60, -30, 20, -50} {
		t.Fatalf("after the community pays Carol: %v", got)
	}
	// The community account's floor is zero: its line is flagged.
	var cl []timebank.StatementLine
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) { cl, err = timebank.StatementAll(r, membership.Community); return })
	if last := cl[len(cl)-1]; !last.Flagged || last.Balance != -50 {
		t.Fatalf("community line past its floor not flagged: %+v", last)
	}
	// The same records in another store, rebuilt, give the same state.
	h, _, _ := f.st.State(f.s.soc)
	if err := f.st.Rebuild(f.s.soc); err != nil {
		t.Fatal(err)
	}
	if h2, _, _ := f.st.State(f.s.soc); h2 != h {
		t.Fatal("rebuild changed the time-bank views")
	}
}

func TestLimitsAndFlags(t *testing.T) {
	f := newBankFixture(t)
	fo, bob := f.key(f.founder), f.key(f.bob)
	check := func(acct []byte, delta int64) error {
		return f.st.View(f.s.soc, func(r *crdt.Reader) error { return timebank.CheckLimit(r, acct, delta) })
	}
	if err := check(bob, -20*60); err != nil {
		t.Fatalf("spending down to the limit: %v", err)
	}
	err := check(bob, -20*60-1)
	if !errors.Is(err, timebank.ErrLimit) {
		t.Fatalf("spending past the limit: %v", err)
	}
	t.Logf("limit message: %v", err)
	if err := check(fo, 100*60+1); !errors.Is(err, timebank.ErrLimit) {
		t.Fatalf("earning past the ceiling: %v", err)
	}

	// The ledger stores what another device allowed; every peer flags the
	// line that took Bob past -20 h.
	tx1 := f.do(t, f.founder, timebank.TypeTransfer, give(bob, 15*60))
	tx2 := f.do(t, f.founder, timebank.TypeTransfer, give(bob, 10*60))
	f.do(t, f.bob, timebank.TypeAnswer, confirm(tx1, bob), tx1)
	f.do(t, f.bob, timebank.TypeAnswer, confirm(tx2, bob), tx2)
	var flags []timebank.Flag
	f.st.View(f.s.soc, func(r *crdt.Reader) (err error) { flags, _, err = timebank.Audit(r); return })
	if len(flags) != 1 || !bytes.Equal(flags[0].Account, bob) || flags[0].Line.Balance != -25*60 || !bytes.Equal(flags[0].Line.Transfer, tx2.Bytes()) {
		t.Fatalf("flags: %+v", flags)
	}
}

// TestForkedPayerFlagged: Bob's device forks, confirming a different give
// on each branch. Peers receiving the branches in different orders cut the
// same records and list the same records as void.
func TestForkedPayerFlagged(t *testing.T) {
	f := newBankFixture(t)
	bob := f.key(f.bob)
	s := f.s
	tx1 := f.do(t, f.founder, timebank.TypeTransfer, give(bob, 15*60))
	tx2 := f.do(t, f.founder, timebank.TypeTransfer, give(bob, 15*60))
	base := len(s.raws)
	seq, prev := f.bob.seq, f.bob.head
	rawA, _ := s.sign(f.bob, timebank.TypeAnswer, confirm(tx1, bob), []cid.Cid{tx1}, seq+1, prev)
	rawB, _ := s.sign(f.bob, timebank.TypeAnswer, confirm(tx2, bob), []cid.Cid{tx2}, seq+1, prev)
	prefix := s.raws[:base]
	var want crdt.StateHash
	var wantVoids int
	for i, order := range [][][]byte{{rawA, rawB}, {rawB, rawA}} {
		st := openStore(t)
		if _, err := st.Ingest(s.soc, prefix); err != nil {
			t.Fatal(err)
		}
		for _, raw := range order {
			if _, err := st.Ingest(s.soc, [][]byte{raw}); err != nil {
				t.Fatal(err)
			}
		}
		h, _, _ := st.State(s.soc)
		var voids []timebank.Void
		var sum int64
		st.View(s.soc, func(r *crdt.Reader) (err error) {
			if _, voids, err = timebank.Audit(r); err != nil {
				return err
			}
			sum, err = timebank.TotalBalance(r)
			return err
		})
		if sum != 0 {
			t.Fatalf("order %d: sum %d", i, sum)
		}
		if i == 0 {
			want, wantVoids = h, len(voids)
			if wantVoids != 2 {
				t.Fatalf("both forked confirmations should be void, got %d", wantVoids)
			}
		} else if h != want || len(voids) != wantVoids {
			t.Fatalf("order %d: state %s, %d voids; want %s, %d", i, h, len(voids), want, wantVoids)
		}
	}
}

func TestStatementPages(t *testing.T) {
	f := newBankFixture(t)
	bob := f.key(f.bob)
	for i := range 60 {
		tx := f.s.emit(f.founder, timebank.TypeTransfer, give(bob, uint64(1+i%7)), nil)
		f.s.emit(f.bob, timebank.TypeAnswer, confirm(tx, bob), []cid.Cid{tx})
		tx = f.s.emit(f.bob, timebank.TypeTransfer, give(f.key(f.founder), uint64(1+i%5)), nil)
		f.s.emit(f.founder, timebank.TypeAnswer, confirm(tx, f.key(f.founder)), []cid.Cid{tx})
	}
	f.ingestLast(t, 240)
	f.st.View(f.s.soc, func(r *crdt.Reader) error {
		all, err := timebank.StatementAll(r, bob)
		if err != nil {
			t.Fatal(err)
		}
		var paged []timebank.StatementLine
		cursor := ""
		for pages := 0; ; pages++ {
			p, err := timebank.Statement(r, bob, 7, cursor)
			if err != nil {
				t.Fatal(err)
			}
			paged = append(paged, p.Lines...)
			if p.Next == "" {
				break
			}
			cursor = p.Next
		}
		slices.Reverse(paged)
		if len(paged) != 120 || len(all) != 120 {
			t.Fatalf("%d paged lines, %d in all", len(paged), len(all))
		}
		for i := range all {
			if all[i].Balance != paged[i].Balance || all[i].Minutes != paged[i].Minutes || !bytes.Equal(all[i].Transfer, paged[i].Transfer) {
				t.Fatalf("line %d: paged %+v, all %+v", i, paged[i], all[i])
			}
		}
		if _, err := timebank.Statement(r, bob, 7, "zz.1"); err == nil {
			t.Fatal("a bad cursor was accepted")
		}
		return nil
	})
}

// TestTimeBankConvergence is the time bank's property test: random
// transfer, answer, dispute and reversal histories from 20 members, with
// invalid records mixed in, delivered in random causal orders, give the same
// state hash, balances and statements, and the balances sum to zero.
func TestTimeBankConvergence(t *testing.T) {
	seeds := []uint64{11, 12, 13}
	if testing.Short() {
		seeds = seeds[:1]
	}
	for _, seed := range seeds {
		s := newSim(seed)
		s.bank, s.maxDevices = true, 40
		s.run(2000)
		rng := rand.New(rand.NewPCG(seed, 9))
		orders := [][]int{seqOrder(len(s.raws)), causalOrder(s, rng), causalOrder(s, rng), rng.Perm(len(s.raws))}
		var want crdt.StateHash
		var wantDigest []byte
		for i, order := range orders {
			st := openStore(t)
			deliver(t, st, s, order, rng)
			for c := range s.bad {
				if _, err := st.Record(c); err == nil {
					t.Fatalf("seed %d order %d: invalid record %s stored", seed, i, c)
				}
			}
			h, n, err := st.State(s.soc)
			if err != nil {
				t.Fatal(err)
			}
			digest, stats := bankDigest(t, st, s.soc)
			if i == 0 && int(n) != len(s.raws)-len(s.bad) {
				t.Fatalf("seed %d: %d records stored, want every valid one of %d", seed, n, len(s.raws)-len(s.bad))
			}
			if i == 0 {
				want, wantDigest = h, digest
				members := 0
				for _, m := range s.members {
					if m.admitted {
						members++
					}
				}
				t.Logf("seed %d: %d records stored, %d members, %s", seed, n, members, stats)
				if members < 20 {
					t.Fatalf("seed %d: only %d members", seed, members)
				}
			} else if h != want || !bytes.Equal(digest, wantDigest) {
				t.Fatalf("seed %d order %d: state %s, want %s (statements equal: %v)", seed, i, h, want, bytes.Equal(digest, wantDigest))
			}
			if err := st.Rebuild(s.soc); err != nil {
				t.Fatal(err)
			}
			if h2, _, _ := st.State(s.soc); h2 != want {
				t.Fatalf("seed %d order %d: rebuild gave %s, want %s", seed, i, h2, want)
			}
		}
	}
}

// bankDigest encodes every account's balance and whole statement, checks
// that the balances sum to zero and each statement ends at its balance, and
// describes what the history holds.
func bankDigest(t *testing.T, st *crdt.Store, soc cid.Cid) ([]byte, string) {
	t.Helper()
	var buf bytes.Buffer
	var stats string
	err := st.View(soc, func(r *crdt.Reader) error {
		accts, bals, err := timebank.Accounts(r)
		if err != nil {
			return err
		}
		var sum int64
		lines, reversals, flagged := 0, 0, 0
		for i, a := range accts {
			sum += bals[i].Minutes
			all, err := timebank.StatementAll(r, a)
			if err != nil {
				return err
			}
			if len(all) > 0 && all[len(all)-1].Balance != bals[i].Minutes {
				return fmt.Errorf("account %x: statement ends at %d, balance %d", a, all[len(all)-1].Balance, bals[i].Minutes)
			}
			for _, l := range all {
				fmt.Fprintf(&buf, "%x %d %x %d %d %v %v\n", a, l.Time, l.Transfer, l.Minutes, l.Balance, l.Reversal, l.Flagged)
				lines++
				if l.Reversal {
					reversals++
				}
				if l.Flagged {
					flagged++
				}
			}
		}
		if sum != 0 {
			return fmt.Errorf("balances sum to %d", sum)
		}
		flags, voids, err := timebank.Audit(r)
		if err != nil {
			return err
		}
		fmt.Fprintf(&buf, "flags %d voids %d\n", len(flags), len(voids))
		stats = fmt.Sprintf("%d accounts, %d statement lines, %d reversal lines, %d flagged, %d void records", len(accts), lines, reversals, flagged, len(voids))
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return buf.Bytes(), stats
}

func TestSettingsChange(t *testing.T) {
	f := newBankFixture(t)
	bob := f.key(f.bob)
	wide := membership.Settings{MinBalance: -40 * 60, MaxBalance: 200 * 60, HalfLifeDays: 180}
	f.refused(t, f.bob, membership.TypeSettings, wide, ledger.ErrNotAllowed)
	for _, bad := range []membership.Settings{{MinBalance: 60, MaxBalance: 60, HalfLifeDays: 1}, {MinBalance: -60, MaxBalance: 60},
		{MinBalance: -membership.MaxCreditLimit - 1, MaxBalance: 60, HalfLifeDays: 1}} {
		f.refused(t, f.founder, membership.TypeSettings, bad, ledger.ErrBadBody)
	}
	check := func() error {
		return f.st.View(f.s.soc, func(r *crdt.Reader) error { return timebank.CheckLimit(r, bob, -30*60) })
	}
	if err := check(); !errors.Is(err, timebank.ErrLimit) {
		t.Fatalf("default limits: %v", err)
	}
	f.do(t, f.founder, membership.TypeSettings, wide)
	if err := check(); err != nil {
		t.Fatalf("after widening the limits: %v", err)
	}
	// A later change replaces the earlier one.
	f.do(t, f.founder, membership.TypeSettings, membership.Settings{MinBalance: -10 * 60, MaxBalance: 10 * 60, HalfLifeDays: 30})
	if err := check(); !errors.Is(err, timebank.ErrLimit) {
		t.Fatalf("after narrowing the limits: %v", err)
	}
	h, _, _ := f.st.State(f.s.soc)
	if err := f.st.Rebuild(f.s.soc); err != nil {
		t.Fatal(err)
	}
	if h2, _, _ := f.st.State(f.s.soc); h2 != h {
		t.Fatal("rebuild changed the settings")
	}
}
