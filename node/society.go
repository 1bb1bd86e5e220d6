package node

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/commons-society/commons/ledger/contrib"
	"github.com/commons-society/commons/ledger/directory"
	"github.com/commons-society/commons/ledger/membership"
	"github.com/commons-society/commons/ledger/timebank"
	"github.com/commons-society/commons/p2p/recsync"
	"github.com/ipfs/go-cid"
)

// What the app's home and society screens need beyond the domain calls:
// the invites this device made, the society's recent activity, changing
// the society's settings, and how far this device's records have spread.

// Invite states (InviteInfo.State).
const (
	InviteOpen    = "open"
	InviteUsedUp  = "used up"
	InviteExpired = "expired"
	InviteRevoked = "revoked"
)

// InviteInfo describes an invite this device made. Its code is not kept:
// it holds the invite's secret and is shown only when the invite is made
// (InviteResult.Code).
type InviteInfo struct {
	ID string `json:"id"`
	// Created and Expires are RFC 3339, in UTC.
	Created string `json:"created"`
	Expires string `json:"expires"`
	// Uses is how many people may join with it, Used how many did.
	Uses    uint64 `json:"uses"`
	Used    uint64 `json:"used"`
	Revoked bool   `json:"revoked"`
	// State is InviteOpen, InviteUsedUp, InviteExpired or InviteRevoked.
	State string `json:"state"`
}

// Invites lists the invites this device made, newest first.
func (n *Node) Invites(req SocietyRequest) ([]InviteInfo, error) {
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	nowMs := uint64(n.now().UnixMilli())
	type inv struct {
		id string
		iv membership.InviteView
	}
	var invs []inv
	err = n.store.View(soc, func(r *crdt.Reader) error {
		m, err := membership.InvitesBy(r, n.pub.Device)
		for c, iv := range m {
			invs = append(invs, inv{c.String(), iv})
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(invs, func(a, b inv) int {
		if a.iv.Created != b.iv.Created {
			if a.iv.Created > b.iv.Created {
				return -1
			}
			return 1
		}
		return strings.Compare(a.id, b.id)
	})
	out := make([]InviteInfo, 0, len(invs))
	for _, x := range invs {
		ii := InviteInfo{ID: x.id, Created: fmtHLC(x.iv.Created), Expires: time.UnixMilli(int64(x.iv.Expires)).UTC().Format(timeFormat),
			Uses: x.iv.Uses, Used: x.iv.Used, Revoked: x.iv.Revoked, State: InviteOpen}
		switch {
		case x.iv.Revoked:
			ii.State = InviteRevoked
		case x.iv.Used >= x.iv.Uses:
			ii.State = InviteUsedUp
		case nowMs > x.iv.Expires:
			ii.State = InviteExpired
		}
		out = append(out, ii)
	}
	return out, nil
}

// Activity kinds (ActivityItem.Kind).
const (
	ActivityFounded       = "founded"        // the society was founded
	ActivityJoined        = "joined"         // a member was admitted
	ActivityLeft          = "left"           // a member left
	ActivityRemoved       = "removed"        // the founder removed a member
	ActivityProfile       = "profile"        // a member changed their profile
	ActivityOffered       = "offer"          // a member offered help (a listing)
	ActivityRequested     = "request"        // a member asked for help (a listing)
	ActivityListingClosed = "listing-closed" // a member closed a listing
	ActivityTransfer      = "transfer"       // a member proposed a transfer
	ActivityConfirmed     = "confirmed"      // a member confirmed a transfer
	ActivityRejected      = "rejected"       // a member rejected a transfer
	ActivityDisputed      = "disputed"       // a member disputed a transfer
	ActivityContribution  = "contribution"   // a member recorded a contribution
	ActivityReview        = "review"         // a member reviewed a contribution
	ActivitySettings      = "settings"       // the founder changed the settings
)

// ActivityRequest asks for a society's recent activity.
type ActivityRequest struct {
	Society string `json:"society,omitempty"`
	// Limit caps the items (default 20, at most 500).
	Limit int `json:"limit,omitempty"`
}

// ActivityItem is one thing that happened in a society. Text says it in
// English; front ends that translate rebuild it from the other fields.
type ActivityItem struct {
	// ID is the record's CID (for reference; not meant to be shown).
	ID string `json:"id"`
	// Time is when it happened, RFC 3339 in UTC.
	Time string `json:"time"`
	Kind string `json:"kind"`
	// Member and Name are who acted: the member admitted for
	// ActivityJoined, the author otherwise.
	Member string `json:"member"`
	Name   string `json:"name"`
	Text   string `json:"text"`
	// Counterparty is the other party, as a member ID or CommunityAccount
	// (empty when several); CounterpartyName names them all (", "
	// between names). It is: the counterparties of a proposed transfer,
	// the proposer of an answered transfer, the other side of a disputed
	// leg, the member removed, the author of a reviewed contribution, the
	// admitting member of a join.
	Counterparty     string `json:"counterparty,omitempty"`
	CounterpartyName string `json:"counterparty_name,omitempty"`
	// Minutes moves with each counterparty of a transfer, or is the time
	// a contribution took.
	Minutes int64  `json:"minutes,omitempty"`
	Skill   string `json:"skill,omitempty"`
	// Mode is a transfer's mode (ModeGive, ModePay) or a listing's kind
	// (KindOffer, KindRequest).
	Mode string `json:"mode,omitempty"`
	// Pool marks a payment out of the community account.
	Pool bool `json:"pool,omitempty"`
	// Detail is the free text: a listing's description, a contribution's
	// what, the reason of a rejection, dispute or removal, the profile
	// fields changed ("name, bio, skills").
	Detail string `json:"detail,omitempty"`
	// Reverse marks a dispute consenting to reversing the transfer.
	Reverse bool `json:"reverse,omitempty"`
	// Quality and Impact are a review's ratings (1 to 5).
	Quality uint64 `json:"quality,omitempty"`
	Impact  uint64 `json:"impact,omitempty"`
	// Settings are the new settings of ActivitySettings.
	Settings *SocietySettings `json:"settings,omitempty"`
}

// activityScan bounds how many records one Activity call looks at.
const activityScan = 5000

// Activity lists a society's recent activity, newest first: one item per
// record that matters to members (records that take no effect, and
// technical ones such as device certificates and invites, are skipped).
func (n *Node) Activity(req ActivityRequest) ([]ActivityItem, error) {
	if req.Limit <= 0 {
		req.Limit = 20
	}
	req.Limit = min(req.Limit, 500)
	soc, err := n.society(req.Society)
	if err != nil {
		return nil, err
	}
	out := []ActivityItem{}
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		a := &activity{r: r, ns: newNames(r), sv: sv}
		return n.store.Latest(soc, max(activityScan, 20*req.Limit), func(c cid.Cid, _ []byte) error {
			m, ok, err := r.Meta(c)
			if err != nil || !ok || !activityTypes[m.Type] {
				return err
			}
			rec, err := r.Record(c)
			if err != nil {
				return err
			}
			it, ok, err := a.item(c, rec, m)
			if err != nil || !ok {
				return err
			}
			out = append(out, it)
			if len(out) >= req.Limit {
				return crdt.ErrStop
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// activityTypes are the record types that make activity items.
var activityTypes = map[string]bool{
	membership.TypeGenesis: true, membership.TypeAdmit: true, membership.TypeLeave: true, membership.TypeRemove: true,
	membership.TypeProfile: true, directory.TypeListing: true, directory.TypeListingClose: true,
	timebank.TypeTransfer: true, timebank.TypeAnswer: true, timebank.TypeDispute: true,
	contrib.TypeContribution: true, contrib.TypeReview: true, membership.TypeSettings: true,
}

// activity turns records into activity items within one read.
type activity struct {
	r  *crdt.Reader
	ns *names
	sv membership.SocietyView
}

func decodeInto(rec *crdt.Record, v any) error {
	if err := crdt.Unmarshal(rec.Body, v); err != nil {
		return fmt.Errorf("%w: %s body: %v", crdt.ErrCorrupt, rec.Type, err)
	}
	return nil
}

// party fills an item's counterparty fields from account keys.
func (a *activity) party(it *ActivityItem, accts ...[]byte) error {
	var ns []string
	for _, k := range accts {
		name, err := a.ns.of(k)
		if err != nil {
			return err
		}
		ns = append(ns, name)
	}
	if len(accts) == 1 {
		it.Counterparty = acctID(accts[0])
	}
	it.CounterpartyName = strings.Join(ns, ", ")
	return nil
}

// item makes the activity item of a record; ok is false for records that
// make none (or take no effect).
func (a *activity) item(c cid.Cid, rec *crdt.Record, m crdt.Meta) (it ActivityItem, ok bool, err error) {
	actor := m.Member
	if actor == nil {
		dv, known, err := membership.DeviceOf(a.r, rec.Author)
		if err != nil || !known {
			return it, false, err
		}
		actor = dv.Member
	}
	it = ActivityItem{ID: c.String(), Time: fmtHLC(rec.Time), Kind: rec.Type}
	switch rec.Type {
	case membership.TypeGenesis:
		it.Kind = ActivityFounded
		it.Detail = a.sv.Name
	case membership.TypeAdmit:
		mv, known, err := membership.Member(a.r, m.Subject)
		if err != nil || !known || !bytes.Equal(mv.Admit, c.Bytes()) {
			return it, false, err
		}
		it.Kind = ActivityJoined
		if err := a.party(&it, actor); err != nil {
			return it, false, err
		}
		actor = m.Subject
	case membership.TypeLeave:
		it.Kind = ActivityLeft
	case membership.TypeRemove:
		var rm membership.Remove
		if err := decodeInto(rec, &rm); err != nil {
			return it, false, err
		}
		if !bytes.Equal(actor, a.sv.Founder) {
			return it, false, nil
		}
		it.Kind, it.Detail = ActivityRemoved, rm.Reason
		if err := a.party(&it, rm.Member); err != nil {
			return it, false, err
		}
	case membership.TypeProfile:
		var p membership.Profile
		if err := decodeInto(rec, &p); err != nil {
			return it, false, err
		}
		var fields []string
		if p.Name != nil {
			fields = append(fields, "name")
		}
		if p.Bio != nil {
			fields = append(fields, "bio")
		}
		if p.Skills != nil {
			fields = append(fields, "skills")
		}
		it.Kind, it.Detail = ActivityProfile, strings.Join(fields, ", ")
	case directory.TypeListing:
		lv, known, err := directory.ListingByID(a.r, c)
		if err != nil || !known {
			return it, false, err
		}
		it.Kind, it.Mode, it.Skill, it.Detail = ActivityOffered, lv.Kind, lv.Skill, lv.Description
		if lv.Kind == directory.KindRequest {
			it.Kind = ActivityRequested
		}
	case directory.TypeListingClose:
		var lc directory.ListingClose
		if err := decodeInto(rec, &lc); err != nil {
			return it, false, err
		}
		lv, known, err := directory.ListingByID(a.r, lc.Listing.Cid)
		if err != nil || !known || lv.Open {
			return it, false, err
		}
		it.Kind, it.Mode, it.Skill, it.Detail = ActivityListingClosed, lv.Kind, lv.Skill, lv.Description
	case timebank.TypeTransfer:
		tv, known, err := timebank.TransferByID(a.r, c)
		if err != nil || !known {
			return it, false, err
		}
		it.Kind, it.Mode, it.Pool, it.Skill = ActivityTransfer, tv.Mode, tv.Pool, tv.Skill
		var legs [][]byte
		for _, l := range tv.Legs {
			legs = append(legs, l.Member)
			it.Minutes = int64(l.Minutes)
		}
		if err := a.party(&it, legs...); err != nil {
			return it, false, err
		}
	case timebank.TypeAnswer, timebank.TypeDispute:
		return a.transferItem(it, c, rec, actor)
	case contrib.TypeContribution:
		cv, known, err := contrib.ContributionByID(a.r, c)
		if err != nil || !known {
			return it, false, err
		}
		it.Kind, it.Minutes, it.Skill, it.Detail = ActivityContribution, int64(cv.Minutes), cv.Skill, cv.What
	case contrib.TypeReview:
		var rv contrib.Review
		if err := decodeInto(rec, &rv); err != nil {
			return it, false, err
		}
		cv, known, err := contrib.ContributionByID(a.r, rv.Contribution.Cid)
		if err != nil || !known {
			return it, false, err
		}
		it.Kind, it.Skill, it.Detail, it.Quality, it.Impact = ActivityReview, cv.Skill, cv.What, rv.Quality, rv.Impact
		if err := a.party(&it, cv.Member); err != nil {
			return it, false, err
		}
	case membership.TypeSettings:
		var st membership.Settings
		if err := decodeInto(rec, &st); err != nil {
			return it, false, err
		}
		it.Kind, it.Settings = ActivitySettings, &st
	default:
		return it, false, nil
	}
	it.Member = idOf(actor)
	if it.Name, err = a.ns.of(actor); err != nil {
		return it, false, err
	}
	it.Text = activityText(&it)
	return it, true, nil
}

// transferItem makes the item of an answer or a dispute: only the
// deciding answer of a leg, and disputes the leg holds, make one.
func (a *activity) transferItem(it ActivityItem, c cid.Cid, rec *crdt.Record, actor []byte) (ActivityItem, bool, error) {
	var tx cid.Cid
	var leg []byte
	if rec.Type == timebank.TypeAnswer {
		var an timebank.Answer
		if err := decodeInto(rec, &an); err != nil {
			return it, false, err
		}
		tx, leg = an.Transfer.Cid, an.Leg
	} else {
		var d timebank.Dispute
		if err := decodeInto(rec, &d); err != nil {
			return it, false, err
		}
		tx, leg = d.Transfer.Cid, d.Leg
	}
	tv, known, err := timebank.TransferByID(a.r, tx)
	if err != nil || !known {
		return it, false, err
	}
	i := tv.LegIndex(leg)
	if i < 0 {
		return it, false, nil
	}
	l := tv.Legs[i]
	it.Mode, it.Pool, it.Skill, it.Minutes = tv.Mode, tv.Pool, tv.Skill, int64(l.Minutes)
	var other []byte
	if rec.Type == timebank.TypeAnswer {
		if !bytes.Equal(l.Answer, c.Bytes()) {
			return it, false, nil // a later answer changes nothing
		}
		it.Kind, it.Detail = ActivityConfirmed, l.Reason
		if l.State == timebank.StateRejected {
			it.Kind = ActivityRejected
		}
		other = tv.Proposer
	} else {
		k := slices.IndexFunc(l.Disputes, func(d timebank.DisputeView) bool { return bytes.Equal(d.ID, c.Bytes()) })
		if k < 0 {
			return it, false, nil
		}
		it.Kind, it.Detail, it.Reverse = ActivityDisputed, l.Disputes[k].Reason, l.Disputes[k].Reverse
		payer, provider := tv.Sides(i)
		other = payer
		if bytes.Equal(actorOf(payer, a.sv.Founder), actor) {
			other = provider
		}
	}
	if err := a.party(&it, other); err != nil {
		return it, false, err
	}
	it.Member = idOf(actor)
	if it.Name, err = a.ns.of(actor); err != nil {
		return it, false, err
	}
	it.Text = activityText(&it)
	return it, true, nil
}

// activityText says an item in English.
func activityText(it *ActivityItem) string {
	who, other := it.Name, it.CounterpartyName
	if it.Counterparty == CommunityAccount {
		other = "the community account"
	}
	amount := timebank.FormatMinutes(it.Minutes)
	with := func(s string) string {
		if it.Detail != "" {
			return s + ": " + it.Detail
		}
		return s
	}
	switch it.Kind {
	case ActivityFounded:
		return fmt.Sprintf("%s founded %s", who, it.Detail)
	case ActivityJoined:
		return fmt.Sprintf("%s joined", who)
	case ActivityLeft:
		return fmt.Sprintf("%s left the society", who)
	case ActivityRemoved:
		return with(fmt.Sprintf("%s removed %s", who, other))
	case ActivityProfile:
		return fmt.Sprintf("%s updated their profile (%s)", who, it.Detail)
	case ActivityOffered:
		return with(fmt.Sprintf("%s offers %s", who, it.Skill))
	case ActivityRequested:
		return with(fmt.Sprintf("%s asks for %s", who, it.Skill))
	case ActivityListingClosed:
		if it.Mode == directory.KindRequest {
			return fmt.Sprintf("%s closed their request for %s", who, it.Skill)
		}
		return fmt.Sprintf("%s closed their offer of %s", who, it.Skill)
	case ActivityTransfer:
		switch {
		case it.Pool:
			return fmt.Sprintf("%s paid %s %s of %s from the community account", who, other, amount, it.Skill)
		case it.Mode == timebank.ModePay && it.Counterparty == CommunityAccount:
			return fmt.Sprintf("%s donated %s to the community account", who, amount)
		case it.Mode == timebank.ModePay:
			return fmt.Sprintf("%s received %s of %s from %s (to be confirmed)", who, amount, it.Skill, other)
		}
		return fmt.Sprintf("%s gave %s of %s to %s (to be confirmed)", who, amount, it.Skill, other)
	case ActivityConfirmed:
		return fmt.Sprintf("%s confirmed %s of %s with %s", who, amount, it.Skill, other)
	case ActivityRejected:
		return with(fmt.Sprintf("%s rejected %s of %s with %s", who, amount, it.Skill, other))
	case ActivityDisputed:
		if it.Reverse {
			return with(fmt.Sprintf("%s agreed to reverse %s of %s with %s", who, amount, it.Skill, other))
		}
		return with(fmt.Sprintf("%s disputed %s of %s with %s", who, amount, it.Skill, other))
	case ActivityContribution:
		return with(fmt.Sprintf("%s contributed %s of %s", who, amount, it.Skill))
	case ActivityReview:
		return fmt.Sprintf("%s reviewed %s's contribution in %s: quality %d/5, impact %d/5", who, other, it.Skill, it.Quality, it.Impact)
	case ActivitySettings:
		s := it.Settings
		return fmt.Sprintf("%s changed the society's settings: balances from %s to %s, reputation half-life %d days",
			who, timebank.FormatMinutes(s.MinBalance), timebank.FormatMinutes(s.MaxBalance), s.HalfLifeDays)
	}
	return fmt.Sprintf("%s: %s", who, it.Kind)
}

// SettingsRequest changes a society's settings; nil fields are left as
// they are.
type SettingsRequest struct {
	Society string `json:"society,omitempty"`
	// MinBalanceMinutes is the lowest balance allowed (zero or below);
	// MaxBalanceMinutes the highest (zero or above); both within ±1000 h.
	MinBalanceMinutes *int64 `json:"min_balance_minutes,omitempty"`
	MaxBalanceMinutes *int64 `json:"max_balance_minutes,omitempty"`
	// HalfLifeDays is the reputation half-life, 1 day to 100 years.
	HalfLifeDays *uint64 `json:"half_life_days,omitempty"`
}

// ErrBadSettings is returned for settings out of range.
var ErrBadSettings = refusal.Prefixed("node", "settings out of range")

// checkSettings says which setting is out of range.
func checkSettings(s membership.Settings) error {
	switch {
	case s.MinBalance > 0:
		return refusal.New(ErrBadSettings, "the minimum balance must be zero or below")
	case s.MaxBalance < 0:
		return refusal.New(ErrBadSettings, "the maximum balance must be zero or above")
	case s.MinBalance < -membership.MaxCreditLimit || s.MaxBalance > membership.MaxCreditLimit:
		return refusal.New(ErrBadSettings, "balance limits stay within %s either way", timebank.FormatMinutes(membership.MaxCreditLimit))
	case s.HalfLifeDays < 1 || s.HalfLifeDays > membership.MaxHalfLifeDays:
		return refusal.New(ErrBadSettings, "the reputation half-life is 1 to %d days", membership.MaxHalfLifeDays)
	}
	if err := s.Check(); err != nil {
		return refusal.New(ErrBadSettings, "%v", err)
	}
	return nil
}

// SetSocietySettings changes the society's settings. Only the founder
// may; settings equal to the current ones write nothing.
func (n *Node) SetSocietySettings(req SettingsRequest) error {
	if n.id == nil {
		return ErrLocked
	}
	if req.MinBalanceMinutes == nil && req.MaxBalanceMinutes == nil && req.HalfLifeDays == nil {
		return refusal.Prefixed("node", "nothing to change: give a minimum balance, a maximum balance or a half-life")
	}
	soc, err := n.society(req.Society)
	if err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	var st membership.Settings
	same := false
	err = n.store.View(soc, func(r *crdt.Reader) error {
		sv, err := membership.Society(r)
		if err != nil {
			return err
		}
		if !bytes.Equal(sv.Founder, n.pub.Member) {
			return fmt.Errorf("%w (changing the society's settings)", ErrNotFounder)
		}
		if err := founderAlone(r, "changing the settings", "--set-min MINUTES --set-max MINUTES --set-half-life DAYS"); err != nil {
			return err
		}
		st = sv.Settings
		if req.MinBalanceMinutes != nil {
			st.MinBalance = *req.MinBalanceMinutes
		}
		if req.MaxBalanceMinutes != nil {
			st.MaxBalance = *req.MaxBalanceMinutes
		}
		if req.HalfLifeDays != nil {
			st.HalfLifeDays = *req.HalfLifeDays
		}
		same = st == sv.Settings
		return checkSettings(st)
	})
	if err != nil || same {
		return err
	}
	_, err = n.author(soc, membership.TypeSettings, st, nil)
	return err
}

// Sharing: which of this device's records some peer is known to hold.

// sharedSeqs keeps, per society, the highest seq of this device's chain
// that some peer is known to hold: seen in a peer's version vector during
// a sync, sent in a sync that completed, acknowledged by a peer that
// stored it from gossip (p2p.AckProtocolID), or found in a CAR file
// imported (taken to come from another peer). It is kept in the home (shared.json,
// written atomically whenever a value grows), so that a restart does not
// count every record of this device as unshared again. Failing to write
// the file is not an error: the count is then too high after a restart
// until the next sync or import, an honest upper bound rather than a
// guess.
type sharedSeqs struct {
	mu  sync.Mutex
	seq map[cid.Cid]uint64
	// path is the file the values are kept in ("" keeps them in memory
	// only); device is the device they are about (its ID).
	path   string
	device string
}

// sharedFile is the content of shared.json.
type sharedFile struct {
	// Device is the ID of the device whose records the seqs count: a
	// file about another device (a home restored over) is ignored.
	Device string `json:"device"`
	// Societies maps a society ID to the highest seq of the device's
	// chain some peer is known to hold.
	Societies map[string]uint64 `json:"societies"`
}

// load sets the file the values are kept in, for device, and reads it; a
// missing or damaged file, or one about another device, gives none.
func (s *sharedSeqs) load(path, device string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.seq, s.path, s.device = map[cid.Cid]uint64{}, path, device
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	var f sharedFile
	if json.Unmarshal(b, &f) != nil || f.Device != device {
		return
	}
	for k, v := range f.Societies {
		if c, err := cid.Decode(k); err == nil {
			s.seq[c] = v
		}
	}
}

// note records that a peer holds this device's records up to seq, and
// saves the values when they grew.
func (s *sharedSeqs) note(soc cid.Cid, seq uint64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seq == nil {
		s.seq = map[cid.Cid]uint64{}
	}
	if seq <= s.seq[soc] {
		return
	}
	s.seq[soc] = seq
	_ = s.save() // best effort: see sharedSeqs
}

// save writes the values to s.path atomically. The caller holds s.mu.
func (s *sharedSeqs) save() error {
	if s.path == "" {
		return nil
	}
	f := sharedFile{Device: s.device, Societies: make(map[string]uint64, len(s.seq))}
	for c, v := range s.seq {
		f.Societies[c.String()] = v
	}
	b, err := json.MarshalIndent(f, "", "  ")
	if err != nil {
		return err
	}
	tmp := s.path + ".tmp"
	if err := os.WriteFile(tmp, b, 0o600); err != nil {
		return fmt.Errorf("node: save %s: %w", s.path, err)
	}
	if err := os.Rename(tmp, s.path); err != nil {
		_ = os.Remove(tmp)
		return fmt.Errorf("node: save %s: %w", s.path, err)
	}
	return nil
}

func (s *sharedSeqs) get(soc cid.Cid) uint64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seq[soc]
}

// unshared counts this device's records of a society that no peer is
// known to hold.
func (n *Node) unshared(r *crdt.Reader) (int, error) {
	h, err := r.Head(n.pub.Device)
	if err != nil {
		return 0, err
	}
	return int(h.Seq - min(h.Seq, n.shared.get(r.Society()))), nil
}

// noteAcked notes that a peer acknowledged holding this device's records
// of a society up to seq (a gossip ack). A peer cannot make more records
// count as shared than this device has written.
func (n *Node) noteAcked(soc cid.Cid, seq uint64) {
	h, err := n.store.Head(soc, n.pub.Device)
	if err != nil {
		return
	}
	if seq = min(seq, h.Seq); seq > 0 {
		n.shared.note(soc, seq)
		n.notify()
	}
}

// noteImported notes the records of this device that an imported CAR
// file held.
func (n *Node) noteImported(soc cid.Cid, raws [][]byte) error {
	var top uint64
	err := n.store.View(soc, func(r *crdt.Reader) error {
		for _, raw := range raws {
			m, ok, err := r.Meta(crdt.CIDOf(raw))
			if err != nil {
				return err
			}
			if ok && bytes.Equal(m.Author, n.pub.Device) {
				top = max(top, m.Seq)
			}
		}
		return nil
	})
	if top > 0 {
		n.shared.note(soc, top)
	}
	return err
}

// Catch-up progress.

// SyncStatus describes the catch-up in progress: while sync sessions
// bring records in, how many the peers announced that this node lacked
// (from the version vectors exchanged) and how many arrived so far.
type SyncStatus struct {
	Active   bool `json:"active"`
	Expected int  `json:"expected"`
	Received int  `json:"received"`
}

// syncTracker follows the sync sessions of a network.
type syncTracker struct {
	mu   sync.Mutex
	live map[uint64]recsync.Progress
	done int // sessions ended, either way
}

// progress is recsync's OnProgress: it follows the sessions and notes
// which of this device's records the peer holds.
func (n *Node) progress(t *syncTracker, p recsync.Progress) {
	dev := string(n.pub.Device)
	if s := p.Theirs[dev]; s > 0 {
		n.shared.note(p.Society, s)
	}
	if p.Done && p.Err == nil && p.Sent >= p.Missing {
		// The peer stored every record it lacked at the hellos.
		n.shared.note(p.Society, p.Ours[dev])
	}
	t.mu.Lock()
	if t.live == nil {
		t.live = map[uint64]recsync.Progress{}
	}
	if p.Done {
		delete(t.live, p.Session)
		t.done++
	} else {
		t.live[p.Session] = p
	}
	t.mu.Unlock()
	if p.Done && p.Expected > 0 {
		n.notify() // so that displays drop the progress
	}
}

// status sums the sessions bringing records in.
func (t *syncTracker) status() SyncStatus {
	t.mu.Lock()
	defer t.mu.Unlock()
	var s SyncStatus
	for _, p := range t.live {
		if p.Expected > 0 {
			s.Active = true
			s.Expected += p.Expected
			s.Received += min(p.Received, p.Expected)
		}
	}
	return s
}
