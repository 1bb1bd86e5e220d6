// Package identity manages who a Commons node is: the member key, the
// device key certified by it, the BIP39 recovery phrase of the member key,
// and the passphrase-encrypted key file that holds all of it at rest.
//
// A member is an ed25519 key pair. A member may use several devices; each
// device has its own ed25519 key pair and a DeviceCert, a signature by the
// member key stating that the device acts for the member. Members and
// devices are named by the libp2p peer ID string of their public key.
//
// The package does no networking and has no user interface beyond the
// terminal prompt in Passphrase.
package identity

import (
	"bytes"
	"crypto/ed25519"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"

	"github.com/libp2p/go-libp2p/core/crypto"
	cryptopb "github.com/libp2p/go-libp2p/core/crypto/pb"
	"github.com/libp2p/go-libp2p/core/peer"
	"github.com/tyler-smith/go-bip39"
)

// Sentinel errors. Errors returned by this package wrap one of these (test
// with errors.Is) and add detail.
var (
	// ErrWrongPassphrase means the key file could not be decrypted with the
	// given passphrase. Because the file is protected by an AEAD, a
	// tampered ciphertext or header (salt, nonce, cost parameters) is
	// indistinguishable from a wrong passphrase and is reported the same way.
	ErrWrongPassphrase = errors.New("wrong passphrase or damaged key file")
	// ErrCorruptKeyfile means the key file is structurally invalid: not the
	// expected JSON, an unknown version or KDF, absurd cost parameters, bad
	// field lengths, or decrypted contents that are inconsistent.
	ErrCorruptKeyfile = errors.New("corrupt key file")
	// ErrBadPhrase means a recovery phrase is not a valid 24-word BIP39
	// English phrase (wrong word count, unknown word or bad checksum).
	ErrBadPhrase = errors.New("invalid recovery phrase")
	// ErrBadCert means a DeviceCert is malformed or its signature is invalid.
	ErrBadCert = errors.New("invalid device certificate")
	// ErrBadID means a peer ID string or public key is not a valid ed25519
	// libp2p identity.
	ErrBadID = errors.New("invalid identity ID")
	// ErrEmptyPassphrase is returned when an empty passphrase is given to
	// Save or ChangePassphrase, or entered at the Passphrase prompt.
	ErrEmptyPassphrase = errors.New("empty passphrase")
	// ErrBadIdentity means an Identity value is incomplete or inconsistent
	// (wrong key lengths, or a certificate that does not match its keys).
	ErrBadIdentity = errors.New("invalid identity")
)

// PhraseWords is the number of words in a recovery phrase.
const PhraseWords = 24

// IDFromPublicKey returns the libp2p peer ID string of an ed25519 public
// key. A key of the wrong length gives an error wrapping ErrBadID.
func IDFromPublicKey(pub ed25519.PublicKey) (string, error) {
	if len(pub) != ed25519.PublicKeySize {
		return "", fmt.Errorf("%w: public key is %d bytes, want %d", ErrBadID, len(pub), ed25519.PublicKeySize)
	}
	pk, err := crypto.UnmarshalEd25519PublicKey(pub)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadID, err)
	}
	pid, err := peer.IDFromPublicKey(pk)
	if err != nil {
		return "", fmt.Errorf("%w: %w", ErrBadID, err)
	}
	return pid.String(), nil
}

// PublicKeyFromID is the inverse of IDFromPublicKey: it decodes a peer ID
// string and extracts the ed25519 public key embedded in it. Any failure
// (not a peer ID, no embedded key, not ed25519) gives an error wrapping
// ErrBadID.
func PublicKeyFromID(id string) (ed25519.PublicKey, error) {
	pid, err := peer.Decode(id)
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrBadID, id, err)
	}
	pk, err := pid.ExtractPublicKey()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrBadID, id, err)
	}
	if pk.Type() != cryptopb.KeyType_Ed25519 {
		return nil, fmt.Errorf("%w: %q: key type %v, want Ed25519", ErrBadID, id, pk.Type())
	}
	raw, err := pk.Raw()
	if err != nil {
		return nil, fmt.Errorf("%w: %q: %w", ErrBadID, id, err)
	}
	if len(raw) != ed25519.PublicKeySize {
		return nil, fmt.Errorf("%w: %q: key is %d bytes, want %d", ErrBadID, id, len(raw), ed25519.PublicKeySize)
	}
	return ed25519.PublicKey(raw), nil
}

// certDomain is the domain-separation prefix of CertMessage.
const certDomain = "commons/device-cert/v1\x00"

// DeviceCert certifies that Device acts for Member. The CBOR tags are used
// by the record encoder elsewhere in Commons and must not change.
type DeviceCert struct {
	Member []byte `cbor:"m" json:"member"` // member ed25519 public key, 32 bytes
	Device []byte `cbor:"d" json:"device"` // device ed25519 public key, 32 bytes
	Sig    []byte `cbor:"s" json:"sig"`    // member signature over CertMessage(Member, Device)
}

// CertMessage returns the bytes the member key signs to certify a device:
// "commons/device-cert/v1\x00" || member || device.
func CertMessage(member, device ed25519.PublicKey) []byte {
	msg := make([]byte, 0, len(certDomain)+len(member)+len(device))
	msg = append(msg, certDomain...)
	msg = append(msg, member...)
	msg = append(msg, device...)
	return msg
}

// Certify returns a certificate, signed by the member private key, stating
// that device acts for the member. If member is not a valid ed25519 private
// key the returned certificate has no signature and fails Verify.
func Certify(member ed25519.PrivateKey, device ed25519.PublicKey) DeviceCert {
	c := DeviceCert{Device: bytes.Clone(device)}
	if len(member) != ed25519.PrivateKeySize {
		return c
	}
	mpub := member.Public().(ed25519.PublicKey)
	c.Member = bytes.Clone(mpub)
	c.Sig = ed25519.Sign(member, CertMessage(mpub, device))
	return c
}

// Verify checks the certificate's field lengths and the member's signature.
// Failures return an error wrapping ErrBadCert.
func (c DeviceCert) Verify() error {
	switch {
	case len(c.Member) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: member key is %d bytes, want %d", ErrBadCert, len(c.Member), ed25519.PublicKeySize)
	case len(c.Device) != ed25519.PublicKeySize:
		return fmt.Errorf("%w: device key is %d bytes, want %d", ErrBadCert, len(c.Device), ed25519.PublicKeySize)
	case len(c.Sig) != ed25519.SignatureSize:
		return fmt.Errorf("%w: signature is %d bytes, want %d", ErrBadCert, len(c.Sig), ed25519.SignatureSize)
	}
	if !ed25519.Verify(c.Member, CertMessage(c.Member, c.Device), c.Sig) {
		return fmt.Errorf("%w: signature does not verify", ErrBadCert)
	}
	return nil
}

// Identity is what a device holds: the member key, this device's key, and
// the member's certificate for the device.
type Identity struct {
	Name   string             // display name chosen by the member
	Member ed25519.PrivateKey // member key, shared by all the member's devices
	Device ed25519.PrivateKey // this device's own key
	Cert   DeviceCert         // member's certificate for Device
}

// New creates an identity with a fresh member key, a fresh device key and a
// certificate for the device, using crypto/rand.
func New(name string) (*Identity, error) {
	_, member, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: generate member key: %w", err)
	}
	return withNewDevice(name, member)
}

// withNewDevice builds an identity for member with a fresh device key.
func withNewDevice(name string, member ed25519.PrivateKey) (*Identity, error) {
	devPub, dev, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		return nil, fmt.Errorf("identity: generate device key: %w", err)
	}
	return &Identity{
		Name:   name,
		Member: member,
		Device: dev,
		Cert:   Certify(member, devPub),
	}, nil
}

// MemberPublic returns the member public key, or nil if the member private
// key is missing or malformed.
func (id *Identity) MemberPublic() ed25519.PublicKey {
	if id == nil {
		return nil
	}
	return publicOf(id.Member)
}

// DevicePublic returns the device public key, or nil if the device private
// key is missing or malformed.
func (id *Identity) DevicePublic() ed25519.PublicKey {
	if id == nil {
		return nil
	}
	return publicOf(id.Device)
}

// MemberID returns the peer ID string of the member public key, or "" if
// the member key is missing or malformed.
func (id *Identity) MemberID() string {
	s, err := IDFromPublicKey(id.MemberPublic())
	if err != nil {
		return ""
	}
	return s
}

// DeviceID returns the peer ID string of the device public key, or "" if
// the device key is missing or malformed.
func (id *Identity) DeviceID() string {
	s, err := IDFromPublicKey(id.DevicePublic())
	if err != nil {
		return ""
	}
	return s
}

// Validate checks that the identity is complete and consistent: both keys
// are well-formed (each private key's public half matches its seed), and
// the certificate verifies and names exactly these two keys. Failures
// return an error wrapping ErrBadIdentity (and ErrBadCert when the
// certificate itself is bad).
func (id *Identity) Validate() error {
	if id == nil {
		return fmt.Errorf("%w: nil identity", ErrBadIdentity)
	}
	mpub, dpub := id.MemberPublic(), id.DevicePublic()
	if mpub == nil {
		return fmt.Errorf("%w: member key is %d bytes, want %d", ErrBadIdentity, len(id.Member), ed25519.PrivateKeySize)
	}
	if dpub == nil {
		return fmt.Errorf("%w: device key is %d bytes, want %d", ErrBadIdentity, len(id.Device), ed25519.PrivateKeySize)
	}
	if !consistent(id.Member) || !consistent(id.Device) {
		return fmt.Errorf("%w: a private key's public half does not match its seed", ErrBadIdentity)
	}
	if err := id.Cert.Verify(); err != nil {
		return fmt.Errorf("%w: %w", ErrBadIdentity, err)
	}
	if !bytes.Equal(id.Cert.Member, mpub) || !bytes.Equal(id.Cert.Device, dpub) {
		return fmt.Errorf("%w: certificate does not match the member and device keys", ErrBadIdentity)
	}
	return nil
}

// publicOf returns the public half of priv, or nil if priv has the wrong
// length.
func publicOf(priv ed25519.PrivateKey) ed25519.PublicKey {
	if len(priv) != ed25519.PrivateKeySize {
		return nil
	}
	return priv.Public().(ed25519.PublicKey)
}

// consistent reports whether the public half stored in priv matches its
// seed. priv must have the right length.
func consistent(priv ed25519.PrivateKey) bool {
	return bytes.Equal(ed25519.NewKeyFromSeed(priv.Seed()), priv)
}

// RecoveryPhrase returns the member key's 32-byte seed as a 24-word BIP39
// English phrase. Anyone holding the phrase can act as the member.
func (id *Identity) RecoveryPhrase() (string, error) {
	if id == nil || len(id.Member) != ed25519.PrivateKeySize {
		return "", fmt.Errorf("%w: no valid member key", ErrBadIdentity)
	}
	phrase, err := bip39.NewMnemonic(id.Member.Seed())
	if err != nil {
		return "", fmt.Errorf("identity: encode recovery phrase: %w", err)
	}
	return phrase, nil
}

// Restore rebuilds the member key from a recovery phrase and creates a fresh
// device key and certificate for this device. Word case and surrounding or
// repeated whitespace are ignored. A phrase with a wrong word count, a word
// outside the BIP39 English list or a bad checksum gives an error wrapping
// ErrBadPhrase; the error never repeats the phrase's words.
func Restore(name, phrase string) (*Identity, error) {
	seed, err := seedFromPhrase(phrase)
	if err != nil {
		return nil, err
	}
	return withNewDevice(name, ed25519.NewKeyFromSeed(seed))
}

// seedFromPhrase normalizes and decodes a 24-word phrase into a 32-byte seed.
func seedFromPhrase(phrase string) ([]byte, error) {
	words := strings.Fields(strings.ToLower(phrase))
	if len(words) != PhraseWords {
		return nil, fmt.Errorf("%w: got %d words, want %d", ErrBadPhrase, len(words), PhraseWords)
	}
	for i, w := range words {
		if _, ok := bip39.GetWordIndex(w); !ok {
			return nil, fmt.Errorf("%w: word %d is not in the BIP39 English word list", ErrBadPhrase, i+1)
		}
	}
	seed, err := bip39.EntropyFromMnemonic(strings.Join(words, " "))
	if err != nil {
		if errors.Is(err, bip39.ErrChecksumIncorrect) {
			return nil, fmt.Errorf("%w: checksum mismatch (a word is probably mistyped or out of order)", ErrBadPhrase)
		}
		return nil, fmt.Errorf("%w: %w", ErrBadPhrase, err)
	}
	if len(seed) != ed25519.SeedSize {
		return nil, fmt.Errorf("%w: decodes to %d bytes, want %d", ErrBadPhrase, len(seed), ed25519.SeedSize)
	}
	return seed, nil
}
