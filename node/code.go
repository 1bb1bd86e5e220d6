package node

import (
	"crypto/ed25519"
	"encoding/base32"
	"errors"
	"strings"

	"github.com/commons-society/commons/crdt"
	"github.com/commons-society/commons/internal/refusal"
	"github.com/ipfs/go-cid"
)

// InvitePrefix starts every invite code.
const InvitePrefix = "commons1"

// ErrBadCode is returned for an invite code that cannot be read.
var ErrBadCode = refusal.Prefixed("node", "not a valid invite code")

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// InviteCode is what an invite code carries: the society, the invite
// record, the invite secret, and the inviter's addresses.
type InviteCode struct {
	Society cid.Cid
	Invite  cid.Cid
	Secret  ed25519.PrivateKey
	Name    string
	Addrs   []string
}

type wireCode struct {
	Society crdt.Link `cbor:"s"`
	Invite  crdt.Link `cbor:"i"`
	Seed    []byte    `cbor:"k"`
	Name    string    `cbor:"n"`
	Addrs   []string  `cbor:"a"`
}

// String encodes the code as one line of text.
func (c InviteCode) String() string {
	addrs := c.Addrs
	if addrs == nil {
		addrs = []string{}
	}
	b, err := crdt.Marshal(wireCode{Society: crdt.Link{Cid: c.Society}, Invite: crdt.Link{Cid: c.Invite}, Seed: c.Secret.Seed(), Name: c.Name, Addrs: addrs})
	if err != nil {
		return ""
	}
	return InvitePrefix + strings.ToLower(b32.EncodeToString(b))
}

// ParseInviteCode reads a code printed by String; surrounding white space
// and case are ignored. It is pure (no store, no network), so a front end
// refuses a garbage code at once. Its errors wrap ErrBadCode and say what
// is wrong in the user's terms; the decoder's own error is kept as a
// DetailError's detail.
func ParseInviteCode(s string) (InviteCode, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return InviteCode{}, refusal.New(ErrBadCode, "it is empty")
	}
	if !strings.HasPrefix(strings.ToLower(s), InvitePrefix) {
		return InviteCode{}, refusal.New(ErrBadCode, "it must start with %q", InvitePrefix)
	}
	damaged := func(detail error) error {
		return &DetailError{Err: refusal.New(ErrBadCode, "it is damaged or cut short; copy the whole code again"), Detail: detail}
	}
	raw, err := b32.DecodeString(strings.ToUpper(s[len(InvitePrefix):]))
	if err != nil {
		return InviteCode{}, damaged(err)
	}
	var w wireCode
	if err := crdt.Unmarshal(raw, &w); err != nil {
		return InviteCode{}, damaged(err)
	}
	if len(w.Seed) != ed25519.SeedSize || !w.Society.Cid.Defined() || !w.Invite.Cid.Defined() {
		return InviteCode{}, damaged(errors.New("missing society, invite or secret"))
	}
	return InviteCode{Society: w.Society.Cid, Invite: w.Invite.Cid, Secret: ed25519.NewKeyFromSeed(w.Seed), Name: w.Name, Addrs: w.Addrs}, nil
}
