package ledger

import (
	"github.com/commons-society/commons/crdt"
)

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
	SettingsV Version `cbor:"settingsv" json:"-"`
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
	Admit  []byte   `cbor:"admit,omitempty"`
	Name   string   `cbor:"name"`
	Bio    string   `cbor:"bio"`
	Skills []string `cbor:"skills"`
	NameV  Version  `cbor:"namev"`
	BioV   Version  `cbor:"biov"`
	SkillV Version  `cbor:"skillv"`
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
