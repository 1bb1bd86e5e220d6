// Package ledger is the society's domain: membership (genesis, invites,
// joins, admissions, devices, leaving, removal) and member profiles, as
// record types carried by crdt records, with the deterministic fold that
// turns them into views and the queries over those views. It knows nothing
// of the network or of the user interface.
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
package ledger

import (
	"bytes"
	"fmt"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/identity"
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
		return fmt.Errorf("%w: settings out of range (%s)", ErrBadBody, settingsRangeMsg)
	}
	return nil
}
