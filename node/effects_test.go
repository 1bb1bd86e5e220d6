package node

import (
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/governance"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// TestFounderBootstrap: with two members the founder alone pays out of the
// community account (not past its floor, not to itself) and changes the
// settings; once a third member is in, both are refused, pointing to a
// proposal, and nothing is written.
func TestFounderBootstrap(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	if _, err := bob.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModePay, To: []string{CommunityAccount}, Minutes: 30, Skill: "gift"}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, alice, bob)
	pool := func(to string, minutes int64) error {
		_, err := alice.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModePay, Pool: true, To: []string{to}, Minutes: minutes, Skill: "repairs"})
		return err
	}
	for _, tc := range []struct {
		name    string
		to      string
		minutes int64
		want    error
	}{
		{"past the floor", bob.id.MemberID(), 31, timebank.ErrLimit},
		{"to the pool", CommunityAccount, 5, ledger.ErrNotAllowed},
		{"within the floor", bob.id.MemberID(), 20, nil},
	} {
		if err := pool(tc.to, tc.minutes); !errors.Is(err, tc.want) {
			t.Fatalf("%s: %v, want %v", tc.name, err, tc.want)
		}
	}
	if err := alice.SetSocietySettings(SettingsRequest{Society: soc, HalfLifeDays: ptr(uint64(90))}); err != nil {
		t.Fatal(err)
	}
	carol := newPeer(t, "Carol", Options{Now: clock.now})
	admit(t, alice, carol, soc)
	syncAll(t, soc, alice, bob, carol)
	before := sameState(t, soc, alice, bob, carol)
	if err := pool(bob.id.MemberID(), 5); !errors.Is(err, ErrCouncilDecides) {
		t.Fatalf("pool payout with three members: %v", err)
	}
	if err := alice.SetSocietySettings(SettingsRequest{Society: soc, HalfLifeDays: ptr(uint64(30))}); !errors.Is(err, ErrCouncilDecides) {
		t.Fatalf("settings with three members: %v", err)
	}
	if err := alice.Remove(RemoveRequest{Society: soc, Member: "Carol"}); !errors.Is(err, ErrCouncilDecides) {
		t.Fatalf("removal with three members: %v", err)
	}
	if after := sameState(t, soc, alice, bob, carol); after != before {
		t.Fatal("refused founder acts wrote records")
	}
	// The settings the founder set during the bootstrap stay in force.
	if s := carol.society(t, soc); s.Settings.HalfLifeDays != 90 {
		t.Fatalf("settings after the bootstrap: %+v", s.Settings)
	}
}

// TestDecisionsAct: a passed root proposal changes the settings, pays Bob
// out of the community account and removes Carol; once final, every peer
// shows the new settings and limits, Bob's balance and the treasury with
// the proposal, Carol removed, and Carol can no longer write or be paid.
func TestDecisionsAct(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob", "Carol", "Dave")
	alice, bob, carol, dave := ps[0], ps[1], ps[2], ps[3]
	if _, err := dave.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModePay, To: []string{CommunityAccount}, Minutes: 90, Skill: "gift"}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	settings := governance.Action{Kind: governance.ActSettings}
	st := alice.society(t, soc).Settings
	st.MinBalance, st.HalfLifeDays = -300, 90
	settings.Settings = &st
	p, err := alice.ProposalCreate(ProposalRequest{Society: soc, Title: "Pay Bob, remove Carol", Method: governance.MethodConsent,
		Closes: uint64(clock.now().Add(time.Hour).UnixMilli()), Rule: governance.Rule{GraceMillis: 60_000},
		Actions: []governance.Action{settings,
			{Kind: governance.ActSpend, Member: bob.id.MemberPublic(), Amount: 60},
			{Kind: governance.ActRemoveMember, Member: carol.id.MemberPublic()}}})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	for _, v := range []*peer{alice, bob, dave} {
		if _, err := v.Vote(VoteRequest{Society: soc, ID: p.ID, Choice: "consent"}); err != nil {
			t.Fatal(err)
		}
	}
	syncAll(t, soc, ps...)
	clock.advance(time.Hour + time.Minute)
	if _, err := dave.ProposalClose(ProposalIDRequest{Society: soc, ID: p.ID}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	// Provisional: nothing has happened yet.
	if b, err := bob.Balance(BalanceRequest{Society: soc}); err != nil || b.Minutes != 0 {
		t.Fatalf("Bob's balance before the result is final: %+v, %v", b, err)
	}
	clock.advance(2 * time.Minute)
	for _, x := range []*peer{alice, bob, dave} {
		if b, err := x.Balance(BalanceRequest{Society: soc, Member: "Bob"}); err != nil || b.Minutes != 60 || b.MinMinutes != -300 {
			t.Fatalf("%s sees Bob's balance %+v, %v; want 60 min and a floor of -5 h", x.name, b, err)
		}
		tr, err := x.Treasury(SocietyRequest{Society: soc})
		if err != nil {
			t.Fatal(err)
		}
		if tr.Balance != 30 || tr.In != 90 || tr.Out != 60 || len(tr.Lines) != 2 || tr.Lines[1].Proposal != p.ID || tr.Names[tr.Lines[1].Member] != "Bob" {
			t.Fatalf("%s's treasury: %+v", x.name, tr)
		}
		if s := x.society(t, soc); s.Settings != st {
			t.Fatalf("%s's settings %+v, want %+v", x.name, s.Settings, st)
		}
		ms, err := x.Members(SocietyRequest{Society: soc})
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range ms {
			if (m.Status == "removed") != (m.Name == "Carol") {
				t.Fatalf("%s sees %s %s", x.name, m.Name, m.Status)
			}
		}
		st, err := x.Statement(StatementRequest{Society: soc, Member: "Bob", All: true})
		if err != nil || st.Balance != 60 || len(st.Payouts) != 1 || st.Payouts[0].Proposal != p.ID {
			t.Fatalf("%s's statement of Bob: %+v, %v", x.name, st, err)
		}
	}
	if _, err := carol.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModeGive, To: []string{"Bob"}, Minutes: 10, Skill: "x"}); !errors.Is(err, ledger.ErrNotMember) {
		t.Fatalf("Carol wrote after her removal: %v", err)
	}
	if _, err := bob.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModeGive, To: []string{carol.id.MemberID()}, Minutes: 10, Skill: "x"}); !errors.Is(err, ledger.ErrNotAllowed) {
		t.Fatalf("Bob traded with Carol after her removal: %v", err)
	}
}

// TestEffectsCache: after every kind of change (records of other modules,
// the founder's settings, a new member, a decision's records, and time
// making a decision final with no new record), the effects the node keeps
// equal the effects computed again from the records, a change shows where
// it should (so stale effects would be seen), and the node computes them
// once while nothing changes.
func TestEffectsCache(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob")
	alice, bob := ps[0], ps[1]
	carol := newPeer(t, "Carol", Options{Now: clock.now})
	socID, err := cid.Decode(soc)
	if err != nil {
		t.Fatal(err)
	}
	// kept returns alice's effects twice through her cache, and once
	// computed again from her records.
	kept := func() (first, second, fresh *governance.Effects) {
		t.Helper()
		if err := alice.store.View(socID, func(r *crdt.Reader) error {
			var err error
			if first, err = alice.effects(r); err != nil {
				return err
			}
			if second, err = alice.effects(r); err != nil {
				return err
			}
			fresh, err = governance.EffectsAt(r, alice.nowMs())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		return first, second, fresh
	}
	var proposal string
	// follows marks the changes after which the node keeps the effects it
	// had (following the records stored since), without computing them.
	steps := []struct {
		name    string
		change  func(t *testing.T)
		changes bool
		follows bool
	}{
		{"a donation", func(t *testing.T) {
			if _, err := bob.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModePay, To: []string{CommunityAccount}, Minutes: 90, Skill: "gift"}); err != nil {
				t.Fatal(err)
			}
			syncAll(t, soc, alice, bob)
		}, false, true},
		{"a profile change", func(t *testing.T) {
			if err := alice.SetProfile(ProfileRequest{Society: soc, Bio: ptr("gardener")}); err != nil {
				t.Fatal(err)
			}
		}, false, true},
		{"the founder's settings during the bootstrap", func(t *testing.T) {
			if err := alice.SetSocietySettings(SettingsRequest{Society: soc, HalfLifeDays: ptr(uint64(90))}); err != nil {
				t.Fatal(err)
			}
		}, true, false},
		{"a third member", func(t *testing.T) {
			admit(t, alice, carol, soc)
			syncAll(t, soc, alice, bob, carol)
		}, false, false},
		{"a decision voted and closed, not yet final", func(t *testing.T) {
			st := alice.society(t, soc).Settings
			st.MinBalance = -300
			p, err := alice.ProposalCreate(ProposalRequest{Society: soc, Title: "Pay Bob", Method: governance.MethodConsent,
				Closes: uint64(clock.now().Add(time.Hour).UnixMilli()), Rule: governance.Rule{GraceMillis: 60_000},
				Actions: []governance.Action{{Kind: governance.ActSettings, Settings: &st},
					{Kind: governance.ActSpend, Member: bob.id.MemberPublic(), Amount: 60}}})
			if err != nil {
				t.Fatal(err)
			}
			proposal = p.ID
			syncAll(t, soc, alice, bob, carol)
			for _, v := range []*peer{alice, bob, carol} {
				if _, err := v.Vote(VoteRequest{Society: soc, ID: proposal, Choice: "consent"}); err != nil {
					t.Fatal(err)
				}
			}
			syncAll(t, soc, alice, bob, carol)
			clock.advance(time.Hour + time.Minute)
			if _, err := alice.ProposalClose(ProposalIDRequest{Society: soc, ID: proposal}); err != nil {
				t.Fatal(err)
			}
		}, false, false},
		{"time: the decision becomes final", func(t *testing.T) { clock.advance(2 * time.Minute) }, true, false},
		{"time: nothing more waits", func(t *testing.T) { clock.advance(time.Hour) }, false, true},
	}
	before, _, _ := kept()
	last := before
	for _, step := range steps {
		step.change(t)
		first, second, fresh := kept()
		if follows := first == last; follows != step.follows {
			t.Fatalf("%s: the effects were kept through the change: %v, want %v", step.name, follows, step.follows)
		}
		last = first
		if !reflect.DeepEqual(first, fresh) {
			t.Fatalf("%s: kept effects %+v, computed again %+v", step.name, first, fresh)
		}
		if second != first {
			t.Fatalf("%s: the effects were computed twice with nothing changed", step.name)
		}
		if changed := !reflect.DeepEqual(fresh, before); changed != step.changes {
			t.Fatalf("%s: the effects changed: %v, want %v\nbefore %+v\nafter  %+v", step.name, changed, step.changes, before, fresh)
		}
		before = fresh
	}
	if len(before.Payouts()) != 1 || before.Settings.MinBalance != -300 || before.Settings.HalfLifeDays != 90 {
		t.Fatalf("final effects: %+v", before)
	}
}

// BenchmarkWriteWithDecisions is the cost of one write (a profile change)
// in a society of three whose root council made 20 final decisions
// (settings changes): every write checks the decisions' effects (is the
// author removed?), which the node keeps between writes (effects-kept);
// effects-recomputed empties the node's cache before each write, as the
// node was before it kept them.
//
//	go test ./node -run '^$' -bench BenchmarkWriteWithDecisions -benchtime 200x
func BenchmarkWriteWithDecisions(b *testing.B) {
	soc, ps, clock := foundAt(b, "Alice", "Bob", "Carol")
	alice := ps[0]
	for i := range 20 {
		st := alice.society(b, soc).Settings
		st.HalfLifeDays = uint64(30 + i)
		p, err := alice.ProposalCreate(ProposalRequest{Society: soc, Title: fmt.Sprintf("Half-life %d", i), Method: governance.MethodConsent,
			Closes: uint64(clock.now().Add(time.Hour).UnixMilli()), Rule: governance.Rule{GraceMillis: 60_000},
			Actions: []governance.Action{{Kind: governance.ActSettings, Settings: &st}}})
		if err != nil {
			b.Fatal(err)
		}
		syncAll(b, soc, ps...)
		for _, v := range ps {
			if _, err := v.Vote(VoteRequest{Society: soc, ID: p.ID, Choice: "consent"}); err != nil {
				b.Fatal(err)
			}
		}
		syncAll(b, soc, ps...)
		clock.advance(time.Hour + time.Minute)
		if _, err := alice.ProposalClose(ProposalIDRequest{Society: soc, ID: p.ID}); err != nil {
			b.Fatal(err)
		}
		clock.advance(2 * time.Minute)
	}
	if alice.society(b, soc).Settings.HalfLifeDays != 49 {
		b.Fatal("the decisions did not act")
	}
	for _, kept := range []bool{false, true} {
		name := map[bool]string{false: "effects-recomputed", true: "effects-kept"}[kept]
		b.Run(name, func(b *testing.B) {
			for i := 0; b.Loop(); i++ {
				if !kept { // as before the node kept them: computed for every write
					alice.fx.mu.Lock()
					alice.fx.m = nil
					alice.fx.mu.Unlock()
				}
				if err := alice.SetProfile(ProfileRequest{Society: soc, Bio: ptr(fmt.Sprintf("%s %d", name, i))}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// consented has ps[0] propose actions to the root council by consent
// (closing in an hour, a minute's grace), every peer but the last
// consent, and the last close it; the clock ends a minute past the grace,
// with the result final and every peer holding every record.
func consented(t *testing.T, soc string, clock *stepClock, ps []*peer, title string, actions ...governance.Action) *ProposalInfo {
	t.Helper()
	p, err := ps[0].ProposalCreate(ProposalRequest{Society: soc, Title: title, Method: governance.MethodConsent,
		Closes: uint64(clock.now().Add(time.Hour).UnixMilli()), Rule: governance.Rule{GraceMillis: 60_000}, Actions: actions})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	for _, v := range ps[:len(ps)-1] {
		if _, err := v.Vote(VoteRequest{Society: soc, ID: p.ID, Choice: "consent"}); err != nil {
			t.Fatal(err)
		}
	}
	syncAll(t, soc, ps...)
	clock.advance(time.Hour + time.Minute)
	if _, err := ps[len(ps)-1].ProposalClose(ProposalIDRequest{Society: soc, ID: p.ID}); err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	clock.advance(2 * time.Minute)
	return p
}

// forge writes a record as a modified client would: signed by p's device,
// next on its chain, with none of the node's checks.
func (p *peer) forge(t *testing.T, soc string, now time.Time, typ string, body any, deps ...cid.Cid) cid.Cid {
	t.Helper()
	sc, err := cid.Decode(soc)
	if err != nil {
		t.Fatal(err)
	}
	b, err := crdt.Marshal(body)
	if err != nil {
		t.Fatal(err)
	}
	head, err := p.store.Head(sc, p.id.DevicePublic())
	if err != nil {
		t.Fatal(err)
	}
	at := crdt.MakeHLC(uint64(now.UnixMilli()), 0)
	if head.Time >= at {
		at = head.Time + 1
	}
	rec := &crdt.Record{Version: crdt.FormatVersion, Society: &crdt.Link{Cid: sc}, Seq: head.Seq + 1,
		Prev: &crdt.Link{Cid: head.CID}, Deps: crdt.SortLinks(deps), Time: at, Type: typ, Body: b}
	raw, c, err := rec.Sign(p.id.Device)
	if err != nil {
		t.Fatal(err)
	}
	res, err := p.store.Ingest(sc, [][]byte{raw})
	if err != nil || len(res.Applied) != 1 {
		t.Fatalf("forged %s: %+v, %v", typ, res, err)
	}
	return c
}

// TestRemovedMemberActsVoid: a member a decision removed whose modified
// client goes on writing time-bank records moves no minutes on any peer:
// a leg they confirm after the removal and the legs of a transfer they
// propose after it are void, left out of every balance and flagged on
// the statements; what they did before stands.
func TestRemovedMemberActsVoid(t *testing.T) {
	soc, ps, clock := foundAt(t, "Alice", "Bob", "Carol", "Dave")
	alice, bob, carol, dave := ps[0], ps[1], ps[2], ps[3]
	before, err := bob.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModeGive, To: []string{carol.id.MemberID()}, Minutes: 15, Skill: "x"})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	if _, err := carol.AnswerTransfer(AnswerRequest{Society: soc, ID: before.ID, Accept: true}); err != nil {
		t.Fatal(err)
	}
	later, err := bob.ProposeTransfer(TransferRequest{Society: soc, Mode: timebank.ModeGive, To: []string{carol.id.MemberID()}, Minutes: 30, Skill: "x"})
	if err != nil {
		t.Fatal(err)
	}
	syncAll(t, soc, ps...)
	consented(t, soc, clock, []*peer{alice, bob, carol, dave}, "Remove Carol",
		governance.Action{Kind: governance.ActRemoveMember, Member: carol.id.MemberPublic()})
	// Carol's modified client: she confirms Bob's later transfer, and
	// proposes one that Dave's modified client confirms.
	lc, err := cid.Decode(later.ID)
	if err != nil {
		t.Fatal(err)
	}
	carol.forge(t, soc, clock.now(), timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: lc}, Leg: carol.id.MemberPublic(), Accept: true}, lc)
	tx := carol.forge(t, soc, clock.now(), timebank.TypeTransfer, timebank.Transfer{Mode: timebank.ModeGive,
		Legs: []timebank.Leg{{Member: dave.id.MemberPublic(), Minutes: 45}}, Skill: "x"})
	syncAll(t, soc, ps...)
	dave.forge(t, soc, clock.now(), timebank.TypeAnswer, timebank.Answer{Transfer: crdt.Link{Cid: tx}, Leg: dave.id.MemberPublic(), Accept: true}, tx)
	syncAll(t, soc, ps...)
	for _, x := range []*peer{alice, bob, dave} {
		for _, tc := range []struct {
			who  string
			want int64
		}{{"Bob", 15}, {"Carol", -15}, {"Dave", 0}} {
			if b, err := x.Balance(BalanceRequest{Society: soc, Member: tc.who}); err != nil || b.Minutes != tc.want {
				t.Fatalf("%s sees %s's balance %+v, %v; want %d", x.name, tc.who, b, err, tc.want)
			}
		}
		st, err := x.Statement(StatementRequest{Society: soc, Member: "Bob", All: true})
		if err != nil || st.Balance != 15 || len(st.Lines) != 2 || st.Lines[0].Void || !st.Lines[1].Void {
			t.Fatalf("%s's statement of Bob: %+v, %v", x.name, st, err)
		}
	}
	// The ledger itself folded them: without the voids Bob would have 45.
	var folded int64
	sc, err := cid.Decode(soc)
	if err != nil {
		t.Fatal(err)
	}
	if err := bob.store.View(sc, func(r *crdt.Reader) error {
		b, err := timebank.Balance(r, bob.id.MemberPublic())
		folded = b.Minutes
		return err
	}); err != nil || folded != 45 {
		t.Fatalf("folded balance %d, %v; want 45", folded, err)
	}
}
