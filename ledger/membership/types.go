// Package membership is the society's membership: a ledger module (see
// ledger.Module) with the genesis, invite, join, admission, device,
// revocation, profile, settings, leaving and removal record types, the
// Gate every record passes (who may write, whose records still take
// effect), and the queries every domain asks (is this member active, what
// are the society's settings). Every other domain may import it; it imports
// no other domain.
//
// # Validity and effect
//
// A record is judged twice. Check decides whether it may be stored, from
// the record and its causal predecessors only, so every peer stores the same
// records. Apply folds a stored record into the views; a stored record may
// take no effect (its device was revoked, its member removed, its invite
// used up). Records that change which records take effect (device
// revocation, leaving, removal, and forks found by the store) cause a
// rebuild of the views, whose first pass gathers every exclusion, so the
// views are a function of the set of stored records alone.
//
// Its files follow every module's rooms: types.go (record bodies, views and
// view keys), check.go (the Gate's checks and each type's), apply.go (what
// a record does to the views, exclusions included), query.go (what front
// ends and other domains read) and module.go (the registration).
package membership

import (
	"bytes"
	"fmt"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
	"github.com/commons-society/commons/ledger"
)

// Record types of the membership family.
const (
	TypeGenesis      = "genesis"
	TypeInvite       = "invite"
	TypeInviteRevoke = "invite-revoke"
	TypeJoin         = "join"
	TypeAdmit        = "admit"
	TypeDevice       = "device"
	TypeDeviceRevoke = "device-revoke"
	TypeProfile      = "profile"
	TypeLeave        = "leave"
	TypeRemove       = "remove"
)

// TypeSettings changes the society's settings; only the founder may, and
// the latest change by (time, device, seq) holds.
const TypeSettings = "settings"

// Settings are a society's rules: set at genesis, changed by the founder
// with settings records.
type Settings struct {
	// MinBalance and MaxBalance bound time-bank balances, in minutes.
	MinBalance int64 `cbor:"min" json:"min_balance_minutes"`
	MaxBalance int64 `cbor:"max" json:"max_balance_minutes"`
	// HalfLifeDays is the reputation decay half-life.
	HalfLifeDays uint64 `cbor:"hl" json:"reputation_half_life_days"`
}

// DefaultSettings are -20 h / +100 h credit limits and a one-year half-life.
func DefaultSettings() Settings {
	return Settings{MinBalance: -20 * 60, MaxBalance: 100 * 60, HalfLifeDays: 365}
}

// Genesis founds a society. Its CID is the society ID.
type Genesis struct {
	Name     string              `cbor:"name"`
	Settings Settings            `cbor:"settings"`
	Cert     identity.DeviceCert `cbor:"cert"`
	// Nonce makes two societies of the same name and founder distinct.
	Nonce []byte `cbor:"nonce"`
	// Founder is the founder's display name.
	Founder string `cbor:"founder"`
}

// Invite lets whoever holds the invite secret join. Key is the secret's
// public half; the secret travels in the invite code only.
type Invite struct {
	Key []byte `cbor:"key"`
	// Expires is the last admission time allowed, in Unix milliseconds.
	Expires uint64 `cbor:"exp"`
	// Uses is how many admissions the invite allows (1 by default).
	Uses uint64 `cbor:"uses"`
}

// InviteRevoke withdraws an invite; only the device that made it may.
type InviteRevoke struct {
	Invite crdt.Link `cbor:"invite"`
}

// Join asks to be admitted with an invite. It is the first record of the
// joining device's chain and carries the member's certificate of it.
type Join struct {
	Invite crdt.Link           `cbor:"invite"`
	Cert   identity.DeviceCert `cbor:"cert"`
	// Proof is the invite secret's signature over JoinMessage.
	Proof []byte `cbor:"proof"`
	// Name is the joiner's display name.
	Name string `cbor:"name"`
}

// Admit admits a join; only the device that made the invite may, and only
// while the invite is unexpired, unrevoked and not used up.
type Admit struct {
	Join   crdt.Link `cbor:"join"`
	Invite crdt.Link `cbor:"invite"`
}

// Device adds a device to an admitted member: the first record of the new
// device's chain, carrying the member's certificate of it.
type Device struct {
	Cert identity.DeviceCert `cbor:"cert"`
	Name string              `cbor:"name"`
}

// DeviceRevoke revokes a device: its records after seq After take no
// effect. A device of the same member or the founder may revoke.
type DeviceRevoke struct {
	Device []byte `cbor:"device"`
	After  uint64 `cbor:"after"`
}

// Cutoff names the last record of a device that still takes effect.
type Cutoff struct {
	Device []byte `cbor:"device"`
	Seq    uint64 `cbor:"seq"`
}

// Leave ends the author's membership; records of the member's devices after
// the cutoffs (devices not listed: all) take no effect. The leave record
// itself is the author device's cutoff.
type Leave struct {
	Cutoffs []Cutoff `cbor:"cutoffs"`
}

// Remove is the founder removing a member, with the cutoffs of the member's
// devices as the founder saw them.
type Remove struct {
	Member  []byte   `cbor:"member"`
	Cutoffs []Cutoff `cbor:"cutoffs"`
	Reason  string   `cbor:"reason"`
}

// Profile sets some of the author's profile fields; each field is
// last-writer-wins by (time, device, seq).
type Profile struct {
	Name   *string   `cbor:"name,omitempty"`
	Bio    *string   `cbor:"bio,omitempty"`
	Skills *[]string `cbor:"skills,omitempty"`
}

// Limits on profile fields.
const (
	MaxBioLen  = 2000
	MaxSkills  = 50
	MaxCutoffs = 64
)

// JoinMessage is what the invite secret signs in a join.
func JoinMessage(society crdt.Link, member, device []byte) []byte {
	b := []byte("commons/join/v1\x00")
	b = append(b, society.Bytes()...)
	b = append(b, member...)
	return append(b, device...)
}

// SyncInviteMessage is what the invite secret signs in a sync hello: it
// proves to the society's peers that the device with the given peer ID
// (its bytes) holds an invite secret, so that they serve it what it needs
// to join. The domain string keeps it from passing for a join's proof.
func SyncInviteMessage(society crdt.Link, peer []byte) []byte {
	b := []byte("commons/sync-invite/v1\x00")
	b = append(b, society.Bytes()...)
	return append(b, peer...)
}

// Community is the account key of the society's pool. Members donate to it
// with a "pay" transfer whose leg is Community (no answer needed); the
// founder pays out of it with a "pay" transfer marked Pool, and answers for
// it when a member proposes a "give" to it.
var Community = []byte("community")

// Limits returns the balance limits of an account: the society's credit
// limits for a member; a floor of zero and no ceiling for the community
// account.
func (s Settings) Limits(acct []byte) (lo, hi int64, capped bool) {
	if bytes.Equal(acct, Community) {
		return 0, 0, false
	}
	return s.MinBalance, s.MaxBalance, true
}

// Bounds of the settings.
const (
	MaxCreditLimit   = 1000 * 60 // minutes either way
	MaxHalfLifeDays  = 100 * 365
	minHalfLifeDays  = 1
	settingsRangeMsg = "credit limits within ±1000 h around zero, half-life 1 day to 100 years"
)

// Check reports whether settings are in range: the minimum balance at or
// below zero, the maximum at or above, both within ±1000 h, and a
// half-life of 1 day to 100 years.
func (s Settings) Check() error {
	if s.MinBalance > 0 || s.MaxBalance < 0 || s.MinBalance < -MaxCreditLimit || s.MaxBalance > MaxCreditLimit ||
		s.HalfLifeDays < minHalfLifeDays || s.HalfLifeDays > MaxHalfLifeDays {
		return fmt.Errorf("%w: settings out of range (%s)", ledger.ErrBadBody, settingsRangeMsg)
	}
	return nil
}

// View keys. Keys embed raw public keys and CIDs as bytes.
const (
	kSociety = "society"
	kMember  = "member/" // member pub -> MemberView
	kDevice  = "device/" // device pub -> DeviceView
	kCut     = "cut/"    // device pub -> last effective seq
	kGone    = "gone/"   // member pub -> GoneView (left or removed)
	kInvite  = "invite/" // invite CID -> InviteView
	kJoin    = "join/"   // member pub -> JoinView (waiting for admission)
	kCount   = "count/"  // name -> counter
	kAuthor  = "byinv/"  // inviter device + invite CID -> nil
	cMembers = kCount + "members"
	cExcl    = kCount + "exclusions" // cut and gone entries
)

// SocietyView is the society's name, settings and founder.
type SocietyView struct {
	Name     string   `cbor:"name" json:"name"`
	Settings Settings `cbor:"settings" json:"settings"`
	Founder  []byte   `cbor:"founder" json:"-"`
	Created  crdt.HLC `cbor:"created" json:"-"`
	// SettingsV versions Settings, last writer wins.
	SettingsV ledger.Version `cbor:"settingsv" json:"-"`
}

// Member statuses.
const (
	StatusActive  = "active"
	StatusLeft    = "left"
	StatusRemoved = "removed"
)

// MemberView is what the society knows of a member.
type MemberView struct {
	Key    []byte   `cbor:"key"`
	Status string   `cbor:"status"`
	Since  crdt.HLC `cbor:"since"`
	// Admit is the CID of the admission (absent for the founder).
	Admit  []byte         `cbor:"admit,omitempty"`
	Name   string         `cbor:"name"`
	Bio    string         `cbor:"bio"`
	Skills []string       `cbor:"skills"`
	NameV  ledger.Version `cbor:"namev"`
	BioV   ledger.Version `cbor:"biov"`
	SkillV ledger.Version `cbor:"skillv"`
}

// DeviceView ties a device to its member.
type DeviceView struct {
	Member []byte `cbor:"member"`
	Name   string `cbor:"name"`
}

// GoneView records a member's departure and its device cutoffs.
type GoneView struct {
	Status  string   `cbor:"status"`
	Cutoffs []Cutoff `cbor:"cutoffs"`
	Time    crdt.HLC `cbor:"time"`
}

// InviteView is an invite's state.
type InviteView struct {
	Author  []byte   `cbor:"author"`
	Member  []byte   `cbor:"member"`
	Key     []byte   `cbor:"key"`
	Expires uint64   `cbor:"exp"`
	Uses    uint64   `cbor:"uses"`
	Used    uint64   `cbor:"used"`
	Revoked bool     `cbor:"revoked"`
	Created crdt.HLC `cbor:"created"`
}

// JoinView is a join waiting for admission.
type JoinView struct {
	Join   crdt.Link `cbor:"join"`
	Invite crdt.Link `cbor:"invite"`
	Device []byte    `cbor:"device"`
	Name   string    `cbor:"name"`
	Time   crdt.HLC  `cbor:"time"`
}
