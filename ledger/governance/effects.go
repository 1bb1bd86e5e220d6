package governance

import (
	"bytes"
	"fmt"
	"slices"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/ledger"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/ipfs/go-cid"
)

// This file is what the final decisions do to the other modules' state:
// the society's settings, members removed, and spends from the community
// account. Like every governance result they are computed at query time
// from the records held and a time `now` (docs/architecture.md,
// "Decisions"), so every peer holding the same records sees the same
// effects; front ends read balances, limits and members through them.

// BootstrapMembers is the size from which a society decides by proposal:
// while it has fewer active members, its founder alone changes the
// settings, removes members and pays out of the community account.
const BootstrapMembers = 3

// Payout is a spend from the community account that a final decision
// made.
type Payout struct {
	Proposal string `json:"proposal"`
	// Action is the spend's index among the proposal's actions.
	Action int    `json:"action"`
	Member []byte `json:"-"`
	// MemberID is Member in hex, for JSON.
	MemberID string `json:"member"`
	Amount   int64  `json:"minutes"`
	Project  string `json:"project,omitempty"`
	// At is when (Unix ms) the decision became final.
	At uint64 `json:"at"`
}

// Effects are what the decisions final by some time did.
type Effects struct {
	// Settings are the society's settings in force: the latest of the
	// genesis settings, the founder's settings records written during
	// the bootstrap, and the settings decisions.
	Settings membership.Settings
	// SettingsFrom is where they come from: "genesis", "founder" or the
	// ID of the proposal that decided them.
	SettingsFrom string
	removed      map[string]uint64
	payouts      []Payout
	reputation   bool
}

// ReadsReputation reports whether a council weighs votes by reputation:
// then time-bank and contribution records may change what a decision
// did; otherwise only governance and membership records, and time, do.
func (fx *Effects) ReadsReputation() bool { return fx.reputation }

// Removed reports whether a decision removed a member, and when (Unix ms).
func (fx *Effects) Removed(member []byte) (uint64, bool) {
	t, ok := fx.removed[string(member)]
	return t, ok
}

// RemovedMembers lists the members decisions removed, ordered by key.
func (fx *Effects) RemovedMembers() [][]byte {
	out := make([][]byte, 0, len(fx.removed))
	for m := range fx.removed {
		out = append(out, []byte(m))
	}
	slices.SortFunc(out, bytes.Compare)
	return out
}

// Payouts lists the spends decided, in the order they took effect.
func (fx *Effects) Payouts() []Payout { return fx.payouts }

// Paid is what decisions moved into an account: a member's payouts, or
// minus every payout for the community account.
func (fx *Effects) Paid(acct []byte) int64 {
	var sum int64
	for _, p := range fx.payouts {
		switch {
		case bytes.Equal(acct, membership.Community):
			sum -= p.Amount
		case bytes.Equal(acct, p.Member):
			sum += p.Amount
		}
	}
	return sum
}

// EffectsAt returns what the decisions final by now (Unix ms) did.
func EffectsAt(r *crdt.Reader, now uint64) (*Effects, error) {
	fx, _, err := EffectsUntil(r, now)
	return fx, err
}

// EffectsUntil returns what the decisions final by now (Unix ms) did, and
// the first time after now at which a decision becomes final (0 when none
// waits): with the same records held, the effects are the same from now
// until then, so a caller may keep them for that long.
func EffectsUntil(r *crdt.Reader, now uint64) (*Effects, uint64, error) {
	st, err := build(r, now)
	if err != nil {
		return nil, 0, err
	}
	fx, err := st.effects(r)
	return fx, st.next, err
}

func (st *state) effects(r *crdt.Reader) (*Effects, error) {
	fx := &Effects{removed: st.removed, payouts: st.payouts}
	for _, c := range st.councils {
		for _, x := range c.rules {
			fx.reputation = fx.reputation || x.weight == WeightReputation
		}
	}
	for i := range fx.payouts {
		fx.payouts[i].MemberID = hexKey(fx.payouts[i].Member)
	}
	s, from, at, err := founderSettings(r)
	if err != nil {
		return nil, err
	}
	fx.Settings, fx.SettingsFrom = s, from
	if st.settings != nil && at < st.settingsT {
		fx.Settings = *st.settings
		for i := len(st.decisions) - 1; i >= 0; i-- {
			if d := st.decisions[i]; d.Done && d.Action.Kind == ActSettings {
				fx.SettingsFrom = d.Proposal
				break
			}
		}
	}
	return fx, nil
}

// BootstrapEnd returns the time from which the society decides by
// proposal: the admission time of its BootstrapMembers-th member (by
// admission time, whoever has left since); ok is false while it has had
// fewer members. It depends only on the admissions held, so every peer
// holding the same records agrees.
func BootstrapEnd(r *crdt.Reader) (crdt.HLC, bool, error) {
	ms, err := membership.Members(r)
	if err != nil {
		return 0, false, err
	}
	if len(ms) < BootstrapMembers {
		return 0, false, nil
	}
	since := make([]crdt.HLC, len(ms))
	for i, m := range ms {
		since[i] = m.Since
	}
	slices.Sort(since)
	return since[BootstrapMembers-1], true, nil
}

// InBootstrap reports whether the society is still small enough for its
// founder to decide alone: fewer than BootstrapMembers active members.
func InBootstrap(r *crdt.Reader) (bool, error) {
	ms, err := membership.Members(r)
	if err != nil {
		return false, err
	}
	n := 0
	for _, m := range ms {
		if m.Status == membership.StatusActive {
			n++
		}
	}
	return n < BootstrapMembers, nil
}

// founderSettings returns the settings the membership records set, where
// they come from and the time of that record: the founder's latest
// settings record if it was written before the bootstrap ended, else the
// genesis settings.
func founderSettings(r *crdt.Reader) (membership.Settings, string, crdt.HLC, error) {
	sv, err := membership.Society(r)
	if err != nil {
		return membership.Settings{}, "", 0, err
	}
	if sv.SettingsV.Time == sv.Created || sv.SettingsV.Time == 0 {
		return sv.Settings, "genesis", sv.Created, nil
	}
	end, ended, err := BootstrapEnd(r)
	if err != nil {
		return membership.Settings{}, "", 0, err
	}
	if !ended || sv.SettingsV.Time < end {
		return sv.Settings, "founder", sv.SettingsV.Time, nil
	}
	// The founder's latest settings came after the bootstrap: they take
	// no effect, and neither do earlier ones the view no longer holds, so
	// the genesis settings stand.
	rec, err := r.Record(r.Society())
	if err != nil {
		return membership.Settings{}, "", 0, err
	}
	var g membership.Genesis
	if err := ledger.DecodeBody(rec, &g); err != nil {
		return membership.Settings{}, "", 0, fmt.Errorf("%w: genesis: %v", crdt.ErrCorrupt, err)
	}
	return g.Settings, "genesis", sv.Created, nil
}

// TreasuryLine is one movement of the community account.
type TreasuryLine struct {
	// Time is when it took effect, in Unix ms.
	Time uint64 `json:"time"`
	// Minutes is positive for an inflow, negative for an outflow.
	Minutes int64 `json:"minutes"`
	// Member is the counterparty's key in hex.
	Member string `json:"member"`
	// Transfer is the time-bank transfer, for movements the time bank
	// recorded (donations, the founder's payouts during the bootstrap).
	Transfer string `json:"transfer,omitempty"`
	// Proposal is the decision that paid, for spends.
	Proposal string `json:"proposal,omitempty"`
	Project  string `json:"project,omitempty"`
	Note     string `json:"note,omitempty"`
}

// Treasury is the community account: its balance, what came in, what went
// out, and every movement, oldest first.
type Treasury struct {
	Balance int64          `json:"balance"`
	In      int64          `json:"in"`
	Out     int64          `json:"out"`
	Lines   []TreasuryLine `json:"lines"`
}

// TreasuryAt returns the community account as the records held and the
// decisions final by now (Unix ms) make it.
func TreasuryAt(r *crdt.Reader, now uint64) (*Treasury, error) {
	fx, err := EffectsAt(r, now)
	if err != nil {
		return nil, err
	}
	lines, err := timebank.StatementAll(r, membership.Community)
	if err != nil {
		return nil, err
	}
	t := &Treasury{}
	for _, l := range lines {
		tl := TreasuryLine{Time: l.Time.Millis(), Minutes: l.Minutes, Member: hexKey(l.Counterparty), Note: l.Note}
		if c, err := cid.Cast(l.Transfer); err == nil {
			tl.Transfer = c.String()
		}
		t.Lines = append(t.Lines, tl)
	}
	for _, p := range fx.payouts {
		t.Lines = append(t.Lines, TreasuryLine{Time: p.At, Minutes: -p.Amount, Member: p.MemberID, Proposal: p.Proposal, Project: p.Project})
	}
	slices.SortStableFunc(t.Lines, func(a, b TreasuryLine) int {
		switch {
		case a.Time < b.Time:
			return -1
		case a.Time > b.Time:
			return 1
		}
		return 0
	})
	for _, l := range t.Lines {
		t.Balance += l.Minutes
		if l.Minutes > 0 {
			t.In += l.Minutes
		} else {
			t.Out -= l.Minutes
		}
	}
	return t, nil
}
